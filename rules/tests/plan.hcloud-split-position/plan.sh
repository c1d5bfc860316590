#!/bin/bash
# One desktop on the line, another in the file: KooCLI may not parse the body completely.
hcloud Workspace BatchDeleteDesktops --cli-region=cn-north-4 --project_id=0b9e5c1d2f3a4b5c6d7e8f9a0b1c2d3e --desktop_ids.1=1a2b3c4d-0002-4e5f-8a9b-0c1d2e3f4a52 --cli-jsonInput=del.json
# The body in the file alone (the path's project on the line): no finding.
hcloud Workspace BatchDeleteDesktops --cli-region=cn-north-4 --project_id=0b9e5c1d2f3a4b5c6d7e8f9a0b1c2d3e --cli-jsonInput=del.json
