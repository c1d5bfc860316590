#!/bin/sh
# A quote left open: bash reads to the end of the file looking for the closing quote, stops
# with "unexpected EOF while looking for matching" and runs nothing from that command on.
# The command before it runs; the GPU rebuild below it is inside the quote and never runs.
aliyun ecd StopDesktops --RegionId cn-hangzhou --DesktopId.1 ecd-t-winrun --force
aliyun ecd RebuildDesktops --RegionId cn-hangzhou --DesktopId.1 "ecd-t-winstop --ImageId m-t-win2022 --force
aliyun ecd RebuildDesktops --RegionId cn-hangzhou --DesktopId.1 ecd-t-gpu --ImageId m-t-win2022 --force
