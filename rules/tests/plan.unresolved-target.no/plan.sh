#!/usr/bin/env bash
# A stop on a computed desktop loses no data (only plan.unresolved-value, a warning), and a
# deletion whose targets are written out is checked as usual.
set -euo pipefail
aliyun ecd StopDesktops --RegionId cn-hangzhou --DesktopId.1 "$DESKTOP" --force
aliyun ecd DeleteDesktops --RegionId cn-hangzhou --DesktopId.1 ecd-t-winstop --force
