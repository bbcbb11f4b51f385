// Pages the server serves itself, loaded from another machine, may open its WebSocket: a
// server listening beyond loopback admits the origins of its own addresses and port (the
// built-in tutorials at http://ADDRESS:PORT/), and still refuses every other page. Runs in the
// private network namespace of run-isolated.sh, where the test adds a
// made-up address (on its loopback interface) for the server to listen on; every packet still goes to 127.0.0.1.
import { describe, it, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { execFileSync } from 'node:child_process';
import WebSocket from 'ws';
import { startServer } from '../lib/server.mjs';

const OWN = '10.213.7.1';

function handshake(port, origin, token) {
  return new Promise((resolve) => {
    const ws = new WebSocket(`ws://127.0.0.1:${port}/kurento?access_token=${token}`, { origin });
    // Admitted: 101, then (access token checked after the handshake) open for a moment, or closed with 1008.
    ws.once('open', () => {
      const timer = setTimeout(() => { ws.close(); resolve(101); }, 300);
      ws.once('close', (code) => { clearTimeout(timer); resolve(code === 1008 ? 1008 : 101); });
    });
    ws.once('unexpected-response', (_req, res) => { ws.terminate(); resolve(res.statusCode); });
    ws.once('error', () => resolve(0));
  });
}

describe('the server admits pages from its own origins', () => {
  let srv, port, isolated = true;
  before(async () => {
    try {
      // On the namespace's own loopback interface (no other link type needs a kernel module here).
      execFileSync('ip', ['addr', 'add', `${OWN}/32`, 'dev', 'lo']);
    } catch {
      isolated = false;  // not in a namespace of our own (or not root): adding links is not ours to do
      return;
    }
    srv = await startServer({ config: { accessToken: 'own-origin-token' }, extraArgs: ['--listen', '0.0.0.0'] });
    port = Number(new URL(srv.url).port);
  });
  after(async () => {
    if (srv) await srv.stop();
    if (isolated) execFileSync('ip', ['addr', 'del', `${OWN}/32`, 'dev', 'lo']);
  });

  it('admits http://OWN-ADDRESS:PORT, refuses other ports, addresses and names', async (t) => {
    if (!isolated) return t.skip('needs tests/e2e/run-isolated.sh (a private network namespace)');
    assert.equal(await handshake(port, `http://${OWN}:${port}`, 'own-origin-token'), 101, 'a page the server served itself');
    assert.equal(await handshake(port, `http://${OWN}:${port + 1}`, 'own-origin-token'), 403, 'another port on that address');
    assert.equal(await handshake(port, `http://10.213.7.2:${port}`, 'own-origin-token'), 403, 'an address that is not ours');
    assert.equal(await handshake(port, `http://evil.example:${port}`, 'own-origin-token'), 403, 'a name that is not ours (DNS rebinding)');
    assert.equal(await handshake(port, `https://${OWN}:${port}`, 'own-origin-token'), 403, 'another scheme');
    assert.equal(await handshake(port, `http://${OWN}:${port}`, 'wrong-token'), 1008, 'the access token is still needed');
  });
});
