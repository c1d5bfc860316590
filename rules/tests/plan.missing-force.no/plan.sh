#!/bin/sh
# --force anywhere on the command (here after a line continuation), the plugin form, and ECS
# (whose API metadata the aliyun CLI embeds): none of these needs --force.
aliyun ecd RebuildDesktops --RegionId cn-hangzhou --DesktopId.1 ecd-t-gpu \
    --ImageId m-t-win2022 --force
aliyun ecd stop-desktops --api-version 2020-09-30 --region cn-hangzhou --biz-region-id cn-hangzhou --desktop-id ecd-t-winrun
aliyun ecs RedeployInstance --RegionId cn-hangzhou --InstanceId i-t-redeploy
