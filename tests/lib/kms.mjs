// Small Kurento-protocol conveniences on top of rpcClient() for the protocol tests.
import assert from 'node:assert/strict';
import { expectResult, expectError, UUID_RE } from './server.mjs';

export const MANAGER = 'manager_ServerManager';

export const PIPELINE_ID_RE = /^[0-9a-fA-F]{8}-[0-9a-fA-F]{4}-[0-9a-fA-F]{4}-[0-9a-fA-F]{4}-[0-9a-fA-F]{12}_kurento\.MediaPipeline$/;

/** RegExp for a child id `<parentId>/<uuid>_kurento.<Type>`. */
export function childIdRe(parentId, type) {
  const esc = parentId.replace(/[.*+?^${}()|[\]\\]/g, '\\$&');
  return new RegExp(`^${esc}/[0-9a-fA-F]{8}-[0-9a-fA-F]{4}-[0-9a-fA-F]{4}-[0-9a-fA-F]{4}-[0-9a-fA-F]{12}_kurento\\.${type}$`);
}

export async function createPipeline(c, extra = {}) {
  const r = expectResult(await c.call('create', { type: 'MediaPipeline', properties: {}, ...extra }), 'create MediaPipeline');
  assert.equal(typeof r.value, 'string');
  return r.value;
}

export async function createElement(c, type, pipeline, ctor = {}, extra = {}) {
  const r = expectResult(await c.call('create', {
    type,
    constructorParams: { mediaPipeline: pipeline, ...ctor },
    properties: {},
    ...extra,
  }), `create ${type}`);
  assert.equal(typeof r.value, 'string');
  return r.value;
}

/** invoke and return the whole response. */
export function invokeRaw(c, object, operation, operationParams, extra = {}) {
  const params = { object, operation, ...extra };
  if (operationParams !== undefined) params.operationParams = operationParams;
  return c.call('invoke', params);
}

/** invoke, expect success, return result (object with value, sessionId). */
export async function invoke(c, object, operation, operationParams, extra = {}) {
  return expectResult(await invokeRaw(c, object, operation, operationParams, extra), `invoke ${operation}`);
}

/** invoke, expect success, return result.value. */
export async function invokeValue(c, object, operation, operationParams, extra = {}) {
  const r = await invoke(c, object, operation, operationParams, extra);
  assert.ok('value' in r, `invoke ${operation}: result must contain "value": ${JSON.stringify(r)}`);
  return r.value;
}

export async function subscribe(c, object, type, extra = {}) {
  const r = expectResult(await c.call('subscribe', { object, type, ...extra }), `subscribe ${type}`);
  assert.equal(typeof r.value, 'string', `subscribe ${type}: value must be the subscription id`);
  return r.value;
}

export async function describe(c, object) {
  return expectResult(await c.call('describe', { object }), `describe ${object}`);
}

/** Bind a fresh rpc client to a session (first request without sessionId). Returns sessionId. */
export async function bindSession(c) {
  const r = await describe(c, MANAGER);
  assert.match(r.sessionId, UUID_RE);
  return r.sessionId;
}

/** Check the onEvent envelope of the spec (§7); returns params.value. */
export function checkEventEnvelope(ev, { object, type } = {}) {
  assert.equal(ev.jsonrpc, '2.0', 'onEvent must carry jsonrpc 2.0');
  assert.equal(ev.method, 'onEvent');
  assert.ok(!('id' in ev), `onEvent MUST NOT carry an id: ${JSON.stringify(ev)}`);
  assert.ok(ev.params && ev.params.value && typeof ev.params.value === 'object',
    `onEvent must have params.value: ${JSON.stringify(ev)}`);
  const v = ev.params.value;
  assert.equal(typeof v.object, 'string');
  assert.equal(typeof v.type, 'string');
  assert.ok(v.data && typeof v.data === 'object', 'params.value.data must be an object');
  if (object !== undefined) assert.equal(v.object, object);
  if (type !== undefined) assert.equal(v.type, type);
  assert.equal(typeof v.data.source, 'string', `data.source must be a string: ${JSON.stringify(v.data)}`);
  assert.equal(typeof v.data.timestampMillis, 'string', `data.timestampMillis must be a string: ${JSON.stringify(v.data)}`);
  assert.match(v.data.timestampMillis, /^\d+$/);
  const ts = Number(v.data.timestampMillis);
  assert.ok(Math.abs(ts - Date.now()) < 10 * 60 * 1000, `timestampMillis must be ms since epoch, got ${ts}`);
  assert.ok(Array.isArray(v.data.tags), `data.tags must be an array: ${JSON.stringify(v.data)}`);
  if (v.type !== 'Error') assert.equal(v.data.type, v.type, 'data.type must equal the event name');
  return v;
}

export const isEvent = (object, type, extra = () => true) => (ev) =>
  ev.params && ev.params.value && ev.params.value.object === object && ev.params.value.type === type &&
  extra(ev.params.value.data, ev.params.value);

export { expectResult, expectError };

/**
 * Terse calls for scenario tests: `value(r)` asserts a result and returns its value,
 * `create(type, ctorParams)` returns the new id, `invoke(object, op, params?)` the raw response.
 */
export function rpcShortcuts(rpc) {
  const value = (r, what = '') => { assert.ok(r.result, `${what}: ${JSON.stringify(r.error)}`); return r.result.value; };
  const create = async (type, params) => value(await rpc.call('create', { type, constructorParams: params }), `create ${type}`);
  const invoke = (object, operation, operationParams) =>
    rpc.call('invoke', { object, operation, ...(operationParams ? { operationParams } : {}) });
  return { value, create, invoke };
}
