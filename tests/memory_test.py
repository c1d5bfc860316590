#!/usr/bin/env python3
"""A memory regression check, not a timing: the peak resident set of one check of the bench's
10,000 compact desktops (bench/generate.py --compact, seed 1: 16.4 MB of input), measured by
the kernel for that process alone (os.wait4), stays under LIMIT times the input. It was 7.9x
in the bench runs of the evening of 2026-12-06 (123 MiB, bench/RESULTS.md) and 6.6x after
that night's smaller value model (103 MiB), and 3.0 GiB at 100,000 before the regression that
this check would have caught was fixed. The JSON report must also come
out whole, with findings (exit 1). Registered only for the mimalloc build without sanitizers
(tests/CMakeLists.txt): another allocator has another peak.

    memory_test.py SOURCE_DIR OPGUARD WORK_DIR
"""
import json
import os
import subprocess
import sys

from checks import check, finish

LIMIT = 8.0
DESKTOPS = 10000

src, opguard, work = sys.argv[1:4]
data = os.path.join(work, f"compact-n{DESKTOPS}")
stamp = os.path.join(data, ".stamp")
want_stamp = f"desktops={DESKTOPS} seed=1 compact\n"
if not os.path.exists(stamp) or open(stamp).read() != want_stamp:
    subprocess.run(["rm", "-rf", data], check=True)
    g = subprocess.run([sys.executable, os.path.join(src, "bench", "generate.py"), "--desktops", str(DESKTOPS),
                        "--seed", "1", "--out", data, "--compact"], capture_output=True, text=True)
    check(g.returncode == 0, f"bench/generate.py made the data (stderr tail: {g.stderr[-300:]!r})")
    with open(stamp, "w") as f:
        f.write(want_stamp)

plan = os.path.join(data, "plan.json")
inventory = os.path.join(data, "inventory")
files = [plan] + [os.path.join(inventory, n) for n in sorted(os.listdir(inventory)) if n.endswith(".json")]
input_bytes = sum(os.path.getsize(f) for f in files)
report = os.path.join(work, "report.json")

p = subprocess.Popen([opguard, "--no-config", "check", plan, "--inventory", inventory, "--format", "json",
                      "--output", report], stdout=subprocess.DEVNULL, stderr=subprocess.PIPE)
_, status, usage = os.wait4(p.pid, 0)
p.returncode = os.waitstatus_to_exitcode(status)
stderr = p.stderr.read().decode(errors="replace")
check(p.returncode == 1, f"the check exits 1 (findings): got {p.returncode}; stderr: {stderr[-300:]!r}")
try:
    totals = json.load(open(report))["summary"]
    check(totals.get("errors", 0) > 0, f"the report has findings (summary: {totals})")
except Exception as e:  # a report cut short or not JSON
    check(False, f"the JSON report reads back whole ({e})")

peak = usage.ru_maxrss * 1024  # Linux: KiB
ratio = peak / input_bytes
print(f"peak resident set {peak / 2**20:.1f} MiB for {input_bytes / 1e6:.1f} MB of input: {ratio:.2f}x (limit {LIMIT}x)")
check(ratio <= LIMIT, f"peak resident set within {LIMIT}x the input: {ratio:.2f}x")
sys.exit(finish())
