// Sessions (§3), connect (§5.2), keepAlive / ref / unref / closeSession (§5.8).
import { describe, it, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { randomUUID } from 'node:crypto';
import { startServer, rpcClient, expectResult, expectError, sleep, UUID_RE } from '../lib/server.mjs';
import {
  MANAGER, bindSession, createPipeline, createElement, invokeValue, subscribe, isEvent,
} from '../lib/kms.mjs';

let srv;
const clients = [];
const ADMIN = 'admin-token-for-tests';
before(async () => { srv = await startServer({ config: { adminToken: ADMIN } }); });
after(async () => {
  for (const c of clients) await c.close().catch(() => {});
  if (srv) await srv.stop();
});
async function client() {
  const c = await rpcClient(srv.url);
  clients.push(c);
  return c;
}
async function adminClient() {
  const c = await rpcClient(`${srv.url}?access_token=${ADMIN}`);
  clients.push(c);
  return c;
}

describe('connect (§5.2)', () => {
  it('connect without params → new session {sessionId, serverId}', async () => {
    const c = await client();
    const r = expectResult(await c.call('connect'));
    assert.match(r.sessionId, UUID_RE);
    assert.equal(typeof r.serverId, 'string');
    assert.ok(r.serverId.length > 0);
    // binds the socket: next request without sessionId gets the same one
    const d = expectResult(await c.call('describe', { object: MANAGER }));
    assert.equal(d.sessionId, r.sessionId);
  });

  it('connect with empty params object → new session', async () => {
    const c = await client();
    const r = expectResult(await c.call('connect', {}));
    assert.match(r.sessionId, UUID_RE);
  });

  it('two connects give different sessions and the same serverId', async () => {
    const a = await client();
    const b = await client();
    const ra = expectResult(await a.call('connect'));
    const rb = expectResult(await b.call('connect'));
    assert.notEqual(ra.sessionId, rb.sessionId);
    assert.equal(ra.serverId, rb.serverId, 'serverId is generated once per server process');
  });

  it('connect with a known session → same sessionId', async () => {
    const a = await client();
    const s = await bindSession(a);
    const b = await client();
    const r = expectResult(await b.call('connect', { sessionId: s }));
    assert.equal(r.sessionId, s);
    assert.equal(typeof r.serverId, 'string');
  });

  it('connect with an unknown session → error 40007 exactly (INVALID_SESSION), no sessionId', async () => {
    const c = await client();
    const resp = await c.call('connect', { sessionId: randomUUID() });
    const e = expectError(resp, 40007);
    assert.ok(!('result' in resp));
    if (e.data !== undefined) assert.equal(e.data.type, 'INVALID_SESSION');
  });

  it('connect with unknown session does not invent that session', async () => {
    const c = await client();
    const bogus = randomUUID();
    expectError(await c.call('connect', { sessionId: bogus }), 40007);
    expectError(await c.call('connect', { sessionId: bogus }), 40007);
    const other = await client();
    const sessions = await invokeValue(other, MANAGER, 'getSessions');
    assert.ok(!sessions.includes(bogus), 'connect must not create the unknown session');
  });

  it('after connect(known) events of the session follow the newest socket', async () => {
    const a = await client();
    const s = await bindSession(a);
    await subscribe(a, MANAGER, 'ObjectCreated');
    const b = await client();
    expectResult(await b.call('connect', { sessionId: s }));
    const p = await createPipeline(b); // objects of the session itself (other sessions' stay hidden)
    const ev = await b.waitEvent(isEvent(MANAGER, 'ObjectCreated', (d) => d.object === p), 5000);
    assert.equal(ev.params.value.data.object, p);
    await sleep(300);
    assert.equal(a.events.filter(isEvent(MANAGER, 'ObjectCreated', (d) => d.object === p)).length, 0,
      'the old socket must no longer receive the session events');
  });
});

describe('session binding and injection (§3)', () => {
  it('first request without sessionId gets a new UUID; second request without sessionId gets the same', async () => {
    const c = await client();
    const r1 = expectResult(await c.call('describe', { object: MANAGER }));
    assert.match(r1.sessionId, UUID_RE);
    const r2 = expectResult(await c.call('invoke', { object: MANAGER, operation: 'getName' }));
    assert.equal(r2.sessionId, r1.sessionId);
    const p = await createPipeline(c);
    const r3 = expectResult(await c.call('release', { object: p }));
    assert.equal(r3.sessionId, r1.sessionId);
  });

  it('different sockets get different sessions', async () => {
    const a = await client();
    const b = await client();
    assert.notEqual(await bindSession(a), await bindSession(b));
  });

  it('a never-seen client sessionId is accepted and created implicitly by create/describe/invoke/subscribe', async () => {
    for (const method of ['create', 'describe', 'invoke', 'subscribe']) {
      const c = await client();
      const s = randomUUID();
      const params = {
        create: { type: 'MediaPipeline', sessionId: s },
        describe: { object: MANAGER, sessionId: s },
        invoke: { object: MANAGER, operation: 'getName', sessionId: s },
        subscribe: { object: MANAGER, type: 'ObjectCreated', sessionId: s },
      }[method];
      const r = expectResult(await c.call(method, params), method);
      assert.equal(r.sessionId, s, `${method} must accept and echo the client-supplied sessionId`);
      // and the socket is now bound to it
      const d = expectResult(await c.call('describe', { object: MANAGER }));
      assert.equal(d.sessionId, s);
    }
  });

  it('a request naming a different sessionId moves the binding', async () => {
    const c = await client();
    const s1 = await bindSession(c);
    const s2 = randomUUID();
    const r = expectResult(await c.call('describe', { object: MANAGER, sessionId: s2 }));
    assert.equal(r.sessionId, s2);
    const r2 = expectResult(await c.call('describe', { object: MANAGER }));
    assert.equal(r2.sessionId, s2);
    assert.notEqual(s1, s2);
  });

  it('another socket using the same sessionId takes over event delivery', async () => {
    const a = await client();
    const s = await bindSession(a);
    await subscribe(a, MANAGER, 'ObjectCreated');
    const b = await client();
    const r = expectResult(await b.call('describe', { object: MANAGER, sessionId: s }));
    assert.equal(r.sessionId, s);
    const p = await createPipeline(b); // objects of the session itself (other sessions' stay hidden)
    await b.waitEvent(isEvent(MANAGER, 'ObjectCreated', (d) => d.object === p), 5000);
    await sleep(300);
    assert.equal(a.events.filter(isEvent(MANAGER, 'ObjectCreated', (d) => d.object === p)).length, 0);
  });

  it('sessionId is present in every non-ping success result and absent from errors', async () => {
    const c = await client();
    const s = await bindSession(c);
    const p = await createPipeline(c);
    const e = await createElement(c, 'PassThrough', p);
    const sub = (await c.call('subscribe', { object: e, type: 'ElementConnected' })).result.value;
    const results = [
      await c.call('describe', { object: p }),
      await c.call('invoke', { object: p, operation: 'getName' }),
      await c.call('invoke', { object: e, operation: 'setName', operationParams: { name: 'x' } }),
      await c.call('subscribe', { object: e, type: 'ElementDisconnected' }),
      await c.call('unsubscribe', { object: e, subscription: sub }),
      await c.call('transaction', { operations: [] }),
      await c.call('keepAlive', {}),
      await c.call('ref', { object: e }),
      await c.call('unref', { object: e }),
      await c.call('connect', { sessionId: s }),
      await c.call('release', { object: p }),
    ];
    for (const r of results) {
      const res = expectResult(r, JSON.stringify(r));
      assert.equal(res.sessionId, s, `result must carry sessionId: ${JSON.stringify(r)}`);
    }
    const errors = [
      await c.call('describe', { object: 'nope' }),
      await c.call('invoke', { object: MANAGER, operation: 'noSuchOp' }),
      await c.call('create', { type: 'NoSuchType' }),
      await c.call('subscribe', { object: MANAGER, type: 'NoSuchEvent' }),
      await c.call('release', { object: p }),
    ];
    for (const r of errors) {
      expectError(r); // also checks that no sessionId is inside
      assert.ok(!('result' in r));
    }
  });
});

describe('keepAlive / ref / unref / closeSession (§5.8)', () => {
  it('keepAlive with the bound session → {sessionId}', async () => {
    const c = await client();
    const s = await bindSession(c);
    const r = expectResult(await c.call('keepAlive', { sessionId: s }));
    assert.equal(r.sessionId, s);
    const r2 = expectResult(await c.call('keepAlive'));
    assert.equal(r2.sessionId, s, 'keepAlive without params uses the injected sessionId');
  });

  it('keepAlive with an unknown session → 40007', async () => {
    const c = await client();
    expectError(await c.call('keepAlive', { sessionId: randomUUID() }), 40007);
  });

  it('ref / unref → {sessionId}', async () => {
    const a = await client();
    const s = await bindSession(a);
    const p = await createPipeline(a);
    const b = await adminClient(); // only an administrator may reference another session's object
    const sb = await bindSession(b);
    const r = expectResult(await b.call('ref', { object: p, sessionId: sb }));
    assert.equal(r.sessionId, sb);
    const r2 = expectResult(await b.call('unref', { object: p, sessionId: sb }));
    assert.equal(r2.sessionId, sb);
    // still alive: session a references it
    expectResult(await a.call('describe', { object: p }));
    assert.ok(s);
  });

  it('ref of an unknown object → 40101', async () => {
    const c = await client();
    await bindSession(c);
    expectError(await c.call('ref', { object: 'nope_kurento.MediaPipeline' }), 40101);
  });

  it('unref of the last reference releases the object', async () => {
    const a = await client();
    await bindSession(a);
    const p = await createPipeline(a);
    expectResult(await a.call('unref', { object: p }));
    await sleep(200);
    const other = await client();
    await bindSession(other);
    expectError(await other.call('describe', { object: p }), 40101);
  });

  it('closeSession → "result": null', async () => {
    const c = await client();
    const s = await bindSession(c);
    const resp = await c.call('closeSession', { sessionId: s });
    assert.ok('result' in resp, `closeSession must answer with a result: ${JSON.stringify(resp)}`);
    assert.equal(resp.result, null);
    assert.ok(!('error' in resp));
  });

  it('closeSession {release:true} releases the session objects', async () => {
    const c = await client();
    const s = await bindSession(c);
    const p = await createPipeline(c);
    const resp = await c.call('closeSession', { sessionId: s, release: true });
    assert.equal(resp.result, null);
    await sleep(200);
    const other = await client();
    await bindSession(other);
    expectError(await other.call('describe', { object: p }), 40101);
  });

  it('ServerManager.getSessions lists the caller\'s own session (all of them for the administrator)', async () => {
    const a = await client();
    const s = await bindSession(a);
    const other = await client();
    const so = await bindSession(other);
    const sessions = await invokeValue(a, MANAGER, 'getSessions');
    assert.deepEqual(sessions, [s]);
    const admin = await adminClient();
    const sa = await bindSession(admin);
    const all = await invokeValue(admin, MANAGER, 'getSessions');
    assert.ok(all.every((x) => typeof x === 'string'));
    for (const x of [s, so, sa]) assert.ok(all.includes(x), `${x} missing from ${JSON.stringify(all)}`);
  });

  it('describe across sessions works for the administrator (and refs them)', async () => {
    const a = await client();
    await bindSession(a);
    const p = await createPipeline(a);
    const el = await createElement(a, 'PassThrough', p);
    const b = await adminClient();
    const sb = await bindSession(b);
    const d = expectResult(await b.call('describe', { object: el }));
    assert.equal(d.type, 'PassThrough');
    assert.equal(d.sessionId, sb);
    // b's reference keeps the element alive after a unrefs it
    expectResult(await a.call('unref', { object: el }));
    await sleep(200);
    expectResult(await b.call('describe', { object: el }));
  });
});
