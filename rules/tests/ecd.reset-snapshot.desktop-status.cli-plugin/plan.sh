#!/bin/sh
# The plugin form of the aliyun CLI (kebab-case operations and parameters): restore the
# system disk of a running desktop from a snapshot, delete that snapshot, hibernate a
# desktop and delete a custom image that desktops still run.
aliyun ecd reset-snapshot --api-version 2020-09-30 --region cn-hangzhou --biz-region-id cn-hangzhou --snapshot-id s-t-pp-sys
aliyun ecd delete-snapshot --api-version 2020-09-30 --region cn-hangzhou --biz-region-id cn-hangzhou --snapshot-id s-t-pp-sys
aliyun ecd hibernate-desktops --api-version 2020-09-30 --region cn-hangzhou --biz-region-id cn-hangzhou --desktop-id ecd-t-winstop
aliyun ecd delete-images --api-version 2020-09-30 --region cn-hangzhou --biz-region-id cn-hangzhou --image-id m-t-poolimg
