#!/usr/bin/env python3
"""integrations/sdk-capture: automation written with the official Alibaba Cloud Node SDKs,
recorded as an opguard plan without sending anything, then checked.

usage: sdk_capture_test.py SOURCE_DIR OPGUARD_BINARY WORK_DIR

Copies integrations/sdk-capture into WORK_DIR, runs `npm ci` there (the versions pinned by
package-lock.json), runs example-rollout.js with OPGUARD_PLAN set (two ECS RedeployInstance
calls through @alicloud/ecs20140526, one ECD RebuildDesktops through @alicloud/pop-core),
asserts the plan's exact calls and that no credential is in it, checks neighbouring forms of
both clients, then runs `opguard check plan.json -i samples/fleet` and asserts its exit code
and findings with their locations.
Exits 77 (ctest: skipped) with "SKIPPED: ..." when node or npm is missing, or when `npm ci`
fails and `npm ping` says the registry cannot be reached.
"""
import json
import os
import shutil
import subprocess
import sys

SKIP = 77
from checks import check, finish  # noqa: E402


def skip(why):
    print("SKIPPED: " + why)
    sys.exit(SKIP)


def main():
    source, opguard, work = sys.argv[1:4]
    for tool in ("node", "npm"):
        if shutil.which(tool) is None:
            skip(f"{tool} is not installed; integrations/sdk-capture needs node and npm")
    shutil.rmtree(work, ignore_errors=True)
    os.makedirs(work)
    here = os.path.join(source, "integrations", "sdk-capture")
    for name in ("package.json", "package-lock.json", "capture.js", "example-rollout.js"):
        shutil.copy(os.path.join(here, name), work)

    ci = subprocess.run(["npm", "ci", "--ignore-scripts", "--no-audit", "--no-fund"], cwd=work,
                        capture_output=True, text=True, timeout=280)
    if ci.returncode != 0:
        ping = subprocess.run(["npm", "ping"], cwd=work, capture_output=True, text=True, timeout=60)
        if ping.returncode != 0:
            skip("npm cannot reach the registry (npm ci failed and npm ping failed: "
                 + (ping.stderr.strip().splitlines() or ["no message"])[-1] + ")")
        print(ci.stdout + ci.stderr)
        check(False, "npm ci installs the pinned SDKs (the registry answers npm ping)")
        return

    env = dict(os.environ, OPGUARD_PLAN="plan.json",
               ALIBABA_CLOUD_ACCESS_KEY_ID="LTAIsentinelkeyid",
               ALIBABA_CLOUD_ACCESS_KEY_SECRET="sentinelsecretvalue")
    run = subprocess.run(["node", "example-rollout.js"], cwd=work, env=env,
                         capture_output=True, text=True, timeout=120)
    check(run.returncode == 0, f"example-rollout.js exits 0 (got {run.returncode}: {run.stderr.strip()})")
    with open(os.path.join(work, "plan.json")) as f:
        text = f.read()
    expected = {"calls": [
        {"id": "call-1", "product": "ecs", "version": "2014-05-26", "action": "RedeployInstance",
         "parameters": {"RegionId": "cn-hangzhou", "ForceStop": "true", "InstanceId": "i-bp1redeploy01ok"}},
        {"id": "call-2", "product": "ecs", "version": "2014-05-26", "action": "RedeployInstance",
         "parameters": {"RegionId": "cn-hangzhou", "InstanceId": "i-bp1pending0005"}},
        {"id": "call-3", "product": "ecd", "version": "2020-09-30", "action": "RebuildDesktops",
         "parameters": {"RegionId": "cn-hangzhou", "DesktopId": ["ecd-hzwin06f8s3u2"],
                        "ImageId": "m-win2022std"}},
    ]}
    plan = json.loads(text)
    check(plan == expected, "the plan holds exactly the three calls, in API names:\n" + text)
    check(list(plan["calls"][0]["parameters"]) == ["RegionId", "ForceStop", "InstanceId"],
          "parameters keep the SDK's order, RegionId first when taken from the client")
    for secret in ("LTAIsentinelkeyid", "sentinelsecretvalue", "AccessKey", "Signature"):
        check(secret not in text, f"{secret} is not in the plan")

    # Neighbours: pop-core's own name formatting (first letter upper-cased unless
    # formatAction/formatParams: false), endpoints with and without a region, a RegionId given
    # in the call wins, and a generated client given an explicit endpoint.
    probe = r"""
const c = require('./capture');
const Ecs = require('@alicloud/ecs20140526');
const { $OpenApiUtil } = require('@alicloud/openapi-core');
(async () => {
  const g = new c.CaptureRPCClient({accessKeyId: 'a', accessKeySecret: 'b', endpoint: 'https://ecs.aliyuncs.com', apiVersion: '2014-05-26'});
  await g.request('describeInstances', {regionId: 'cn-beijing', instanceIds: '["i-1"]'});
  await g.request('describeInstances', {regionId: 'cn-beijing'}, {formatAction: false, formatParams: false});
  const r = new c.CaptureRPCClient({accessKeyId: 'a', accessKeySecret: 'b', endpoint: 'https://ecs-cn-hangzhou.aliyuncs.com/', apiVersion: '2014-05-26'});
  await r.request('RedeployInstance', {InstanceId: 'i-2', RegionId: 'cn-shanghai'});
  const e = new (c.captureClient(Ecs.default))(new $OpenApiUtil.Config({accessKeyId: 'a', accessKeySecret: 'b', endpoint: 'ecs.cn-qingdao.aliyuncs.com'}));
  await e.redeployInstance(new Ecs.RedeployInstanceRequest({instanceId: 'i-3'}));
  console.log(JSON.stringify(c.plan()));
})().catch((x) => { console.error(x.message); process.exit(1); });
"""
    run = subprocess.run(["node", "-e", probe], cwd=work, capture_output=True, text=True, timeout=60)
    check(run.returncode == 0, f"the probe runs ({run.stderr.strip()})")
    got = json.loads(run.stdout) if run.returncode == 0 else {"calls": []}
    check(got == {"calls": [
        {"id": "call-1", "product": "ecs", "version": "2014-05-26", "action": "DescribeInstances",
         "parameters": {"RegionId": "cn-beijing", "InstanceIds": "[\"i-1\"]"}},
        {"id": "call-2", "product": "ecs", "version": "2014-05-26", "action": "describeInstances",
         "parameters": {"regionId": "cn-beijing"}},
        {"id": "call-3", "product": "ecs", "version": "2014-05-26", "action": "RedeployInstance",
         "parameters": {"InstanceId": "i-2", "RegionId": "cn-shanghai"}},
        {"id": "call-4", "product": "ecs", "version": "2014-05-26", "action": "RedeployInstance",
         "parameters": {"RegionId": "cn-qingdao", "InstanceId": "i-3"}},
    ]}, "neighbouring forms are recorded in API names:\n" + run.stdout)

    fleet = os.path.join(source, "samples", "fleet")
    res = subprocess.run([opguard, "check", "plan.json", "-i", fleet], cwd=work,
                         capture_output=True, text=True, timeout=60)
    out = res.stdout
    print(out)
    check(res.returncode == 1, f"opguard check exits 1 on the refused calls (got {res.returncode}: {res.stderr.strip()})")
    check("opguard: plan.json (3 calls)" in out, "opguard reads the three recorded calls")
    check("warning[ecs.redeploy.force-stop] plan.json:10:22" in out, "ForceStop=true is a warning at plan.json:10:22")
    check("call 2 call-2: ecs.RedeployInstance  plan.json:14:5" in out, "call-2 is at plan.json:14:5")
    check("error[ecs.redeploy.status] plan.json:14:5" in out, "the Pending instance is refused at plan.json:14:5")
    check("error[ecd.rebuild.desktop-status] plan.json:32:11 (ecd-hzwin06f8s3u2)" in out,
          "the Starting desktop is refused at plan.json:32:11")
    check("3 errors, 1 warning, 0 info" in out, "the summary counts 3 errors and 1 warning")


main()
sys.exit(finish())
