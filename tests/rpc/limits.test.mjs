// Configured limits: maxSessions and maxObjectsPerSession answer 40009 (NOT_ENOUGH_RESOURCES)
// and stop exactly at the limit; releasing objects makes room again.

import { describe, it, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { startServer, rpcClient } from '../lib/server.mjs';

describe('limits', () => {
  let server;
  const clients = [];

  before(async () => {
    server = await startServer({ config: { maxSessions: 2, maxObjectsPerSession: 3 } });
  });
  after(async () => {
    for (const c of clients) c.close();
    await server?.stop();
  });

  const client = async () => { const c = await rpcClient(server.url); clients.push(c); return c; };

  it('maxObjectsPerSession counts the objects a session created', async () => {
    const c = await client();
    const p = (await c.call('create', { type: 'MediaPipeline' })).result.value;
    const a = await c.call('create', { type: 'PassThrough', constructorParams: { mediaPipeline: p } });
    const b = await c.call('create', { type: 'PassThrough', constructorParams: { mediaPipeline: p } });
    assert.ok(a.result && b.result, 'three objects fit');
    const d = await c.call('create', { type: 'PassThrough', constructorParams: { mediaPipeline: p } });
    assert.equal(d.error?.code, 40009);
    assert.match(d.error.message, /maxObjectsPerSession|limit/i);
    assert.ok((await c.call('release', { object: a.result.value })).result);
    const e = await c.call('create', { type: 'PassThrough', constructorParams: { mediaPipeline: p } });
    assert.ok(e.result, 'room again after a release');
  });

  it('maxSessions refuses a third session, including server-created ones', async () => {
    const second = await client();
    assert.ok((await second.call('create', { type: 'MediaPipeline' })).result, 'second session fits');
    const third = await client();
    const r = await third.call('create', { type: 'MediaPipeline' });
    assert.equal(r.error?.code, 40009);
    const viaConnect = await third.call('connect', {});
    assert.equal(viaConnect.error?.code, 40009);
    assert.equal((await third.call('ping', {})).result?.value, 'pong', 'the socket still works');
  });
});
