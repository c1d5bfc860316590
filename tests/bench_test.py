#!/usr/bin/env python3
"""The benchmark script as a deliverable (not performance): bench/run.sh --quick runs every
command of the bench on both data shapes, opguard's totals equal the hand-written checker's,
a difference in totals is caught, and bad arguments are refused.

    bench_test.py SOURCE_DIR OPGUARD FLOOR WORK_DIR
"""
import json
import os
import re
import shutil
import subprocess
import sys

from checks import check, finish

src, opguard, floor, work = sys.argv[1:5]
shutil.rmtree(work, ignore_errors=True)
os.makedirs(work)
out, data = os.path.join(work, "results"), os.path.join(work, "data")


def run(args, **kw):
    return subprocess.run(args, cwd=src, capture_output=True, text=True, **kw)


r = run(["bash", "bench/run.sh", "--quick", "--opguard", opguard, "--floor", floor, "--out", out, "--data", data])
check(r.returncode == 0, f"run.sh --quick exits 0 (got {r.returncode}; stderr tail: {r.stderr[-600:]!r})")
summary = open(os.path.join(out, "summary.md")).read() if os.path.exists(os.path.join(out, "summary.md")) else ""
node = shutil.which("node") or shutil.which("nodejs")
for shape in ("cli", "compact"):
    row = next((l for l in summary.splitlines() if l.startswith(f"| {shape} | 100 |")), "")
    check(bool(row), f"summary.md has the row of shape {shape}, N = 100")
    want = "same totals" if node else "skipped: node not found"
    check(row.rstrip().endswith(f"| {want} |"), f"{shape} row ends with '{want}': {row[-60:]!r}")
    check(re.search(r"\| \*\*[0-9.]+x \[[0-9.]+x–[0-9.]+x\]\*\* \|", row) is not None,
          f"{shape} row gives opguard / floor as median [min–max]")
    check(re.search(r"\| [0-9.]+ [0-9.]+ [0-9.]+ \|", row) is not None, f"{shape} row gives the load average before it")
check("sample / --version **" in summary, "summary.md gives the sample against opguard --version")

# The same fleet and plan in both shapes: the compact data drops only fields no rule reads,
# so opguard's totals are the same, and they are what the seed-1, N = 100 plan gives.
totals = {}
for shape in ("cli", "compact"):
    p = os.path.join(out, "raw", f"{shape}-n100.totals.json")
    totals[shape] = json.load(open(p)) if os.path.exists(p) else {}
check(totals["cli"] == totals["compact"] and totals["cli"] != {}, "opguard's totals are the same on both shapes")
manifest = json.load(open(os.path.join(data, "cli-n100-s1", "manifest.json")))
check(totals["cli"].get("calls") == manifest["counts"]["calls"] == 30, f"30 calls (N/5 + N/10): {totals['cli'].get('calls')}")
check(totals["cli"].get("effects", {}).get("instances redeployed", [0])[0] > 0, "some instances are redeployed")

compact_desktops = open(os.path.join(data, "compact-n100-s1", "inventory", "describe_desktops.json"), encoding="utf-8").read()
cli_desktops = open(os.path.join(data, "cli-n100-s1", "inventory", "describe_desktops.json"), encoding="utf-8").read()
check("\n" not in compact_desktops and "\t" not in compact_desktops and '": ' not in compact_desktops,
      "compact: no newline, tab or space after a colon")
check('"FotaUpdate"' in cli_desktops and '"FotaUpdate"' not in compact_desktops, "compact: FotaUpdate (read by no rule) is dropped")
check(json.loads(compact_desktops)["Desktops"][0]["DesktopId"] == json.loads(cli_desktops)["Desktops"][0]["DesktopId"],
      "compact: the same first desktop as the cli shape")

# A difference in any total fails the comparison, naming it.
report = os.path.join(work, "report.json")
r = subprocess.run([opguard, "--no-config", "check", os.path.join(data, "cli-n100-s1", "plan.json"), "--inventory",
                    os.path.join(data, "cli-n100-s1", "inventory"), "--format", "json", "--today", "2024-06-01", "--output", report],
                   capture_output=True)
check(r.returncode == 1, "opguard finds errors in the bench plan (exit 1)")
same = dict(totals["cli"])
wrong = json.loads(json.dumps(same))
wrong["errors"] += 1
wrong["effects"]["disks erased"][1] += 10
for name, t in (("same", same), ("wrong", wrong)):
    with open(os.path.join(work, name + ".json"), "w") as f:
        json.dump(t, f)
r = run([sys.executable, "bench/report_totals.py", report, os.path.join(work, "same.json")])
check(r.returncode == 0 and r.stdout == "", f"report_totals: equal totals exit 0 silently ({r.returncode}, {r.stdout!r})")
r = run([sys.executable, "bench/report_totals.py", report, os.path.join(work, "wrong.json")])
e, g = same["errors"], same["effects"]["disks erased"]
check(r.returncode == 1, f"report_totals: different totals exit 1 (got {r.returncode})")
check(f"  errors: opguard {e}, checker {e + 1}\n" in r.stdout, f"report_totals names the errors difference: {r.stdout!r}")
check(f"  effects[disks erased]: opguard {g}, checker {[g[0], g[1] + 10]}\n" in r.stdout,
      "report_totals names the disks-erased GiB difference")

if node:
    # What the checker does not model is refused, never counted: the sample's plan uses
    # RPC-flattened lists (DesktopId.1) and unknown parameters.
    r = run([node, "bench/checker.js", "samples/rebuild-plan.json", "samples/fleet"])
    check(r.returncode == 2 and "checker: call hz-windows-2022: parameter DesktopId.1 is not one this checker models" in r.stderr,
          f"checker.js refuses a plan shape it does not model (exit 2): {r.returncode} {r.stderr!r}")

# Without node the checker is skipped, with a message in its column, and the bench still runs.
env = dict(os.environ, BENCH_NODE="none")
r = run(["bash", "bench/run.sh", "--quick", "--shapes", "compact", "--sample-pairs", "1", "--opguard", opguard, "--floor", floor,
         "--out", os.path.join(work, "no-node"), "--data", data], env=env)
check(r.returncode == 0, f"run.sh --quick with BENCH_NODE=none exits 0 (got {r.returncode})")
check("the hand-written checker is skipped: BENCH_NODE=none" in r.stderr, "it says the checker is skipped")
p = os.path.join(work, "no-node", "summary.md")
row = next((l for l in open(p).read().splitlines() if l.startswith("| compact | 100 |")), "") if os.path.exists(p) else ""
check(row.rstrip().endswith("| skipped: BENCH_NODE=none |") and "| skipped: BENCH_NODE=none | — |" in row,
      f"the compact row names the skip in the checker's column: {row[-80:]!r}")

# Fewer than 5 pairs is refused outside --quick.
r = run(["bash", "bench/run.sh", "--pairs", "3", "--opguard", opguard, "--floor", floor, "--out", os.path.join(work, "x")])
check(r.returncode == 2 and "--pairs must be >= 5" in r.stderr, f"--pairs 3 is refused with exit 2: {r.returncode}")
sys.exit(finish())
