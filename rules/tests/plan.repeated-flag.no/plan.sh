#!/bin/sh
# Lists written the way each client builds them: the plugin form repeats the list flag,
# KooCLI numbers the elements. No parameter is given twice.
aliyun ecd rebuild-desktops --api-version 2020-09-30 --region cn-hangzhou --biz-region-id cn-hangzhou \
    --desktop-id ecd-t-winstop --desktop-id ecd-t-linstop --image-id m-t-win2022

hcloud Workspace CheckDesktopImages --cli-region=cn-north-4 --project_id=0b9e5c1d2f3a4b5c6d7e8f9a0b1c2d3e \
    --desktop_ids.1=1a2b3c4d-0001-4e5f-8a9b-0c1d2e3f4a51 \
    --desktop_ids.2=1a2b3c4d-0002-4e5f-8a9b-0c1d2e3f4a52
