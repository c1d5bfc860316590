#!/bin/sh
# pre-commit hook: checks every staged plan file with opguard before it is committed.
# pre-commit passes the plan files as arguments (see .pre-commit-hooks.yaml at the
# repository root). pre-commit cannot build opguard: it must be installed (README "Installing").
# Each plan is checked against the saved inventory; findings print as
#   FILE:LINE:COL error[rule] ... (the text report), and the commit is refused when a plan
# has a finding at or above OPGUARD_FAIL_ON that no waiver covers, or cannot be read.
#
# Settings (environment, all optional):
#   OPGUARD_INVENTORY  saved API responses, file or directory (default: inventory)
#   OPGUARD_WAIVERS    waiver file (default: opguard-waivers.json, used when it exists)
#   OPGUARD_FAIL_ON    error | warning | info (default error)
#   OPGUARD            the opguard binary (default: opguard on PATH)
# Exit code: 0 when every plan passes; else the highest opguard exit code (1 findings,
# 2 unreadable input, 3 opguard bug).
set -u
opguard=${OPGUARD:-opguard}
if ! command -v "$opguard" >/dev/null 2>&1; then
  echo "opguard-pre-commit: '$opguard' not found: install opguard (cmake --install, or the .deb: README \"Installing\") or set OPGUARD to its path" >&2
  exit 2
fi
inventory=${OPGUARD_INVENTORY:-inventory}
waivers=${OPGUARD_WAIVERS:-opguard-waivers.json}
worst=0
for plan in "$@"; do
  if [ -f "$waivers" ]; then
    "$opguard" check "$plan" --inventory "$inventory" --waivers "$waivers" --fail-on "${OPGUARD_FAIL_ON:-error}" --format text
  else
    "$opguard" check "$plan" --inventory "$inventory" --fail-on "${OPGUARD_FAIL_ON:-error}" --format text
  fi
  status=$?
  [ "$status" -gt "$worst" ] && worst=$status
done
exit "$worst"
