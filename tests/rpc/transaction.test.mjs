// transaction (§5.9) and newref:N placeholders (§4).
import { describe, it, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { startServer, rpcClient, expectResult, expectError } from '../lib/server.mjs';
import { MANAGER, childIdRe, bindSession, createPipeline, createElement, invokeValue, invokeRaw } from '../lib/kms.mjs';

let srv;
let c;
let S;
before(async () => {
  srv = await startServer();
  c = await rpcClient(srv.url);
  S = await bindSession(c);
});
after(async () => {
  if (c) await c.close();
  if (srv) await srv.stop();
});

const op = (id, method, params) => ({ jsonrpc: '2.0', id, method, params });

describe('transaction (§5.9)', () => {
  it('create + create + connect with newref:N → success array of responses', async () => {
    const p = await createPipeline(c);
    const resp = await c.call('transaction', {
      sessionId: S,
      operations: [
        op(0, 'create', { type: 'PassThrough', constructorParams: { mediaPipeline: p } }),
        op(1, 'create', { type: 'PassThrough', constructorParams: { mediaPipeline: p } }),
        op(2, 'invoke', { object: 'newref:0', operation: 'connect', operationParams: { sink: 'newref:1' } }),
      ],
    });
    const r = expectResult(resp);
    assert.equal(r.sessionId, S);
    assert.ok(Array.isArray(r.value));
    assert.equal(r.value.length, 3);
    r.value.forEach((sub, i) => {
      assert.equal(sub.id, i);
      assert.equal(sub.jsonrpc, '2.0');
      const sr = expectResult(sub, `sub-response ${i}`);
      assert.equal(sr.sessionId, S, 'the outer sessionId is forced into every sub-request');
    });
    const [a, b] = [r.value[0].result.value, r.value[1].result.value];
    assert.match(a, childIdRe(p, 'PassThrough'));
    assert.match(b, childIdRe(p, 'PassThrough'));
    assert.ok('value' in r.value[2].result);
    assert.equal(r.value[2].result.value, null);
    const sinks = await invokeValue(c, a, 'getSinkConnections');
    assert.ok(sinks.length >= 2 && sinks.every((x) => x.sink === b));
  });

  it('creating the pipeline itself inside the transaction (newref in constructorParams)', async () => {
    const r = expectResult(await c.call('transaction', {
      operations: [
        op(0, 'create', { type: 'MediaPipeline' }),
        op(1, 'create', { type: 'GStreamerFilter', constructorParams: { mediaPipeline: 'newref:0', command: 'videoflip method=horizontal-flip' } }),
        op(2, 'invoke', { object: 'newref:1', operation: 'getMediaPipeline' }),
        op(3, 'invoke', { object: 'newref:0', operation: 'getChildren' }),
      ],
    }));
    const p = r.value[0].result.value;
    const g = r.value[1].result.value;
    assert.match(g, childIdRe(p, 'GStreamerFilter'));
    assert.equal(r.value[2].result.value, p);
    assert.deepEqual(r.value[3].result.value, [g]);
  });

  it('empty operations → value []', async () => {
    const r = expectResult(await c.call('transaction', { operations: [] }));
    assert.deepEqual(r.value, []);
    assert.equal(r.sessionId, S);
  });

  it('stops at the first failing op: its error is the last element, later ops absent and not executed', async () => {
    const p = await createPipeline(c);
    const before = await invokeValue(c, p, 'getChildren');
    const r = expectResult(await c.call('transaction', {
      operations: [
        op(0, 'create', { type: 'PassThrough', constructorParams: { mediaPipeline: p } }),
        op(1, 'invoke', { object: 'nope_kurento.MediaPipeline', operation: 'getName' }),
        op(2, 'create', { type: 'PassThrough', constructorParams: { mediaPipeline: p } }),
      ],
    }));
    assert.equal(r.value.length, 2, `later ops must be absent: ${JSON.stringify(r.value)}`);
    expectResult(r.value[0]);
    const err = expectError(r.value[1], 40101);
    assert.ok(err);
    assert.equal(r.value[1].id, 1);
    const after = await invokeValue(c, p, 'getChildren');
    assert.equal(after.length, before.length + 1, 'op 2 must not have run; op 0 is not rolled back');
  });

  it('failing create inside a transaction (unknown type) stops it', async () => {
    const r = expectResult(await c.call('transaction', {
      operations: [
        op(0, 'create', { type: 'NoSuchType' }),
        op(1, 'create', { type: 'MediaPipeline' }),
      ],
    }));
    assert.equal(r.value.length, 1);
    expectError(r.value[0], 40100);
  });

  it('wrong sub-request ids → 40008', async () => {
    for (const ids of [[1, 2], [0, 2], [0, 0], [1, 0]]) {
      const resp = await c.call('transaction', {
        operations: ids.map((id) => op(id, 'invoke', { object: MANAGER, operation: 'getName' })),
      });
      // KMS answers the transaction with an error; tolerate the error as an array element too.
      if ('error' in resp) {
        expectError(resp, 40008, `ids ${JSON.stringify(ids)}`);
      } else {
        const errs = resp.result.value.filter((x) => 'error' in x);
        assert.equal(errs.length, 1, `ids ${JSON.stringify(ids)}: ${JSON.stringify(resp)}`);
        assert.equal(errs[0].error.code, 40008);
      }
    }
  });

  it('newref pointing at a missing / failed / later response → 40008', async () => {
    const r = expectResult(await c.call('transaction', {
      operations: [
        op(0, 'invoke', { object: 'newref:5', operation: 'getName' }),
      ],
    }));
    expectError(r.value[0], 40008);
    const r2 = expectResult(await c.call('transaction', {
      operations: [
        op(0, 'invoke', { object: MANAGER, operation: 'getName' }),
        op(1, 'invoke', { object: 'newref:x', operation: 'getName' }),
      ],
    }));
    assert.equal(r2.value.length, 2);
    expectResult(r2.value[0]);
    assert.ok(r2.value[1].error, 'newref:x must fail');
  });

  it('newref:N outside a transaction → 40109', async () => {
    const e = expectError(await invokeRaw(c, 'newref:0', 'getName'), 40109);
    if (e.data !== undefined) assert.equal(e.data.type, 'MEDIA_OBJECT_NOT_FOUND_TRANSACTION_NO_COMMIT');
    expectError(await c.call('create', { type: 'PassThrough', constructorParams: { mediaPipeline: 'newref:0' } }), 40109);
    expectError(await c.call('describe', { object: 'newref:1' }), 40109);
  });

  it('nested newref strings inside operationParams objects are substituted', async () => {
    const p = await createPipeline(c);
    const r = expectResult(await c.call('transaction', {
      operations: [
        op(0, 'create', { type: 'PassThrough', constructorParams: { mediaPipeline: p } }),
        op(1, 'invoke', { object: 'newref:0', operation: 'setName', operationParams: { name: 'newref:0' } }),
        op(2, 'invoke', { object: 'newref:0', operation: 'getName' }),
      ],
    }));
    const id = r.value[0].result.value;
    assert.equal(r.value[2].result.value, id, 'every string equal to newref:k is replaced');
  });

  it('transaction of subscribe + release works and each op gets sessionId', async () => {
    const p = await createPipeline(c);
    const r = expectResult(await c.call('transaction', {
      operations: [
        op(0, 'create', { type: 'PassThrough', constructorParams: { mediaPipeline: p } }),
        op(1, 'subscribe', { object: 'newref:0', type: 'ElementConnected' }),
        op(2, 'release', { object: 'newref:0' }),
      ],
    }));
    assert.equal(r.value.length, 3);
    for (const sub of r.value) assert.equal(expectResult(sub).sessionId, S);
    assert.equal(typeof r.value[1].result.value, 'string');
  });

  it('transaction ops do not need an "object" key at the top level', async () => {
    const r = await c.call('transaction', { operations: [op(0, 'create', { type: 'MediaPipeline' })] });
    expectResult(r);
  });

  it('operations of wrong JSON type → error', async () => {
    for (const operations of ['x', 5, { a: 1 }]) {
      const resp = await c.call('transaction', { operations });
      assert.ok('error' in resp, `operations=${JSON.stringify(operations)} must fail`);
    }
  });
});
