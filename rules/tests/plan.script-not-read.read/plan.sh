#!/bin/bash
# A script beside the plan is read: its calls are checked with the plan's, located in it.
source "$(dirname "$0")/lib/stop.sh"
./lib/start.sh
