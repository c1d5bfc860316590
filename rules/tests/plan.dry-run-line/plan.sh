#!/usr/bin/env bash
# Week 48 maintenance, rehearsed first: each command below only prints its request (or
# help), so opguard checks it as if it were sent but predicts no change from it.
set -euo pipefail

aliyun ecd RebootDesktops --RegionId cn-hangzhou --DesktopId.1 ecd-t-winstop --force --cli-dry-run
aliyun ecd RebuildDesktops --RegionId cn-hangzhou --DesktopId.1 ecd-t-linstop \
    --ImageId m-t-ubuntu2204 --Language en-US --force --dryrun
hcloud Workspace CheckDesktopImages --cli-region=cn-north-4 --project_id=0b9e5c1d2f3a4b5c6d7e8f9a0b1c2d3e \
    --desktop_ids.1=1a2b3c4d-0001-4e5f-8a9b-0c1d2e3f4a51 --dryrun
