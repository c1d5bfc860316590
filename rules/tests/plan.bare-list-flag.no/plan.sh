#!/bin/sh
# The same commands with an index (DesktopId.1), the form the aliyun CLI sends as a list.
aliyun ecd RebuildDesktops --RegionId cn-hangzhou --DesktopId.1 ecd-t-starting --ImageId m-t-win2022 --force
aliyun ecd StopDesktops --RegionId cn-hangzhou --DesktopId.1=ecd-t-winrun --StoppedMode StopCharging --force
