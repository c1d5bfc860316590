#!/usr/bin/env bash
# Image roll-out, week 47: every form of aliyun command line opguard reads.
set -euo pipefail

REGION=cn-hangzhou
WIN_IMAGE=m-win2022std

# Classic form with backslash continuations; --force because the CLI has no API metadata for ecd.
aliyun ecd RebuildDesktops --RegionId cn-hangzhou \
    --DesktopId.1 ecd-hzlin03c9x4t6 \
    --DesktopId.2 ecd-hzgpu05e5r1y8 \
    --ImageId m-win2022std --force --quiet

# --k=v and --k:v forms; --region wins over --RegionId for where the call goes.
aliyun ecd RebuildDesktops --region cn-hongkong --RegionId=cn-hangzhou --DesktopId.1:ecd-hkwin01a7c2k9 --ImageId=m-ubuntu2204lts --force

# Plugin form: kebab-case names, --biz-region-id is RegionId, a repeated list flag builds the list.
aliyun ecd rebuild-desktops --api-version 2020-09-30 --region cn-shanghai --biz-region-id cn-shanghai \
    --desktop-id ecd-shwin08h4w9a5 --desktop-id ecd-shlin10k2z5c7 --image-id m-win2022std --profile ops

# Variables assigned above on the top level are resolved; command substitutions are not.
aliyun ecd RebuildDesktops --RegionId "$REGION" --DesktopId.1 ecd-hzwin04d2p7w3 --ImageId "$WIN_IMAGE" --force
aliyun ecd RebuildDesktops --RegionId cn-hangzhou --DesktopId.1 ecd-hzwin04d2p7w3 --DesktopId.2 "$(cat next-desktop.txt)" --ImageId m-win2022std --force
aliyun ecd DescribeDesktops --RegionId cn-hangzhou --DesktopId.1 ecd-hzwin04d2p7w3 --force --waiter expr='Desktops[0].DesktopStatus' to=Running  # polls: the wait for the work above
# Dry runs send nothing; chained with && and ;
aliyun ecd RebuildDesktops --RegionId cn-hangzhou --DesktopId.1 ecd-hzlin03c9x4t6 --ImageId m-ubuntu2204lts --force --cli-dry-run-json > /tmp/req.json && aliyun ecd RebuildDesktops --RegionId ap-southeast-1 --DesktopId.1 ecd-sggpu07g1v6z4 --ImageId m-wingpudesign --force --dryrun; aliyun ecs RedeployInstance --RegionId cn-hangzhou --InstanceId i-bp1redeploy01ok --estimate-cost

# A list as one JSON string, a flag given twice, a parameter the API does not have.
aliyun ecd RebuildDesktops --RegionId cn-shanghai --DesktopId '["ecd-shwin08h4w9a5", "ecd-bjwin09j7y2b6"]' --ImageId m-win2022std --force
aliyun ecd RebuildDesktops --RegionId cn-hangzhou --DesktopId.1 ecd-hzwin06f8s3u2 --ImageId m-win2022std --ImageId m-win2022golden --force
aliyun ecd RebuildDesktops --RegionId cn-hangzhou --DesktopId.1 ecd-hzwin11m5a8d9 --ImageId m-win2022std --KeepData true --force

# ECS, with the region from --region; a flag without its value.
aliyun ecs RedeployInstance --region cn-hangzhou --InstanceId i-bp1localdisk02 --ForceStop false
aliyun ecs RedeployInstance --RegionId cn-hangzhou --InstanceId i-bp1noevents006 --ForceStop

# Not API calls: configuration and help.
aliyun configure set --profile ops --region cn-hangzhou
aliyun ecd
echo "aliyun ecd RebuildDesktops --RegionId cn-hangzhou" >> rollout.log

# A loop counter as a list index, flags passed through from the caller, a flag ECS does not
# have (refused by the CLI without --force), and a classic ecd line without --force.
for i in $(seq 1 2); do
  aliyun ecd RebuildDesktops --RegionId cn-hangzhou --DesktopId.$i ecd-hzlin03c9x4t6 --ImageId m-ubuntu2204lts --force
done
aliyun ecd StopDesktops --RegionId cn-hangzhou --DesktopId.1 ecd-hzwin04d2p7w3 --force "$@"
aliyun ecs RedeployInstance --RegionId cn-hangzhou --InstanceId i-bp1redeploy01ok --DryRun true
aliyun ecd StartDesktops --RegionId cn-hangzhou --DesktopId.1 ecd-hzlin03c9x4t6
# The one target of a call as a variable set outside the script: unresolved, not accepted.
aliyun ecs RedeployInstance --RegionId cn-hangzhou --InstanceId "$NEXT_INSTANCE"
