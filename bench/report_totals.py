#!/usr/bin/env python3
"""bench/report_totals.py REPORT.json: the totals of an opguard JSON report in the form
bench/checker.js prints them (calls, calls_refused, targets_refused, errors, warnings, infos,
effects "<noun(s)> <verb>" -> [count, GiB]), read from the report's "summary" object only, so
that a report of hundreds of MB is not parsed whole. The effect counts come from the
summary's text ("573 disks erased (67010 GiB), ..."), which opguard writes from its effects.

    python3 bench/report_totals.py REPORT.json [CHECKER_TOTALS.json]

With a second file (checker.js's output) it compares the two and exits 1 on any difference,
printing each one; 0 when they agree, 2 when a file cannot be read."""
import json
import re
import sys

ITEM = re.compile(r"^(\d+) (.+?)(?: \(([0-9.]+) GiB\))?(?: \(undocumented\))?$")


def totals(path):
    with open(path, "rb") as f:
        head = f.read(4 << 20).decode("utf-8", "replace")
    start = head.find('"summary": {')
    if start < 0:
        start = head.find('"summary":{')
    if start < 0:
        raise ValueError(f"{path}: no summary object in its first 4 MiB")
    obj_start = head.index("{", start)
    summary, _ = json.JSONDecoder().raw_decode(head, obj_start)
    out = {k: summary[k] for k in ("calls", "calls_refused", "targets_refused", "errors", "warnings", "infos")}
    text = summary["text"]
    effects = {}
    if not text.startswith("Plan: ") or not text.endswith("."):
        raise ValueError(f"{path}: unexpected summary text {text[:80]!r}")
    body = text[len("Plan: "):-1].split("; ")[0]
    if body == "no change":
        body = ""
    for item in filter(None, body.split(", ")):
        m = ITEM.match(item)
        if not m:
            raise ValueError(f"{path}: cannot read summary item {item!r}")
        gib = float(m.group(3)) if m.group(3) else 0
        effects[m.group(2)] = [int(m.group(1)), int(gib) if gib == int(gib) else gib]
    out["effects"] = dict(sorted(effects.items()))
    return out


def main(argv):
    if len(argv) not in (2, 3):
        print(__doc__, file=sys.stderr)
        return 2
    try:
        mine = totals(argv[1])
        if len(argv) == 2:
            print(json.dumps(mine, sort_keys=True))
            return 0
        with open(argv[2]) as f:
            theirs = json.load(f)
    except (OSError, ValueError, KeyError) as e:
        print(f"report_totals: {e}", file=sys.stderr)
        return 2
    diffs = [k for k in sorted(set(mine) | set(theirs)) if k != "effects" and mine.get(k) != theirs.get(k)]
    ea, eb = mine.get("effects", {}), theirs.get("effects", {})
    diffs += [f"effects[{k}]" for k in sorted(set(ea) | set(eb)) if ea.get(k) != eb.get(k)]
    for k in diffs:
        if k.startswith("effects["):
            name = k[8:-1]
            print(f"  {k}: opguard {ea.get(name)}, checker {eb.get(name)}")
        else:
            print(f"  {k}: opguard {mine.get(k)}, checker {theirs.get(k)}")
    return 1 if diffs else 0


if __name__ == "__main__":
    sys.exit(main(sys.argv))
