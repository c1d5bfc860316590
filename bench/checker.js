#!/usr/bin/env node
// bench/checker.js: the benchmark's hand-written baseline. The checks opguard's built-in rules
// make for the two operations of bench/generate.py's plans (ECD RebuildDesktops, ECS
// RedeployInstance), written by hand in plain JavaScript over JSON.parse, with the same
// semantics: call-scope refusals skip the per-target checks, a refused target gets no effects,
// effects change the state later calls see (image, OS, status, deleted snapshots), history
// for the "twice"/"in flight" warnings, the plan-wide rate-limit warning.
//
//   node bench/checker.js PLAN.json INVENTORY_DIR
//
// prints one JSON object of totals: calls, calls_refused, targets_refused, errors, warnings,
// infos and effects ("<noun(s)> <verb>" -> [count, GiB], worded as opguard's summary words them), which bench/run.sh compares with the
// totals of opguard's JSON report for the same inputs (a difference fails the bench).
// It knows only what the bench plan uses: any other action or inventory file is an error
// (exit 2), so a plan it does not model cannot pass as "same totals".
'use strict';
const fs = require('fs');
const path = require('path');

function fail(msg) { process.stderr.write(`checker: ${msg}\n`); process.exit(2); }
if (process.argv.length !== 4) fail('usage: node bench/checker.js PLAN.json INVENTORY_DIR');
const [planFile, invDir] = process.argv.slice(2);
const readJson = (f) => JSON.parse(fs.readFileSync(f, 'utf8'));

// rules/regions.rules, set mainland_regions (documented + inferred).
const MAINLAND = new Set(['cn-qingdao', 'cn-beijing', 'cn-zhangjiakou', 'cn-huhehaote', 'cn-wulanchabu',
  'cn-hangzhou', 'cn-shanghai', 'cn-nanjing', 'cn-shenzhen', 'cn-heyuan', 'cn-guangzhou', 'cn-chengdu',
  'cn-fuzhou', 'cn-wuhan-lr', 'cn-zhongwei', 'cn-zhengzhou-jva', 'cn-hangzhou-finance',
  'cn-shanghai-finance-1', 'cn-shenzhen-finance-1', 'cn-beijing-finance-1', 'cn-north-2-gov-1']);
// rules/regions.rules, set outside_mainland_regions (documented + inferred). A region in
// neither set: an OS change there is an error whose answer is undocumented, not a refusal.
const OUTSIDE = new Set(['cn-hongkong', 'ap-northeast-1', 'ap-southeast-1', 'ap-southeast-2', 'ap-southeast-3',
  'ap-southeast-5', 'ap-south-1', 'us-west-1', 'us-east-1', 'eu-central-1', 'eu-west-1', 'me-east-1',
  'ap-northeast-2', 'ap-southeast-6', 'ap-southeast-7', 'ap-southeast-8', 'us-southeast-1', 'na-south-1', 'me-central-1']);
// The check's date: run.sh passes opguard --today with the data's own "now" (generate.py EPOCH).
const TODAY = '2024-06-01';
// rules/ecs_redeploy_instance.rules, set redeploy_answerable_events.
const ANSWERABLE = new Set(['SystemMaintenance.Reboot/Inquiring', 'SystemMaintenance.Reboot/Scheduled',
  'SystemMaintenance.Redeploy/Inquiring', 'SystemMaintenance.Redeploy/Scheduled',
  'SystemMaintenance.RebootAndIsolateErrorDisk/Inquiring', 'SystemMaintenance.RebootAndReInitErrorDisk/Inquiring',
  'SystemFailure.Redeploy/Inquiring', 'SystemFailure.Reboot/Executing',
  'SystemMaintenance.IsolateErrorDisk/Inquiring', 'SystemMaintenance.ReInitErrorDisk/Inquiring',
  'SystemFailure.Redeploy/Scheduled']);
const LANGUAGES = new Set(['en-US', 'zh-HK', 'zh-CN', 'ja-JP']);

// ---- inventory ----------------------------------------------------------------------------
const desktops = new Map(), images = new Map(), snapshotsOf = new Map(), instances = new Map(),
  eventsOf = new Map();
let eventsLoaded = false;
for (const name of fs.readdirSync(invDir).sort()) {
  if (!name.endsWith('.json')) continue;
  const doc = readJson(path.join(invDir, name));
  if (doc.Desktops) for (const d of doc.Desktops) desktops.set(d.DesktopId, d);
  else if (doc.Images) for (const i of doc.Images) images.set(i.ImageId, i);
  else if (doc.Snapshots) {
    for (const s of doc.Snapshots) {
      let l = snapshotsOf.get(s.DesktopId);
      if (!l) snapshotsOf.set(s.DesktopId, l = []);
      l.push(s);
    }
  } else if (doc.Instances) for (const i of doc.Instances.Instance) instances.set(i.InstanceId, i);
  else if (doc.InstanceSystemEventSet) {
    eventsLoaded = true;
    for (const e of doc.InstanceSystemEventSet.InstanceSystemEventType) {
      let l = eventsOf.get(e.InstanceId);
      if (!l) eventsOf.set(e.InstanceId, l = []);
      l.push(e);
    }
  } else if (!doc.Regions && !doc.Data) fail(`${name}: not a response this checker knows`);
}
const regionOf = (d) => { const k = d.OfficeSiteId.indexOf('+'); return k < 0 ? d.OfficeSiteId : d.OfficeSiteId.slice(0, k); };
const desktopGpu = (d) => d.DesktopType.startsWith('ecd.graphics.') || Number(d.GpuCategory) > 0;
const ieq = (a, b) => typeof a === 'string' && typeof b === 'string' && a.toLowerCase() === b.toLowerCase();

// ---- the plan -----------------------------------------------------------------------------
const plan = readJson(planFile);
const t = { calls: 0, calls_refused: 0, targets_refused: 0, errors: 0, warnings: 0, infos: 0 };
const effects = new Map();
const effect = (noun, verb, gib) => {
  const key = noun + '|' + verb;
  const e = effects.get(key);
  if (e) { e[0] += 1; e[1] += gib; } else effects.set(key, [1, gib]);
};
const rebuilt = new Set();        // desktops an earlier accepted rebuild acted on
const pendingInstance = new Set(); // instances an earlier accepted redeploy left in transition
let redeploys = 0;

// The parameter shapes of the bench plan; anything else (RPC-flattened lists, unknown or
// missing parameters, other types) is opguard's plan.* rules' business, not modeled here.
const SHAPES = {
  RebuildDesktops: { RegionId: 'string!', DesktopId: 'list!', ImageId: 'string', OperateType: 'string',
    Language: 'string', AfterStatus: 'string' },
  RedeployInstance: { InstanceId: 'string!', ForceStop: 'boolean', RegionId: 'string' },
};
const typeOk = (v, ty) => ty.startsWith('list') ? Array.isArray(v) && v.every((x) => typeof x === 'string')
  : typeof v === ty.replace('!', '');
if (!plan || !Array.isArray(plan.calls)) fail(`${planFile}: no "calls" list`);
for (const call of plan.calls) {
  const shape = SHAPES[call.action];
  if (!shape) fail(`call ${call.id}: ${call.action} is not an operation this checker models`);
  const p = call.parameters;
  if (!p || typeof p !== 'object') fail(`call ${call.id}: no "parameters" object`);
  for (const [k, v] of Object.entries(p)) {
    if (!shape[k] || !typeOk(v, shape[k])) fail(`call ${call.id}: parameter ${k} is not one this checker models`);
  }
  for (const [k, ty] of Object.entries(shape)) {
    if (ty.endsWith('!') && p[k] === undefined) fail(`call ${call.id}: parameter ${k} is missing, which this checker does not model`);
  }
}

for (const call of plan.calls) {
  t.calls++;
  const p = call.parameters;
  if (call.action === 'RebuildDesktops') {
    const ids = p.DesktopId;
    const callImage = p.ImageId !== undefined ? images.get(p.ImageId) : undefined;
    let refused = false;
    const err = (refuses) => { t.errors++; if (refuses) refused = true; };
    if (ids.length < 1 || ids.length > 20) err(true);
    if (p.ImageId !== undefined && !callImage) err(true);
    if (callImage && callImage.Status !== 'Available') err(true);
    if (p.OperateType !== undefined && p.OperateType !== 'replace') err(true);
    if (p.Language !== undefined && !LANGUAGES.has(p.Language)) err(true);
    if (p.Language !== undefined && callImage && !ieq(callImage.ImageType, 'SYSTEM')) t.warnings++;
    if (p.AfterStatus !== undefined) t.warnings++;
    if (p.ImageId === undefined) t.infos++;
    if (refused) { t.calls_refused++; continue; }    // targets not run, not checked
    const accepted = [];
    for (const id of ids) {
      let bad = false;
      const anywhere = desktops.get(id);
      const desktop = anywhere && regionOf(anywhere) === p.RegionId ? anywhere : undefined;
      if (!anywhere) { t.errors++; bad = true; }
      if (anywhere && !desktop) { t.errors++; bad = true; }
      if (desktop) {
        const image = images.get(p.ImageId !== undefined ? p.ImageId : desktop.ImageId);
        const sameOs = !image || ieq(image.OsType, desktop.OsType);
        const newOs = sameOs ? desktop.OsType : image.OsType;
        if (image && OUTSIDE.has(regionOf(desktop)) && !sameOs) { t.errors++; bad = true; }
        if (image && !OUTSIDE.has(regionOf(desktop)) && !MAINLAND.has(regionOf(desktop)) && !sameOs) t.errors++;
        const dGpu = desktopGpu(desktop), iGpu = image ? image.GpuCategory === true : false;
        if (image && dGpu && !iGpu) { t.errors++; bad = true; }
        if (image && !dGpu && iGpu) { t.errors++; bad = true; }
        if (p.Language !== undefined && p.Language !== 'en-US' && ieq(newOs, 'Linux')) { t.errors++; bad = true; }
        if (desktop.DesktopStatus !== 'Running' && desktop.DesktopStatus !== 'Stopped') { t.errors++; bad = true; }
        if (desktop.DesktopStatus === 'Running') t.warnings++;
        if (desktop.ConnectionStatus === 'Connected') t.warnings++;
        if (rebuilt.has(id)) t.warnings++;
        if (!bad) accepted.push([id, desktop, sameOs, newOs]);
      }
      if (bad) t.targets_refused++;
    }
    for (const [id, desktop, sameOs, newOs] of accepted) {
      // Every record against the state before this target's writes, then the writes.
      const replace = p.OperateType === 'replace', noType = p.OperateType === undefined;
      for (const disk of desktop.Disks || []) {
        if (disk.DiskType === 'SYSTEM') effect('disk', 'erased', disk.DiskSize);
        if (disk.DiskType === 'DATA' && replace) effect('disk', 'replaced', disk.DiskSize);
        if (disk.DiskType === 'DATA' && noType && !sameOs) effect('disk', 'erased', disk.DiskSize);
        if (disk.DiskType === 'DATA' && noType && sameOs) effect('disk', 'retained', disk.DiskSize);
      }
      const deleted = [];
      for (const s of snapshotsOf.get(id) || []) {
        if (s.deleted) continue;
        if (ieq(s.SourceDiskType, 'SYSTEM')) { effect('snapshot', 'deleted', 0); deleted.push(s); }
        if (ieq(s.SourceDiskType, 'DATA') && !sameOs) { effect('snapshot', 'deleted', 0); deleted.push(s); }
        if (ieq(s.SourceDiskType, 'DATA') && sameOs && noType) effect('snapshot', 'kept', 0);
        if (ieq(s.SourceDiskType, 'DATA') && sameOs && replace) effect('snapshot', 'possibly deleted', 0);
      }
      effect('desktop', 'rebuilt', 0);
      for (const s of deleted) s.deleted = true;
      desktop.ImageId = p.ImageId !== undefined ? p.ImageId : desktop.ImageId;
      desktop.OsType = newOs;
      desktop.DesktopStatus = 'Rebuilding';        // asynchronous: the plan does not wait
      rebuilt.add(id);
    }
  } else if (call.action === 'RedeployInstance') {
    redeploys++;
    const id = p.InstanceId;
    const inst = instances.get(id);
    let refused = false;
    const err = () => { t.errors++; refused = true; };
    if (id !== undefined && !inst) err();
    if (inst && p.RegionId !== undefined && p.RegionId !== inst.RegionId) err();
    if (inst && inst.Status !== 'Running' && inst.Status !== 'Stopped') err();
    if (inst && (((inst.DedicatedHostAttribute || {}).DedicatedHostId || '') !== '' ||
                 (inst.DedicatedInstanceAttribute || {}).Tenancy === 'host')) err();
    const locks = inst ? ((inst.OperationLocks || {}).LockReason || []).map((l) => l.LockReason) : [];
    if (inst && locks.includes('security')) err();
    const financial = locks.includes('financial') || locks.includes('dedicatedhostfinancial') || locks.includes('refunded');
    if (inst && financial) err();
    if (inst && !financial && inst.InstanceChargeType === 'PrePaid' && inst.ExpiredTime !== undefined &&
        String(inst.ExpiredTime).split('T')[0] < TODAY) err();
    const force = p.ForceStop === true || p.ForceStop === 'true';
    if (inst) {
      const name = (e) => e.EventType.Name + '/' + e.EventCycleStatus.Name;
      const answerable = (eventsOf.get(id) || []).filter((e) => ANSWERABLE.has(name(e)) &&
        (e.EventType.Name !== 'SystemFailure.Reboot' || Number(inst.LocalStorageAmount) > 0));
      if (eventsLoaded && answerable.length === 0) err();
      const contested = answerable.filter((e) => name(e) === 'SystemFailure.Redeploy/Scheduled');
      if (contested.length > 0 && contested.length === answerable.length) t.warnings++;
      if (!eventsLoaded) t.infos++;
      if (force && inst.Status === 'Running') t.warnings++;
    }
    if (pendingInstance.has(id)) t.warnings++;
    if (refused) { t.calls_refused++; continue; }
    effect('instance', 'redeployed', 0);
    if (Number(inst.LocalStorageAmount) > 0) effect('local disk set', 'erased', Number(inst.LocalStorageCapacity));
    inst.Status = inst.Status === 'Running' ? 'Stopping' : 'Starting';
    pendingInstance.add(id);
  }
}
if (redeploys > 500) t.warnings++;   // ecs.redeploy.rate-limit, once for the plan
// Keyed as opguard's summary words them: "<count> <noun, plural unless 1> <verb>".
const plural = (noun, n) => n === 1 ? noun : noun.endsWith('y') ? noun.slice(0, -1) + 'ies' : noun.endsWith('s') ? noun + 'es' : noun + 's';
t.effects = Object.fromEntries([...effects.entries()].map(([k, v]) => {
  const [noun, verb] = k.split('|');
  return [plural(noun, v[0]) + ' ' + verb, v];
}).sort());
process.stdout.write(JSON.stringify(t) + '\n');
