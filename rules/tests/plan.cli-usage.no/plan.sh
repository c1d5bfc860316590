#!/bin/sh
# Every flag the way the aliyun CLI parses it: --k v, --k=v and --k:v take a value, and
# --force and --quiet take none.
aliyun ecd RebuildDesktops --RegionId=cn-hangzhou --DesktopId.1:ecd-t-winstop --ImageId m-t-win2022 --force --quiet
aliyun ecd RebootDesktops --RegionId cn-hangzhou --DesktopId.1 ecd-t-winrun --force
