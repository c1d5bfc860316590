#!/bin/sh
# Command lines the aliyun CLI refuses before sending anything: a switch given a value,
# and a flag whose value was left out (the next word is a flag).
aliyun ecd RebuildDesktops --RegionId cn-hangzhou --DesktopId.1 ecd-t-winstop --ImageId m-t-win2022 --force=true
aliyun ecd RebootDesktops --RegionId cn-hangzhou --DesktopId.1 --force
