#!/bin/bash
# Lines that name the CLI and run it in forms opguard does not read: each is an error, never dropped.
trap 'aliyun ecd DeleteDesktops --RegionId cn-hangzhou --DesktopId.1 ecd-t-winrun --force' EXIT
$SHELL -c 'aliyun ecd StopDesktops --RegionId cn-hangzhou --DesktopId.1 ecd-t-winrun --force'
echo 'the runbook calls aliyun ecd StopDesktops' > notes.txt
aliyun ecd StopDesktops --RegionId cn-hangzhou --DesktopId.1 ecd-t-winrun --force
