#!/usr/bin/env bash
# The roll-out with every value the API reads written out, so every check runs (and finds
# the GPU desktop given a non-GPU image, and the stop of a stopped desktop). Variables only
# name the caller's profile and the log file, which change nothing opguard checks.
set -euo pipefail

OPS_PROFILE=ops-hangzhou
LOG=rollout-$(date +%F).log

aliyun ecd RebuildDesktops --RegionId cn-hangzhou --DesktopId.1 ecd-t-winstop --ImageId m-t-win2022 --force --profile "$OPS_PROFILE" >> "$LOG"
aliyun ecd RebuildDesktops --RegionId cn-hangzhou --DesktopId.1 ecd-t-linstop \
    --ImageId m-t-ubuntu2204 --Language en-US --force --profile "$OPS_PROFILE" >> "$LOG"
aliyun ecd RebuildDesktops --RegionId cn-hangzhou --DesktopId.1 ecd-t-gpu --ImageId m-t-win2022 --force --profile "$OPS_PROFILE"
aliyun ecd StopDesktops --RegionId cn-hangzhou --DesktopId.1 ecd-t-winstop --force --profile "$OPS_PROFILE"
echo "rebuilt ecd-t-winstop onto m-t-win2022" >> "$LOG"
