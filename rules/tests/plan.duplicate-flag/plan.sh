#!/bin/sh
# Rebuild onto the 2022 image. The image was changed by adding a flag, not by editing the
# old one: the aliyun CLI stops with "--ImageId duplicated" and sends nothing.
aliyun ecd RebuildDesktops --RegionId cn-hangzhou --DesktopId.1 ecd-t-winstop \
    --ImageId m-t-win2019 \
    --ImageId m-t-win2022 --force

# A CLI flag given twice is refused the same way, whatever the values.
aliyun ecd StartDesktops --RegionId cn-hangzhou --DesktopId.1 ecd-t-linstop --profile ops --force --profile ops-hangzhou
