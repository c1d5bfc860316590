#!/bin/bash
# The condition of a while or until loop runs once per round: a refused rebuild is sent
# again until the cloud accepts it.
until aliyun ecd RebuildDesktops --force --RegionId cn-hangzhou --DesktopId.1 ecd-t-winstop --ImageId m-t-win2022; do
  sleep 5
done
while ! aliyun ecd StopDesktops --force --RegionId cn-hangzhou --DesktopId.1 ecd-t-linstop; do sleep 5; done
# Not a loop's condition: an if, and a command in a loop's body.
if aliyun ecd StartDesktops --force --RegionId cn-hangzhou --DesktopId.1 ecd-t-gpu; then echo started; fi
while true; do
  aliyun ecd DescribeDesktops --force --RegionId cn-hangzhou --DesktopId.1 ecd-t-gpu
  break
done
