#!/bin/bash
# The image is chosen in a branch: after the if, bash may or may not have assigned it, so
# $IMAGE is unresolved and the warning says where it was assigned. The region, assigned on
# the top level, is resolved.
REGION=cn-hangzhou
if [ "$1" = linux ]; then
  IMAGE=m-t-ubuntu
fi
aliyun ecd RebuildDesktops --RegionId "$REGION" --DesktopId.1 ecd-t-winstop --ImageId "$IMAGE" --force
