#!/usr/bin/env bash
# Image roll-out driven by variables: opguard does not run the script, so a value that
# comes from a variable, a command substitution or a --Name-FILE file is unresolved.
set -euo pipefail

NEW_IMAGE=$(cat release/image-id.txt)

aliyun ecd RebuildDesktops --RegionId cn-hangzhou --DesktopId.1 ecd-t-winstop --ImageId "$NEW_IMAGE" --force
aliyun ecd RebuildDesktops --RegionId cn-hangzhou --DesktopId.1 ecd-t-linstop \
    --DesktopId.2 "$(head -n1 queue/next-desktop.txt)" --ImageId m-t-ubuntu2204 --Language en-US --force
aliyun ecd RebuildDesktops --RegionId cn-hangzhou --DesktopId.1 ecd-t-gpu --ImageId-FILE release/gpu-image-id.txt --force
aliyun ecd StopDesktops --RegionId "${REGION:-cn-hangzhou}" --DesktopId.1 ecd-t-winstop --force
