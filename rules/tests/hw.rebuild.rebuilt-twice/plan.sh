#!/bin/sh
# Dev desktops, cn-north-4: move WKS-DEV-01 to the new office image, then the whole team;
# the second line rebuilds WKS-DEV-01 again.
hcloud Workspace BatchRebuildDesktopsSystemDisk --cli-region=cn-north-4 --project_id=0b9e5c1d2f3a4b5c6d7e8f9a0b1c2d3e \
  --desktop_ids.1=2b3c4d5e-0001-4a6b-9c7d-8e9f0a1b2c31 --image_type=gold --image_id=63aa8670-27ad-4747-8c44-6d8919e785a7
hcloud Workspace BatchRebuildDesktopsSystemDisk --cli-region=cn-north-4 --project_id=0b9e5c1d2f3a4b5c6d7e8f9a0b1c2d3e \
  --desktop_ids.1=2b3c4d5e-0003-4a6b-9c7d-8e9f0a1b2c33 \
  --desktop_ids.2=2b3c4d5e-0001-4a6b-9c7d-8e9f0a1b2c31 \
  --image_type=gold --image_id=63aa8670-27ad-4747-8c44-6d8919e785a7
