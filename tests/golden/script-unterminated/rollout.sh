#!/bin/sh
# A roll-out whose last edit left a quote open. bash runs the first command, then reads to the
# end of the file looking for the closing quote and stops with "unexpected EOF while looking
# for matching" quote: the rebuild and everything after it never run.
aliyun ecs RedeployInstance --RegionId cn-hangzhou --InstanceId i-bp1redeploy01ok --ForceStop false
aliyun ecd RebuildDesktops --RegionId cn-hangzhou --DesktopId.1 "ecd-hzlin03c9x4t6 --ImageId m-win2022std --force
aliyun ecd RebuildDesktops --RegionId cn-hangzhou --DesktopId.1 ecd-hzgpu05e5r1y8 --ImageId m-win2022std --force
