#!/bin/sh
# A parameter given twice where the client takes it: the aliyun plugin form and KooCLI
# accept the repetition, and which value reaches the API is not documented.
aliyun ecd rebuild-desktops --api-version 2020-09-30 --region cn-hangzhou --biz-region-id cn-hangzhou \
    --desktop-id ecd-t-winstop --image-id m-t-creating --image-id m-t-win2022

hcloud Workspace CheckDesktopImages --cli-region=cn-north-4 --project_id=0b9e5c1d2f3a4b5c6d7e8f9a0b1c2d3e \
    --desktop_ids.1=1a2b3c4d-0001-4e5f-8a9b-0c1d2e3f4a51 \
    --desktop_ids.1=1a2b3c4d-0002-4e5f-8a9b-0c1d2e3f4a52
