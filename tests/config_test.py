#!/usr/bin/env python3
"""The configuration file of `check` (.opguard.yaml, --config, --no-config) and `opguard config`.

usage: config_test.py SOURCE_DIR OPGUARD_BINARY WORK_DIR
Runs opguard in a temporary folder holding a plan, its inventory and waivers (the golden case
`waivers`), with configuration files written by each check; asserts exit codes, the reports
written, error ids and file:line:col, and `opguard config`'s values and origins.
"""
import json
import os
import shutil
import subprocess
import sys

from checks import check, finish  # noqa: E402


def main():
    src, binary, work = sys.argv[1:4]
    shutil.rmtree(work, ignore_errors=True)
    case = os.path.join(src, "tests", "golden", "waivers")
    shutil.copytree(os.path.join(case, "inventory"), os.path.join(work, "inventory"))
    shutil.copy(os.path.join(case, "plan.json"), work)
    shutil.copy(os.path.join(case, "waivers.json"), work)
    env = dict(os.environ, NO_COLOR="1")

    def run(*args, config=None, name=".opguard.yaml"):
        path = os.path.join(work, name)
        if config is not None:
            with open(path, "w") as f:
                f.write(config)
        elif os.path.exists(os.path.join(work, ".opguard.yaml")) and name == ".opguard.yaml":
            os.remove(os.path.join(work, ".opguard.yaml"))
        return subprocess.run([binary, *args], cwd=work, env=env, capture_output=True, text=True)

    # Without a configuration: what the same command line does.
    base = run("check", "plan.json", "-i", "inventory", "--waivers", "waivers.json", "--format", "json")
    check(base.returncode == 1, "baseline: exit 1")

    # The file alone supplies inventory, waivers, format/output pairs, fail-on.
    cfg = ("inventory: inventory\n"
           "waivers: [waivers.json]\n"
           "fail-on: warning\n"
           "format: [json, junit]\n"
           "output: [report.json, report.xml]\n")
    p = run("check", "plan.json", config=cfg)
    check(p.returncode == 1 and p.stdout == "", f"settings from .opguard.yaml: exit 1, reports to files ({p.stderr})")
    report = open(os.path.join(work, "report.json")).read() if os.path.exists(os.path.join(work, "report.json")) else ""
    check(report == base.stdout, "the JSON report equals the one the command line alone gives")
    check(os.path.exists(os.path.join(work, "report.xml")), "format/output pairs in order: report.xml written too")

    # The command line wins: a scalar replaced, a list replaced (not extended), format+output as one.
    p = run("check", "plan.json", "--fail-on", "error", "--format", "text", config=cfg)
    check(p.returncode == 1 and "1 error, " in p.stdout, "command line --format text replaces the file's format/output pairs")
    p = run("check", "plan.json", "--waivers", "none.json", config=cfg)
    check(p.returncode == 2 and "none.json" in p.stderr, "a list option on the command line replaces the file's list")
    p = run("check", "plan.json", "--no-config", "-i", "inventory")
    check(p.returncode == 1 and p.stdout.rstrip().endswith(", 1 waived"), "--no-config reads no file (only the plan's own waiver, not waivers.json)")
    p = run("check", "plan.json", "--no-config")
    check(p.returncode == 2 and "--inventory is required" in p.stderr, "--no-config: inventory must come from the command line")

    # Flags and the plan; --config FILE before or after the subcommand, and =FILE.
    other = "inventory: inventory\nplan: plan.json\nquiet: true\nwaivers: waivers.json\n"
    run("check", config=None)
    for args in (["--config", "other.yaml", "check"], ["check", "--config", "other.yaml"], ["check", "--config=other.yaml", "-i", "inventory"]):
        p = run(*args, config=other, name="other.yaml")
        check(p.returncode == 1 and "state after the plan" not in p.stdout and p.stdout.rstrip().endswith("2 waived"),
              f"{' '.join(args)}: plan and quiet from the file ({p.returncode} {p.stderr.strip()})")
    p = run("check", "--config", "other.yaml", "--quiet=false", name="other.yaml")
    check(p.returncode == 1 and "state after the plan" in p.stdout, "--quiet=false on the command line turns the file's quiet off")
    p = run("config", "--config", "other.yaml", "--quiet=false", name="other.yaml")
    check("quiet: false  # command line (replaces other.yaml:3:1)" in p.stdout, "opguard config shows quiet=false from the command line")
    p = run("check", "--config", "other.yaml", "-q", "plan.json", "-i", "inventory", name="other.yaml")
    check(p.returncode == 1, "a list option given last on the command line does not swallow the file's plan")

    # Errors: one message at file:line:col with a stable id, exit 2.
    cases = [
        ("inventory: inventory\nfail_on: warning\n", ".opguard.yaml:2:1: error[config.unknown-key]: unknown key 'fail_on' (did you mean 'fail-on'?)"),
        ("inventory: inventory\nwaiver: w.json\n", ".opguard.yaml:2:1: error[config.unknown-key]: unknown key 'waiver' (did you mean 'waivers'?)"),
        ("inventory: inventory\nhelp: true\n", ".opguard.yaml:2:1: error[config.unknown-key]: unknown key 'help'"),
        ("inventory: inventory\nfail-on: fatal\n", ".opguard.yaml:2:10: error[config.invalid-value]: 'fail-on': --fail-on: fatal not in {error,warning,info}"),
        ("inventory: inventory\nformat:\n  - json\n  - pdf\n", ".opguard.yaml:3:3: error[config.invalid-value]: 'format': --format: pdf not in"),
        ("inventory: inventory\nfail-on: [warning]\n", ".opguard.yaml:2:10: error[config.wrong-type]: 'fail-on' takes one value, a string"),
        ("inventory: {a: b}\n", ".opguard.yaml:1:12: error[config.wrong-type]: 'inventory' takes a string or a list of strings"),
        ("inventory: [[a]]\n", ".opguard.yaml:1:13: error[config.wrong-type]: 'inventory' takes a list of strings"),
        ("inventory: inventory\nquiet: maybe\n", ".opguard.yaml:2:8: error[config.wrong-type]: 'quiet' is a flag: true or false"),
        ("- inventory\n", ".opguard.yaml:1:1: error[config.wrong-type]: the configuration is a mapping of option names to values"),
        ("inventory: inventory\ninventory: x\n", ".opguard.yaml:2:1: error[config.duplicate-key]: key 'inventory' given twice"),
        ("inventory: [inventory\n", ".opguard.yaml:2:1: error[config.syntax]: not valid YAML"),
        ("inventory: inventory\ntoday: 2026-13-45\n", ".opguard.yaml:2:8: error[config.invalid-value]: 'today' takes a date written YYYY-MM-DD; found '2026-13-45'"),
        # A second document would be ignored, its keys never checked: refused where it starts.
        ("inventory: inventory\n---\nfail-on: info\nno-such-key: 1\n",
         ".opguard.yaml:3:1: error[config.syntax]: a second YAML document: the configuration is one mapping"),
        ("---\n---\ninventory: inventory\n", ".opguard.yaml:3:1: error[config.syntax]: a second YAML document"),
        ("inventory: inventory\nfail-on: \"err\\0or\"\n", ".opguard.yaml:2:10: error[config.invalid-value]: 'fail-on' holds a NUL character"),
    ]
    for text, expected in cases:
        p = run("check", "plan.json", config=text)
        first = p.stderr.splitlines()[0] if p.stderr else ""
        check(p.returncode == 2 and expected in first and len(p.stderr.splitlines()) == 1 and p.stdout == "",
              f"{text.strip()!r} -> exit 2, one line: {expected} (got {p.returncode}: {p.stderr.strip()})")
    p = run("check", "plan.json", "--config", "missing.yaml")
    check(p.returncode == 2 and p.stderr.startswith("missing.yaml: error[config.unreadable]"), "a missing --config file: exit 2")
    # Special files are read as every other input is: one message, no hang, no unbounded read.
    os.makedirs(os.path.join(work, "cfgdir"), exist_ok=True)
    fifo = os.path.join(work, "cfg.fifo")
    if not os.path.exists(fifo):
        os.mkfifo(fifo)
    for target, expected in (("/dev/zero", "/dev/zero: error[config.unreadable]: expected a regular file or a pipe, found a character device"),
                             ("cfg.fifo", "cfg.fifo: error[config.unreadable]: found a pipe (FIFO) with nothing written to it"),
                             ("cfgdir", "cfgdir: error[config.unreadable]: expected a file, found a directory")):
        try:
            p = subprocess.run([binary, "check", "plan.json", "--config", target], cwd=work, env=env, capture_output=True, text=True,
                               timeout=20)
            check(p.returncode == 2 and p.stderr.startswith(expected) and len(p.stderr.splitlines()) == 1,
                  f"--config {target}: exit 2, {expected} (got {p.returncode}: {p.stderr.strip()})")
        except subprocess.TimeoutExpired:
            check(False, f"--config {target}: no answer in 20 s")
    with open(os.path.join(work, "big.yaml"), "w") as f:
        f.write("# " + "x" * (2 * 1024 * 1024) + "\n")
    p = run("check", "plan.json", "--config", "big.yaml", name="unused.yaml")
    check(p.returncode == 2 and p.stderr.startswith("big.yaml: error[config.unreadable]"), f"a 2 MiB --config file: exit 2 ({p.stderr.strip()})")
    # Aliases of one long value, many times (a "billion laughs"): refused at the alias that
    # passes the file's expansion budget, in a moment and little memory.
    bomb = "inventory: inventory\nskip-rule: &s \"" + "x" * 10000 + "\"\nwaivers: [" + ",".join(["*s"] * 10000) + "]\n"
    p = run("check", "plan.json", config=bomb)
    check(p.returncode == 2 and p.stderr.startswith(".opguard.yaml:2:12: error[yaml.expansion-limit]")
          and len(p.stderr.splitlines()) == 1, f"an alias bomb in .opguard.yaml: yaml.expansion-limit (got {p.returncode}: {p.stderr[:200]})")
    # A raw NUL byte: said as such, at its line and column.
    p = run("check", "plan.json", config="inventory: inventory\ntoday: 2026-06-01\0\n")
    check(p.returncode == 2 and p.stderr.startswith(".opguard.yaml:2:18: error[config.invalid-value]: the configuration holds a NUL character"),
          f"a raw NUL in .opguard.yaml (got {p.stderr.strip()})")
    # A .opguard.yaml that is a folder, a FIFO or a link to nothing is config.unreadable, never
    # skipped in silence (its settings would be dropped without a word).
    implicit = os.path.join(work, ".opguard.yaml")
    for make, expected in ((lambda: os.makedirs(implicit), "expected a file, found a directory"),
                           (lambda: os.mkfifo(implicit), "found a pipe (FIFO) with nothing written to it"),
                           (lambda: os.symlink("nowhere.yaml", implicit), "cannot read file")):
        if os.path.lexists(implicit):
            shutil.rmtree(implicit) if os.path.isdir(implicit) and not os.path.islink(implicit) else os.remove(implicit)
        make()
        try:
            p = subprocess.run([binary, "check", "plan.json", "-i", "inventory"], cwd=work, env=env, capture_output=True, text=True, timeout=20)
            check(p.returncode == 2 and p.stderr.startswith(".opguard.yaml: error[config.unreadable]: " + expected),
                  f"an implicit .opguard.yaml that cannot be read: exit 2, {expected} (got {p.returncode}: {p.stderr.strip()})")
        except subprocess.TimeoutExpired:
            check(False, f"implicit .opguard.yaml ({expected}): no answer in 20 s")
    if os.path.lexists(implicit):
        shutil.rmtree(implicit) if os.path.isdir(implicit) and not os.path.islink(implicit) else os.remove(implicit)
    # A bad date in the file is its error even when the command line gives another.
    p = run("check", "plan.json", "--today", "2026-06-01", config="inventory: inventory\ntoday: 2026-02-30\n")
    check(p.returncode == 2 and p.stderr.startswith(".opguard.yaml:2:8: error[config.invalid-value]: 'today' takes a date written YYYY-MM-DD"),
          f"today: 2026-02-30 replaced on the command line is still an error (got {p.stderr.strip()})")
    os.remove(os.path.join(work, ".opguard.yaml"))
    # An empty value of an option that would read as "not given" is a usage error.
    for option in ("--today", "--parameters", "--inventory-kind"):
        p = run("check", "plan.json", "-i", "inventory", option, "", name="unused.yaml")
        check(p.returncode == 2 and f"error[usage]: {option}: an empty value was given" in p.stderr, f"{option} '': exit 2 ({p.stderr.strip()})")
    # A broken .opguard.yaml does not concern other commands.
    p = run("rules", "list", "--format", "json", config="nonsense: [\n")
    check(p.returncode == 0 and json.loads(p.stdout)["rules"], "rules list ignores .opguard.yaml")

    # opguard config: every setting, its value and where it came from.
    p = run("config", "plan.json", "--fail-on", "error", "-f", "text", config=cfg)
    lines = dict(l.split(": ", 1) for l in p.stdout.splitlines() if not l.startswith("#"))
    check(p.returncode == 0 and p.stdout.startswith("# The effective settings of `opguard check`; configuration file: .opguard.yaml\n"),
          "opguard config names the file")
    check(lines.get("fail-on") == "error  # command line (replaces .opguard.yaml:3:1)", "fail-on: the command line's, replacing line 3")
    check(lines.get("format") == "[text]  # command line (replaces .opguard.yaml:4:1)", "format: the command line's")
    check(lines.get("output") == "[]  # command line (replaces .opguard.yaml:5:1)", "output: replaced with format")
    check(lines.get("inventory") == "[inventory]  # .opguard.yaml:1:1", "inventory: from the file, line 1")
    check(lines.get("waivers") == "[waivers.json]  # .opguard.yaml:2:1", "waivers: from the file, line 2")
    check(lines.get("plan") == "plan.json  # command line", "plan: from the command line")
    check(lines.get("plan-format") == "auto  # default" and lines.get("quiet") == "false  # default", "defaults say so")
    p = run("config", "--config", "other.yaml", name="other.yaml")
    lines = dict(l.split(": ", 1) for l in p.stdout.splitlines() if not l.startswith("#"))
    check(lines.get("quiet") == "true  # other.yaml:3:1" and lines.get("plan") == "plan.json  # other.yaml:2:1",
          "opguard config --config FILE reads that file")
    # --config given before the command word, as `opguard --config FILE check` takes it.
    p = run("--config", "other.yaml", "config", name="unused.yaml")
    check(p.returncode == 0 and "configuration file: other.yaml" in p.stdout, f"opguard --config FILE config reads that file ({p.stdout[:120]})")
    p = run("--config", "missing.yaml", "config", name="unused.yaml")
    check(p.returncode == 2 and p.stderr.startswith("missing.yaml: error[config.unreadable]"), "opguard --config MISSING config: exit 2")
    p = run("config", "--no-config", config=cfg)
    check("configuration file: none" in p.stdout and "inventory: []  # default" in p.stdout, "opguard config --no-config")
    p = run("config", config="fail-on: nope\n")
    check(p.returncode == 2 and ".opguard.yaml:1:10: error[config.invalid-value]" in p.stderr, "opguard config reports a bad file too")
    # Every key `opguard config` lists is accepted in the file (the options of check, generically).
    p = run("config", config="inventory: inventory\n")
    keys = [l.split(":")[0] for l in p.stdout.splitlines() if not l.startswith("#")]
    check({"inventory", "fail-on", "format", "output", "waivers", "today", "plan-format", "parameters", "rules",
           "inventory-kind", "quiet", "explain", "timings", "no-color", "no-builtin-rules", "plan"} <= set(keys), f"keys: {keys}")

    return finish()


if __name__ == "__main__":
    sys.exit(main())
