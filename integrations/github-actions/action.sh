#!/bin/sh
# The run script of opguard's composite action (action.yml at the repository root). The
# action's step passes each input as an INPUT_* environment variable (action.yml maps them):
#   INPUT_PLAN        the plan file (required)
#   INPUT_INVENTORY   saved API responses: files or directories, separated by spaces or newlines (required)
#   INPUT_WAIVERS     a waiver file (optional; ignored when the file does not exist)
#   INPUT_FAIL_ON     error | warning | info (default error)
#   INPUT_FORMATS     report files to write, separated by spaces: sarif junit markdown json gitlab text
#                     (default "sarif junit markdown json")
#   INPUT_OUTPUT_DIR  folder for the report files (default opguard-report)
#   INPUT_FAIL        true: the step fails on findings at or above INPUT_FAIL_ON (default);
#                     false: it passes and exit-code says 1. Bad input always fails (2).
#   INPUT_OPGUARD     the opguard binary (default: opguard on PATH)
# Standard output: one GitHub annotation per finding, at file:line:col. The Markdown report,
# when written, is appended to $GITHUB_STEP_SUMMARY. $GITHUB_OUTPUT receives exit-code=N,
# report-dir=DIR and, per report written, FORMAT=PATH (sarif=opguard-report/opguard.sarif).
# Exit code: opguard's (0 pass, 1 findings, 2 bad input, 3 opguard bug), 0 for 1 when INPUT_FAIL=false.
set -u
opguard=${INPUT_OPGUARD:-}
[ -n "$opguard" ] || opguard=opguard
if [ -z "${INPUT_PLAN:-}" ] || [ -z "${INPUT_INVENTORY:-}" ]; then
  echo "::error title=opguard::the inputs plan and inventory are required" >&2
  exit 2
fi
out=${INPUT_OUTPUT_DIR:-}
[ -n "$out" ] || out=opguard-report
formats=${INPUT_FORMATS:-}
[ -n "$formats" ] || formats="sarif junit markdown json"
mkdir -p "$out" || exit 2

set -- check "$INPUT_PLAN" --fail-on "${INPUT_FAIL_ON:-error}"
for inventory in $INPUT_INVENTORY; do
  set -- "$@" --inventory "$inventory"
done
if [ -n "${INPUT_WAIVERS:-}" ] && [ -f "$INPUT_WAIVERS" ]; then
  set -- "$@" --waivers "$INPUT_WAIVERS"
fi
set -- "$@" --format github
written=""
for format in $formats; do
  case $format in
    sarif) file=opguard.sarif ;;
    junit) file=opguard.xml ;;
    markdown) file=opguard.md ;;
    json) file=opguard.json ;;
    gitlab) file=opguard.gitlab.json ;;
    text) file=opguard.txt ;;
    *) echo "::error title=opguard::unknown format '$format' in the input formats (sarif junit markdown json gitlab text)" >&2
       exit 2 ;;
  esac
  set -- "$@" --format "$format" --output "$out/$file"
  written="$written $format=$out/$file"
done
"$opguard" "$@"
status=$?
if [ -n "${GITHUB_OUTPUT:-}" ]; then
  {
    echo "exit-code=$status"
    echo "report-dir=$out"
    if [ "$status" -le 1 ]; then
      for pair in $written; do echo "$pair"; done
    fi
  } >> "$GITHUB_OUTPUT"
fi
if [ -n "${GITHUB_STEP_SUMMARY:-}" ] && [ -f "$out/opguard.md" ] && [ "$status" -le 1 ]; then
  cat "$out/opguard.md" >> "$GITHUB_STEP_SUMMARY"
fi
if [ "$status" -eq 1 ] && [ "${INPUT_FAIL:-true}" = false ]; then
  exit 0
fi
exit "$status"
