#!/bin/sh
# The classic form of ecd and appstream-center commands, written without --force. The aliyun
# CLI has no API metadata for these products and (inferred from its source) stops before
# sending anything. opguard still checks the calls, and finds the GPU desktop given a
# non-GPU image.
aliyun ecd RebuildDesktops --RegionId cn-hangzhou --DesktopId.1 ecd-t-gpu --ImageId m-t-win2022
aliyun ecd StopDesktops --RegionId cn-hangzhou --DesktopId.1 ecd-t-winrun --cli-dry-run
aliyun appstream-center StartTaskForDistributeImage --region cn-shanghai --ImageId imgc-t \
    --DestinationRegionList.1 cn-hangzhou --ProductType CloudDesktop
