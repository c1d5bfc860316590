aliyun ecd StartDesktops --RegionId cn-hangzhou --DesktopId.1 ecd-t-winrun --force
