#!/usr/bin/env python3
"""Installing opguard, tested the way a user installs it.

  install_test.py install SOURCE_DIR BUILD_DIR WORK_DIR
      cmake --install into a temporary prefix; the installed binary checks the sample plan
      from another directory (the rules are built in); the manual page names every option
      of every subcommand's --help; the bash, zsh and fish completions name every subcommand
      and every option of `check`; bash completes `opguard ch<TAB>` to `check`.
  install_test.py deb SOURCE_DIR BUILD_DIR WORK_DIR
      cpack -G DEB builds a .deb whose Depends names the runtime libraries.

Prints SKIPPED: ... (and succeeds; ctest marks the test skipped) when a tool it needs is
missing.
"""
import os
import re
import shutil
import subprocess
import sys

from checks import check, failures, finish  # noqa: E402


def run(cmd, **kw):
    return subprocess.run(cmd, capture_output=True, text=True, **kw)


def help_of(binary, path):
    """The --help text of `opguard PATH...`."""
    r = run([binary, *path, "--help"])
    assert r.returncode == 0, (path, r.stderr)
    return r.stdout


def subcommands(help_text):
    """Names listed under 'Subcommands:' in a CLI11 help text."""
    out, inside = [], False
    for line in help_text.splitlines():
        if line.startswith("Subcommands:"):
            inside = True
            continue
        if inside:
            m = re.match(r"  (\S+)\s", line)
            if m:
                out.append(m.group(1))
            elif line.strip() == "":
                inside = False
    return out


def options(help_text):
    """Every option name (--long and -s) of the Options: section of a CLI11 help text."""
    out, inside = [], False
    for line in help_text.splitlines():
        if line.startswith("Options:"):
            inside = True
            continue
        if inside and line and not line.startswith(" "):
            inside = False
        if inside:
            m = re.match(r"  (-[^ ]+)", line)  # "  -i,--inventory TEXT ..." (names before the first space)
            if m:
                out += [n for n in m.group(1).split(",") if n.startswith("-")]
    return out


def command_paths(binary):
    """Every command path: [], ["check"], ["rules"], ["rules", "list"], ..."""
    paths, todo = [], [[]]
    while todo:
        p = todo.pop(0)
        paths.append(p)
        todo += [p + [s] for s in subcommands(help_of(binary, p))]
    return paths


def test_install(source, build, work):
    prefix = os.path.join(work, "prefix")
    shutil.rmtree(work, ignore_errors=True)
    os.makedirs(work)
    r = run(["cmake", "--install", build, "--prefix", prefix])
    check(r.returncode == 0, "cmake --install: " + r.stdout + r.stderr)
    binary = os.path.join(prefix, "bin", "opguard")
    man = os.path.join(prefix, "share", "man", "man1", "opguard.1")
    bash = os.path.join(prefix, "share", "bash-completion", "completions", "opguard")
    zsh = os.path.join(prefix, "share", "zsh", "site-functions", "_opguard")
    fish = os.path.join(prefix, "share", "fish", "vendor_completions.d", "opguard.fish")
    for f in (binary, man, bash, zsh, fish):
        check(os.path.isfile(f), "installed: " + f)
    if failures:
        return
    check(os.access(binary, os.X_OK), "bin/opguard is executable")

    # From a directory that holds nothing of opguard's: the built-in rules do the work.
    elsewhere = os.path.join(work, "elsewhere")
    os.makedirs(elsewhere)
    r = run([binary, "check", os.path.join(source, "samples", "rebuild-plan.json"),
             "--inventory", os.path.join(source, "samples", "fleet"), "--format", "json"], cwd=elsewhere)
    check(r.returncode == 1, f"installed check exits 1 on the sample's findings (got {r.returncode}: {r.stderr})")
    check(r.stdout.count('"severity": "error"') > 0, "installed check reports error findings")
    r2 = run([os.path.join(build, "opguard"), "check", os.path.join(source, "samples", "rebuild-plan.json"),
              "--inventory", os.path.join(source, "samples", "fleet"), "--format", "json"], cwd=source)
    check(r.stdout == r2.stdout, "the installed binary run elsewhere reports what the build tree's does from the sources")
    r = run([binary, "rules", "list", "--format", "json"], cwd=elsewhere)
    check(r.returncode == 0 and r.stdout.count('"id"') > 20, "installed binary lists its built-in rules")

    # The manual page names every option of every command's --help (roff writes - as \-).
    man_text = open(man, encoding="utf-8").read().replace("\\-", "-")
    check(man_text.startswith(".\\\"") and ".TH OPGUARD 1" in man_text, "man page has a .TH header")
    paths = command_paths(binary)
    check(["check"] in paths and ["rules", "test"] in paths, f"command paths found: {paths}")
    for p in paths:
        if p:
            check(f'.SS "opguard {" ".join(p)}"' in man_text, f"man page has a section for opguard {' '.join(p)}")
        for o in options(help_of(binary, p)):
            check(re.search(r"\\fB" + re.escape(o) + r"\\fR", man_text) is not None,
                  f"man page names {o} of `opguard {' '.join(p)} --help`")
    if shutil.which("man"):
        r = run(["man", "-l", "-Tutf8", man], env=dict(os.environ, MANWIDTH="100"))
        check(r.returncode == 0 and "--inventory" in r.stdout.replace("‐", "-"), "man -l renders the page")

    # Completions: every subcommand (at every level) and every option of check.
    top = subcommands(help_of(binary, []))
    rules_subs = subcommands(help_of(binary, ["rules"]))
    check_opts = options(help_of(binary, ["check"]))
    check("check" in top and "rules" in top and "--fail-on" in check_opts, "help lists check, rules, --fail-on")
    for name, path in (("bash", bash), ("zsh", zsh), ("fish", fish)):
        text = open(path, encoding="utf-8").read()
        for s in top + rules_subs:
            check(re.search(r"(?<![\w-])" + re.escape(s) + r"(?![\w-])", text) is not None, f"{name} completion names subcommand {s}")
        for o in check_opts:
            needle = o
            if name == "fish":  # fish spells options -l NAME / -s X
                needle = ("-l " + o[2:]) if o.startswith("--") else ("-s " + o[1:])
            check(re.search(re.escape(needle) + r"(?![\w-])", text) is not None, f"{name} completion names check option {o}")

    # bash: the installed file registers the completion and completes real command lines.
    script = r'''
source "$1"
complete -p opguard || exit 9
t() { COMP_WORDS=("$@"); COMP_CWORD=$((${#COMP_WORDS[@]} - 1)); COMP_LINE="$*"; COMP_POINT=${#COMP_LINE}; _opguard; echo "${COMPREPLY[*]}"; }
t opguard ch
t opguard check --fa
t opguard check plan.json --format s
t opguard rules ""
t opguard --rules dir ch
'''
    r = run(["bash", "--norc", "--noprofile", "-c", script, "bash", bash])
    lines = r.stdout.splitlines()
    check(r.returncode == 0 and len(lines) == 6, f"bash completion ran: {r.stdout} {r.stderr}")
    if len(lines) == 6:
        check(lines[0] == "complete -F _opguard opguard", "complete -p opguard: " + lines[0])
        check(lines[1] == "check", "opguard ch<TAB> -> " + lines[1])
        check(lines[2] == "--fail-on", "opguard check --fa<TAB> -> " + lines[2])
        check(lines[3] == "sarif", "opguard check plan.json --format s<TAB> -> " + lines[3])
        check(lines[4].split() == rules_subs, "opguard rules <TAB> -> " + lines[4])
        check(lines[5] == "check", "opguard --rules dir ch<TAB> -> " + lines[5])
    if shutil.which("zsh"):
        r = run(["zsh", "-n", zsh])
        check(r.returncode == 0, "zsh -n _opguard: " + r.stderr)
    else:
        print("note: zsh not installed: its completion file is checked for names only")
    if shutil.which("fish"):
        r = run(["fish", "--no-config", "-c", f"source {fish}; complete -C'opguard ch'; complete -C'opguard check --format s'"])
        out = [l.split("\t")[0] for l in r.stdout.splitlines()]
        check(r.returncode == 0 and out == ["check", "sarif"], f"fish completes opguard ch / --format s: {out} {r.stderr}")
    else:
        print("note: fish not installed: its completion file is checked for names only")


def test_deb(source, build, work):
    for tool in ("cpack", "dpkg-deb", "dpkg-shlibdeps"):
        if not shutil.which(tool):
            print(f"SKIPPED: {tool} not installed (Debian packages cmake, dpkg, dpkg-dev; bash scripts/setup.sh)")
            return
    shutil.rmtree(work, ignore_errors=True)
    os.makedirs(work)
    r = run(["cpack", "-G", "DEB", "-B", work, "--config", os.path.join(build, "CPackConfig.cmake")], cwd=build)
    check(r.returncode == 0, "cpack -G DEB: " + r.stdout[-2000:] + r.stderr[-2000:])
    debs = [f for f in os.listdir(work) if f.endswith(".deb")]
    check(len(debs) == 1, f"one .deb built: {debs}")
    if not debs:
        return
    deb = os.path.join(work, debs[0])
    depends = run(["dpkg-deb", "-f", deb, "Depends"]).stdout.strip()
    print("Depends:", depends)
    names = [d.strip().split(" ")[0] for d in depends.split(",")]
    for lib in ("libsimdjson", "libyaml-cpp", "libstdc++6", "libc6"):
        check(any(n.startswith(lib) for n in names), f"Depends names {lib}: {depends}")
    # Every shared library the binary needs (ldd) comes from a package Depends names.
    ldd = run(["ldd", os.path.join(build, "opguard")]).stdout
    if "libmimalloc" in ldd:
        check(any(n.startswith("libmimalloc") for n in names), f"Depends names libmimalloc: {depends}")
    contents = run(["dpkg-deb", "-c", deb]).stdout
    for f in ("./usr/bin/opguard", "./usr/share/man/man1/opguard.1", "./usr/share/bash-completion/completions/opguard",
              "./usr/share/zsh/site-functions/_opguard", "./usr/share/fish/vendor_completions.d/opguard.fish"):
        check(f in contents, f"the .deb holds {f}")
    check(run(["dpkg-deb", "-f", deb, "Package"]).stdout.strip() == "opguard", "Package: opguard")


def main():
    mode, source, build, work = sys.argv[1:5]
    {"install": test_install, "deb": test_deb}[mode](source, build, work)
    return finish()


if __name__ == "__main__":
    sys.exit(main())
