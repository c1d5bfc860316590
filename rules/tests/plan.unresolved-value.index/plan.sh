#!/bin/bash
# Desktops numbered by a loop counter: the index of --DesktopId.$i is only known when the
# script runs. Each is an unresolved element of DesktopId (not a parameter named
# "DesktopId.$i"): the checks that need the whole list are skipped, and say so, instead of
# "no desktop" and "DesktopId is missing". The loop runs once per desktop (two calls, each
# with its $id), and $i changes inside it, so both calls warn at the same place.
i=1
for id in ecd-t-winstop ecd-t-linstop; do
  aliyun ecd RebuildDesktops --RegionId cn-hangzhou --DesktopId.$i "$id" --ImageId m-t-win2022 --force
  i=$((i+1))
done
aliyun ecd StopDesktops --RegionId cn-hangzhou --DesktopId.1 ecd-t-winrun --DesktopId.$((n+1)) ecd-t-linstop --force
