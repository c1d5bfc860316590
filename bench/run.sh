#!/usr/bin/env bash
# bench/run.sh: the opguard benchmark in one command.
#
#   bash bench/run.sh [--sizes 10000,100000] [--shapes cli,compact] [--pairs K] [--seed S]
#                     [--sample-pairs K] [--timeout SECONDS] [--opguard PATH] [--floor PATH]
#                     [--out DIR] [--data DIR] [--quick]
#
#   --sizes         desktop counts N (default 10000,100000)
#   --shapes        data shapes of bench/generate.py (default cli,compact): cli = as the aliyun
#                   CLI saves responses (tab-indented, every field); compact = no whitespace,
#                   only the fields the rules' resources name (generate.py --compact)
#   --pairs         K >= 5 interleaved pairs per shape and size (default 5)
#   --sample-pairs  interleaved pairs for the sample vs `opguard --version` (default 20)
#   --seed          generator seed (default 1)
#   --timeout       limit for one run of any command, seconds (default 900)
#   --opguard       measure this binary instead of building build-release/opguard (Release)
#   --floor         use this parse floor instead of building bench/build/floor
#   --out           where the results go (default bench/data/results)
#   --data          where generated inputs are kept between runs (default bench/data)
#   --summarize DIR only write DIR/summary.md again from the raw results in DIR/raw
#   --quick         a smoke run of this script: N = 100, 1 pair, 2 sample pairs. It checks
#                   that every command runs and that opguard's totals equal the hand-written
#                   checker's; its times say nothing (ctest runs it, label bench)
#
# For each shape and N: the load average is noted, one checked run of opguard writes its JSON
# report and one run of the hand-written node checker (bench/checker.js) prints its totals;
# the two are compared (bench/report_totals.py: calls and targets refused, errors, warnings,
# infos, each effect's count and GiB) and a difference FAILS the bench. Then K pairs, each
# running, one after the other, the simdjson parse floor (bench/floor.cpp) on the same files,
# `opguard check --format json --output /dev/null`, and the node checker: wall time
# (bash's EPOCHREALTIME), user and system time and peak RSS (/usr/bin/time). Each pair gives
# the ratios opguard/floor and checker/opguard, of wall time and of CPU time (user + system:
# on a busy machine the walls include waiting for a core); the median of the per-pair ratios
# is reported with their min and max, so that a machine that slows down during the run moves
# both sides of a ratio. The time exponent between consecutive sizes comes from the median
# walls (and CPU times). Last, K
# pairs of `opguard --version` and the shipped sample check (samples/rebuild-plan.json,
# samples/fleet).
#
# Writes OUT/summary.md (the tables) and OUT/raw/ (one line per run). bench/RESULTS.md is
# written by hand from summary.md. Without node the checker's column says "skipped: node not
# found" and the bench still runs (BENCH_NODE=PATH picks the node binary, BENCH_NODE=none
# skips it). Exit status: 0 when every run worked and the totals agree, 1 when a run failed
# or the totals differ, 2 on a usage or setup error.
set -euo pipefail

usage() { awk 'NR > 1 && /^#/ { sub(/^# ?/, ""); print; next } NR > 1 { exit }' "${BASH_SOURCE[0]}"; }
log() { printf '[bench] %s\n' "$*" >&2; }
die() { log "error: $*"; exit 2; }

ORIGINAL_ARGS=("$@")
SIZES="10000,100000"
SHAPES="cli,compact"
PAIRS=5
SAMPLE_PAIRS=20
SEED=1
TIMEOUT=900
OPGUARD=""
FLOOR=""
OUT=""
DATA=""
QUICK=0
SUMMARIZE=""

while [[ $# -gt 0 ]]; do
  arg=$1
  case "$arg" in
    --*=*) set -- "${arg%%=*}" "${arg#*=}" "${@:2}"; continue ;;
  esac
  case "$arg" in
    --sizes|--shapes|--pairs|--sample-pairs|--seed|--timeout|--opguard|--floor|--out|--data|--summarize)
      [[ $# -ge 2 ]] || die "$arg needs a value"
      case "$arg" in
        --sizes) SIZES=$2 ;; --shapes) SHAPES=$2 ;; --pairs) PAIRS=$2 ;;
        --sample-pairs) SAMPLE_PAIRS=$2 ;; --seed) SEED=$2 ;; --timeout) TIMEOUT=$2 ;;
        --opguard) OPGUARD=$2 ;; --floor) FLOOR=$2 ;; --out) OUT=$2 ;; --data) DATA=$2 ;;
        --summarize) SUMMARIZE=$2 ;;
      esac
      shift 2 ;;
    --quick) QUICK=1; shift ;;
    -h|--help) usage; exit 0 ;;
    *) usage >&2; die "unknown argument: $arg" ;;
  esac
done
if (( QUICK )); then
  # Unless given explicitly after --quick's defaults would apply.
  [[ " ${ORIGINAL_ARGS[*]} " == *" --sizes"* ]] || SIZES=100
  [[ " ${ORIGINAL_ARGS[*]} " == *" --pairs"* ]] || PAIRS=1
  [[ " ${ORIGINAL_ARGS[*]} " == *" --sample-pairs"* ]] || SAMPLE_PAIRS=2
fi
[[ "$SIZES" =~ ^[1-9][0-9]*(,[1-9][0-9]*)*$ ]] || die "--sizes must be a comma-separated list of positive integers"
[[ "$SHAPES" =~ ^(cli|compact)(,(cli|compact))*$ ]] || die "--shapes must be cli, compact or both (comma-separated)"
[[ "$PAIRS" =~ ^[1-9][0-9]*$ ]] || die "--pairs must be a positive integer"
(( QUICK || PAIRS >= 5 )) || die "--pairs must be >= 5 (a median of fewer pairs says little); --quick for a smoke run"
[[ "$SAMPLE_PAIRS" =~ ^[1-9][0-9]*$ ]] || die "--sample-pairs must be a positive integer"
[[ "$SEED" =~ ^[0-9]+$ ]] || die "--seed must be a non-negative integer"
[[ "$TIMEOUT" =~ ^[1-9][0-9]*$ ]] || die "--timeout must be a positive integer"
if [[ -n "$SUMMARIZE" ]]; then
  [[ -f "$SUMMARIZE/raw/params.txt" ]] || die "$SUMMARIZE/raw/params.txt not found: not a results folder of bench/run.sh"
  SUMMARIZE_ONLY=1
fi
IFS=',' read -r -a SIZE_LIST <<<"$SIZES"
IFS=',' read -r -a SHAPE_LIST <<<"$SHAPES"

ROOT="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
abs() { case "$1" in /*) printf '%s\n' "$1" ;; *) printf '%s/%s\n' "$PWD" "$1" ;; esac; }
[[ -z "$OPGUARD" ]] || OPGUARD=$(abs "$OPGUARD")
[[ -z "$FLOOR" ]] || FLOOR=$(abs "$FLOOR")
OUT=$(abs "${OUT:-$ROOT/bench/data/results}")
DATA=$(abs "${DATA:-$ROOT/bench/data}")
cd "$ROOT"

for tool in python3 timeout; do command -v "$tool" >/dev/null || die "$tool is required"; done
[[ -x /usr/bin/time ]] || die "/usr/bin/time is required (Debian: apt-get install -y time)"
# BENCH_NODE: the node binary for bench/checker.js (default: node or nodejs on PATH); "none"
# skips the checker as a machine without node does.
NODE_SKIP="skipped: node not found"
if [[ "${BENCH_NODE:-}" == none ]]; then
  NODE=""; NODE_SKIP="skipped: BENCH_NODE=none"
elif [[ -n "${BENCH_NODE:-}" ]]; then
  [[ -x "$BENCH_NODE" ]] || die "BENCH_NODE=$BENCH_NODE is not an executable"
  NODE=$BENCH_NODE
else
  NODE=$(command -v node || command -v nodejs || true)
fi

if [[ -z "${SUMMARIZE_ONLY:-}" ]]; then
rm -rf "$OUT"
mkdir -p "$OUT/raw"
printf '%s %s %s\n' "$PAIRS" "$SAMPLE_PAIRS" "$QUICK" >"$OUT/raw/params.txt"
{
  printf 'bash bench/run.sh'
  for a in "${ORIGINAL_ARGS[@]+"${ORIGINAL_ARGS[@]}"}"; do
    if [[ "$a" =~ ^[A-Za-z0-9_./=,:+-]+$ ]]; then printf ' %s' "$a"; else printf ' %q' "$a"; fi
  done
  printf '\n'
} >"$OUT/command.txt"

# ---- builds ----------------------------------------------------------------------------------
if [[ -z "$OPGUARD" ]]; then
  OPGUARD=$ROOT/build-release/opguard
  log "building opguard (Release) into build-release/"
  launcher=()
  command -v ccache >/dev/null && launcher=(-DCMAKE_CXX_COMPILER_LAUNCHER=ccache)
  { cmake -S . -B build-release -DCMAKE_BUILD_TYPE=Release -DBUILD_TESTING=OFF "${launcher[@]}" \
      && cmake --build build-release -j2; } >"$OUT/opguard-build.log" 2>&1 \
    || { tail -n 30 "$OUT/opguard-build.log" >&2; die "opguard did not build (log: $OUT/opguard-build.log)"; }
fi
[[ -x "$OPGUARD" ]] || die "no opguard at $OPGUARD"
if [[ -z "$FLOOR" ]]; then
  FLOOR=$ROOT/bench/build/floor
  log "building the parse floor into bench/build/"
  { cmake -S bench -B bench/build -DCMAKE_BUILD_TYPE=Release && cmake --build bench/build -j2; } \
    >"$OUT/floor-build.log" 2>&1 || { tail -n 30 "$OUT/floor-build.log" >&2; die "the floor did not build"; }
fi
[[ -x "$FLOOR" ]] || die "no parse floor at $FLOOR"
{
  echo "opguard: $OPGUARD"
  "$OPGUARD" --version 2>&1 | head -n 3
  echo "commit: $(git -C "$ROOT" rev-parse --short HEAD 2>/dev/null || echo unknown)$(git -C "$ROOT" diff --quiet HEAD 2>/dev/null || echo ' (with uncommitted changes)')"
  echo "floor: $FLOOR"
  echo "node: ${NODE:-not found} $([[ -n "$NODE" ]] && "$NODE" --version)"
  echo "cpus: $(nproc)  $(grep -m1 'model name' /proc/cpuinfo | cut -d: -f2-)"
  echo "date: $(date -u '+%Y-%m-%d %H:%M UTC')"
} >"$OUT/environment.txt"

# ---- inputs ----------------------------------------------------------------------------------
GEN_HASH=$( { sha256sum bench/generate.py; python3 --version; } | sha256sum | cut -c1-16)
# generate SHAPE N -> prints the data directory (regenerated only when its stamp differs).
generate() {
  local shape=$1 n=$2 dir="$DATA/$1-n$2-s$SEED" stamp="gen=$GEN_HASH shape=$1 n=$2 seed=$SEED"
  local flag=()
  [[ "$shape" == compact ]] && flag=(--compact)
  if [[ ! -f "$dir/.stamp" || "$(cat "$dir/.stamp")" != "$stamp" ]]; then
    log "$shape N=$n: generating into $dir"
    rm -rf "$dir" "$dir.tmp"
    mkdir -p "$dir.tmp"
    python3 bench/generate.py --desktops "$n" --seed "$SEED" --out "$dir.tmp" "${flag[@]}" >"$dir.tmp/generate.log"
    printf '%s\n' "$stamp" >"$dir.tmp/.stamp"
    mv "$dir.tmp" "$dir"
  fi
  printf '%s\n' "$dir"
}

# ---- one timed run ---------------------------------------------------------------------------
# run NAME OKCODES STDOUT CMD... : appends "wall_s rss_kib user_s sys_s exit" to OUT/raw/NAME.tsv;
# returns 1 (after logging) when the exit code is not in OKCODES.
run() {
  local name=$1 okcodes=$2 stdout=$3; shift 3
  local t0 t1 rc timefile="$OUT/raw/$name.time"
  t0=${EPOCHREALTIME/[.,]/}
  set +e
  timeout "$TIMEOUT" /usr/bin/time -f '%M %U %S' -o "$timefile" "$@" >"$stdout" 2>"$OUT/raw/$name.stderr"
  rc=$?
  set -e
  t1=${EPOCHREALTIME/[.,]/}
  local rss user sys
  read -r rss user sys < <(tail -n 1 "$timefile") || true
  local us=$(( t1 - t0 ))
  printf '%d.%06d %s %s %s %s\n' $(( us / 1000000 )) $(( us % 1000000 )) "${rss:-0}" "${user:-0}" "${sys:-0}" "$rc" \
    >>"$OUT/raw/$name.tsv"
  if [[ " $okcodes " != *" $rc "* ]]; then
    log "FAILED ($name): exit $rc: $*"
    sed 's/^/    /' "$OUT/raw/$name.stderr" | head -n 20 >&2
    return 1
  fi
}

FAILED=0
loadavg() { cut -d' ' -f1-3 /proc/loadavg; }
: >"$OUT/raw/rows.txt"

for shape in "${SHAPE_LIST[@]}"; do
  for n in "${SIZE_LIST[@]}"; do
    dir=$(generate "$shape" "$n")
    files=("$dir/plan.json" "$dir"/inventory/*.json)
    bytes=$(cat "${files[@]}" | wc -c)
    key="$shape-n$n"
    load=$(loadavg)
    log "$shape N=$n: $(( bytes / 1000000 )) MB of input; load average before: $load"
    # --today: the data's own "now" (generate.py EPOCH), so that what has expired does not
    # depend on the day the bench runs (the checker uses the same date).
    og=("$OPGUARD" --no-config check "$dir/plan.json" --inventory "$dir/inventory" --format json --today 2024-06-01)
    ck=("$NODE" "$ROOT/bench/checker.js" "$dir/plan.json" "$dir/inventory")
    # The checked runs: opguard's report and the checker's totals must agree.
    match="not compared"
    if run "$key.opguard-report" "0 1" /dev/null "${og[@]}" --output "$OUT/raw/$key.report.json"; then
      if [[ -n "$NODE" ]]; then
        if run "$key.checker-totals" "0" "$OUT/raw/$key.checker.json" "${ck[@]}"; then
          if python3 bench/report_totals.py "$OUT/raw/$key.report.json" "$OUT/raw/$key.checker.json" \
               >"$OUT/raw/$key.compare.txt" 2>&1; then
            match="same totals"
          else
            match="TOTALS DIFFER"
            FAILED=1
            log "$shape N=$n: opguard's totals and the checker's DIFFER:"
            sed 's/^/    /' "$OUT/raw/$key.compare.txt" >&2
          fi
        else
          match="checker failed"; FAILED=1
        fi
      else
        match=$NODE_SKIP
        log "the hand-written checker is $NODE_SKIP"
      fi
      python3 bench/report_totals.py "$OUT/raw/$key.report.json" >"$OUT/raw/$key.totals.json"
      # Stage times and memory of one run (standard error of --timings).
      "${og[@]}" --output /dev/null --timings >/dev/null 2>"$OUT/raw/$key.stages.txt" || true
    else
      FAILED=1
    fi
    rm -f "$OUT/raw/$key.report.json"
    ok=1
    for (( i = 1; i <= PAIRS; i++ )); do
      run "$key.floor" "0" /dev/null "$FLOOR" "${files[@]}" || { ok=0; FAILED=1; break; }
      run "$key.opguard" "0 1" /dev/null "${og[@]}" --output /dev/null || { ok=0; FAILED=1; break; }
      if [[ -n "$NODE" ]]; then
        run "$key.checker" "0" /dev/null "${ck[@]}" || { ok=0; FAILED=1; break; }
      fi
    done
    printf '%s %s %s %s %s "%s" "%s"\n' "$key" "$shape" "$n" "$bytes" "$ok" "$load" "$match" >>"$OUT/raw/rows.txt"
  done
done

# The sample beside starting the binary and doing nothing.
SMALL_PLAN=samples/rebuild-plan.json
SMALL_INVENTORY=samples/fleet
sample_ok=1
sample_load=$(loadavg)
log "sample: $SAMPLE_PAIRS pairs of 'opguard --version' and the sample check; load average before: $sample_load"
for (( i = 1; i <= SAMPLE_PAIRS; i++ )); do
  run sample.version "0" /dev/null "$OPGUARD" --version || { sample_ok=0; FAILED=1; break; }
  run sample.check "0 1" /dev/null "$OPGUARD" --no-config check "$SMALL_PLAN" --inventory "$SMALL_INVENTORY" \
    || { sample_ok=0; FAILED=1; break; }
done
printf '%s "%s"\n' "$sample_ok" "$sample_load" >"$OUT/raw/sample.txt"

fi  # not --summarize

summarize() {
python3 - "$1" <<'PY'
import json, math, os, shlex, statistics, sys
out = sys.argv[1]
raw = os.path.join(out, "raw")
pairs, sample_pairs, quick = open(os.path.join(raw, "params.txt")).read().split()
pairs, sample_pairs, quick = int(pairs), int(sample_pairs), quick == "1"

def runs(name):
    p = os.path.join(raw, name + ".tsv")
    if not os.path.exists(p):
        return []
    rows = []
    for line in open(p):
        wall, rss, user, sys_, rc = line.split()
        rows.append({"wall": float(wall), "rss": int(rss), "user": float(user), "sys": float(sys_)})
    return rows

def spread(values, fmt):
    if not values:
        return "—"
    return f"{fmt(statistics.median(values))} [{fmt(min(values))}–{fmt(max(values))}]"

x = lambda v: f"{v:.2f}x"
s = lambda v: f"{v:.3f} s" if v < 10 else f"{v:.2f} s"
ms = lambda v: f"{v * 1000:.1f} ms"
lines = []
env = open(os.path.join(out, "environment.txt")).read().strip().splitlines()
lines.append("# opguard benchmark: " + open(os.path.join(out, "command.txt")).read().strip())
lines.append("")
lines += ["    " + l for l in env]
lines.append("")
if quick:
    lines.append("**--quick: a smoke run of the script. These times say nothing about performance.**")
    lines.append("")
lines.append(f"Each row: one checked run (opguard's totals against the checker's), then {pairs} pairs of "
             "floor, opguard, node checker run one after the other. Ratios are taken per pair: median [min–max].")
lines.append("")
lines.append("| shape | N | input MB | load avg before | floor | opguard | opguard / floor | CPU: opguard / floor | node checker | checker / opguard | CPU: checker / opguard | opguard peak RSS | RSS / input | totals |")
lines.append("|---|---|---|---|---|---|---|---|---|---|---|---|---|---|")
medians = {}
for row in open(os.path.join(raw, "rows.txt")):
    key, shape, n, nbytes, ok, load, match = shlex.split(row)
    n, nbytes = int(n), int(nbytes)
    fl, og, ck = runs(key + ".floor"), runs(key + ".opguard"), runs(key + ".checker")
    k = min(len(fl), len(og))
    r_og = [og[i]["wall"] / fl[i]["wall"] for i in range(k) if fl[i]["wall"] > 0]
    k2 = min(len(og), len(ck))
    r_ck = [ck[i]["wall"] / og[i]["wall"] for i in range(k2) if og[i]["wall"] > 0]
    cpu = lambda r: r["user"] + r["sys"]
    c_og = [cpu(og[i]) / cpu(fl[i]) for i in range(k) if cpu(fl[i]) > 0]
    c_ck = [cpu(ck[i]) / cpu(og[i]) for i in range(k2) if cpu(og[i]) > 0]
    rss = max((r["rss"] for r in og), default=0) * 1024
    medians[(shape, n)] = (statistics.median([r["wall"] for r in og]) if og else None,
                           statistics.median([r["wall"] for r in fl]) if fl else None,
                           statistics.median([cpu(r) for r in og]) if og else None)
    status = "" if ok == "1" else " (a run FAILED)"
    lines.append(f"| {shape} | {n:,} | {nbytes / 1e6:.1f} | {load} | {spread([r['wall'] for r in fl], s)} | "
                 f"{spread([r['wall'] for r in og], s)} | **{spread(r_og, x)}** | {spread(c_og, x)} | "
                 f"{spread([r['wall'] for r in ck], s) if ck else match if match.startswith('skipped') else '—'} | "
                 f"{spread(r_ck, x) if r_ck else '—'} | {spread(c_ck, x) if c_ck else '—'} | "
                 f"{rss / 2**20:,.0f} MiB | {rss / nbytes:.2f}x | {match}{status} |")
lines.append("")
lines.append("checker / opguard above 1 means opguard is faster than the hand-written checker.")
lines.append("CPU: the same ratios of user + system time (/usr/bin/time, 10 ms resolution): on a machine "
             "busy with other work the walls include waiting for a core, the CPU times do not.")
lines.append("Peak RSS: the largest of opguard's timed runs (/usr/bin/time %M), divided by the bytes of all input files.")
lines.append("")
lines.append("Time exponent between consecutive sizes, log(t2/t1) / log(N2/N1) of the median walls (and of opguard's median CPU time):")
lines.append("")
for shape in sorted({k[0] for k in medians}):
    ns = sorted(n for (sh, n) in medians if sh == shape)
    for a, b in zip(ns, ns[1:]):
        (oa, fa, ca), (ob, fb, cb) = medians[(shape, a)], medians[(shape, b)]
        if oa and ob and fa and fb:
            e = math.log(ob / oa) / math.log(b / a)
            ef = math.log(fb / fa) / math.log(b / a)
            ec = f"{math.log(cb / ca) / math.log(b / a):.2f}" if ca and cb else "—"
            lines.append(f"- {shape} {a:,} → {b:,}: opguard **{e:.2f}** (CPU {ec}), floor {ef:.2f}")
lines.append("")
sample_ok, sample_load = shlex.split(open(os.path.join(raw, "sample.txt")).read())
ver, chk = runs("sample.version"), runs("sample.check")
k = min(len(ver), len(chk))
r = [chk[i]["wall"] / ver[i]["wall"] for i in range(k) if ver[i]["wall"] > 0]
lines.append(f"Sample (`opguard check samples/rebuild-plan.json --inventory samples/fleet`) against "
             f"`opguard --version`, {sample_pairs} pairs, load average before {sample_load}:")
lines.append("")
lines.append(f"- `--version` {spread([v['wall'] for v in ver], ms)}, sample {spread([c['wall'] for c in chk], ms)}, "
             f"sample / --version **{spread(r, x)}**{'' if sample_ok == '1' else ' (a run FAILED)'}")
lines.append("")
lines.append("Stage times of one opguard run per row (--timings) are in raw/*.stages.txt.")
text = "\n".join(lines) + "\n"
open(os.path.join(out, "summary.md"), "w").write(text)
print(text)
PY
}
[[ -z "${SUMMARIZE_ONLY:-}" ]] || { summarize "$SUMMARIZE" >/dev/null; log "rewrote $SUMMARIZE/summary.md"; exit 0; }
summarize "$OUT"
log "results: $OUT/summary.md"
exit "$FAILED"
