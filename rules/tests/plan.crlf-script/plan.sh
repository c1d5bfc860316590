#!/bin/bash
# Saved on Windows: every line ends in CRLF.
aliyun ecd RebootDesktops --RegionId cn-hangzhou --DesktopId.1 ecd-t-winrun
