#!/usr/bin/env python3
"""opguard's pre-commit hook run by the real pre-commit (Debian's package `pre-commit`).

usage: precommit_test.py SOURCE_DIR OPGUARD_BINARY WORK_DIR

In a temporary git repository of plans (a failing one, a passing one, their inventory and
waiver file, and plans of every other form), runs
  - `pre-commit try-repo SOURCE_DIR opguard --files ...` (the hook from the source tree);
  - `pre-commit run` with a .pre-commit-config.yaml naming the hook repository as a remote
    (a file:// git repository holding the hook files, at a tag);
  - `pre-commit run --all-files` with OPGUARD set to a recorder, to see which files the
    hook's `files` pattern hands to opguard;
  - `git commit` through the installed hook: refused on the failing plan.
The hook's language is `script`, which needs no network. Prints SKIPPED: ... when
pre-commit is not installed.
"""
import os
import shutil
import subprocess
import sys

from checks import check, finish  # noqa: E402


def run(cmd, cwd, env):
    p = subprocess.run(cmd, cwd=cwd, env=env, capture_output=True, text=True)
    print(f"$ (cd {cwd} && {' '.join(cmd)})  -> exit {p.returncode}")
    return p


GIT = ["git", "-c", "user.name=opguard tests", "-c", "user.email=tests@opguard.invalid", "-c", "init.defaultBranch=main",
       "-c", "commit.gpgsign=false", "-c", "tag.gpgsign=false"]


def git_repo(path, env):
    run(GIT + ["init", "-q", path], path, env)


def commit_all(path, env, message):
    run(GIT + ["add", "-A"], path, env)
    p = run(GIT + ["commit", "-q", "--no-verify", "-m", message], path, env)
    assert p.returncode == 0, p.stderr


def main():
    src, binary, work = sys.argv[1:4]
    if not shutil.which("pre-commit"):
        print("SKIPPED: pre-commit not installed (Debian package pre-commit; bash scripts/setup.sh)")
        return 0
    shutil.rmtree(work, ignore_errors=True)
    os.makedirs(work)
    env = dict(os.environ)
    env["PRE_COMMIT_HOME"] = os.path.join(work, "pre-commit-home")  # its cache of hook repositories
    env["OPGUARD"] = binary
    env.pop("GIT_DIR", None)
    env.pop("GIT_WORK_TREE", None)
    env["GIT_CONFIG_NOSYSTEM"] = "1"
    env["HOME"] = work  # no user git configuration

    # The repository of plans a user commits to.
    repo = os.path.join(work, "plans-repo")
    os.makedirs(os.path.join(repo, "plans", "oos"))
    os.makedirs(os.path.join(repo, "infra"))
    golden = os.path.join(src, "tests", "golden")
    shutil.copy(os.path.join(golden, "waivers", "plan.json"), os.path.join(repo, "plans", "rollout.json"))
    shutil.copy(os.path.join(golden, "waivers-pass", "plan.json"), os.path.join(repo, "plans", "quiet.json"))
    shutil.copytree(os.path.join(golden, "waivers", "inventory"), os.path.join(repo, "inventory"))
    shutil.copy(os.path.join(golden, "waivers", "waivers.json"), os.path.join(repo, "opguard-waivers.json"))
    shutil.copy(os.path.join(src, "samples", "scripts", "image-rollout.sh"), os.path.join(repo, "plans", "image-rollout.sh"))
    shutil.copy(os.path.join(src, "samples", "oos", "ACS-ECD-BulkyRebuildDesktops.yml"), os.path.join(repo, "plans", "oos", "rebuild.yml"))
    shutil.copy(os.path.join(golden, "terraform-plan", "tfplan.json"), os.path.join(repo, "infra", "prod.tfplan.json"))
    shutil.copy(os.path.join(golden, "cli-dry-run-json", "requests.json"), os.path.join(repo, "plans", "requests.json"))
    with open(os.path.join(repo, "README.md"), "w") as f:
        f.write("plans\n")
    with open(os.path.join(repo, "package.json"), "w") as f:
        f.write("{}\n")
    git_repo(repo, env)
    commit_all(repo, env, "plans")

    # The hook repository as a user's remote holds it: the hook files of this tree, committed
    # and tagged (file://, which pre-commit clones like any remote).
    hooks = os.path.join(work, "hook-repo")
    os.makedirs(os.path.join(hooks, "integrations", "pre-commit"))
    shutil.copy(os.path.join(src, ".pre-commit-hooks.yaml"), hooks)
    shutil.copy(os.path.join(src, "integrations", "pre-commit", "opguard-pre-commit.sh"),
                os.path.join(hooks, "integrations", "pre-commit"))
    git_repo(hooks, env)
    commit_all(hooks, env, "hooks")
    run(GIT + ["tag", "v0.1.0"], hooks, env)
    # 1. try-repo: the hook from opguard's source tree when its hook files are committed
    # there (try-repo reads tracked files), else from the hook repository.
    tracked = run(["git", "ls-files", "--error-unmatch", ".pre-commit-hooks.yaml", "integrations/pre-commit/opguard-pre-commit.sh"],
                  src, env).returncode == 0 if os.path.exists(os.path.join(src, ".git")) else False
    hook_source = src if tracked else hooks
    print("try-repo from", hook_source)
    p = run(["pre-commit", "try-repo", hook_source, "opguard", "--files", "plans/quiet.json"], repo, env)
    print(p.stdout[-1500:] + p.stderr[-1500:])
    check(p.returncode == 0 and "opguard plan check" in p.stdout and "Passed" in p.stdout,
          "try-repo: a plan whose findings are all waived passes")
    p = run(["pre-commit", "try-repo", hook_source, "opguard", "--files", "plans/rollout.json"], repo, env)
    print(p.stdout[-3000:])
    check(p.returncode == 1 and "Failed" in p.stdout
          and "error[ecd.rebuild.desktop-status] plans/rollout.json:9:39 (ecd-t-starting)" in p.stdout,
          "try-repo: a plan with an unwaived error fails, naming plans/rollout.json:9:39")
    check("waived: user told in #it-ops" in p.stdout, "try-repo: the hook reads opguard-waivers.json")

    with open(os.path.join(repo, ".pre-commit-config.yaml"), "w") as f:
        f.write(f"repos:\n  - repo: file://{hooks}\n    rev: v0.1.0\n    hooks:\n      - id: opguard\n")
    commit_all(repo, env, "pre-commit configuration")
    # 2. The remote hook repository at a tag.
    p = run(["pre-commit", "run", "opguard", "--files", "plans/quiet.json"], repo, env)
    print(p.stdout[-1500:] + p.stderr[-1500:])
    check(p.returncode == 0 and "Passed" in p.stdout and "WARNING" not in p.stdout + p.stderr, "remote repo at a tag: the passing plan passes, no warning")
    p = run(["pre-commit", "run", "opguard", "--files", "plans/rollout.json", "README.md"], repo, env)
    check(p.returncode == 1 and "plans/rollout.json:9:39" in p.stdout, "remote repo at a tag: the failing plan fails")

    # 3. Which files the hook's `files` pattern hands to opguard, over the whole repository.
    log = os.path.join(work, "checked.txt")
    recorder = os.path.join(work, "record-opguard")
    with open(recorder, "w") as f:
        f.write(f'#!/bin/sh\necho "$2" >> "{log}"\nexit 0\n')  # called as: check PLAN --inventory ...
    os.chmod(recorder, 0o755)
    p = run(["pre-commit", "run", "opguard", "--all-files"], repo, dict(env, OPGUARD=recorder))
    checked = sorted(open(log).read().split()) if os.path.exists(log) else []
    check(p.returncode == 0 and checked == ["infra/prod.tfplan.json", "plans/image-rollout.sh", "plans/oos/rebuild.yml",
                                            "plans/quiet.json", "plans/requests.json", "plans/rollout.json"],
          f"--all-files hands every plan form, and nothing else, to opguard: {checked}")

    # 4. As the git hook: `pre-commit install`, then a commit of the failing plan is refused.
    p = run(["pre-commit", "install"], repo, env)
    check(p.returncode == 0, "pre-commit install")
    with open(os.path.join(repo, "plans", "rollout.json"), "a") as f:
        f.write("\n")
    run(GIT + ["add", "plans/rollout.json"], repo, env)
    p = run(GIT + ["commit", "-q", "-m", "touch the rollout"], repo, env)
    check(p.returncode != 0 and "plans/rollout.json:9:39" in p.stdout + p.stderr, "git commit of the failing plan is refused")
    p = run(GIT + ["log", "--format=%s", "-1"], repo, env)
    check(p.stdout.strip() == "pre-commit configuration", "nothing was committed")

    return finish()


if __name__ == "__main__":
    sys.exit(main())
