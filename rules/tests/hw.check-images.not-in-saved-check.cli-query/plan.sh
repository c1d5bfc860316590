#!/bin/sh
# Before the image clean-up: check the ops desktops again. Only the answer of last week's
# check was saved, as --cli-query image_infos printed it (a bare list), and it lists
# WKS-OPS-01 alone.
hcloud Workspace CheckDesktopImages --cli-region=cn-north-4 --project_id=0b9e5c1d2f3a4b5c6d7e8f9a0b1c2d3e \
  --desktop_ids.1=1a2b3c4d-0001-4e5f-8a9b-0c1d2e3f4a51 \
  --desktop_ids.2=1a2b3c4d-0002-4e5f-8a9b-0c1d2e3f4a52
