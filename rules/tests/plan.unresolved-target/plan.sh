#!/usr/bin/env bash
# Calls that lose data on targets the script computes when it runs: opguard cannot tell which
# desktops they destroy, so the check fails instead of passing as "no change".
set -euo pipefail
aliyun ecd DeleteDesktops --RegionId cn-hangzhou --DesktopId.1 "$VICTIM" --force
printf 'ecd-t-winstop\n' | xargs -I{} aliyun ecd RebuildDesktops --RegionId cn-hangzhou --DesktopId.1 {} --ImageId m-t-win2022 --force
