'use strict';
// Records the calls that automation written with the official Alibaba Cloud Node SDKs makes,
// instead of sending them, and writes them as an opguard plan (schemas/plan.schema.json).
//
//   const capture = require('./capture');
//   const RPCClient = capture.CaptureRPCClient;                       // for @alicloud/pop-core
//   const Ecs = capture.captureClient(require('@alicloud/ecs20140526').default); // generated clients
//   ... the automation, unchanged ...
//   capture.writePlan('plan.json');
//
// Nothing is sent: no socket is opened, no credential is read, and no credential is written
// (the SDKs add AccessKeyId and the signature only when they sign a request, which is skipped).

const fs = require('fs');
const RPCClient = require('@alicloud/pop-core').RPCClient;
const { OpenApiUtil } = require('@alicloud/openapi-core');

const calls = [];

// "ecs.cn-hangzhou.aliyuncs.com", "ecs-cn-hangzhou.aliyuncs.com", "ecs.aliyuncs.com":
// the product is the first label (before a "-region"), the region the label after it, if any.
const REGION = /^[a-z]+-[a-z]+(-[a-z0-9]+)*$/;
function fromEndpoint(endpoint) {
  if (!endpoint) return {};
  const host = /^[a-z]+:\/\//i.test(endpoint) ? new URL(endpoint).hostname : endpoint.split('/')[0];
  const labels = host.toLowerCase().split('.');
  const dash = labels[0].indexOf('-');
  if (dash > 0 && REGION.test(labels[0].slice(dash + 1))) {
    return { product: labels[0].slice(0, dash), region: labels[0].slice(dash + 1) };
  }
  const out = { product: labels[0].replace(/-vpc$|-share$/, '') };
  if (labels.length > 3 && REGION.test(labels[1])) out.region = labels[1];
  return out;
}

function record(product, version, action, parameters, region) {
  if (region && !('RegionId' in parameters)) parameters = Object.assign({ RegionId: region }, parameters);
  calls.push({ id: `call-${calls.length + 1}`, product, version, action, parameters });
}

// @alicloud/pop-core: RPCClient.request(action, params, opts). The client itself upper-cases
// the first letter of the action and of each top-level parameter name unless opts says
// formatAction / formatParams: false; the capture does the same, and keeps values as given
// (a list stays a list: opguard reads lists and the wire form Name.1 alike).
function firstLetterUpper(s) { return s.slice(0, 1).toUpperCase() + s.slice(1); }
class CaptureRPCClient extends RPCClient {
  async request(action, params = {}, opts = {}) {
    const o = Object.assign({}, this.opts, opts);
    if (o.formatAction !== false) action = firstLetterUpper(action);
    const parameters = {};
    for (const key of Object.keys(params)) {
      parameters[o.formatParams !== false ? firstLetterUpper(key) : key] = params[key];
    }
    const ep = fromEndpoint(this.endpoint);
    record(ep.product, this.apiVersion, action, parameters, ep.region);
    return { RequestId: `opguard-capture-${calls.length}` };
  }
}

// Generated clients (@alicloud/ecs20140526, @alicloud/ecd20200930, ...): every operation,
// with or without WithOptions, ends in callApi(params, request, runtime) with the API's
// action and version in params and the request already in API names (query and body, built
// by the SDK from its own model). The product is the one the client names when it resolves
// its endpoint (getEndpoint("ecs", ...)).
function captureClient(Client) {
  return class extends Client {
    getEndpoint(productId, ...rest) {
      this.opguardProduct = productId;
      return super.getEndpoint(productId, ...rest);
    }
    async callApi(params, request, runtime) {
      if (params.style && params.style !== 'RPC') {
        throw new Error(`opguard sdk-capture: ${params.action} is a ${params.style} call; only RPC calls are recorded`);
      }
      const parameters = Object.assign({}, OpenApiUtil.query(request.query),
        request.body && typeof request.body === 'object' ? OpenApiUtil.query(request.body) : {});
      const ep = fromEndpoint(this._endpoint);
      record(this.opguardProduct || ep.product, params.version, params.action, parameters,
        this._regionId || ep.region);
      return { statusCode: 200, headers: {}, body: { RequestId: `opguard-capture-${calls.length}` } };
    }
  };
}

function plan() { return { calls: calls.map((c) => Object.assign({}, c)) }; }
function writePlan(file) { fs.writeFileSync(file, JSON.stringify(plan(), null, 2) + '\n'); }

module.exports = { CaptureRPCClient, captureClient, plan, writePlan, fromEndpoint };
