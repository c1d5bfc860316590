#!/bin/bash
# Wrappers that run the command once, as written: read as the command itself, nothing to say.
nice -n 10 aliyun ecd StopDesktops --RegionId cn-hangzhou --DesktopId.1 ecd-t-winrun --force
bash -c "aliyun ecd StartDesktops --RegionId cn-hangzhou --DesktopId.1 ecd-t-winstop --force"
ssh -i ~/.ssh/ops bastion 'aliyun ecd StartDesktops --RegionId cn-hangzhou --DesktopId.1 ecd-t-linstop --force'
# Naming the CLI is not running it.
echo aliyun ecd DeleteDesktops --DesktopId.1 ecd-t-gpu
command -v aliyun >/dev/null
