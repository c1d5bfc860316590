#!/usr/bin/env python3
"""The heap's page size follows the size of a check's input (src/cli/allocator.cpp): 2 MiB
pages up to 64 MiB of plan and inventory, 4 KiB pages above, MIMALLOC_LARGE_OS_PAGES in the
environment deciding instead when set. `check --timings` says which, with the input's size
in bytes; the report does not change with the page size. Registered for mimalloc builds.

    heap_pages_test.py SOURCE_DIR OPGUARD WORK_DIR
"""
import os
import re
import shutil
import subprocess
import sys

from checks import check, finish

src, opguard, work = sys.argv[1:4]
shutil.rmtree(work, ignore_errors=True)
fleet = os.path.join(work, "fleet")
shutil.copytree(os.path.join(src, "samples", "fleet"), fleet)
plan = os.path.join(work, "rebuild-plan.json")
shutil.copyfile(os.path.join(src, "samples", "rebuild-plan.json"), plan)


def input_bytes():
    files = [plan] + [os.path.join(d, n) for d, _, names in os.walk(fleet) for n in names if n.endswith(".json")]
    return sum(os.path.getsize(f) for f in files)


def run(env_pages=None):
    env = dict(os.environ)
    env.pop("MIMALLOC_LARGE_OS_PAGES", None)
    if env_pages is not None:
        env["MIMALLOC_LARGE_OS_PAGES"] = env_pages
    p = subprocess.run([opguard, "--no-config", "check", plan, "--inventory", fleet, "--timings"],
                       capture_output=True, text=True, env=env)
    pages = re.findall(r"^opguard:   heap pages: (.*)$", p.stderr, re.M)
    return p.returncode, p.stdout, pages


small = input_bytes()
rc, report_small, pages = run()
check(rc == 1, f"the sample check exits 1 (findings): {rc}")
check(pages == [f"2 MiB: the input (plan and inventory) is {small} bytes, at most 64 MiB"],
      f"a small input keeps 2 MiB pages, and --timings says so with its size: {pages}")

# The same inventory with 65 MiB of trailing whitespace in one file (still the same JSON).
padded = sorted(n for n in os.listdir(fleet) if n.endswith(".json"))[0]
with open(os.path.join(fleet, padded), "a") as f:
    f.write(" " * (65 << 20))
large = input_bytes()
check(large > 64 << 20, f"the padded input is over 64 MiB: {large} bytes")
rc, report_large, pages = run()
check(rc == 1, f"the padded check exits 1 (findings): {rc}")
check(pages == [f"4 KiB from here on: the input (plan and inventory) is {large} bytes, over 64 MiB"],
      f"a large input turns to 4 KiB pages: {pages}")
check(report_large == report_small, "the report is the same on either page size")

rc, report_env, pages = run("1")
check(pages == [f"2 MiB (MIMALLOC_LARGE_OS_PAGES in the environment); the input (plan and inventory) is {large} bytes"],
      f"MIMALLOC_LARGE_OS_PAGES=1 keeps 2 MiB pages whatever the size: {pages}")
check(report_env == report_small, "the report is the same with the environment's choice")
rc, _, pages = run("0")
check(pages == [f"4 KiB (MIMALLOC_LARGE_OS_PAGES in the environment); the input (plan and inventory) is {large} bytes"],
      f"MIMALLOC_LARGE_OS_PAGES=0: 4 KiB pages: {pages}")

shutil.rmtree(work, ignore_errors=True)
sys.exit(finish())
