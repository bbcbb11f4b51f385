// The control port as an attacker meets it (security issue item 3): pages from other sites
// are refused at the handshake, wss:// with a configured certificate, and a non-loopback listen
// address without an access token refuses to start unless --insecure.
import { describe, it, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { spawn, execFile } from 'node:child_process';
import { promisify } from 'node:util';
import { writeFile } from 'node:fs/promises';
import net from 'node:net';
import path from 'node:path';
import WebSocket from 'ws';
import { startServer, serverBinary, openSocket, tempDir, removeDir } from '../lib/server.mjs';

const run = promisify(execFile);

/** Opens a socket; resolves {ok:true, ws} or {ok:false, status, error}. */
function tryOpen(url, options = {}) {
  return new Promise((resolve) => {
    const ws = new WebSocket(url, options);
    ws.once('open', () => resolve({ ok: true, ws }));
    ws.once('unexpected-response', (_req, res) => {
      resolve({ ok: false, status: res.statusCode });
      ws.terminate();
    });
    ws.once('error', (error) => resolve({ ok: false, error }));
  });
}

/** One ping over an open socket; resolves the parsed answer. */
function ping(ws) {
  return new Promise((resolve, reject) => {
    const timer = setTimeout(() => reject(new Error('no answer to ping')), 5000);
    ws.once('message', (data) => {
      clearTimeout(timer);
      resolve(JSON.parse(String(data)));
    });
    ws.send(JSON.stringify({ jsonrpc: '2.0', id: 1, method: 'ping', params: { interval: 1000 } }));
  });
}

/** Runs the binary until it exits (or prints its ready line); never sends traffic anywhere. */
function launch(args, timeoutMs = 15000) {
  return new Promise((resolve) => {
    const proc = spawn(serverBinary(), ['--headless', '--port', '0', ...args], { stdio: ['ignore', 'pipe', 'pipe'] });
    let out = '';
    let err = '';
    proc.stdout.on('data', (d) => {
      out += d;
      if (/Pipewright listening on/.test(out)) {
        proc.kill('SIGTERM');
      }
    });
    proc.stderr.on('data', (d) => { err += d; });
    const timer = setTimeout(() => proc.kill('SIGKILL'), timeoutMs);
    proc.on('exit', (code, signal) => {
      clearTimeout(timer);
      resolve({ code, signal, out, err, listened: /Pipewright listening on/.test(out) });
    });
  });
}

describe('Origin allow-list', () => {
  let srv;
  before(async () => { srv = await startServer({ config: { allowedOrigins: ['https://app.example.org'] } }); });
  after(async () => { if (srv) await srv.stop(); });

  it('a page from another site is refused with HTTP 403 before any JSON-RPC', async () => {
    for (const origin of ['https://evil.example.com', 'http://192.0.2.7:8080', 'null', 'https://app.example.org.evil.com']) {
      const r = await tryOpen(srv.url, { origin });
      assert.equal(r.ok, false, `origin ${origin} was let in`);
      assert.equal(r.status, 403, `origin ${origin}: ${r.error || r.status}`);
    }
    assert.match(srv.stdoutText() + srv.stderrText(), /refused a connection from origin https:\/\/evil\.example\.com/);
  });

  it('programs (no Origin), loopback pages and listed origins get in', async () => {
    for (const origin of [undefined, 'http://127.0.0.1:3000', 'http://localhost:8443', 'http://[::1]:80', 'https://app.example.org']) {
      const r = await tryOpen(srv.url, origin ? { origin } : {});
      assert.equal(r.ok, true, `origin ${origin} was refused (${r.status || r.error})`);
      assert.equal((await ping(r.ws)).result.value, 'pong');
      r.ws.close();
    }
  });

  it('"*" lets any page in', async () => {
    const open = await startServer({ config: { allowedOrigins: ['*'] } });
    try {
      const r = await tryOpen(open.url, { origin: 'https://anywhere.example.net' });
      assert.equal(r.ok, true);
      r.ws.close();
    } finally {
      await open.stop();
    }
  });
});

describe('access and administrator tokens', () => {
  let srv;
  before(async () => { srv = await startServer({ config: { accessToken: 'client-secret', adminToken: 'admin-secret' } }); });
  after(async () => { if (srv) await srv.stop(); });

  it('no token, a wrong token, or a token with a suffix: closed with 1008', async () => {
    for (const q of ['', '?access_token=wrong', '?access_token=client-secretX', '?access_token=']) {
      const ws = await openSocket(srv.url + q);
      const code = await new Promise((resolve) => ws.once('close', (c) => resolve(c)));
      assert.equal(code, 1008, `query '${q}'`);
    }
  });

  it('the client token and the administrator token both get in', async () => {
    for (const token of ['client-secret', 'admin-secret']) {
      const ws = await openSocket(`${srv.url}?access_token=${token}`);
      assert.equal((await ping(ws)).result.value, 'pong');
      ws.close();
    }
  });
});

describe('listening beyond loopback', () => {
  it('without an access token the server refuses to start and says why', async () => {
    const r = await launch(['--listen', '0.0.0.0']);
    assert.equal(r.listened, false);
    assert.equal(r.code, 2);
    assert.match(r.err, /refusing to listen on 0\.0\.0\.0 without an access token/);
    assert.match(r.err, /--insecure/);
  });

  it('with --insecure, or with an access token, it starts', async () => {
    const dir = await tempDir();
    try {
      const insecure = await launch(['--listen', '0.0.0.0', '--insecure']);
      assert.equal(insecure.listened, true, insecure.err);
      const cfg = path.join(dir, 'token.json');
      await writeFile(cfg, JSON.stringify({ accessToken: 't0ken' }));
      const tokened = await launch(['--listen', '0.0.0.0', '--config', cfg]);
      assert.equal(tokened.listened, true, tokened.err);
    } finally {
      await removeDir(dir);
    }
  });
});

describe('wss:// with a configured certificate', () => {
  let dir;
  let srv;
  before(async () => {
    dir = await tempDir();
    await run('openssl', ['req', '-x509', '-newkey', 'ec', '-pkeyopt', 'ec_paramgen_curve:P-256', '-nodes', '-days', '2',
      '-subj', '/CN=localhost', '-keyout', path.join(dir, 'key.pem'), '-out', path.join(dir, 'cert.pem')]);
    srv = await startServer({ config: { tlsCertificate: path.join(dir, 'cert.pem'), tlsKey: path.join(dir, 'key.pem') } });
  });
  after(async () => {
    if (srv) await srv.stop();
    await removeDir(dir);
  });

  it('announces wss:// and answers over TLS', async () => {
    assert.match(srv.url, /^wss:\/\/127\.0\.0\.1:\d+\/kurento$/);
    const ws = await openSocket(srv.url, { rejectUnauthorized: false });
    assert.equal((await ping(ws)).result.value, 'pong');
    const cert = ws._socket.getPeerCertificate();
    assert.equal(cert.subject.CN, 'localhost');
    ws.close();
  });

  it('plain ws:// on the TLS port gets no session', async () => {
    const r = await tryOpen(srv.url.replace('wss://', 'ws://'));
    assert.equal(r.ok, false);
  });

  it('a connection that never completes the TLS handshake is closed (QSslServer 5 s, head deadline 10 s)', async () => {
    const port = Number(new URL(srv.url.replace('wss://', 'https://')).port);
    const started = Date.now();
    const silent = await rawExchange(port, '', 15000);
    assert.equal(silent.closed, true, 'closed by the server');
    const seconds = (Date.now() - started) / 1000;
    assert.ok(seconds > 4 && seconds < 12, `closed after ${seconds} s`);
  });

  it('a certificate without its key refuses to start', async () => {
    const cfg = path.join(dir, 'half.json');
    await writeFile(cfg, JSON.stringify({ tlsCertificate: path.join(dir, 'cert.pem') }));
    const r = await launch(['--listen', '127.0.0.1', '--config', cfg]);
    assert.equal(r.listened, false);
    assert.match(r.err, /needs both 'tlsCertificate' and 'tlsKey'/);
  });
});

/** Sends raw bytes on a TCP connection and collects what comes back until the server closes (or timeout). */
function rawExchange(port, bytes, timeoutMs = 5000) {
  return new Promise((resolve) => {
    const socket = net.connect(port, '127.0.0.1');
    let data = '';
    const timer = setTimeout(() => { socket.destroy(); resolve({ data, closed: false }); }, timeoutMs);
    socket.on('connect', () => socket.write(bytes));
    socket.on('data', (d) => { data += d; });
    socket.on('error', () => {});
    socket.on('close', () => { clearTimeout(timer); resolve({ data, closed: true }); });
  });
}

describe('plain HTTP on the control port', () => {
  let srv, port, base;
  before(async () => {
    srv = await startServer({ config: { maxMessageBytes: 65536 } });
    port = Number(new URL(srv.url).port);
    base = `http://127.0.0.1:${port}`;
  });
  after(async () => { if (srv) await srv.stop(); });

  it('answers HTTP: 426 on the WebSocket path, a start page, 404 elsewhere, the tutorial pages', async () => {
    const upgrade = await fetch(`${base}/kurento`);
    assert.equal(upgrade.status, 426);
    assert.equal(upgrade.headers.get('upgrade'), 'websocket');
    assert.match(await upgrade.text(), /ws:\/\/127\.0\.0\.1:\d+\/kurento/);
    const start = await fetch(`${base}/`);
    assert.equal(start.status, 200);
    assert.match(start.headers.get('content-type'), /^text\/html/);
    assert.equal((await fetch(`${base}/nothing/here`)).status, 404);
    const page = await fetch(`${base}/tutorials/whip.html`);
    assert.equal(page.status, 200);
    assert.match(page.headers.get('content-type'), /^text\/html/);
    const script = await fetch(`${base}/tutorials/webrtc-http.js`);
    assert.match(script.headers.get('content-type'), /^text\/javascript/);
    // Nothing outside the pages' folder: no traversal, no other names.
    for (const p of ['/tutorials/..%2F..%2F..%2Fetc%2Fpasswd', '/tutorials/%2Fetc%2Fpasswd', '/tutorials/.hidden.html',
      '/tutorials/whip.html%00.png', '/tutorials/', '/tutorials/WHIP.HTML']) {
      assert.equal((await fetch(`${base}${p}`)).status, 404, p);
    }
    // The WebSocket still works next to all this.
    const r = await tryOpen(srv.url);
    assert.equal(r.ok, true);
    assert.equal((await ping(r.ws)).result.value, 'pong');
    r.ws.close();
  });

  it('refuses oversized heads and bodies, chunked bodies, and survives garbage and silent connections', async () => {
    const bigHead = await rawExchange(port, `GET / HTTP/1.1\r\nHost: x\r\nX-Fill: ${'a'.repeat(20000)}\r\n\r\n`);
    assert.match(bigHead.data, /^HTTP\/1\.1 431 /);
    assert.ok(bigHead.closed, 'the connection is closed after 431');
    const bigBody = await rawExchange(port, 'POST /whip/x HTTP/1.1\r\nHost: x\r\nContent-Length: 999999999\r\n\r\n');
    assert.match(bigBody.data, /^HTTP\/1\.1 413 /);
    const chunked = await rawExchange(port, 'POST /whip/x HTTP/1.1\r\nHost: x\r\nTransfer-Encoding: chunked\r\n\r\n5\r\nhello\r\n0\r\n\r\n');
    assert.match(chunked.data, /^HTTP\/1\.1 411 /);
    const garbage = await rawExchange(port, '\x16\x03\x01\x02\x00garbage\r\n\r\n', 3000);
    assert.ok(garbage.closed || garbage.data === '' || /^HTTP\/1\.1 4\d\d/.test(garbage.data), JSON.stringify(garbage.data));
    // Silent connections (a port scan) and half requests do not stop anyone else.
    const silent = [];
    for (let i = 0; i < 20; i++) silent.push(net.connect(port, '127.0.0.1'));
    const half = net.connect(port, '127.0.0.1', () => half.write('GET / HTTP/1.1\r\nHost: x\r\n'));
    await new Promise((resolve) => setTimeout(resolve, 200));
    const ok = await fetch(`${base}/`);
    assert.equal(ok.status, 200);
    const r = await tryOpen(srv.url);
    assert.equal((await ping(r.ws)).result.value, 'pong');
    r.ws.close();
    for (const s of [...silent, half]) s.destroy();
  });

  it('a flood of silent connections is capped: the oldest are closed, real clients still get in', async () => {
    const flood = [];
    let closed = 0;
    for (let i = 0; i < 300; i++) {
      const s = net.connect(port, '127.0.0.1');
      s.on('error', () => {});
      s.on('close', () => { closed++; });
      flood.push(s);
      if (i % 50 === 49) await new Promise((resolve) => setTimeout(resolve, 50));
    }
    const by = Date.now() + 5000;
    while (Date.now() < by && closed < 44) await new Promise((resolve) => setTimeout(resolve, 50));
    assert.ok(closed >= 44, `past 256 pending connections the oldest are closed (${closed} of 300 closed)`);
    assert.equal((await fetch(`${base}/`)).status, 200, 'an HTTP client still gets its answer');
    const r = await tryOpen(srv.url);
    assert.equal((await ping(r.ws)).result.value, 'pong', 'a WebSocket client still gets in');
    r.ws.close();
    for (const s of flood) s.destroy();
  });

  it('HEAD has no body; malformed heads and differing Content-Lengths get 400 and the server goes on', async () => {
    const head = await rawExchange(port, 'HEAD / HTTP/1.1\r\nHost: x\r\nConnection: close\r\n\r\n', 3000);
    assert.match(head.data, /^HTTP\/1\.1 200 /);
    assert.match(head.data, /Content-Length: [1-9]/i);
    assert.ok(head.data.endsWith('\r\n\r\n'), `no body after the head: ${JSON.stringify(head.data.slice(-80))}`);
    const bad = await rawExchange(port, 'GET / HTTP/1.1\r\nBad Header Line\r\nContent-Length: 1\r\nContent-Length: 2\r\n\r\nab', 1500);
    assert.match(bad.data, /^HTTP\/1\.1 400 /, 'a header line without a colon is refused');
    const smuggle = await rawExchange(port, 'POST / HTTP/1.1\r\nHost: x\r\nContent-Length: 1\r\nContent-Length: 40\r\n\r\nxGET /tutorials/whip.html HTTP/1.1\r\nHost: x\r\n\r\n', 1500);
    assert.match(smuggle.data, /^HTTP\/1\.1 400 /, 'differing Content-Length headers are refused');
    assert.equal((smuggle.data.match(/HTTP\/1\.1 /g) || []).length, 1, 'and nothing after them is answered');
    assert.equal((await fetch(`${base}/`)).status, 200);
  });

  it('later requests on a keep-alive connection get the same checks as the first', async () => {
    // Sends `parts` one after another on one connection (a pause between them, so each arrives
    // as its own read) and collects what comes back until the server closes it.
    const keepAlive = (parts, timeoutMs = 3000) => new Promise((resolve) => {
      const socket = net.connect(port, '127.0.0.1');
      let data = '';
      const timer = setTimeout(() => { socket.destroy(); resolve({ data, closed: false }); }, timeoutMs);
      socket.on('connect', async () => {
        for (const part of parts) {
          if (socket.destroyed) break;
          socket.write(part);
          await new Promise((r) => setTimeout(r, 150));
        }
      });
      socket.on('data', (d) => { data += d; });
      socket.on('error', () => {});
      socket.on('close', () => { clearTimeout(timer); resolve({ data, closed: true }); });
    });
    const get = 'GET /tutorials/whip.html HTTP/1.1\r\nHost: x\r\n\r\n';
    const statuses = (data) => [...data.matchAll(/HTTP\/1\.1 (\d{3}) /g)].map((m) => Number(m[1]));

    // Two good requests, then each kind of bad one: answered 200, 200, then the refusal, and closed.
    const cases = [
      ['GET / HTTP/1.1\r\nBad Header Line\r\n\r\n', 400, 'a header line without a colon'],
      ['POST / HTTP/1.1\r\nHost: x\r\nContent-Length: 1\r\nContent-Length: 40\r\n\r\nx', 400, 'differing Content-Lengths'],
      ['POST / HTTP/1.1\r\nHost: x\r\nContent-Length: 999999999\r\n\r\n', 413, 'a body over the limit'],
      ['POST / HTTP/1.1\r\nHost: x\r\nTransfer-Encoding: chunked\r\n\r\n1\r\nx\r\n0\r\n\r\n', 411, 'a chunked body'],
      ['GET /kurento HTTP/1.1\r\nHost: x\r\nUpgrade: websocket\r\nConnection: Upgrade\r\nSec-WebSocket-Version: 13\r\nSec-WebSocket-Key: dGhlIHNhbXBsZSBub25jZQ==\r\n\r\n', 400, 'a WebSocket upgrade after an HTTP request'],
      ['GET / HTTP/1.1\r\nX-Big: ' + 'a'.repeat(20000), 431, 'a head over 16 KiB'],
    ];
    for (const [bad, status, what] of cases) {
      const r = await keepAlive([get, get, bad]);
      assert.deepEqual(statuses(r.data), [200, 200, status], `${what}: ${JSON.stringify(r.data.slice(-200))}`);
      assert.ok(r.closed, `${what}: the connection is closed`);
    }
    // Pipelined in one write, a smuggling attempt behind a good request is refused the same way,
    // and the request hidden in its body is never answered.
    const piped = await keepAlive([get + 'POST / HTTP/1.1\r\nHost: x\r\nContent-Length: 1\r\nContent-Length: 40\r\n\r\nx' + get]);
    assert.equal(statuses(piped.data).filter((s) => s === 200).length <= 1, true, JSON.stringify(piped.data.slice(0, 300)));
    assert.equal(statuses(piped.data).at(-1), 400);
    assert.ok(piped.closed);
    // A good keep-alive connection with bodies and several reads goes on working.
    const body = 'x'.repeat(1000);
    const good = await keepAlive([get, `POST /nothing HTTP/1.1\r\nHost: x\r\nContent-Length: ${body.length}\r\n\r\n${body.slice(0, 400)}`,
                                  body.slice(400), get], 2000);
    assert.deepEqual(statuses(good.data), [200, 404, 200], JSON.stringify(good.data.slice(-300)));
    assert.equal((await fetch(`${base}/`)).status, 200, 'the server goes on');
  });
});
