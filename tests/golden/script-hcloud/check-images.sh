#!/bin/sh
# Finance desktops, cn-north-4: do their images still exist before the image clean-up?
# KooCLI (hcloud) lines as the team runs them.

PROJECT_ID=0b5a1e2f8c9d4e6f8a7b6c5d4e3f2a1b

hcloud Workspace CheckDesktopImages --cli-region=cn-north-4 \
  --project_id=0b5a1e2f8c9d4e6f8a7b6c5d4e3f2a1b \
  --desktop_ids.1=0730042a-b9c7-4279-bb24-d3fd299a2efe \
  --desktop_ids.2=f77db5cd-c020-47d4-bbbe-9b979a38d18c \
  --desktop_ids.3=9d1f3c1e-0000-4e6a-8f00-5b2c7e1d9a77

# The same check from a --cli-jsonInput file (relative to this script)
hcloud Workspace CheckDesktopImages --cli-region=cn-north-4 --cli-jsonInput=check-finance.json

# Project from the profile, desktop from a variable
hcloud Workspace CheckDesktopImages --cli-region=cn-north-4 --desktop_ids.1="$NEW_DESKTOP" --cli-output=json

# Saving the inventory, and a dry run
hcloud Workspace ListDesktopsDetail --cli-region=cn-north-4 --project_id=$PROJECT_ID --limit=500 --offset=0 > inventory/list_desktops_detail.json
hcloud Workspace CheckDesktopImages --cli-region=cn-north-4 --project_id=0b5a1e2f8c9d4e6f8a7b6c5d4e3f2a1b --desktop_ids.1=0730042a-b9c7-4279-bb24-d3fd299a2efe --dryrun

# The --cli-jsonInput file written with ./ (shown as tests/golden/script-hcloud/check-finance.json),
# a loop counter as a list index, and flags passed through from the caller
hcloud Workspace CheckDesktopImages --cli-region=cn-north-4 --cli-jsonInput=./check-finance.json
for i in $(seq 1 2); do
  hcloud Workspace CheckDesktopImages --cli-region=cn-north-4 --project_id=0b5a1e2f8c9d4e6f8a7b6c5d4e3f2a1b --desktop_ids.$i=0730042a-b9c7-4279-bb24-d3fd299a2efe
done
hcloud Workspace CheckDesktopImages --cli-region=cn-north-4 --project_id=0b5a1e2f8c9d4e6f8a7b6c5d4e3f2a1b --desktop_ids.1=0730042a-b9c7-4279-bb24-d3fd299a2efe "$@"
