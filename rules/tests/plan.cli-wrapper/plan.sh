#!/bin/bash
# The CLI run through commands that may run it several times or not at all: each is read
# and checked once, as written, and says so; its placeholders are values opguard does not see.
cut -d, -f1 ids.csv | xargs -I{} aliyun ecd StopDesktops --RegionId cn-hangzhou --DesktopId.1 {} --force
parallel aliyun ecd StartDesktops --RegionId cn-hangzhou --DesktopId.1 {} --force ::: ecd-t-winstop ecd-t-linstop
retry 3 aliyun ecd RebootDesktops --RegionId cn-hangzhou --DesktopId.1 ecd-t-winrun --force
