// Logs an operator can use (issue 14 §3, docs/configuration.md#logs): every refused request logs
// one line with its session, method and reason; a client's input is cut to a bounded length with
// control characters escaped; lines carry a timestamp, level and category (pipewright.<area>), or
// under journald (JOURNAL_STREAM naming standard error) a <N> syslog priority and no timestamp;
// --log-level, the logLevel config key and PIPEWRIGHT_LOG choose what is written.
import { describe, it, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { spawn } from 'node:child_process';
import fs from 'node:fs';
import path from 'node:path';
import { startServer, rpcClient, expectResult, expectError, serverBinary, tempDir, removeDir, sleep } from '../lib/server.mjs';
import { MANAGER } from '../lib/kms.mjs';

const PLAIN_LINE = /^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d\.\d{3}Z (debug|info|warning|error|fatal) (pipewright\.[a-z]+|default|qt\.[\w.]+): /;

/** Lines of `text` that match `re`, waiting up to `ms` for at least `min` of them. */
async function linesMatching(getText, re, { min = 1, ms = 3000 } = {}) {
  const deadline = Date.now() + ms;
  for (;;) {
    const lines = getText().split('\n').filter((l) => re.test(l));
    if (lines.length >= min || Date.now() > deadline) return lines;
    await sleep(50);
  }
}

describe('logs: --log-level debug and PIPEWRIGHT_LOG', () => {
  let srv;
  let c;
  let session;
  before(async () => {
    // JOURNAL_STREAM that does not name standard error (a child of a service whose output was
    // redirected) must not switch to the journal format.
    srv = await startServer({ extraArgs: ['--log-level', 'debug'],
      env: { PIPEWRIGHT_LOG: 'pipewright.ice.debug=true;pipewright.http.debug=false', JOURNAL_STREAM: '1:1' } });
    c = await rpcClient(srv.url);
    session = expectResult(await c.call('connect', {}), 'connect').sessionId;
  });
  after(async () => {
    await c?.close();
    if (srv) await srv.stop();
  });

  it('a request for an unknown object logs one line with the session, method, object and reason', async () => {
    const e = expectError(await c.call('invoke', { object: 'no-such-object', operation: 'play' }), 40101);
    const lines = await linesMatching(srv.stderrText, /refused .*object=no-such-object/);
    assert.equal(lines.length, 1, lines.join('\n'));
    const line = lines[0];
    assert.match(line, PLAIN_LINE, line);
    assert.match(line, / info pipewright\.rpc: refused /, line);
    assert.ok(line.includes(`session=${session}`), line);
    assert.match(line, /method=invoke /, line);
    assert.match(line, /operation=play/, line);
    assert.ok(line.includes(`40101 MEDIA_OBJECT_NOT_FOUND ${e.message}`), line);
  });

  it('an unknown method logs one line with its code and message', async () => {
    expectError(await c.call('frobnicate', {}), -32601);
    const lines = await linesMatching(srv.stderrText, /refused .*method=frobnicate/);
    assert.equal(lines.length, 1, lines.join('\n'));
    assert.ok(lines[0].includes(`session=${session}`), lines[0]);
    assert.match(lines[0], /: -32601 METHOD_NOT_FOUND Method not found\.$/, lines[0]);
  });

  it('a 1 MB method name, session id and object id are cut, not logged whole', async () => {
    const huge = 'm'.repeat(1024 * 1024);
    expectError(await c.call(huge, {}), -32601);
    expectError(await c.call('describe', { object: MANAGER, sessionId: 's'.repeat(1024 * 1024) }), 40007);
    expectError(await c.call('invoke', { object: 'o'.repeat(1024 * 1024), operation: 'getName' }), 40101);
    expectError(await c.request({ jsonrpc: '2.0', id: 'i'.repeat(1024 * 1024), method: 'nope' }), -32601);
    const lines = [
      ...await linesMatching(srv.stderrText, /refused .*method="?mmmm/),
      ...await linesMatching(srv.stderrText, /refused .*session="?ssss/),
      ...await linesMatching(srv.stderrText, /refused .*object="?oooo/),
      ...await linesMatching(srv.stderrText, /refused .*id="?iiii/),
    ];
    assert.equal(lines.length, 4, lines.map((l) => l.slice(0, 300)).join('\n'));
    for (const line of lines) {
      assert.ok(line.length < 2000, `a refusal line of ${line.length} characters`);
      assert.match(line, /…\(1048576 chars\)/, line);
    }
    assert.match(lines[1], /: 40007 INVALID_SESSION /, lines[1]);
    for (const ch of ['m', 's', 'o', 'i']) assert.ok(!srv.stderrText().includes(ch.repeat(1000)), `a huge '${ch}' string was logged`);
  });

  it('control characters in a client\'s input are escaped: one request, one line', async () => {
    expectError(await c.call('evil\nmethod\r\u0007\u2028x', {}), -32601);
    const lines = await linesMatching(srv.stderrText, /refused .*method=evil/);
    assert.equal(lines.length, 1, lines.join('\n'));
    assert.ok(lines[0].includes('method=evil\\nmethod\\r\\x07\\u2028x'), lines[0]);
    assert.match(lines[0], PLAIN_LINE, lines[0]);
  });

  it('a message that is not JSON and an error inside a transaction log one line each', async () => {
    c.send('{not json');
    await c.waitMessage((m) => m.error?.code === -32700);
    const parse = await linesMatching(srv.stderrText, /refused .*: -32700 /);
    assert.equal(parse.length, 1, parse.join('\n'));
    assert.ok(parse[0].includes(`session=${session}`), parse[0]);
    const r = expectResult(await c.call('transaction', { operations: [
      { jsonrpc: '2.0', id: 0, method: 'create', params: { type: 'NoSuchType' } }] }), 'transaction');
    assert.equal(r.value[0].error.code, 40100);
    const sub = await linesMatching(srv.stderrText, /refused .*method=create .*in=transaction: 40100 /);
    assert.equal(sub.length, 1, sub.join('\n'));
  });

  it('debug lines name their category; request lines carry the session; PIPEWRIGHT_LOG rules apply', async () => {
    expectResult(await c.call('ping', {}), 'ping');
    const requests = await linesMatching(srv.stderrText, / debug pipewright\.rpc: request .*method=ping/);
    assert.ok(requests.length >= 1, srv.stderrText().slice(-3000));
    assert.ok(requests[0].includes(`session=${session}`), requests[0]);
    // pipewright.http.debug=false from PIPEWRIGHT_LOG beats --log-level debug.
    const res = await fetch(srv.url.replace(/^ws/, 'http').replace(/\/kurento$/, '/no-such-page'));
    assert.ok(res.status >= 400, `status ${res.status}`);
    await sleep(300);
    const log = srv.stderrText();
    assert.doesNotMatch(log, / debug pipewright\.http: /, 'pipewright.http.debug=false was ignored');
    assert.match(log, / info pipewright\.app: pipewright .* listening on ws:\/\/127\.0\.0\.1:\d+\/kurento, log level debug/);
    for (const line of log.split('\n').filter((l) => / pipewright\.[a-z]+: /.test(l))) assert.match(line, PLAIN_LINE, line);
    assert.doesNotMatch(log, /^<\d>/m, 'a JOURNAL_STREAM naming another stream switched to the journal format');
    assert.match(srv.stdoutText(), /^Pipewright listening on ws:\/\/127\.0\.0\.1:\d+\/kurento$/m, 'the ready line on stdout');
  });
});

describe('logs: --log-level error', () => {
  let srv;
  after(async () => { if (srv) await srv.stop(); });

  it('silences info lines, refusals included (the flag beats the logLevel config key)', async () => {
    srv = await startServer({ config: { logLevel: 'debug' }, extraArgs: ['--log-level', 'error'] });
    const c = await rpcClient(srv.url);
    expectError(await c.call('frobnicate', {}), -32601);
    expectError(await c.call('invoke', { object: 'no-such-object', operation: 'play' }), 40101);
    await c.close();
    await sleep(500);
    const log = srv.stderrText();
    assert.doesNotMatch(log, /refused|pipewright\.[a-z]+: /, log.slice(-2000));
    assert.match(srv.stdoutText(), /Pipewright listening on /);
  });

  it('a logLevel config key alone applies, and a bad value stops the start-up', async () => {
    const dir = await tempDir('pipewright-loglevel-');
    try {
      const cfg = path.join(dir, 'bad.json');
      fs.writeFileSync(cfg, JSON.stringify({ logLevel: 'loud' }));
      const bad = await runToExit(['--headless', '--port', '0', '--config', cfg]);
      assert.equal(bad.code, 2, bad.err);
      assert.match(bad.err, /error pipewright\.app: config key 'logLevel' should be "error", "warning", "info" or "debug"/);
      const flag = await runToExit(['--headless', '--port', '0', '--log-level', 'verbose']);
      assert.equal(flag.code, 2, flag.err);
      assert.match(flag.err, /--log-level must be error, warning, info or debug, not 'verbose'/);
    } finally {
      await removeDir(dir);
    }
  });
});

function runToExit(args) {
  return new Promise((resolve) => {
    const proc = spawn(serverBinary(), args, { stdio: ['ignore', 'pipe', 'pipe'] });
    let out = '';
    let err = '';
    proc.stdout.on('data', (d) => {
      out += d;
      if (/Pipewright listening on/.test(out)) proc.kill('SIGTERM');
    });
    proc.stderr.on('data', (d) => { err += d; });
    const timer = setTimeout(() => proc.kill('SIGKILL'), 15000);
    proc.on('exit', (code, signal) => {
      clearTimeout(timer);
      resolve({ code, signal, out, err });
    });
  });
}

describe('logs under journald', () => {
  let dir;
  after(async () => { await removeDir(dir); });

  it('JOURNAL_STREAM naming standard error: <N> priority per line, no timestamp', { timeout: 30000 }, async () => {
    dir = await tempDir('pipewright-journal-');
    const file = path.join(dir, 'stderr.log');
    const fd = fs.openSync(file, 'w');
    const st = fs.fstatSync(fd, { bigint: true });
    const proc = spawn(serverBinary(), ['--headless', '--listen', '127.0.0.1', '--port', '0', '--log-level', 'debug',
      '--media-folder', dir], {
      stdio: ['ignore', 'pipe', fd],
      env: { ...process.env, XDG_RUNTIME_DIR: process.env.XDG_RUNTIME_DIR || dir, JOURNAL_STREAM: `${st.dev}:${st.ino}` },
    });
    fs.closeSync(fd);
    const exited = new Promise((resolve) => proc.on('exit', (code, signal) => resolve({ code, signal })));
    try {
      const url = await new Promise((resolve, reject) => {
        let out = '';
        const timer = setTimeout(() => reject(new Error(`no ready line: ${out}`)), 15000);
        proc.stdout.on('data', (d) => {
          out += d;
          const m = /Pipewright listening on (ws:\/\/\S+)/.exec(out);
          if (m) { clearTimeout(timer); resolve(m[1]); }
        });
      });
      const c = await rpcClient(url);
      expectError(await c.call('frobnicate', {}), -32601);
      expectResult(await c.call('ping', {}), 'ping');
      await c.close();
      const text = () => fs.readFileSync(file, 'utf8');
      const refused = await linesMatching(text, /refused .*method=frobnicate/);
      assert.equal(refused.length, 1, text());
      assert.match(refused[0], /^<6>pipewright\.rpc: refused session=\S+ method=frobnicate .*: -32601 METHOD_NOT_FOUND Method not found\.$/);
      const ours = text().split('\n').filter((l) => /pipewright\.[a-z]+: /.test(l));
      assert.ok(ours.some((l) => l.startsWith('<7>pipewright.rpc: request ')), text());
      assert.ok(ours.some((l) => l.startsWith('<6>pipewright.app: ')), text());
      for (const line of ours) {
        assert.match(line, /^<[2-7]>(pipewright\.[a-z]+|default|qt\.[\w.]+): /, line);
        assert.doesNotMatch(line, /\d{4}-\d\d-\d\dT\d\d:\d\d/, `a timestamp under journald: ${line}`);
      }
    } finally {
      proc.kill('SIGTERM');
      const exit = await exited;
      assert.equal(exit.code, 0, JSON.stringify(exit));
    }
  });
});
