#!/bin/sh
# The same desktops as repeat-list flags (DesktopId.N), the form the aliyun CLI sends as
# a list: no JSON array in a string.
aliyun ecd RebuildDesktops --RegionId cn-hangzhou --DesktopId.1 ecd-t-winstop --DesktopId.2 ecd-t-starting --ImageId m-t-win2022 --force
aliyun ecd StopDesktops --RegionId cn-hangzhou --DesktopId.1=ecd-t-winrun --StoppedMode StopCharging --force
