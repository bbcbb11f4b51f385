// Transport (§1), JSON-RPC envelope (§2) and ping (§5.1).
import { describe, it, before, after } from 'node:test';
import assert from 'node:assert/strict';
import WebSocket from 'ws';
import { startServer, rpcClient, openSocket, expectResult, expectError, sleep, UUID_RE } from '../lib/server.mjs';
import { MANAGER, bindSession } from '../lib/kms.mjs';

let srv;
before(async () => { srv = await startServer(); });
after(async () => { if (srv) await srv.stop(); });

async function withClient(fn, url) {
  const c = await rpcClient(url || srv.url);
  try { return await fn(c); } finally { await c.close(); }
}

/** Send raw text, return the first message received afterwards (or null on close/timeout). */
async function rawExchange(c, text, timeout = 5000) {
  const from = c.messages.length;
  c.send(text);
  return c.waitMessage(() => true, timeout, from);
}

describe('transport (§1)', () => {
  it('ready line gives ws://127.0.0.1:<port>/kurento', () => {
    assert.match(srv.url, /^ws:\/\/127\.0\.0\.1:\d+\/kurento$/);
    assert.ok(srv.port > 0);
  });

  it('wrong path → socket closed with code 1002', async () => {
    const base = srv.url.replace(/\/kurento$/, '');
    for (const p of ['/foo', '/kurentox', '/', '/foo?access_token=x']) {
      const code = await new Promise((resolve) => {
        const ws = new WebSocket(base + p);
        const t = setTimeout(() => { ws.terminate(); resolve('timeout'); }, 5000);
        ws.on('error', () => {});
        ws.on('unexpected-response', (req, res) => { clearTimeout(t); resolve(`http ${res.statusCode}`); req.destroy(); });
        ws.on('close', (c) => { clearTimeout(t); resolve(c); });
      });
      assert.equal(code, 1002, `path ${p}: expected close code 1002, got ${code}`);
    }
  });

  it('?access_token=x query string is tolerated', async () => {
    await withClient(async (c) => {
      const r = expectResult(await c.call('ping', { interval: 5000 }));
      assert.equal(r.value, 'pong');
      const d = expectResult(await c.call('describe', { object: MANAGER }));
      assert.equal(d.type, 'ServerManager');
    }, srv.url + '?access_token=x');
  });

  it('server output is compact JSON text frames, one object per frame', async () => {
    await withClient(async (c) => {
      await c.call('ping', { interval: 5000 });
      await c.call('describe', { object: MANAGER });
      for (const raw of c.rawMessages) {
        assert.ok(!raw.includes('\n'), `response must be compact JSON: ${raw}`);
        const obj = JSON.parse(raw);
        assert.equal(typeof obj, 'object');
        assert.ok(!Array.isArray(obj));
      }
    });
  });
});

describe('ping (§5.1)', () => {
  it('ping with {interval} on a fresh socket → {"value":"pong"} without sessionId', async () => {
    await withClient(async (c) => {
      const resp = await c.call('ping', { interval: 5000 });
      const r = expectResult(resp);
      assert.equal(resp.id, 1);
      assert.equal(r.value, 'pong');
      assert.ok(!('sessionId' in r), `unbound ping must not carry sessionId: ${JSON.stringify(r)}`);
    });
  });

  it('ping without params → {"value":"pong"}', async () => {
    await withClient(async (c) => {
      const raw = await c.request({ jsonrpc: '2.0', id: 9, method: 'ping' });
      const r = expectResult(raw);
      assert.equal(r.value, 'pong');
      assert.ok(!('sessionId' in r));
    });
  });

  it('ping after the socket is bound to a session carries that sessionId', async () => {
    await withClient(async (c) => {
      const s = await bindSession(c);
      const r = expectResult(await c.request({ jsonrpc: '2.0', id: 77, method: 'ping' }));
      assert.equal(r.value, 'pong');
      assert.equal(r.sessionId, s);
      const r2 = expectResult(await c.call('ping', { interval: 60000 }));
      assert.equal(r2.value, 'pong');
      assert.equal(r2.sessionId, s);
    });
  });

  it('ping with explicit sessionId echoes it', async () => {
    await withClient(async (c) => {
      const s = await bindSession(c);
      const r = expectResult(await c.call('ping', { sessionId: s }));
      assert.equal(r.value, 'pong');
      assert.equal(r.sessionId, s);
    });
  });

  it('ping does not bind the socket / create a session by itself', async () => {
    await withClient(async (c) => {
      const r1 = expectResult(await c.call('ping'));
      const r2 = expectResult(await c.call('ping', { interval: 5000 }));
      assert.ok(!('sessionId' in r1) && !('sessionId' in r2));
    });
  });
});

describe('JSON-RPC envelope (§2)', () => {
  it('id is echoed unchanged (number, string, zero, large integer)', async () => {
    await withClient(async (c) => {
      for (const id of [0, 42, 'abc', 'x-1', 2 ** 40]) {
        const resp = await c.request({ jsonrpc: '2.0', id, method: 'ping' });
        assert.deepEqual(resp.id, id);
        assert.equal(typeof resp.id, typeof id);
        expectResult(resp);
      }
    });
  });

  it('responses carry jsonrpc "2.0" and exactly one of result/error', async () => {
    await withClient(async (c) => {
      await c.call('ping');
      await c.call('describe', { object: MANAGER });
      await c.call('describe', { object: 'nope' });
      await c.call('nosuchmethod', {});
      for (const m of c.messages) {
        assert.equal(m.jsonrpc, '2.0');
        assert.ok(('result' in m) !== ('error' in m), `exactly one of result/error: ${JSON.stringify(m)}`);
      }
    });
  });

  it('malformed JSON → -32700 with id null', async () => {
    await withClient(async (c) => {
      for (const text of ['{"jsonrpc":', 'not json at all', '{"jsonrpc":"2.0","id":1,"method":"ping"', '{]']) {
        const m = await rawExchange(c, text);
        const e = expectError(m, -32700, text);
        assert.equal(m.id, null, `-32700 must have id null: ${JSON.stringify(m)}`);
        assert.ok(e.message.length > 0);
      }
      // socket still usable
      expectResult(await c.call('ping'));
    });
  });

  it('missing jsonrpc → -32600 (id null)', async () => {
    await withClient(async (c) => {
      const m = await rawExchange(c, JSON.stringify({ id: 5, method: 'ping' }));
      expectError(m, -32600);
      assert.equal(m.id, null);
    });
  });

  it('jsonrpc other than "2.0" → -32600', async () => {
    await withClient(async (c) => {
      for (const v of ['1.0', 2, '2', null]) {
        const m = await rawExchange(c, JSON.stringify({ jsonrpc: v, id: 6, method: 'ping' }));
        expectError(m, -32600, `jsonrpc=${JSON.stringify(v)}`);
      }
    });
  });

  it('array batch → -32600 with id null', async () => {
    await withClient(async (c) => {
      const m = await rawExchange(c, JSON.stringify([{ jsonrpc: '2.0', id: 1, method: 'ping' }]));
      expectError(m, -32600);
      assert.equal(m.id, null);
      // the batch element must not be executed separately
      await sleep(300);
      const after = c.messages.filter((x) => x.id === 1);
      assert.equal(after.length, 0, 'batch elements must not be answered individually');
    });
  });

  it('id as object or array → -32600', async () => {
    await withClient(async (c) => {
      for (const id of [{ a: 1 }, [1, 2]]) {
        const m = await rawExchange(c, JSON.stringify({ jsonrpc: '2.0', id, method: 'ping' }));
        expectError(m, -32600, `id=${JSON.stringify(id)}`);
      }
    });
  });

  it('non-object message (number, string, null, true) → -32600', async () => {
    await withClient(async (c) => {
      for (const text of ['42', '"hello"', 'null', 'true']) {
        const m = await rawExchange(c, text);
        expectError(m, -32600, text);
      }
    });
  });

  it('missing method → -32600', async () => {
    await withClient(async (c) => {
      // KMS answers -32600 with id null; echoing the id is fine too
      const m = await rawExchange(c, JSON.stringify({ jsonrpc: '2.0', id: 3, params: {} }));
      expectError(m, -32600);
      assert.ok(m.id === null || m.id === 3);
      const m2 = await rawExchange(c, JSON.stringify({ jsonrpc: '2.0', id: 4, method: 17 }));
      expectError(m2, -32600);
    });
  });

  it('unknown method → -32601', async () => {
    await withClient(async (c) => {
      const m = await c.call('frobnicate', {});
      const e = expectError(m, -32601);
      assert.match(e.message, /not found/i);
      assert.equal(m.id, 1);
    });
  });

  it('notification (no id) is never answered', async () => {
    await withClient(async (c) => {
      c.send(JSON.stringify({ jsonrpc: '2.0', method: 'ping' }));
      c.send(JSON.stringify({ jsonrpc: '2.0', method: 'ping', params: { interval: 1 } }));
      c.send(JSON.stringify({ jsonrpc: '2.0', method: 'describe', params: { object: MANAGER } }));
      const r = await c.call('ping');
      expectResult(r);
      await sleep(500);
      const others = c.messages.filter((m) => m.id !== r.id);
      assert.deepEqual(others, [], 'notifications must not be answered');
    });
  });

  it('create without params → -32602 (INVALID_PARAMS)', async () => {
    await withClient(async (c) => {
      const m = await c.request({ jsonrpc: '2.0', id: 11, method: 'create' });
      const e = expectError(m, -32602);
      assert.equal(m.id, 11);
      if (e.data !== undefined) assert.equal(e.data.type, 'INVALID_PARAMS');
    });
  });

  it('other methods needing params → -32602 when params are missing', async () => {
    await withClient(async (c) => {
      for (const method of ['describe', 'invoke', 'subscribe', 'unsubscribe', 'release', 'transaction']) {
        const m = await c.request({ jsonrpc: '2.0', id: method, method });
        expectError(m, -32602, method);
      }
    });
  });

  it('describe without object → -32000 "\'object\' parameter is required"', async () => {
    await withClient(async (c) => {
      const e = expectError(await c.call('describe', {}), -32000);
      assert.equal(e.message, "'object' parameter is required");
    });
  });

  it('describe with non-string object → -32000 "\'object\' parameter should be a string"', async () => {
    await withClient(async (c) => {
      const e = expectError(await c.call('describe', { object: 5 }), -32000);
      assert.equal(e.message, "'object' parameter should be a string");
    });
  });

  it('create without type → -32000 "\'type\' parameter is required"', async () => {
    await withClient(async (c) => {
      const e = expectError(await c.call('create', { constructorParams: {} }), -32000);
      assert.equal(e.message, "'type' parameter is required");
      const e2 = expectError(await c.call('create', { type: 12 }), -32000);
      assert.equal(e2.message, "'type' parameter should be a string");
    });
  });

  it('invoke without operation / object → -32000', async () => {
    await withClient(async (c) => {
      const e = expectError(await c.call('invoke', { object: MANAGER }), -32000);
      assert.equal(e.message, "'operation' parameter is required");
      const e2 = expectError(await c.call('invoke', { operation: 'getInfo' }), -32000);
      assert.equal(e2.message, "'object' parameter is required");
    });
  });

  it('subscribe without type, unsubscribe without subscription → -32000', async () => {
    await withClient(async (c) => {
      await bindSession(c);
      const e = expectError(await c.call('subscribe', { object: MANAGER }), -32000);
      assert.equal(e.message, "'type' parameter is required");
      const e2 = expectError(await c.call('unsubscribe', { object: MANAGER }), -32000);
      assert.equal(e2.message, "'subscription' parameter is required");
    });
  });

  it('release without object → -32000; transaction without operations → -32000', async () => {
    await withClient(async (c) => {
      await bindSession(c);
      const e = expectError(await c.call('release', {}), -32000);
      assert.equal(e.message, "'object' parameter is required");
      const e2 = expectError(await c.call('transaction', {}), -32000);
      assert.equal(e2.message, "'operations' parameter is required");
    });
  });

  it('server answers many concurrent requests, matching ids (responses may be out of order)', async () => {
    await withClient(async (c) => {
      await bindSession(c);
      const ids = [];
      const ps = [];
      for (let i = 0; i < 50; i++) {
        ps.push(c.call(i % 2 ? 'ping' : 'describe', i % 2 ? undefined : { object: MANAGER }));
      }
      const rs = await Promise.all(ps);
      for (const r of rs) { expectResult(r); ids.push(r.id); }
      assert.equal(new Set(ids).size, 50);
    });
  });

  it('sessionId appears in the result as a UUID after the first non-ping request', async () => {
    await withClient(async (c) => {
      const r = expectResult(await c.call('describe', { object: MANAGER }));
      assert.match(r.sessionId, UUID_RE);
    });
  });

  it('an open socket that sent nothing is not closed by the server within 3 s', async () => {
    const ws = await openSocket(srv.url);
    let closed = false;
    ws.on('close', () => { closed = true; });
    await sleep(3000);
    assert.equal(closed, false);
    ws.close();
  });
});
