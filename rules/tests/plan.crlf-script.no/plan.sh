#!/bin/bash
# LF line ends.
aliyun ecd RebootDesktops --RegionId cn-hangzhou --DesktopId.1 ecd-t-winrun
