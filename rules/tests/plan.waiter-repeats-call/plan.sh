#!/bin/bash
# --waiter on RebuildDesktops sends the rebuild again until the expression matches: not a
# wait. The StartDesktops after it meets a Rebuilding desktop.
aliyun ecd RebuildDesktops --force --RegionId cn-hangzhou --DesktopId.1 ecd-t-winstop --waiter expr='Desktops[0].DesktopStatus' to=Stopped
aliyun ecd StartDesktops --force --RegionId cn-hangzhou --DesktopId.1 ecd-t-winstop
# A Describe polled with --waiter is the wait: the start after it is accepted.
aliyun ecd RebuildDesktops --force --RegionId cn-hangzhou --DesktopId.1 ecd-t-linstop
aliyun ecd DescribeDesktops --force --RegionId cn-hangzhou --DesktopId.1 ecd-t-linstop --waiter expr='Desktops[0].DesktopStatus' to=Stopped
aliyun ecd StartDesktops --force --RegionId cn-hangzhou --DesktopId.1 ecd-t-linstop
