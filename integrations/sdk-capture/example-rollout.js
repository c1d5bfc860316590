'use strict';
// An example automation written with the official SDKs: redeploy two ECS instances
// (@alicloud/ecs20140526) and rebuild a cloud desktop (@alicloud/pop-core against ECD).
// With OPGUARD_PLAN=FILE it records its calls into FILE instead of sending them; that switch
// (the first six lines) is all the automation needs to change.
const capture = process.env.OPGUARD_PLAN ? require('./capture') : null;
const Ecs = require('@alicloud/ecs20140526');
const { $OpenApiUtil } = require('@alicloud/openapi-core');
const EcsClient = capture ? capture.captureClient(Ecs.default) : Ecs.default;
const RPCClient = capture ? capture.CaptureRPCClient : require('@alicloud/pop-core').RPCClient;

async function main() {
  const accessKeyId = process.env.ALIBABA_CLOUD_ACCESS_KEY_ID || 'LTAI-example';
  const accessKeySecret = process.env.ALIBABA_CLOUD_ACCESS_KEY_SECRET || 'example-secret';

  const ecs = new EcsClient(new $OpenApiUtil.Config({ accessKeyId, accessKeySecret, regionId: 'cn-hangzhou' }));
  await ecs.redeployInstance(new Ecs.RedeployInstanceRequest({ instanceId: 'i-bp1redeploy01ok', forceStop: true }));
  await ecs.redeployInstanceWithOptions(
    new Ecs.RedeployInstanceRequest({ regionId: 'cn-hangzhou', instanceId: 'i-bp1pending0005' }), {});

  const ecd = new RPCClient({ accessKeyId, accessKeySecret,
    endpoint: 'https://ecd.cn-hangzhou.aliyuncs.com', apiVersion: '2020-09-30' });
  await ecd.request('RebuildDesktops', { DesktopId: ['ecd-hzwin06f8s3u2'], ImageId: 'm-win2022std' },
    { method: 'POST' });

  if (capture) capture.writePlan(process.env.OPGUARD_PLAN);
}

main().catch((e) => { console.error(e.message); process.exit(1); });
