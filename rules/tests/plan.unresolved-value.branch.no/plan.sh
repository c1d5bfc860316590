#!/bin/bash
# Near miss: both values are assigned on the top level (export, quoted), so both are resolved
# and nothing is unresolved.
export REGION="cn-hangzhou"
readonly IMAGE='m-t-win2022'
aliyun ecd RebuildDesktops --RegionId "$REGION" --DesktopId.1 ecd-t-winstop --ImageId "${IMAGE}" --force
