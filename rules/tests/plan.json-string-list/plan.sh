#!/bin/sh
# DesktopId written as a JSON array in one string, as DescribeInstances --InstanceIds takes
# it. DesktopId is a repeat list (DesktopId.N): the aliyun CLI sends the string literally.
aliyun ecd RebuildDesktops --RegionId cn-hangzhou --DesktopId '["ecd-t-winstop", "ecd-t-starting"]' --ImageId m-t-win2022 --force
aliyun ecd StopDesktops --RegionId cn-hangzhou --DesktopId='["ecd-t-winrun"]' --StoppedMode StopCharging --force
