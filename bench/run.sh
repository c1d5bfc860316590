#!/usr/bin/env bash
# bench/run.sh: the whole opguard benchmark in one command.
#
#   bash bench/run.sh [--sizes 1000,10000,100000] [--runs K] [--seed S] [--timeout SECONDS]
#                     [--opguard PATH]
#
#   --sizes    desktop counts N to measure (default 1000,10000,100000)
#   --runs     K, timed runs per command and size, >= 3 (default 3; the small case uses >= 20)
#   --seed     generator seed (default 1)
#   --timeout  limit for one checked run of any command, seconds (default 900)
#   --opguard  measure this opguard binary instead of building build-release/opguard
#   The small case reads samples/rebuild-plan.json and samples/fleet/ (override with the
#   environment variables BENCH_SMALL_PLAN and BENCH_SMALL_INVENTORY).
#
# 1. builds a Release opguard into build-release/ and the parse floor into bench/build/;
# 2. generates the inputs for each size N with bench/generate.py into bench/data/n<N>-s<S>/
#    (kept between runs while the generator, N and seed are unchanged);
# 3. for each N measures, in this one run, (a) `opguard check`, (b) the simdjson floor and
#    (c) `jq empty` on the same files: wall time with hyperfine (K runs, median/min/max) and
#    peak RSS with /usr/bin/time (K more runs), and one `opguard check --timings` run for
#    the time and memory of each stage; then the small case (samples/, if present) beside
#    /bin/true and `opguard --version`;
# 4. writes bench/RESULTS.md (bench/summarize.py) from the raw results in bench/data/results/,
#    with the targets of the performance work checked and bench/ANALYSIS.md (the profile:
#    where the time goes, written by hand) appended.
#
# opguard exits 1 when it has findings: 0 and 1 count as success, anything else as failure.
# If opguard cannot be built or fails, its rows say so (with its stderr) and the floor and jq
# rows are still measured; nothing is made up. Exit status: 0 when every row was measured,
# 1 when some row failed (the report is written either way), 2 on a usage or setup error.
set -euo pipefail

usage() { sed -n '2,30p' "${BASH_SOURCE[0]}" | sed 's/^# \{0,1\}//'; }
log() { printf '[bench] %s\n' "$*" >&2; }
die() { log "error: $*"; exit 2; }

ORIGINAL_ARGS=("$@")
SIZES="1000,10000,100000"
RUNS=3
SEED=1
TIMEOUT=900          # seconds allowed for one checked run of any command
SMALL_RUNS=20
OPGUARD=""           # empty: build build-release/opguard
SMALL_PLAN="${BENCH_SMALL_PLAN:-samples/rebuild-plan.json}"
SMALL_INVENTORY="${BENCH_SMALL_INVENTORY:-samples/fleet}"

while [[ $# -gt 0 ]]; do
  case "$1" in
    --sizes) [[ $# -ge 2 ]] || die "--sizes needs a value"; SIZES="$2"; shift 2 ;;
    --sizes=*) SIZES="${1#*=}"; shift ;;
    --runs) [[ $# -ge 2 ]] || die "--runs needs a value"; RUNS="$2"; shift 2 ;;
    --runs=*) RUNS="${1#*=}"; shift ;;
    --seed) [[ $# -ge 2 ]] || die "--seed needs a value"; SEED="$2"; shift 2 ;;
    --seed=*) SEED="${1#*=}"; shift ;;
    --timeout) [[ $# -ge 2 ]] || die "--timeout needs a value"; TIMEOUT="$2"; shift 2 ;;
    --timeout=*) TIMEOUT="${1#*=}"; shift ;;
    --opguard) [[ $# -ge 2 ]] || die "--opguard needs a value"; OPGUARD="$2"; shift 2 ;;
    --opguard=*) OPGUARD="${1#*=}"; shift ;;
    -h|--help) usage; exit 0 ;;
    *) usage >&2; die "unknown argument: $1" ;;
  esac
done
[[ "$SIZES" =~ ^[1-9][0-9]*(,[1-9][0-9]*)*$ ]] || die "--sizes must be a comma-separated list of positive integers"
[[ "$RUNS" =~ ^[0-9]+$ && "$RUNS" -ge 3 ]] || die "--runs must be an integer >= 3"
[[ "$SEED" =~ ^[0-9]+$ ]] || die "--seed must be a non-negative integer"
[[ "$TIMEOUT" =~ ^[1-9][0-9]*$ ]] || die "--timeout must be a positive integer"
IFS=',' read -r -a SIZE_LIST <<<"$SIZES"
(( SMALL_RUNS < RUNS )) && SMALL_RUNS=$RUNS

ROOT="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
cd "$ROOT"
DATA=bench/data
RES="$DATA/results"
FLOOR=bench/build/floor

# ---------------------------------------------------------------------------------------------
# Tools
# ---------------------------------------------------------------------------------------------
missing=()
[[ -x /usr/bin/time ]] || missing+=(time)
command -v hyperfine >/dev/null || missing+=(hyperfine)
command -v jq >/dev/null || missing+=(jq)
if (( ${#missing[@]} )); then
  log "installing missing tools: ${missing[*]}"
  if [[ $(id -u) -eq 0 ]] && command -v apt-get >/dev/null; then
    apt-get install -y "${missing[@]}" >/dev/null 2>&1 \
      || { apt-get update >/dev/null && apt-get install -y "${missing[@]}" >/dev/null; } \
      || die "could not install ${missing[*]}"
  else
    die "missing ${missing[*]}: install them (Debian: apt-get install -y ${missing[*]})"
  fi
fi
for tool in cmake g++ python3 timeout; do
  command -v "$tool" >/dev/null || die "$tool is required"
done

rm -rf "$RES"
mkdir -p "$RES"
# The command line as typed (arguments quoted only where the shell needs it).
{
  printf 'bash bench/run.sh'
  for arg in "${ORIGINAL_ARGS[@]+"${ORIGINAL_ARGS[@]}"}"; do
    if [[ "$arg" =~ ^[A-Za-z0-9_./=,:+-]+$ ]]; then printf ' %s' "$arg"; else printf ' %q' "$arg"; fi
  done
  printf '\n'
} >"$RES/command.txt"
printf '%s\n' "$SEED" >"$RES/seed.txt"
cut -d' ' -f1-3 /proc/loadavg >"$RES/loadavg-start.txt" 2>/dev/null || true

# ---------------------------------------------------------------------------------------------
# Builds
# ---------------------------------------------------------------------------------------------
if [[ -n "$OPGUARD" ]]; then
  log "using the given opguard: $OPGUARD (not building)"
  printf 'given with --opguard %s; not built by run.sh\n' "$OPGUARD" >"$RES/opguard-build.log"
  if [[ -x "$OPGUARD" ]]; then echo ok; else echo failed; fi >"$RES/opguard-build.status"
  [[ "$OPGUARD" == */* ]] || OPGUARD="./$OPGUARD"
else
  OPGUARD=build-release/opguard
  log "building opguard (Release) into build-release/"
  if cmake -S . -B build-release -DCMAKE_BUILD_TYPE=Release -DBUILD_TESTING=OFF >"$RES/opguard-build.log" 2>&1 \
     && cmake --build build-release -j2 >>"$RES/opguard-build.log" 2>&1 \
     && [[ -x "$OPGUARD" ]]; then
    echo ok >"$RES/opguard-build.status"
  else
    echo failed >"$RES/opguard-build.status"
    log "opguard build FAILED (its rows will say so); log: $RES/opguard-build.log"
  fi
fi
printf '%s\n' "$OPGUARD" >"$RES/opguard-path.txt"
OPGUARD_BUILT=$(cat "$RES/opguard-build.status")

log "building the parse floor into bench/build/"
if ! { cmake -S bench -B bench/build -DCMAKE_BUILD_TYPE=Release >"$RES/floor-build.log" 2>&1 \
        && cmake --build bench/build -j2 >>"$RES/floor-build.log" 2>&1; }; then
  cat "$RES/floor-build.log" >&2
  die "the floor did not build"
fi

# ---------------------------------------------------------------------------------------------
# Inputs
# ---------------------------------------------------------------------------------------------
GEN_HASH=$( { sha256sum bench/generate.py; python3 --version; } | sha256sum | cut -c1-16)

# generate N -> prints the data directory; regenerates only when the stamp differs.
generate() {
  local n=$1 dir="$DATA/n$1-s$SEED" stamp="gen=$GEN_HASH n=$1 seed=$SEED"
  if [[ -f "$dir/.stamp" && "$(cat "$dir/.stamp")" == "$stamp" ]]; then
    log "N=$n: reusing $dir"
  else
    log "N=$n: generating into $dir"
    rm -rf "$dir" "$dir.tmp"
    mkdir -p "$dir.tmp"
    python3 bench/generate.py --desktops "$n" --seed "$SEED" --out "$dir.tmp" >"$dir.tmp/generate.log"
    printf '%s\n' "$stamp" >"$dir.tmp/.stamp"
    mv "$dir.tmp" "$dir"
  fi
  cp "$dir/generate.log" "$RES/n$n.generate.log"
  sed 's/^/  /' "$dir/generate.log" >&2
  printf '%s\n' "$dir"
}

# ---------------------------------------------------------------------------------------------
# Measurement
# ---------------------------------------------------------------------------------------------
# measure PREFIX OKCODES CMD... : K runs under /usr/bin/time (exit code + peak RSS, the first
# one also checks the command works), then K hyperfine runs for wall time. Writes
# PREFIX.status ("ok" or "failed: ..."), PREFIX.rss (one "exit_code rss_kib" line per run),
# PREFIX.stdout / .stderr (of the first run) and PREFIX.hyperfine.json.
measure() {
  local prefix=$1 okcodes=$2; shift 2
  local rc rss i
  : >"$prefix.rss"
  for (( i = 1; i <= RUNS; i++ )); do
    set +e
    timeout "$TIMEOUT" /usr/bin/time -f '%M' -o "$prefix.time" "$@" >"$prefix.stdout.tmp" 2>"$prefix.stderr.tmp"
    rc=$?
    set -e
    if (( i == 1 )); then mv "$prefix.stdout.tmp" "$prefix.stdout"; mv "$prefix.stderr.tmp" "$prefix.stderr"; fi
    rm -f "$prefix.stdout.tmp" "$prefix.stderr.tmp"
    if [[ " $okcodes " != *" $rc "* ]]; then
      local why="exit code $rc"
      (( rc == 124 )) && why="timed out after ${TIMEOUT} s"
      grep -q '^Command terminated by signal' "$prefix.time" 2>/dev/null && why="$(grep '^Command terminated' "$prefix.time")"
      echo "failed: $why (run $i)" >"$prefix.status"
      log "  FAILED: $* -> $why"
      return 0
    fi
    rss=$(tail -n 1 "$prefix.time")
    echo "$rc $rss" >>"$prefix.rss"
  done
  rm -f "$prefix.time"
  local cmdline
  cmdline=$(printf '%q ' "$@")
  if ! hyperfine -N --runs "$RUNS" --ignore-failure --style basic \
        --export-json "$prefix.hyperfine.json" "${cmdline% }" >"$prefix.hyperfine.log" 2>&1; then
    echo "failed: hyperfine (see $prefix.hyperfine.log)" >"$prefix.status"
    return 0
  fi
  echo ok >"$prefix.status"
}

status_line() { printf '  %-8s %s\n' "$1" "$(cat "$2.status")" >&2; }

: >"$RES/sizes.txt"
for n in "${SIZE_LIST[@]}"; do
  dir=$(generate "$n")
  printf '%s %s\n' "$n" "$dir" >>"$RES/sizes.txt"
  files=("$dir/plan.json")
  for f in "$dir"/inventory/*.json; do files+=("$f"); done

  log "N=$n: opguard"
  if [[ "$OPGUARD_BUILT" == ok ]]; then
    measure "$RES/n$n.opguard" "0 1" "$OPGUARD" check "$dir/plan.json" --inventory "$dir/inventory" \
      --format json --output /dev/null
  else
    echo "failed: not built (see the build log)" >"$RES/n$n.opguard.status"
  fi
  status_line opguard "$RES/n$n.opguard"
  if [[ "$(cat "$RES/n$n.opguard.status")" == ok ]]; then
    # One more run with --timings: each stage's wall time and resident memory (RESULTS.md).
    "$OPGUARD" check "$dir/plan.json" --inventory "$dir/inventory" --format json --output /dev/null \
      --timings 2>"$RES/n$n.stages.txt" >/dev/null || true
  fi
  log "N=$n: floor"
  measure "$RES/n$n.floor" "0" "$FLOOR" "${files[@]}"
  status_line floor "$RES/n$n.floor"
  log "N=$n: jq empty"
  measure "$RES/n$n.jq" "0" jq empty "${files[@]}"
  status_line jq "$RES/n$n.jq"
done

# The small case: the shipped sample beside /bin/true (process start-up dominates) and
# `opguard --version` (starting this binary: loading and relocating its shared libraries).
printf '%s %s\n' "$SMALL_PLAN" "$SMALL_INVENTORY" >"$RES/small-inputs.txt"
if [[ ! -f "$SMALL_PLAN" || ! -d "$SMALL_INVENTORY" ]]; then
  echo "skipped: $SMALL_PLAN or $SMALL_INVENTORY/ not present" >"$RES/small.status"
elif [[ "$OPGUARD_BUILT" != ok ]]; then
  echo "failed: opguard not built" >"$RES/small.status"
else
  log "small case: $SMALL_PLAN, $SMALL_RUNS runs"
  set +e
  timeout "$TIMEOUT" "$OPGUARD" check "$SMALL_PLAN" --inventory "$SMALL_INVENTORY" \
    >"$RES/small.stdout" 2>"$RES/small.stderr"
  rc=$?
  set -e
  if [[ $rc -ne 0 && $rc -ne 1 ]]; then
    echo "failed: exit code $rc" >"$RES/small.status"
  elif hyperfine -N --warmup 3 --runs "$SMALL_RUNS" --ignore-failure --style basic \
        --export-json "$RES/small.hyperfine.json" \
        "$(printf '%q ' "$OPGUARD" check "$SMALL_PLAN" --inventory "$SMALL_INVENTORY" | sed 's/ $//')" /bin/true \
        "$(printf '%q ' "$OPGUARD" --version | sed 's/ $//')" \
        >"$RES/small.hyperfine.log" 2>&1; then
    echo ok >"$RES/small.status"
  else
    echo "failed: hyperfine (see small.hyperfine.log)" >"$RES/small.status"
  fi
fi
log "small case: $(cat "$RES/small.status")"

# ---------------------------------------------------------------------------------------------
# Report
# ---------------------------------------------------------------------------------------------
python3 bench/summarize.py --results "$RES" --out bench/RESULTS.md
log "wrote bench/RESULTS.md"
if grep -L '^ok$' "$RES"/*.status | grep -v 'small.status' | grep -q . \
   || grep -q '^failed' "$RES/small.status"; then
  log "some rows FAILED: see bench/RESULTS.md"
  exit 1
fi
exit 0
