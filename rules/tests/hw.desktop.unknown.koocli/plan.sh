#!/bin/sh
hcloud Workspace DeleteDesktop --cli-region=cn-north-4 --project_id=0b9e5c1d2f3a4b5c6d7e8f9a0b1c2d3e --desktop_id=9d1f3c1e-0000-4e6a-8f00-5b2c7e1d9a77 --delete_users=false
