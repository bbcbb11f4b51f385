// Robustness: 1,000 malformed / hostile messages over several sockets. Every message either gets
// a well-formed error response or is dropped (ignored or socket closed); the server stays up and
// keeps answering on a fresh socket.
import { describe, it, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { randomBytes, randomUUID } from 'node:crypto';
import { startServer, rpcClient, expectResult } from '../lib/server.mjs';
import { MANAGER, bindSession, createPipeline } from '../lib/kms.mjs';

let srv;
before(async () => { srv = await startServer(); });
after(async () => { if (srv) await srv.stop(); });

// Deterministic PRNG so failures are reproducible.
function prng(seed) {
  let s = seed >>> 0;
  return () => {
    s = (s + 0x6D2B79F5) >>> 0;
    let t = s;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

const WEIRD_VALUES = [null, true, false, 0, -1, 1.5, 1e308, -1e308, 2 ** 53 + 1, '', ' ', '\u0000', 'x'.repeat(1000),
  [], [1, 2, 3], {}, { a: { b: { c: [] } } }, 'manager_ServerManager', 'newref:0', 'newref:-1', 'newref:99999999999999999999',
  '../../etc/passwd', 'file:///etc/passwd', '\ud800', '%00', '${jndi:ldap://x}', 'NaN', 'Infinity'];

const METHODS = ['ping', 'connect', 'create', 'describe', 'invoke', 'subscribe', 'unsubscribe', 'release',
  'transaction', 'keepAlive', 'ref', 'unref', 'closeSession', 'onEvent', '', 'PING', 'nosuch', 'constructor',
  '__proto__', 'toString'];

/**
 * Build the hostile corpus. Each entry: {text, kind} where kind tells what a correct answer looks like:
 *  'parse'  → if answered: -32700, id null
 *  'error'  → if answered: an error (any code)
 *  'any'    → any well-formed response (may be a success: e.g. a weird but valid ping)
 *  'bytes'  → invalid UTF-8 in a text frame: the server may close the socket (1007) or ignore it
 */
function buildCorpus(pipelineId) {
  const rnd = prng(0xC0FFEE);
  const pick = (arr) => arr[Math.floor(rnd() * arr.length)];
  const out = [];
  let id = 1000;

  // 1. bad JSON (valid UTF-8)
  const badJson = ['{', '}', '{"jsonrpc":"2.0"', '{"jsonrpc":"2.0","id":1,"method":"ping",}', "{'a':1}",
    '{"a":01}', '{"a":1e}', '[1,2', 'nul', 'tru', '{"a":"\\x41"}', '{"a":"unterminated', '\u0000', ' ', '',
    '{"jsonrpc":"2.0","id":1,"method":"ping"}}', '{"jsonrpc":"2.0","id":1,"method":"ping"} {"x":1}',
    '{"a":NaN}', '{"a":Infinity}', '{"a":-}', '/* c */ {}', '{"a":"\\ud800"'];
  for (let i = 0; i < 150; i++) {
    let t = pick(badJson);
    if (i >= badJson.length) {
      // random truncations / mutations of a valid request
      const valid = JSON.stringify({ jsonrpc: '2.0', id: id++, method: pick(METHODS), params: { object: MANAGER, operation: 'getInfo' } });
      const cut = 1 + Math.floor(rnd() * (valid.length - 2));
      t = rnd() < 0.5 ? valid.slice(0, cut) : valid.slice(0, cut) + pick(['{', '"', ']', ',', ':']) + valid.slice(cut + 1);
      try { JSON.parse(t); continue; } catch { /* good, it is invalid */ }
    }
    if (t.trim() === '') continue; // empty frame: behaviour unspecified; not counted
    out.push({ text: t, kind: 'parse' });
  }

  // 2. 1 MiB strings (in several positions)
  const big = 'A'.repeat(1024 * 1024);
  out.push({ text: JSON.stringify({ jsonrpc: '2.0', id: id++, method: 'ping', params: { pad: big } }), kind: 'any' });
  out.push({ text: JSON.stringify({ jsonrpc: '2.0', id: id++, method: big }), kind: 'error' });
  out.push({ text: JSON.stringify({ jsonrpc: '2.0', id: id++, method: 'describe', params: { object: big } }), kind: 'error' });
  out.push({ text: JSON.stringify({ jsonrpc: '2.0', id: id++, method: 'create', params: { type: big } }), kind: 'error' });
  out.push({ text: JSON.stringify({ jsonrpc: '2.0', id: big, method: 'ping' }), kind: 'any' });
  out.push({ text: JSON.stringify({ jsonrpc: '2.0', id: id++, method: 'invoke', params: { object: pipelineId, operation: 'setName', operationParams: { name: big } } }), kind: 'any' });
  out.push({ text: '"' + big, kind: 'error' }); // invalid JSON; a size limit error is fine too

  // 3. deep nesting, 10,000 levels
  const depth = 10000;
  out.push({ text: '['.repeat(depth) + ']'.repeat(depth), kind: 'error' });
  out.push({ text: '{"a":'.repeat(depth) + '1' + '}'.repeat(depth), kind: 'error' });
  out.push({ text: `{"jsonrpc":"2.0","id":${id++},"method":"ping","params":{"x":${'['.repeat(depth)}${']'.repeat(depth)}}}`, kind: 'any' });
  out.push({ text: `{"jsonrpc":"2.0","id":${id++},"method":"create","params":{"type":"MediaPipeline","properties":${'{"a":'.repeat(depth)}1${'}'.repeat(depth)}}}`, kind: 'any' });
  out.push({ text: `{"jsonrpc":"2.0","id":${id++},"method":"invoke","params":{"object":"${pipelineId}","operation":"setName","operationParams":{"name":${'['.repeat(depth)}${']'.repeat(depth)}}}}`, kind: 'error' });
  out.push({ text: '['.repeat(depth), kind: 'parse' });
  out.push({ text: `{"jsonrpc":"2.0","id":${id++},"method":"transaction","params":{"operations":${'['.repeat(depth)}${']'.repeat(depth)}}}`, kind: 'error' });

  // 4. wrong types everywhere
  const typeTargets = [
    (v) => ({ jsonrpc: v, id: id++, method: 'ping' }),
    (v) => ({ jsonrpc: '2.0', id: id++, method: v }),
    (v) => ({ jsonrpc: '2.0', id: id++, method: 'create', params: v }),
    (v) => ({ jsonrpc: '2.0', id: id++, method: 'create', params: { type: v } }),
    (v) => ({ jsonrpc: '2.0', id: id++, method: 'create', params: { type: 'PassThrough', constructorParams: v } }),
    (v) => ({ jsonrpc: '2.0', id: id++, method: 'create', params: { type: 'PassThrough', constructorParams: { mediaPipeline: v } } }),
    (v) => ({ jsonrpc: '2.0', id: id++, method: 'create', params: { type: 'GStreamerFilter', constructorParams: { mediaPipeline: pipelineId, command: v } } }),
    (v) => ({ jsonrpc: '2.0', id: id++, method: 'describe', params: { object: v } }),
    (v) => ({ jsonrpc: '2.0', id: id++, method: 'invoke', params: { object: v, operation: 'getName' } }),
    (v) => ({ jsonrpc: '2.0', id: id++, method: 'invoke', params: { object: pipelineId, operation: v } }),
    (v) => ({ jsonrpc: '2.0', id: id++, method: 'invoke', params: { object: pipelineId, operation: 'setName', operationParams: v } }),
    (v) => ({ jsonrpc: '2.0', id: id++, method: 'invoke', params: { object: pipelineId, operation: 'setName', operationParams: { name: v } } }),
    (v) => ({ jsonrpc: '2.0', id: id++, method: 'invoke', params: { object: MANAGER, operation: 'getKmd', operationParams: { moduleName: v } } }),
    (v) => ({ jsonrpc: '2.0', id: id++, method: 'invoke', params: { object: MANAGER, operation: 'getUsedCpu', operationParams: { interval: v } } }),
    (v) => ({ jsonrpc: '2.0', id: id++, method: 'subscribe', params: { object: pipelineId, type: v } }),
    (v) => ({ jsonrpc: '2.0', id: id++, method: 'unsubscribe', params: { object: pipelineId, subscription: v } }),
    (v) => ({ jsonrpc: '2.0', id: id++, method: 'release', params: { object: v } }),
    (v) => ({ jsonrpc: '2.0', id: id++, method: 'transaction', params: { operations: v } }),
    (v) => ({ jsonrpc: '2.0', id: id++, method: 'transaction', params: { operations: [v] } }),
    (v) => ({ jsonrpc: '2.0', id: id++, method: 'transaction', params: { operations: [{ jsonrpc: '2.0', id: 0, method: 'invoke', params: v }] } }),
    (v) => ({ jsonrpc: '2.0', id: id++, method: 'connect', params: { sessionId: v } }),
    (v) => ({ jsonrpc: '2.0', id: id++, method: 'keepAlive', params: { sessionId: v } }),
    (v) => ({ jsonrpc: '2.0', id: id++, method: 'ref', params: { object: v } }),
    (v) => ({ jsonrpc: '2.0', id: id++, method: 'closeSession', params: { sessionId: v, release: v } }),
    (v) => ({ jsonrpc: '2.0', id: v, method: 'ping' }),
    (v) => ({ jsonrpc: '2.0', id: id++, method: 'ping', params: v }),
    (v) => ({ jsonrpc: '2.0', id: id++, method: pick(METHODS), params: { sessionId: v, object: v, type: v, operation: v } }),
  ];
  while (out.length < 720) {
    const f = pick(typeTargets);
    const v = pick(WEIRD_VALUES);
    const obj = f(v);
    // classify: the generic "any" unless we know it must fail
    let kind = 'any';
    if (obj.jsonrpc !== '2.0') kind = 'error';
    out.push({ text: JSON.stringify(obj), kind, obj });
  }

  // 5. unknown ids
  const ops = ['describe', 'release', 'ref', 'unref'];
  for (let i = 0; i < 120; i++) {
    const bogus = pick([randomUUID(), `${randomUUID()}_kurento.MediaPipeline`,
      `${pipelineId}/${randomUUID()}_kurento.PassThrough`, `${randomUUID()}_kurento.MediaPipeline/${randomUUID()}_kurento.PlayerEndpoint`,
      'manager_ServerManager/x', 'manager_ServerManager ', 'MANAGER_SERVERMANAGER']);
    const method = pick([...ops, 'invoke', 'subscribe', 'create']);
    let params;
    if (method === 'invoke') params = { object: bogus, operation: pick(['getName', 'release', 'connect', 'getChildren']) };
    else if (method === 'subscribe') params = { object: bogus, type: 'Error' };
    else if (method === 'create') params = { type: 'PassThrough', constructorParams: { mediaPipeline: bogus } };
    else params = { object: bogus };
    out.push({ text: JSON.stringify({ jsonrpc: '2.0', id: id++, method, params }), kind: 'error' });
  }

  // 6. random bytes as text frames
  for (let i = 0; i < 60; i++) {
    out.push({ bytes: randomBytes(1 + Math.floor(rnd() * 512)), kind: 'bytes' });
  }
  // valid UTF-8 but random printable garbage
  while (out.length < 1000) {
    let s = '';
    const n = 1 + Math.floor(rnd() * 200);
    for (let k = 0; k < n; k++) s += String.fromCharCode(32 + Math.floor(rnd() * 95));
    try { JSON.parse(s); continue; } catch { /* invalid, keep */ }
    out.push({ text: s, kind: 'parse' });
  }
  return out;
}

function checkWellFormed(m, raw) {
  assert.ok(m && typeof m === 'object' && !Array.isArray(m), `server sent a non-object: ${raw.slice(0, 200)}`);
  assert.ok(!('__unparseable' in m), `server sent invalid JSON: ${raw.slice(0, 200)}`);
  assert.equal(m.jsonrpc, '2.0', `jsonrpc missing in ${raw.slice(0, 200)}`);
  if (m.method === 'onEvent') return;
  assert.ok(('result' in m) !== ('error' in m), `exactly one of result/error: ${raw.slice(0, 300)}`);
  if ('error' in m) {
    assert.ok(Number.isInteger(m.error.code), `error.code must be an integer: ${raw.slice(0, 300)}`);
    assert.equal(typeof m.error.message, 'string');
  }
}

describe('robustness', () => {
  it('1,000 hostile messages over several sockets: every answer is a well-formed error (or dropped)', { timeout: 600000 }, async (t) => {
    const setup = await rpcClient(srv.url);
    await bindSession(setup);
    const P = await createPipeline(setup);
    const corpus = buildCorpus(P);
    assert.ok(corpus.length >= 1000, `corpus has ${corpus.length} messages`);

    const SOCKETS = 5;
    const stats = { answered: 0, dropped: 0, closed: 0, reopened: 0 };
    const problems = [];
    const lanes = Array.from({ length: SOCKETS }, (_, i) => corpus.filter((_, k) => k % SOCKETS === i));

    const open = async () => {
      try {
        return await rpcClient(srv.url, { timeoutMs: 20000 });
      } catch (err) {
        throw new Error(`cannot open a socket (${err.message}); server running: ${srv.isRunning()}; ` +
          `stderr tail:\n${srv.stderrText().slice(-3000)}`);
      }
    };
    async function runLane(lane, laneNo) {
      let c = await open();
      let sentinel = 0;
      // Ids of the lane's earlier messages: a reply deferred past its grace period (getUsedCpu
      // with an interval, under load) arrives while a later message is checked, and is not an
      // extra answer to that one.
      const earlierIds = new Set();
      for (const [k, msg] of lane.entries()) {
        if (c.closed) {
          stats.reopened++;
          c = await open();
        }
        const from = c.messages.length;
        if (msg.bytes) c.send(msg.bytes, { binary: false });
        else c.send(msg.text);
        // sentinel ping: everything answered before it belongs to the hostile message
        const sid = `sentinel-${laneNo}-${sentinel++}`;
        let sentinelResp;
        try {
          sentinelResp = await c.request({ jsonrpc: '2.0', id: sid, method: 'ping' }, { timeout: 20000 });
        } catch (err) {
          if (c.closed) { stats.closed++; continue; }
          throw new Error(`server stopped answering after message #${k} of lane ${laneNo} ` +
            `(${(msg.text || msg.bytes.toString('hex')).slice(0, 200)}): ${err.message}`);
        }
        assert.equal(sentinelResp.result?.value, 'pong', `sentinel ping answered with ${JSON.stringify(sentinelResp).slice(0, 300)}`);
        // give out-of-order answers a short grace period
        let ownId;
        try { ownId = JSON.stringify(JSON.parse(msg.text ?? '').id); } catch { ownId = undefined; }
        const late = (m) => m && m.id !== null && m.id !== undefined && JSON.stringify(m.id) !== ownId &&
          earlierIds.has(JSON.stringify(m.id));
        const got = () => c.messages.slice(from).filter((m) => !(m && m.id === sid) && !(m && m.method === 'onEvent') && !late(m));
        if (got().length === 0 && msg.kind !== 'bytes') {
          await c.waitMessage((m) => !(m && m.id === sid) && !(m && m.method === 'onEvent'), 300, from).catch(() => {});
        }
        const answers = got();
        if (ownId !== undefined && ownId !== 'null') earlierIds.add(ownId);
        if (answers.length === 0) { stats.dropped++; continue; }
        stats.answered++;
        if (answers.length > 1) problems.push(`more than one answer to ${msg.text?.slice(0, 120)}: ${JSON.stringify(answers).slice(0, 300)}`);
        for (const a of answers) {
          try {
            checkWellFormed(a, JSON.stringify(a));
            if (msg.kind === 'parse') {
              assert.ok('error' in a, 'invalid JSON must not succeed');
              assert.equal(a.error.code, -32700, `invalid JSON → -32700, got ${a.error.code}`);
              assert.equal(a.id, null);
            }
            if (msg.kind === 'error') assert.ok('error' in a, 'must be an error');
            if (msg.kind === 'error' || msg.kind === 'parse') {
              assert.ok(!('result' in a));
            }
            if ('error' in a) {
              assert.ok(!('sessionId' in a.error), 'errors carry no sessionId');
            }
          } catch (err) {
            problems.push(`${(msg.text || '<bytes>').slice(0, 150)} → ${JSON.stringify(a).slice(0, 300)}: ${err.message}`);
          }
        }
      }
      await c.close();
    }

    await Promise.all(lanes.map((lane, i) => runLane(lane, i)));
    t.diagnostic(`corpus ${corpus.length}, stats ${JSON.stringify(stats)}`);
    await setup.close().catch(() => {});
    assert.ok(srv.isRunning(), `server died; stderr tail:\n${srv.stderrText().slice(-3000)}`);
    assert.deepEqual(problems.slice(0, 30), [], `${problems.length} bad answers (first 30 shown); stats ${JSON.stringify(stats)}`);

    // still alive and healthy on a fresh socket
    const fresh = await rpcClient(srv.url);
    try {
      const r = expectResult(await fresh.call('ping', { interval: 5000 }));
      assert.equal(r.value, 'pong');
      const d = expectResult(await fresh.call('describe', { object: MANAGER }));
      assert.equal(d.type, 'ServerManager');
      const p2 = await createPipeline(fresh);
      assert.ok(p2.endsWith('_kurento.MediaPipeline'));
    } finally {
      await fresh.close();
    }
  });

  it('invalid JSON is answered with -32700 (socket stays open)', async () => {
    const c = await rpcClient(srv.url);
    try {
      for (let i = 0; i < 20; i++) {
        const from = c.messages.length;
        c.send(`{"broken": ${i}`);
        const m = await c.waitMessage(() => true, 5000, from);
        assert.equal(m.error?.code, -32700);
        assert.equal(m.id, null);
      }
      assert.equal(c.closed, null);
      expectResult(await c.call('ping'));
    } finally {
      await c.close();
    }
  });

  it('many sockets opened and slammed shut do not hurt the server', async () => {
    const socks = [];
    for (let i = 0; i < 50; i++) socks.push(await rpcClient(srv.url));
    await Promise.all(socks.map((s, i) => (i % 2 ? s.call('describe', { object: MANAGER }) : s.call('ping')).catch(() => {})));
    for (const s of socks) s.terminate();
    const fresh = await rpcClient(srv.url);
    try {
      expectResult(await fresh.call('ping'));
    } finally {
      await fresh.close();
    }
  });

  it('a burst of 500 pipelined requests on one socket is fully answered', { timeout: 120000 }, async () => {
    const c = await rpcClient(srv.url, { timeoutMs: 60000 });
    try {
      await bindSession(c);
      const ps = [];
      for (let i = 0; i < 500; i++) ps.push(c.call(i % 3 === 0 ? 'ping' : 'describe', i % 3 === 0 ? undefined : { object: i % 3 === 1 ? MANAGER : 'nope' }));
      const rs = await Promise.all(ps);
      assert.equal(rs.length, 500);
      for (const r of rs) assert.ok(('result' in r) !== ('error' in r));
    } finally {
      await c.close();
    }
  });
});
