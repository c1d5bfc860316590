#!/bin/bash
# Flags passed through from the caller or read from a file: opguard cannot see them, so each
# command may carry more flags (--dryrun, --force, more desktops). The checks that need every
# flag to be seen (a missing required parameter or --force, the DesktopId count) are skipped;
# the desktops written on the line are still checked (the GPU desktop, a non-GPU image).
aliyun ecd RebuildDesktops --RegionId cn-hangzhou --ImageId m-t-win2022 --force $EXTRA_ARGS
aliyun ecd RebuildDesktops --RegionId cn-hangzhou --DesktopId.1 ecd-t-gpu --ImageId m-t-win2022 "$@"
aliyun ecd StopDesktops --RegionId cn-hangzhou --DesktopId.1 ecd-t-winrun --force $(cat stop-flags.txt)
