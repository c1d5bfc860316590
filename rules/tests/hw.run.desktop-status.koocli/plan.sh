#!/bin/sh
hcloud Workspace BatchRunDesktops --cli-region=cn-north-4 --project_id=0b9e5c1d2f3a4b5c6d7e8f9a0b1c2d3e --desktop_ids.1=2b3c4d5e-0002-4a6b-9c7d-8e9f0a1b2c32 --op_type=os-hibernate
