#!/usr/bin/env bash
# Builds the libFuzzer targets of fuzz/ with clang (AddressSanitizer + UndefinedBehavior-
# Sanitizer) into build-fuzz/ and runs every target for SECONDS (default 60) each, two at a
# time, seeded from samples/, tests/ and fuzz/seeds/. Optional; not part of CI.
#
#   bash scripts/fuzz.sh [seconds-per-target] [target-name-pattern]
#   e.g. bash scripts/fuzz.sh 600                 every target, 10 minutes each
#        bash scripts/fuzz.sh 60 inventory_desktop one target
#
# Needs clang-14 and libclang-rt-14-dev (scripts/setup.sh --fuzz installs them).
# Environment: FUZZ_BUILD_DIR (build-fuzz), FUZZ_JOBS (2 targets at once), FUZZ_RSS_MB (2048).
#
# Per target, in FUZZ_BUILD_DIR: corpus/<target>/ (grows across runs), logs/<target>.log,
# artifacts/<target>-crash-* (a crash, leak, timeout or sanitizer report). The summary
# (target, seconds, executions from libFuzzer's final stats, result) is printed and kept in
# fuzz-summary.txt. Exit status 1 if any target found a problem: turn each artifact into a
# regression test (tests/unit/hostile_test.cpp), then rerun.
set -euo pipefail
cd "$(dirname "$0")/.."
secs=${1:-60}
pattern=${2:-}
build=${FUZZ_BUILD_DIR:-build-fuzz}
jobs=${FUZZ_JOBS:-2}
rss=${FUZZ_RSS_MB:-2048}
cxx=${CXX_FUZZ:-clang++-14}

command -v "$cxx" >/dev/null || { echo "fuzz.sh: $cxx not found (bash scripts/setup.sh --fuzz)" >&2; exit 2; }
cmake -S . -B "$build" -DCMAKE_CXX_COMPILER="$cxx" -DCMAKE_BUILD_TYPE=RelWithDebInfo -DOPGUARD_FUZZ=ON \
      -DBUILD_TESTING=OFF >/dev/null
cmake --build "$build" -j"$(nproc)"

root=$(pwd)
mkdir -p "$build/logs" "$build/artifacts" "$build/seeds" "$build/corpus"

# ---- seeds -----------------------------------------------------------------------------
# JSON inputs opguard ships or tests with (reports are outputs, not inputs: left out).
json_inputs() {
  find samples tests rules -name '*.json' ! -name 'expected*.json' -type f | sort
}
seed() {  # seed TARGET FILE...
  local dir="$build/seeds/$1"
  shift
  mkdir -p "$dir"
  for f in "$@"; do cp "$f" "$dir/$(echo "$f" | tr '/' '_')"; done
}
rm -rf "$build/seeds"
seed opguard_fuzz_rules rules/*.rules $(find tests samples fuzz/seeds/rules -name '*.rules' -type f 2>/dev/null | sort)
seed opguard_fuzz_plan $(json_inputs | xargs -r grep -l '"calls"') $(find fuzz/seeds/plan -type f 2>/dev/null | sort)
# Plans in every form load_plan_any reads: opguard JSON, shell scripts of aliyun/hcloud lines,
# --cli-dry-run-json records, --cli-jsonInput files, OOS templates, Terraform plans.
seed opguard_fuzz_plan_formats $(json_inputs | xargs -r grep -l -E '"calls"|"style"|"resource_changes"|"FormatVersion"|"body"') \
  $(find samples tests rules -type f \( -name '*.sh' -o -name '*.yml' -o -name '*.yaml' \) | sort) \
  $(find fuzz/seeds/plan_formats -type f 2>/dev/null | sort)
# The one-format plan targets: the files of their own form (and, for templates, YAML bombs'
# neighbours come from the corpus libFuzzer grows).
seed opguard_fuzz_plan_oos_template $(find samples tests rules -type f \( -name '*.yml' -o -name '*.yaml' \) | sort) \
  $(json_inputs | xargs -r grep -l '"FormatVersion"') $(find fuzz/seeds/oos_template -type f 2>/dev/null | sort)
seed opguard_fuzz_plan_shell $(find samples tests rules -type f -name '*.sh' | sort) $(find fuzz/seeds/shell -type f 2>/dev/null | sort)
seed opguard_fuzz_plan_cli_dry_run_json $(json_inputs | xargs -r grep -l '"style"')
seed opguard_fuzz_plan_terraform_plan $(json_inputs | xargs -r grep -l '"resource_changes"')
# Each inventory target gets the files that hold its kind's list (rules/*.rules `list`).
declare -A list_key=(
  [desktop]='"Desktops"' [image]='"Images"' [snapshot]='"Snapshots"' [ecd_region]='"Regions"'
  [instance]='"Instances"' [ecs_event]='"InstanceSystemEventSet"' [ecs_full_status]='"InstanceFullStatusSet"'
  [app_image]='"Data"' [hw_desktop]='"desktops"' [hw_image]='"images"' [hw_image_check]='"image_infos"'
  [disk]='"Disks"' [ecs_snapshot]='"Snapshots"' [ecs_image]='"Images"' [desktop_group]='"DesktopGroups"')
for kind in "${!list_key[@]}"; do
  files=$(json_inputs | xargs -r grep -l -- "${list_key[$kind]}" | xargs -r grep -L '"calls"' || true)
  seed "opguard_fuzz_inventory_$kind" $files $(find "fuzz/seeds/$kind" -type f 2>/dev/null | sort)
done

# ---- run -------------------------------------------------------------------------------
targets=()
for t in "$build"/fuzz/opguard_fuzz_*; do
  [[ -x $t ]] || continue
  name=$(basename "$t")
  [[ -z $pattern || $name == *$pattern* ]] && targets+=("$name")
done
((${#targets[@]})) || { echo "fuzz.sh: no target matches '$pattern'" >&2; exit 2; }

export ASAN_OPTIONS=${ASAN_OPTIONS:-detect_leaks=1:abort_on_error=1:symbolize=1}
export UBSAN_OPTIONS=${UBSAN_OPTIONS:-print_stacktrace=1:halt_on_error=1}

run_one() {
  local name=$1 dict=fuzz/json.dict max_len=65536
  if [[ ! -d $build/seeds/$name ]]; then
    echo "fuzz.sh: no seeds for $name (add them in the seeds section)" >"$build/logs/$name.log"
    echo 2 >"$build/logs/$name.status"
    return
  fi
  [[ $name == opguard_fuzz_rules ]] && dict=fuzz/rules.dict && max_len=131072
  [[ $name == opguard_fuzz_plan_oos_template ]] && dict=fuzz/yaml.dict
  [[ $name == opguard_fuzz_plan_shell ]] && dict=fuzz/shell.dict
  mkdir -p "$build/corpus/$name"
  "$build/fuzz/$name" -max_total_time="$secs" -timeout=30 -rss_limit_mb="$rss" -max_len="$max_len" \
    -dict="$dict" -print_final_stats=1 -artifact_prefix="$root/$build/artifacts/$name-" \
    "$build/corpus/$name" "$build/seeds/$name" >"$build/logs/$name.log" 2>&1 && rc=0 || rc=$?
  echo "$rc" >"$build/logs/$name.status"
}

echo "fuzz.sh: ${#targets[@]} targets, ${secs}s each, $jobs at a time; logs in $build/logs/"
for name in "${targets[@]}"; do
  rm -f "$build/logs/$name.status"
  while (($(jobs -rp | wc -l) >= jobs)); do wait -n || true; done
  run_one "$name" &
done
wait

# ---- summary ---------------------------------------------------------------------------
failed=0
{
  printf '%-36s %8s %14s %10s  %s\n' target seconds executions "exec/s" result
  for name in "${targets[@]}"; do
    log="$build/logs/$name.log"
    runs=$(sed -n 's/^stat::number_of_executed_units: *//p' "$log" | tail -1)
    done_line=$(grep -E '^Done [0-9]+ runs in [0-9]+ second' "$log" | tail -1 || true)
    took=$(echo "$done_line" | sed -n 's/^Done [0-9]* runs in \([0-9]*\) second.*/\1/p')
    rate=$(sed -n 's/^stat::average_exec_per_sec: *//p' "$log" | tail -1)
    rc=$(cat "$build/logs/$name.status" 2>/dev/null || echo '?')
    result=ok
    [[ $rc == 0 ]] || result="FAILED (exit $rc)"
    if grep -qE 'ERROR: (AddressSanitizer|LeakSanitizer|libFuzzer)|runtime error:|==[0-9]+== ?ERROR' "$log"; then
      result="FAILED: $(grep -m1 -E 'ERROR:|runtime error:' "$log" | cut -c1-100)"
    fi
    [[ $result == ok ]] || failed=1
    printf '%-36s %8s %14s %10s  %s\n' "$name" "${took:-?}" "${runs:-?}" "${rate:-?}" "$result"
  done
} | tee "$build/fuzz-summary.txt"
if ((failed)); then
  echo "fuzz.sh: problems found; inputs in $build/artifacts/, details in $build/logs/" >&2
  exit 1
fi
