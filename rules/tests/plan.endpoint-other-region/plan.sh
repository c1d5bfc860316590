#!/bin/bash
# --endpoint of Hangzhou with RegionId cn-shanghai: the request goes to Hangzhou's endpoint.
aliyun ecd RebuildDesktops --force --endpoint ecd.cn-hangzhou.aliyuncs.com --RegionId cn-shanghai --DesktopId.1 ecd-t-winstop
# The region's own endpoint (-e): no warning.
aliyun ecd RebuildDesktops --force -e ecd.cn-hangzhou.aliyuncs.com --RegionId cn-hangzhou --DesktopId.1 ecd-t-linstop
