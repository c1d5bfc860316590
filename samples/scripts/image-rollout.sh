#!/usr/bin/env bash
# November image roll-out, as the desktop team wrote it before asking opguard.
# Check it without running it:
#   opguard check samples/scripts/image-rollout.sh --inventory samples/fleet
set -euo pipefail

PROFILE=ops-prod
NEW_IMAGE=m-win2022std

# --- Hong Kong: the Linux desktop onto Ubuntu 22.04 (plugin form, as in the runbook) ------
aliyun ecd rebuild-desktops --profile "$PROFILE" --api-version 2020-09-30 \
    --region cn-hongkong --biz-region-id cn-hongkong \
    --desktop-id ecd-hklin02b3m8q1 --image-id m-ubuntu2204lts --language en-US

# --- Hangzhou: Windows and the GPU desktop (classic form needs --force for ecd) ----------
aliyun ecd RebuildDesktops --RegionId cn-hangzhou \
    --DesktopId.1 ecd-hzwin04d2p7w3 \
    --DesktopId.2 ecd-hzgpu05e5r1y8 \
    --ImageId m-win2022std \
    --force --profile ops-prod

# try the Linux one first
aliyun ecd RebuildDesktops --RegionId cn-hangzhou --DesktopId.1 ecd-hzlin03c9x4t6 --ImageId "$NEW_IMAGE" --force --cli-dry-run

# --- Shanghai: the two desktops from ticket OPS-4711 -------------------------------------
aliyun ecd RebuildDesktops --RegionId=cn-shanghai --DesktopId '["ecd-shwin08h4w9a5","ecd-shlin10k2z5c7"]' \
    --ImageId m-win2022std --force && echo "shanghai done"

# --- Singapore: stop first, then rebuild keeping a fresh data disk ------------------------
aliyun ecd StopDesktops --RegionId ap-southeast-1 --DesktopId.1 ecd-sgwin12n8b1e2 --force; aliyun ecd RebuildDesktops --RegionId ap-southeast-1 --DesktopId.1 ecd-sgwin12n8b1e2 --ImageId m-win2022std --OperateType replace --force

# --- The ECS build host with a scheduled maintenance event -------------------------------
aliyun ecs RedeployInstance --region cn-hangzhou --InstanceId i-bp1redeploy01ok --ForceStop false

# --- Whatever is left in the ticket export ------------------------------------------------
for id in $(cut -d, -f1 ops-4711.csv); do
  aliyun ecd RebuildDesktops --RegionId cn-hangzhou --DesktopId.1 "$id" --ImageId m-win2022std --force
done
