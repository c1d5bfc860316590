#!/usr/bin/env python3
"""Turn the raw measurements of bench/run.sh into bench/RESULTS.md.

    python3 bench/summarize.py --results bench/data/results --out bench/RESULTS.md

Reads, from the results folder (written by run.sh):
    command.txt, seed.txt, sizes.txt ("N DATA_DIR" per line), opguard-build.status/.log,
    n<N>.<tool>.status / .rss / .stderr / .hyperfine.json for tool in opguard, floor, jq,
    small.status / small.hyperfine.json,
and each DATA_DIR/manifest.json (input bytes and target counts from bench/generate.py).
Only numbers that were measured are printed; a failed row says why, with its stderr.
Standard library only.
"""
from __future__ import annotations

import argparse
import datetime as dt
import json
import math
import os
import platform
import re
import statistics
import subprocess

TOOLS = [
    ("opguard", "`opguard check PLAN --inventory DIR --format json --output /dev/null`", (0, 1)),
    ("floor", "simdjson DOM parse of the same files (`bench/build/floor`)", (0,)),
    ("jq", "`jq empty` on the same files", (0,)),
]


def read(path: str, default: str = "") -> str:
    try:
        with open(path, encoding="utf-8", errors="replace") as f:
            return f.read()
    except OSError:
        return default


def tail(text: str, lines: int = 30) -> str:
    return "\n".join(text.rstrip("\n").splitlines()[-lines:]) or "(empty)"


def run(cmd: list) -> str:
    try:
        return subprocess.run(cmd, capture_output=True, text=True, check=False).stdout.strip()
    except OSError:
        return ""


def machine_facts(res: str) -> list:
    cpuinfo = read("/proc/cpuinfo")
    model = next((ln.split(":", 1)[1].strip() for ln in cpuinfo.splitlines()
                  if ln.startswith("model name")), "unknown")
    meminfo = read("/proc/meminfo")
    mem_kib = next((int(ln.split()[1]) for ln in meminfo.splitlines() if ln.startswith("MemTotal:")), 0)
    simdjson = run(["dpkg-query", "-W", "-f=${Version}", "libsimdjson-dev"]) or "unknown"
    commit = run(["git", "rev-parse", "--short", "HEAD"]) or "(no commit yet)"
    return [
        ("date (UTC)", dt.datetime.now(dt.timezone.utc).strftime("%Y-%m-%d %H:%M:%S")),
        ("nproc", run(["nproc"]) or str(os.cpu_count())),
        ("CPU model", model),
        ("memory", f"{mem_kib / 1048576:.1f} GiB"),
        ("kernel", platform.release()),
        ("g++", (run(["g++", "--version"]).splitlines() or ["unknown"])[0]),
        ("simdjson (libsimdjson-dev)", simdjson),
        ("jq", run(["jq", "--version"]) or "unknown"),
        ("hyperfine", run(["hyperfine", "--version"]) or "unknown"),
        ("python3", platform.python_version()),
        ("git commit", commit),
        ("load average (1/5/15 min) at start / end of the run",
         f"{read(os.path.join(res, 'loadavg-start.txt'), '?').strip()} / "
         f"{' '.join(read('/proc/loadavg', '?').split()[:3])}"),
    ]


def load_row(res: str, n: int, tool: str, okcodes) -> dict:
    """Measured figures of one tool at one size, or {"failed": reason, "stderr": ...}."""
    prefix = os.path.join(res, f"n{n}.{tool}")
    status = read(prefix + ".status", "failed: not run").strip()
    if status != "ok":
        return {"failed": status, "stderr": read(prefix + ".stderr")}
    hf = json.loads(read(prefix + ".hyperfine.json"))["results"][0]
    bad = sorted({c for c in hf.get("exit_codes", []) if c not in okcodes})
    if bad:
        return {"failed": f"exit codes {bad} during the timed runs", "stderr": read(prefix + ".stderr")}
    times = hf["times"]
    rss = [int(line.split()[1]) for line in read(prefix + ".rss").splitlines() if line.strip()]
    return {
        "median": statistics.median(times), "min": min(times), "max": max(times),
        "runs": len(times), "rss_kib": max(rss), "exit_codes": sorted(set(hf.get("exit_codes", []))),
    }


def fmt_s(t: float) -> str:
    return f"{t * 1000:.1f} ms" if t < 1 else f"{t:.3f} s"


def fmt_rate(x: float) -> str:
    return f"{x / 1e6:.2f} M" if x >= 1e6 else f"{x / 1e3:.1f} k" if x >= 1e3 else f"{x:.0f}"


def exponent(a: float, b: float, na: int, nb: int) -> str:
    if a <= 0 or b <= 0 or na == nb:
        return "n/a"
    return f"{math.log(b / a) / math.log(nb / na):.2f}"


def parse_stages(text: str) -> list:
    """`opguard: NAME  12.3 ms  rss  45 MB` lines => [(name, ms, mb)]."""
    out = []
    for line in text.splitlines():
        m = re.match(r"opguard: (\S+)\s+([0-9.]+) ms\s+rss\s+(-?[0-9]+) MB", line)
        if m:
            out.append((m.group(1), float(m.group(2)), int(m.group(3))))
    return out


def main(argv=None) -> int:
    ap = argparse.ArgumentParser(description="write bench/RESULTS.md from bench/run.sh's raw results")
    ap.add_argument("--results", required=True)
    ap.add_argument("--out", required=True)
    args = ap.parse_args(argv)
    res = args.results
    opguard = read(os.path.join(res, "opguard-path.txt"), "build-release/opguard").strip()

    sizes = []
    for line in read(os.path.join(res, "sizes.txt")).splitlines():
        n, d = line.split(maxsplit=1)
        sizes.append((int(n), d, json.loads(read(os.path.join(d, "manifest.json"), "{}"))))
    rows = {(n, tool): load_row(res, n, tool, ok) for n, _, _ in sizes for tool, _, ok in TOOLS}

    out = []
    w = out.append
    w("# opguard benchmark results\n")
    w("Written by `bench/summarize.py` from the raw results of one run of:\n")
    w(f"```\n{read(os.path.join(res, 'command.txt')).strip()}\n```\n")
    w("Re-run that command from the repository root to reproduce (inputs are regenerated "
      "byte-identically from the seed; see bench/generate.py).\n")

    w("## Machine\n")
    w("| fact | value |\n|---|---|")
    for k, v in machine_facts(res):
        w(f"| {k} | {v} |")
    w("")

    w("## Method\n")
    w("- Inputs: `python3 bench/generate.py --desktops N --seed "
      f"{read(os.path.join(res, 'seed.txt')).strip()} --out bench/data/n<N>-s<seed>`: seven inventory "
      "files in the `aliyun` CLI's response shapes plus `plan.json` (N/5 RebuildDesktops calls of 1-5 "
      "desktops, N/10 RedeployInstance calls, 10-30 % of targets breaking a rule on purpose).")
    w("- Every tool reads the same files: `plan.json` + `inventory/*.json` (opguard is given the plan "
      "and the inventory folder).")
    w(f"- opguard binary: `{opguard}`.")
    for tool, desc, ok in TOOLS:
        w(f"- **{tool}**: {desc}; success = exit code in {set(ok)}.")
    w("- Wall time: `hyperfine -N` (no shell), K runs after K checked runs that warmed the page "
      "cache; median / min / max. Peak RSS: `/usr/bin/time -f %M` over those K checked runs (max).")
    w("- The machine is shared (2 cores): a load average above ~0.5 at the start means other work "
      "ran beside the benchmark and the walls are inflated; compare min with median.")
    w("- targets = desktop ids + instance ids in the plan. MB/s = input bytes / 10^6 / median. "
      "x floor = median / floor median. RSS/input = peak RSS bytes / input bytes.")
    w("")

    w("## Inputs\n")
    w("| N desktops | input bytes | files | calls | targets (desktop ids + instance ids) | broken on purpose |")
    w("|---:|---:|---:|---:|---|---:|")
    for n, d, m in sizes:
        t = m.get("targets", {})
        w(f"| {n:,} | {m.get('input_bytes', 0):,} | {len(m.get('files', {}))} | "
          f"{m.get('counts', {}).get('calls', 0):,} | {t.get('total', 0):,} = "
          f"{t.get('desktop_ids', 0):,} + {t.get('instance_ids', 0):,} | "
          f"{m.get('broken_targets', 0):,} ({100 * m.get('broken_fraction', 0):.1f} %) |")
    w("")

    w("## Results per size\n")
    w("| N | tool | runs | wall median | min | max | x floor | targets/s | MB/s | peak RSS | RSS / input |")
    w("|---:|---|---:|---:|---:|---:|---:|---:|---:|---:|---:|")
    failures = []
    for n, d, m in sizes:
        in_bytes = m.get("input_bytes", 0)
        targets = m.get("targets", {}).get("total", 0)
        floor = rows[(n, "floor")]
        for tool, _, _ in TOOLS:
            r = rows[(n, tool)]
            if "failed" in r:
                w(f"| {n:,} | {tool} | - | **FAILED** | | | | | | | |")
                failures.append((n, tool, r))
                continue
            ratio = f"{r['median'] / floor['median']:.2f}" if "median" in floor else "n/a"
            w(f"| {n:,} | {tool} | {r['runs']} | {fmt_s(r['median'])} | {fmt_s(r['min'])} | "
              f"{fmt_s(r['max'])} | {ratio} | {fmt_rate(targets / r['median'])} | "
              f"{in_bytes / 1e6 / r['median']:.1f} | {r['rss_kib'] / 1024:.1f} MiB | "
              f"{r['rss_kib'] * 1024 / in_bytes:.2f} |")
    w("")

    w("## Growth between sizes\n")
    w("Exponent k in t ~ N^k: log(t2/t1) / log(N2/N1), likewise for peak RSS "
      "(1.00 = linear; from 10k to 100k this is log(t100k/t10k) / log(10)).\n")
    w("| from N | to N | tool | time exponent | RSS exponent |")
    w("|---:|---:|---|---:|---:|")
    pairs = list(zip(sizes, sizes[1:]))
    for (na, _, _), (nb, _, _) in pairs:
        for tool, _, _ in TOOLS:
            a, b = rows[(na, tool)], rows[(nb, tool)]
            if "failed" in a or "failed" in b:
                w(f"| {na:,} | {nb:,} | {tool} | n/a (failed) | n/a (failed) |")
            else:
                w(f"| {na:,} | {nb:,} | {tool} | {exponent(a['median'], b['median'], na, nb)} | "
                  f"{exponent(a['rss_kib'], b['rss_kib'], na, nb)} |")
    if not pairs:
        w("| - | - | - | n/a (one size only) | n/a |")
    w("")

    w("## Small case\n")
    small_status = read(os.path.join(res, "small.status"), "not run").strip()
    small_plan, _, small_inv = read(os.path.join(res, "small-inputs.txt")).strip().partition(" ")
    if small_status == "ok":
        w(f"`{opguard} check {small_plan} --inventory {small_inv}` beside "
          "`/bin/true` (starting a process) and `opguard --version` (starting this binary: "
          "loading and relocating its shared libraries, nothing checked) (hyperfine -N, 3 warm-up runs).\n")
        w("| command | runs | median | min | max | exit codes |")
        w("|---|---:|---:|---:|---:|---|")
        for r in json.loads(read(os.path.join(res, "small.hyperfine.json")))["results"]:
            t = r["times"]
            w(f"| `{r['command']}` | {len(t)} | {fmt_s(statistics.median(t))} | {fmt_s(min(t))} | "
              f"{fmt_s(max(t))} | {sorted(set(r.get('exit_codes', [])))} |")
    else:
        w(f"Not measured: {small_status}.")
        if small_status.startswith("failed"):
            failures.append(("small", "opguard", {"failed": small_status,
                                                  "stderr": read(os.path.join(res, "small.stderr"))}))
    w("")

    w("## Stages\n")
    w("One more `opguard check --timings` run per size (after the timed runs): the wall time of "
      "each stage of the pipeline and the resident memory after it.\n")
    stages = {n: parse_stages(read(os.path.join(res, f"n{n}.stages.txt"))) for n, _, _ in sizes}
    names = [name for name, _, _ in next((v for v in stages.values() if v), [])]
    if names:
        w("| N | " + " | ".join(names) + " |")
        w("|---:|" + "---:|" * len(names))
        for n, _, _ in sizes:
            cells = {name: (ms, mb) for name, ms, mb in stages[n]}
            w(f"| {n:,} | " + " | ".join(
                f"{cells[x][0]:.0f} ms, {cells[x][1]} MB" if x in cells else "-" for x in names) + " |")
    else:
        w("Not measured.")
    w("")

    w("## Targets\n")
    big = max((n for n, _, _ in sizes), default=None)
    checks = []
    if big is not None and "median" in rows[(big, "opguard")] and "median" in rows[(big, "floor")]:
        r, f = rows[(big, "opguard")], rows[(big, "floor")]
        m = next(m for n, _, m in sizes if n == big)
        ratio = r["median"] / f["median"]
        checks.append((f"N = {big:,}: wall <= 2x the simdjson floor", f"{ratio:.2f}x "
                       f"({fmt_s(r['median'])} vs {fmt_s(f['median'])})", ratio <= 2))
        rss = r["rss_kib"] * 1024 / m.get("input_bytes", 1)
        checks.append((f"N = {big:,}: peak RSS <= 2x the input bytes", f"{rss:.2f}x", rss <= 2))
    if len(sizes) >= 2:
        (na, _, _), (nb, _, _) = sizes[-2], sizes[-1]
        a, b = rows[(na, "opguard")], rows[(nb, "opguard")]
        if "median" in a and "median" in b:
            te = math.log(b["median"] / a["median"]) / math.log(nb / na)
            re = math.log(b["rss_kib"] / a["rss_kib"]) / math.log(nb / na)
            checks.append((f"growth {na:,} -> {nb:,}: time exponent <= 1.1", f"{te:.2f}", te <= 1.1))
            checks.append((f"growth {na:,} -> {nb:,}: memory exponent <= 1.1", f"{re:.2f}", re <= 1.1))
    if small_status == "ok":
        t = json.loads(read(os.path.join(res, "small.hyperfine.json")))["results"][0]["times"]
        med = statistics.median(t)
        checks.append(("the sample end to end: median <= 5 ms", fmt_s(med), med <= 0.005))
    w("| target | measured | met |")
    w("|---|---:|---|")
    for name, value, ok in checks:
        w(f"| {name} | {value} | {'yes' if ok else '**no**'} |")
    w("")

    analysis = read(os.path.join(os.path.dirname(os.path.abspath(__file__)), "ANALYSIS.md")).strip()
    if analysis:
        w(analysis + "\n")

    build = read(os.path.join(res, "opguard-build.status"), "not run").strip()
    if failures or build != "ok":
        w("## Failures\n")
        if build != "ok":
            w("opguard could not be built or found (`cmake -S . -B build-release -DCMAKE_BUILD_TYPE=Release "
              "-DBUILD_TESTING=OFF && cmake --build build-release -j2`); last lines of the log:\n")
            w(f"```\n{tail(read(os.path.join(res, 'opguard-build.log')))}\n```\n")
        for n, tool, r in failures:
            where = "small case" if n == "small" else f"N={n}"
            w(f"- {where}, {tool}: {r['failed']}")
            if r.get("stderr", "").strip():
                w(f"\n  stderr (last lines):\n\n```\n{tail(r['stderr'])}\n```\n")
        w("")

    with open(args.out, "w", encoding="utf-8") as f:
        f.write("\n".join(out).rstrip("\n") + "\n")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
