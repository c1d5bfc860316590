#!/bin/sh
# Runs opguard on one plan the way the GitHub Actions workflow (opguard.yml) does, in one
# pass writing every report:
#   standard output      GitHub workflow commands: one annotation per finding, at file:line:col
#   $OUT/opguard.sarif   SARIF 2.1.0, for code scanning (github/codeql-action/upload-sarif)
#   $OUT/opguard.xml     JUnit XML, one test case per call target
#   $OUT/opguard.md      the change-review report, also appended to $GITHUB_STEP_SUMMARY
#   $OUT/opguard.json    the JSON report (schemas/report.schema.json)
# Exit code: opguard's (0 pass, 1 findings at or above OPGUARD_FAIL_ON, 2 bad input, 3 bug).
#
# Settings (environment):
#   OPGUARD_PLAN       the plan file (required)
#   OPGUARD_INVENTORY  saved API responses: a file or a directory (required)
#   OPGUARD_WAIVERS    a waiver file (optional; ignored when the file does not exist)
#   OPGUARD_FAIL_ON    error | warning | info (default error)
#   OPGUARD_OUT        folder for the report files (default .)
#   OPGUARD            the opguard binary (default: opguard on PATH)
set -u
opguard=${OPGUARD:-opguard}
plan=${OPGUARD_PLAN:?set OPGUARD_PLAN to the plan file}
inventory=${OPGUARD_INVENTORY:?set OPGUARD_INVENTORY to the saved API responses}
out=${OPGUARD_OUT:-.}
mkdir -p "$out"
set -- check "$plan" --inventory "$inventory" --fail-on "${OPGUARD_FAIL_ON:-error}"
if [ -n "${OPGUARD_WAIVERS:-}" ] && [ -f "$OPGUARD_WAIVERS" ]; then
  set -- "$@" --waivers "$OPGUARD_WAIVERS"
fi
"$opguard" "$@" \
  --format github \
  --format sarif --output "$out/opguard.sarif" \
  --format junit --output "$out/opguard.xml" \
  --format markdown --output "$out/opguard.md" \
  --format json --output "$out/opguard.json"
status=$?
if [ -n "${GITHUB_STEP_SUMMARY:-}" ] && [ -f "$out/opguard.md" ]; then
  cat "$out/opguard.md" >> "$GITHUB_STEP_SUMMARY"
fi
exit "$status"
