#!/bin/sh
# One desktop per command, its list parameter given by the bare name: the aliyun CLI accepts
# it and sends DesktopId=<id> as is, not DesktopId.1=<id>.
aliyun ecd RebuildDesktops --RegionId cn-hangzhou --DesktopId ecd-t-starting --ImageId m-t-win2022 --force
aliyun ecd StopDesktops --RegionId cn-hangzhou --DesktopId=ecd-t-winrun --StoppedMode StopCharging --force
