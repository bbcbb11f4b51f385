// Objects belong to the session that created them (security issue: "any client can see, take
// over and release any other client's objects"). Another session is an attacker here: every
// way it could name the victim's objects must answer Kurento's "object not found" (40101) and
// change nothing; the administrator token sees everything.
import { describe, it, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { startServer, rpcClient, expectResult, expectError, sleep } from '../lib/server.mjs';
import { MANAGER, bindSession, createPipeline, createElement, invokeRaw, invokeValue, subscribe, isEvent } from '../lib/kms.mjs';

const ADMIN = 'ownership-admin-token';
let srv;
let victim;
let attacker;
let pipeline;
let source;
let sink;
let victimSession;

before(async () => {
  srv = await startServer({ config: { adminToken: ADMIN } });
  victim = await rpcClient(srv.url);
  victimSession = await bindSession(victim);
  pipeline = await createPipeline(victim);
  source = await createElement(victim, 'PassThrough', pipeline);
  sink = await createElement(victim, 'PassThrough', pipeline);
  attacker = await rpcClient(srv.url);
  await bindSession(attacker);
});
after(async () => {
  for (const c of [victim, attacker]) if (c) await c.close().catch(() => {});
  if (srv) await srv.stop();
});

async function victimStillOwnsEverything() {
  assert.deepEqual((await invokeValue(victim, pipeline, 'getChildren')).sort(), [source, sink].sort());
  assert.deepEqual(await invokeValue(victim, source, 'getSinkConnections'), []);
}

describe('another session cannot reach my objects', () => {
  it('describe, invoke, subscribe, ref, unref and release answer 40101', async () => {
    for (const id of [pipeline, source]) {
      expectError(await attacker.call('describe', { object: id }), 40101, `describe ${id}`);
      expectError(await invokeRaw(attacker, id, 'getName'), 40101, 'invoke getName');
      expectError(await attacker.call('subscribe', { object: id, type: 'Error' }), 40101, 'subscribe');
      expectError(await attacker.call('ref', { object: id }), 40101, 'ref');
      expectError(await attacker.call('unref', { object: id }), 40101, 'unref');
      expectError(await attacker.call('release', { object: id }), 40101, 'release');
    }
    await victimStillOwnsEverything();
  });

  it('the message does not tell a foreign object from a missing one', async () => {
    const foreign = expectError(await attacker.call('describe', { object: source }), 40101);
    const missing = expectError(await attacker.call('describe', { object: `${source}x` }), 40101);
    assert.equal(foreign.message.replace(source, 'ID'), missing.message.replace(`${source}x`, 'ID'));
  });

  it('cannot create an element inside my pipeline', async () => {
    expectError(await attacker.call('create', {
      type: 'PassThrough', constructorParams: { mediaPipeline: pipeline }, properties: {},
    }), 40101);
    await victimStillOwnsEverything();
  });

  it('cannot connect its element to mine, or mine to each other', async () => {
    const own = await createPipeline(attacker);
    const mine = await createElement(attacker, 'PassThrough', own);
    expectError(await invokeRaw(attacker, mine, 'connect', { sink: source }), 40101, 'connect to a foreign sink');
    expectError(await invokeRaw(attacker, source, 'connect', { sink }), 40101, 'connect foreign elements');
    await victimStillOwnsEverything();
  });

  it('cannot use a foreign id inside a transaction', async () => {
    const r = expectResult(await attacker.call('transaction', {
      operations: [{ jsonrpc: '2.0', id: 0, method: 'release', params: { object: pipeline } }],
    }));
    assert.equal(r.value[0].error.code, 40101);
    await victimStillOwnsEverything();
  });

  it('getPipelines and getSessions do not list other sessions', async () => {
    assert.ok(!(await invokeValue(attacker, MANAGER, 'getPipelines')).includes(pipeline));
    assert.ok(!(await invokeValue(attacker, MANAGER, 'getSessions')).includes(victimSession));
    assert.ok((await invokeValue(victim, MANAGER, 'getPipelines')).includes(pipeline));
  });

  it('ObjectCreated/ObjectDestroyed of my objects are not delivered to other sessions', async () => {
    await subscribe(attacker, MANAGER, 'ObjectCreated');
    await subscribe(attacker, MANAGER, 'ObjectDestroyed');
    await subscribe(victim, MANAGER, 'ObjectCreated');
    const fromA = attacker.events.length;
    const fromV = victim.events.length;
    const el = await createElement(victim, 'PassThrough', pipeline);
    await victim.waitEvent(isEvent(MANAGER, 'ObjectCreated', (d) => d.object === el), 5000, fromV);
    expectResult(await victim.call('release', { object: el }));
    const own = await createPipeline(attacker); // its own events still arrive: the subscription works
    await attacker.waitEvent(isEvent(MANAGER, 'ObjectCreated', (d) => d.object === own), 5000, fromA);
    await sleep(300);
    const leaked = attacker.events.slice(fromA).filter((e) => JSON.stringify(e).includes(el));
    assert.deepEqual(leaked, [], 'the attacker saw events about the victim\'s element');
  });

  it('an unsubscribe with a foreign subscription id leaves it working', async () => {
    const sub = await subscribe(victim, MANAGER, 'ObjectCreated');
    expectResult(await attacker.call('unsubscribe', { object: MANAGER, subscription: sub }));
    const from = victim.events.length;
    const el = await createElement(victim, 'PassThrough', pipeline);
    await victim.waitEvent(isEvent(MANAGER, 'ObjectCreated', (d) => d.object === el), 5000, from);
    expectResult(await victim.call('release', { object: el }));
  });
});

describe('the administrator token sees every session', () => {
  it('describes, drives and lists the victim\'s objects; its additions stay visible to the owner', async () => {
    const admin = await rpcClient(`${srv.url}?access_token=${ADMIN}`);
    try {
      await bindSession(admin);
      assert.equal(expectResult(await admin.call('describe', { object: source })).type, 'PassThrough');
      assert.ok((await invokeValue(admin, MANAGER, 'getPipelines')).includes(pipeline));
      assert.ok((await invokeValue(admin, MANAGER, 'getSessions')).includes(victimSession));
      const added = await createElement(admin, 'PassThrough', pipeline);
      // An element belongs to its pipeline's session, whoever added it.
      expectResult(await victim.call('describe', { object: added }));
      expectResult(await admin.call('release', { object: added }));
      await victimStillOwnsEverything();
    } finally {
      await admin.close();
    }
  });

  it('a wrong administrator token is just a client (or refused with an access token)', async () => {
    const fake = await rpcClient(`${srv.url}?access_token=${ADMIN}x`);
    try {
      await bindSession(fake);
      expectError(await fake.call('describe', { object: source }), 40101);
    } finally {
      await fake.close();
    }
  });
});
