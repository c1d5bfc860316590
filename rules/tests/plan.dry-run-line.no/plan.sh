#!/usr/bin/env bash
# The same maintenance for real. --dryrun is only in this comment and in the log line;
# --quiet and --cli-query change what the CLI prints, not what it sends.
set -euo pipefail

aliyun ecd RebootDesktops --RegionId cn-hangzhou --DesktopId.1 ecd-t-winrun --force --quiet
aliyun ecd RebuildDesktops --RegionId cn-hangzhou --DesktopId.1 ecd-t-linstop \
    --ImageId m-t-ubuntu2204 --Language en-US --force --cli-query 'RebuildResults[].Code'
echo "rehearsed with --dryrun and --cli-dry-run on $(date +%F)" >> maintenance.log
