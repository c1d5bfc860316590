#!/usr/bin/python3
"""Runs the commands of opguard's ready-made integrations exactly as they are written:

  github-actions  the `run:` of the "Check the plan" step of integrations/github-actions/opguard.yml,
                  in a checkout laid out as the workflow lays it out (plans-repo/ and opguard/);
  pre-commit      the `entry:` of .pre-commit-hooks.yaml (repository root), on the plan files
                  its `files:` pattern selects.

usage: integrations_test.py github-actions|pre-commit SOURCE_DIR OPGUARD_BINARY WORK_DIR
Checks exit codes, annotations, every report file (SARIF and JSON against their schemas,
JUnit well-formed), and the job summary. Prints what it checked; exits 1 on the first failure.
"""
import json
import os
import re
import shutil
import subprocess
import sys
import xml.etree.ElementTree as ET

import yaml


def fail(msg):
    print("FAIL: " + msg)
    sys.exit(1)


def check(cond, msg):
    if not cond:
        fail(msg)
    print("ok: " + msg)


def layout(src, work):
    """plans-repo/ with a failing and a passing plan, their inventory and a waiver file;
    opguard/ as the opguard checkout (a link to the sources)."""
    shutil.rmtree(work, ignore_errors=True)
    repo = os.path.join(work, "plans-repo")
    os.makedirs(os.path.join(repo, "plans"))
    golden = os.path.join(src, "tests", "golden")
    shutil.copy(os.path.join(golden, "waivers", "plan.json"), os.path.join(repo, "plans", "rollout.json"))
    shutil.copy(os.path.join(golden, "waivers-pass", "plan.json"), os.path.join(repo, "plans", "quiet.json"))
    with open(os.path.join(repo, "plans", "broken.json"), "w") as f:
        f.write('{"calls": [\n  {"id": "x", "product": "ecd", "action": "RebuildDesktops", "parmeters": {}}\n]}\n')
    shutil.copytree(os.path.join(golden, "waivers", "inventory"), os.path.join(repo, "inventory"))
    shutil.copy(os.path.join(golden, "waivers", "waivers.json"), os.path.join(repo, "opguard-waivers.json"))
    os.symlink(src, os.path.join(work, "opguard"))
    return repo


def run(cmd, cwd, env):
    p = subprocess.run(["sh", "-c", cmd], cwd=cwd, env=env, capture_output=True, text=True)
    print(f"$ (cd {cwd} && {cmd})  -> exit {p.returncode}")
    return p


def github_actions(src, binary, work):
    wf = yaml.safe_load(open(os.path.join(src, "integrations", "github-actions", "opguard.yml")))
    steps = wf["jobs"]["preflight"]["steps"]
    step = next(s for s in steps if s.get("id") == "check")
    upload = next(s for s in steps if str(s.get("uses", "")).startswith("github/codeql-action/upload-sarif@"))
    major = int(re.match(r"github/codeql-action/upload-sarif@v(\d+)$", upload["uses"]).group(1))
    check(major >= 4, f"SARIF is uploaded with the current codeql-action major (v{major})")
    check(upload["with"].get("checkout_path") == "${{ github.workspace }}/plans-repo"
          and upload["with"]["sarif_file"].startswith("plans-repo/"),
          "upload-sarif resolves the SARIF's paths in plans-repo/, where the plans are checked out")
    comment = next(s for s in steps if "gh pr comment" in s.get("run", ""))
    check(comment["env"].get("GH_REPO") == "${{ github.repository }}" and "GH_TOKEN" in comment["env"],
          "gh gets GH_REPO (no .git needed in the container) and GH_TOKEN")
    build = next(s for s in steps if "scripts/build.sh" in s.get("run", ""))
    check("-DBUILD_TESTING=OFF" in build["run"], "the workflow builds opguard without its tests")
    repo = layout(src, work)
    summary = os.path.join(work, "step-summary.md")
    env = dict(os.environ)
    env.update({k: str(v) for k, v in wf["env"].items()})
    env.update({k: str(v) for k, v in step.get("env", {}).items()})
    env["OPGUARD"] = binary  # the step's ${{ github.workspace }}/opguard/build/opguard
    env["GITHUB_STEP_SUMMARY"] = summary
    cwd = os.path.join(work, step["working-directory"])

    p = run(step["run"], cwd, env)
    print(p.stdout + p.stderr)
    check(p.returncode == 1, "a plan with an unwaived error fails the step (exit 1)")
    check(re.search(r"^::error file=plans/rollout\.json,line=9,col=39,title=error ecd\.rebuild\.desktop-status \(ecd-t-starting\)::",
                    p.stdout, re.M) is not None, "the error is annotated at plans/rollout.json:9:39")
    check("::notice file=plans/rollout.json,line=9,col=23,title=waived warning ecd.rebuild.desktop-running" in p.stdout,
          "a waived finding is annotated as a notice")
    out = os.path.join(repo, env["OPGUARD_OUT"])
    for name in ("opguard.sarif", "opguard.xml", "opguard.md", "opguard.json"):
        check(os.path.isfile(os.path.join(out, name)), f"{env['OPGUARD_OUT']}/{name} written")
    checker = os.path.join(src, "tests", "schema_check.py")
    sarif = subprocess.run(["/usr/bin/python3", checker, "--lenient-schema",
                            os.path.join(src, "schemas", "third_party", "sarif-schema-2.1.0.json"), os.path.join(out, "opguard.sarif")],
                           capture_output=True, text=True)
    check(sarif.returncode == 0, "opguard.sarif is valid SARIF 2.1.0: " + sarif.stdout.strip().splitlines()[-1])
    js = subprocess.run(["/usr/bin/python3", checker, os.path.join(src, "schemas", "report.schema.json"), os.path.join(out, "opguard.json")],
                        capture_output=True, text=True)
    check(js.returncode == 0, "opguard.json is valid against schemas/report.schema.json")
    root = ET.parse(os.path.join(out, "opguard.xml")).getroot()
    check(root.tag == "testsuites" and int(root.get("failures")) == 1, "opguard.xml is JUnit XML with 1 failing test case")
    results = json.load(open(os.path.join(out, "opguard.sarif")))["runs"][0]["results"]
    suppressed = [r["ruleId"] for r in results if r.get("suppressions")]
    check(sorted(suppressed) == ["ecd.rebuild.desktop-connected", "ecd.rebuild.desktop-running"], "waived findings are SARIF suppressions")
    md = open(summary).read()
    check(md.startswith("## opguard:") and "### Data that will be lost" in md, "the change-review report is in the job summary")

    env["OPGUARD_PLAN"] = "plans/quiet.json"
    p = run(step["run"], cwd, env)
    check(p.returncode == 0, "a plan whose findings are all waived passes the step (exit 0)")
    env["OPGUARD_PLAN"] = "plans/broken.json"
    p = run(step["run"], cwd, env)
    check(p.returncode == 2 and "plans/broken.json:2:75: error[plan.unknown-key]" in p.stderr,
          "a malformed plan stops the step with exit 2 and file:line:col: " + p.stderr.strip())


def pre_commit(src, binary, work):
    hooks = yaml.safe_load(open(os.path.join(src, ".pre-commit-hooks.yaml")))
    hook = next(h for h in hooks if h["id"] == "opguard")
    check(hook["language"] == "script" and hook.get("pass_filenames", True), "the hook is a script that receives file names")
    repo = layout(src, work)
    pattern = re.compile(hook["files"])
    staged = ["plans/rollout.json", "plans/quiet.json", "plans/broken.json", "README.md",
              "ops/plans/rebuild.sh", "plans/hz/rollout.bash", "plans/oos/rebuild.yml", "plans/oos/rebuild.yaml",
              "plans/requests.json", "infra/tfplan.json", "infra/prod.tfplan.json",
              "inventory/describe_desktops.json", ".github/workflows/ci.yml", "scripts/build.sh", "package.json",
              "infra/main.tf", "plans/notes.md"]
    selected = [f for f in staged if pattern.search(f)]
    check(selected == ["plans/rollout.json", "plans/quiet.json", "plans/broken.json", "ops/plans/rebuild.sh",
                       "plans/hz/rollout.bash", "plans/oos/rebuild.yml", "plans/oos/rebuild.yaml", "plans/requests.json",
                       "infra/tfplan.json", "infra/prod.tfplan.json"],
          "`files:` selects every plan form (JSON, dry-run records, scripts, OOS templates, Terraform plans) and nothing else")
    entry = os.path.join(work, "opguard", hook["entry"])  # pre-commit runs a script entry from the hook repo
    env = dict(os.environ)
    env["OPGUARD"] = binary

    p = run(f"'{entry}' plans/quiet.json", repo, env)
    check(p.returncode == 0, "a clean (all waived) plan passes the hook")
    p = run(f"'{entry}' plans/quiet.json plans/rollout.json", repo, env)
    print(p.stdout)
    check(p.returncode == 1 and "error[ecd.rebuild.desktop-status] plans/rollout.json:9:39 (ecd-t-starting)" in p.stdout,
          "a plan with an error blocks the commit, naming plans/rollout.json:9:39")
    check("waived: user told in #it-ops" in p.stdout, "the hook uses opguard-waivers.json when it exists")
    env_missing = dict(env, OPGUARD="/nonexistent/opguard")
    p = run(f"'{entry}' plans/quiet.json", repo, env_missing)
    check(p.returncode == 2 and "'/nonexistent/opguard' not found" in p.stderr, "a missing opguard is one clear message, exit 2")
    p = run(f"'{entry}' plans/rollout.json plans/broken.json", repo, env)
    check(p.returncode == 2 and "plans/broken.json:2:75" in p.stderr, "an unreadable plan blocks the commit with exit 2")


def github_action(src, binary, work):
    """The composite action (action.yml): its check step's `run:` with the inputs passed the
    way the step passes them (env INPUT_* from ${{ inputs.* }}, defaults from action.yml)."""
    action = yaml.safe_load(open(os.path.join(src, "action.yml")))
    check(action["runs"]["using"] == "composite", "action.yml is a composite action")
    inputs = action["inputs"]
    check(inputs["plan"].get("required") and inputs["inventory"].get("required"), "plan and inventory are required inputs")
    step = next(s for s in action["runs"]["steps"] if s.get("id") == "check")
    mapping = {}
    for var, expr in step["env"].items():
        m = re.fullmatch(r"\$\{\{ inputs\.([\w-]+) \}\}", expr)
        check(m is not None and m.group(1) in inputs, f"{var} passes an input of action.yml ({expr})")
        mapping[var] = m.group(1)
    check(sorted(mapping.values()) == sorted(k for k in inputs if k != "upload-sarif"),
          "every input but upload-sarif reaches the run script")
    script = open(os.path.join(src, "integrations", "github-actions", "action.sh")).read()
    check(sorted(set(re.findall(r"INPUT_[A-Z_]+", script))) == sorted(mapping), "the script reads exactly the INPUT_* the step passes")
    upload = next(s for s in action["runs"]["steps"] if str(s.get("uses", "")).startswith("github/codeql-action/upload-sarif@"))
    check(upload["uses"].endswith("@v4") and "checkout_path" in upload["with"], "the action uploads SARIF with upload-sarif@v4 and checkout_path")
    for o in ("exit-code", "sarif", "junit", "markdown", "json", "report-dir"):
        check(action["outputs"][o]["value"] == "${{ steps.check.outputs.%s }}" % o, f"output {o} comes from the check step")
    repo = layout(src, work)

    def run_action(given, name):
        env = dict(os.environ)
        for var, inp in mapping.items():
            env[var] = str(given.get(inp, inputs[inp].get("default", "")))
        env["GITHUB_ACTION_PATH"] = src
        env["GITHUB_OUTPUT"] = os.path.join(work, name + ".out")
        env["GITHUB_STEP_SUMMARY"] = os.path.join(work, name + ".summary")
        p = run(step["run"], repo, env)
        outputs = {}
        if os.path.exists(env["GITHUB_OUTPUT"]):
            for line in open(env["GITHUB_OUTPUT"]):
                k, _, v = line.rstrip("\n").partition("=")
                outputs[k] = v
        summary = open(env["GITHUB_STEP_SUMMARY"]).read() if os.path.exists(env["GITHUB_STEP_SUMMARY"]) else ""
        return p, outputs, summary

    base = {"plan": "plans/rollout.json", "inventory": "inventory", "opguard": binary}
    p, out, summary = run_action(base, "fail")
    check(p.returncode == 1 and out.get("exit-code") == "1", "a plan with an unwaived error fails the step; exit-code=1")
    check("::error file=plans/rollout.json,line=9,col=39,title=error ecd.rebuild.desktop-status (ecd-t-starting)::" in p.stdout,
          "the error is annotated at plans/rollout.json:9:39")
    check("title=waived warning ecd.rebuild.desktop-running" in p.stdout, "the default waivers input (opguard-waivers.json) is used")
    expect = {"sarif": "opguard-report/opguard.sarif", "junit": "opguard-report/opguard.xml",
              "markdown": "opguard-report/opguard.md", "json": "opguard-report/opguard.json"}
    for k, v in expect.items():
        check(out.get(k) == v and os.path.isfile(os.path.join(repo, v)), f"output {k}={v}, file written")
    check(out.get("report-dir") == "opguard-report", "output report-dir")
    check(summary.startswith("## opguard:"), "the Markdown report is in the job summary")
    sarif = json.load(open(os.path.join(repo, expect["sarif"])))
    check(any(r["ruleId"] == "ecd.rebuild.desktop-status" for r in sarif["runs"][0]["results"]), "the SARIF holds the finding")

    p, out, _ = run_action(dict(base, fail="false"), "nofail")
    check(p.returncode == 0 and out.get("exit-code") == "1", "fail: false passes the step and still says exit-code=1")
    p, out, _ = run_action(dict(base, plan="plans/quiet.json"), "pass")
    check(p.returncode == 0 and out.get("exit-code") == "0", "a plan whose findings are all waived passes; exit-code=0")
    p, out, _ = run_action(dict(base, **{"formats": "gitlab text", "output-dir": "out2", "fail-on": "warning"}), "formats")
    check(p.returncode == 1 and out.get("gitlab") == "out2/opguard.gitlab.json" and out.get("text") == "out2/opguard.txt"
          and "sarif" not in out and sorted(os.listdir(os.path.join(repo, "out2"))) == ["opguard.gitlab.json", "opguard.txt"],
          "formats and output-dir choose the reports written, and only those")
    p, out, _ = run_action(dict(base, inventory="inventory/describe_desktops.json\ninventory/describe_images.json "
                                                "inventory/describe_snapshots.json\ninventory/list_image.json"), "inventories")
    check(p.returncode == 1 and "title=error ecd.rebuild.desktop-status (ecd-t-starting)" in p.stdout,
          "several inventory files, separated by newlines and spaces, are all read")
    p, out, _ = run_action(dict(base, inventory="inventory/describe_images.json"), "inventory-missing-desktops")
    check("ecd.rebuild.desktop-status (ecd-t-starting)" not in p.stdout, "(and the inventory input does decide what is read)")
    p, out, _ = run_action(dict(base, plan="plans/broken.json", fail="false"), "broken")
    check(p.returncode == 2 and out.get("exit-code") == "2" and "sarif" not in out
          and "plans/broken.json:2:75: error[plan.unknown-key]" in p.stderr, "a malformed plan fails with 2 even with fail: false")
    p, out, _ = run_action(dict(base, **{"fail-on": "fatal"}), "bad-fail-on")
    check(p.returncode == 2 and "fail-on" in p.stderr, "an unknown fail-on is a usage error (2)")
    p, out, _ = run_action(dict(base, formats="sarif pdf"), "bad-format")
    check(p.returncode == 2 and "unknown format 'pdf'" in p.stderr, "an unknown format is one clear error (2)")
    p, out, _ = run_action(dict(base, plan=""), "no-plan")
    check(p.returncode == 2 and "plan and inventory are required" in p.stderr, "a missing plan input is one clear error (2)")


def main():
    what, src, binary, work = sys.argv[1:5]
    {"github-actions": github_actions, "pre-commit": pre_commit, "github-action": github_action}[what](src, binary, work)
    print("1 passed, 0 failed")


if __name__ == "__main__":
    main()
