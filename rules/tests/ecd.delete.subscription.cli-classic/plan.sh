#!/bin/sh
# The classic aliyun CLI form (ecd has no API metadata in the CLI, so --force): release a
# running subscription desktop and a pay-as-you-go one, grow a stopped desktop's disks, and
# reset a desktop of a shared group.
aliyun ecd DeleteDesktops --RegionId cn-hangzhou --DesktopId.1 ecd-t-prepaid --DesktopId.2 ecd-t-pool1 --force
aliyun ecd ModifyDesktopSpec --RegionId cn-hangzhou --DesktopId ecd-t-winstop --RootDiskSizeGib 125 --UserDiskSizeGib 200 --force
aliyun ecd ResetDesktops --RegionId cn-hangzhou --DesktopId.1 ecd-t-pool2 --ResetType 3 --ResetScope ALL --force
