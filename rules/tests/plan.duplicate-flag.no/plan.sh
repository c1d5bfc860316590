#!/bin/sh
# Two desktops, each under its own flag: --DesktopId.1 and --DesktopId.2 are different
# flags, and so are --region and --RegionId. The plugin form takes a list by repeating
# its flag, which it accepts.
aliyun ecd RebuildDesktops --region cn-hangzhou --RegionId cn-hangzhou \
    --DesktopId.1 ecd-t-winstop --DesktopId.2 ecd-t-linstop --ImageId m-t-win2022 --force
aliyun ecd start-desktops --api-version 2020-09-30 --region cn-hangzhou --biz-region-id cn-hangzhou \
    --desktop-id ecd-t-winstop --desktop-id ecd-t-linstop
