// Test helpers for the Pipewright black-box tests.
//
//   startServer()  – spawn the real binary with a temporary config and wait until it listens
//   rpcClient()    – a minimal JSON-RPC 2.0 client over a raw WebSocket (package `ws`)
//   makeClip()     – generate a media clip with gst-launch-1.0
//   discover()     – inspect a media file with gst-discoverer-1.0
//
// Everything here talks only to 127.0.0.1.

import { spawn, execFile } from 'node:child_process';
import { mkdtemp, writeFile, rm, stat } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import WebSocket from 'ws';

const here = path.dirname(fileURLToPath(import.meta.url));
export const REPO_ROOT = path.resolve(here, '..', '..');
export const DEFAULT_BIN = path.join(REPO_ROOT, 'build', 'app', 'pipewright');

export function serverBinary() {
  return process.env.PIPEWRIGHT_BIN || DEFAULT_BIN;
}

export const sleep = (ms) => new Promise((r) => setTimeout(r, ms));

/** Fresh temporary directory (removed by the caller, or left in /tmp on failure). */
export async function tempDir(prefix = 'pipewright-test-') {
  return mkdtemp(path.join(tmpdir(), prefix));
}

export const UUID_RE = /^[0-9a-fA-F]{8}-[0-9a-fA-F]{4}-[0-9a-fA-F]{4}-[0-9a-fA-F]{4}-[0-9a-fA-F]{12}$/;

/**
 * Start the server.
 * @param {object} [opts]
 * @param {number} [opts.gcPeriodSec]  passed as --gc-period and as garbageCollectorPeriodSec
 * @param {string[]} [opts.mediaFolders] absolute dirs where file:// URIs are allowed
 * @param {object} [opts.config] extra config keys (override the defaults)
 * @param {string[]} [opts.extraArgs]
 * @param {number} [opts.readyTimeoutMs=15000]
 * @param {{nofile?:number, nproc?:number}} [opts.limits] start the binary under `prlimit` with
 *        these soft and hard limits (RLIMIT_NOFILE, RLIMIT_NPROC); the pid stays the server's
 * @param {object} [opts.env] extra environment variables
 * @returns {Promise<{url:string, port:number, proc:import('node:child_process').ChildProcess,
 *                    stop:()=>Promise<{code:number|null, signal:string|null}>, stderrText:()=>string,
 *                    stdoutText:()=>string, configPath:string, dir:string, exited:Promise<{code, signal}>}>}
 */
export async function startServer(opts = {}) {
  const { gcPeriodSec, mediaFolders = [], config = {}, extraArgs = [], readyTimeoutMs = 15000, limits, env = {} } = opts;
  const dir = await tempDir('pipewright-srv-');
  const cfg = {
    listen: '127.0.0.1',
    port: 0,
    path: 'kurento',
    mediaFolders,
    ...(gcPeriodSec !== undefined ? { garbageCollectorPeriodSec: gcPeriodSec } : {}),
    // PIPEWRIGHT_WEBRTC_TRANSPORT=lean|webrtcbin runs a whole suite on one media path.
    ...(process.env.PIPEWRIGHT_WEBRTC_TRANSPORT ? { webrtcTransport: process.env.PIPEWRIGHT_WEBRTC_TRANSPORT } : {}),
    ...config,
  };
  const configPath = path.join(dir, 'config.json');
  await writeFile(configPath, JSON.stringify(cfg, null, 2));

  const args = ['--headless', '--listen', '127.0.0.1', '--port', '0', '--config', configPath];
  if (gcPeriodSec !== undefined) args.push('--gc-period', String(gcPeriodSec));
  for (const f of cfg.mediaFolders || []) args.push('--media-folder', f);
  args.push(...extraArgs);

  const bin = serverBinary();
  // prlimit sets the limits and then executes the server in its own process (same pid).
  const prlimit = limits ? [
    ...(limits.nofile ? [`--nofile=${limits.nofile}:${limits.nofile}`] : []),
    ...(limits.nproc ? [`--nproc=${limits.nproc}:${limits.nproc}`] : []),
    '--'] : null;
  const proc = spawn(prlimit ? 'prlimit' : bin, prlimit ? [...prlimit, bin, ...args] : args, {
    stdio: ['ignore', 'pipe', 'pipe'],
    env: { ...process.env, XDG_RUNTIME_DIR: process.env.XDG_RUNTIME_DIR || dir, ...env },
  });

  let stdout = '';
  let stderr = '';
  const MAX_LOG = 4 * 1024 * 1024;
  proc.stderr.setEncoding('utf8');
  proc.stdout.setEncoding('utf8');
  proc.stderr.on('data', (d) => {
    stderr += d;
    if (stderr.length > MAX_LOG) stderr = stderr.slice(-MAX_LOG / 2);
  });

  let exitInfo = null;
  const exited = new Promise((resolve) => {
    proc.on('exit', (code, signal) => {
      exitInfo = { code, signal };
      resolve(exitInfo);
    });
  });

  const url = await new Promise((resolve, reject) => {
    const timer = setTimeout(() => {
      proc.kill('SIGKILL');
      reject(new Error(`server did not print its ready line within ${readyTimeoutMs} ms\n` +
        `cmd: ${bin} ${args.join(' ')}\nstdout:\n${stdout}\nstderr:\n${stderr}`));
    }, readyTimeoutMs);
    const onData = (d) => {
      stdout += d;
      if (stdout.length > MAX_LOG) stdout = stdout.slice(-MAX_LOG / 2);
      const m = /Pipewright listening on (wss?:\/\/\S+)/.exec(stdout);
      if (m) {
        clearTimeout(timer);
        resolve(m[1]);
      }
    };
    proc.stdout.on('data', onData);
    proc.on('error', (err) => {
      clearTimeout(timer);
      reject(new Error(`cannot spawn ${bin}: ${err.message}`));
    });
    proc.on('exit', (code, signal) => {
      clearTimeout(timer);
      reject(new Error(`server exited before it was ready (code=${code}, signal=${signal})\n` +
        `cmd: ${bin} ${args.join(' ')}\nstdout:\n${stdout}\nstderr:\n${stderr}`));
    });
  });

  const port = Number(new URL(url).port);
  let killedByTest = false;

  /**
   * Stop the server (SIGTERM, SIGKILL after 5 s). If the server had already exited on its own
   * (crash, or killed from outside), this throws so that the after() hook reports it, unless
   * opts.allowExited is set (tests that kill the server themselves).
   */
  async function stop({ allowExited = false } = {}) {
    if (exitInfo) {
      if (allowExited || killedByTest) return exitInfo;
      throw new Error(`server exited unexpectedly before stop() (code=${exitInfo.code}, signal=${exitInfo.signal})\n` +
        `stderr tail:\n${stderr.slice(-4000)}`);
    }
    proc.kill('SIGTERM');
    const killer = setTimeout(() => { if (!exitInfo) proc.kill('SIGKILL'); }, 5000);
    const info = await exited;
    clearTimeout(killer);
    await rm(dir, { recursive: true, force: true }).catch(() => {});
    return info;
  }

  return {
    url,
    port,
    proc,
    dir,
    configPath,
    exited,
    stop,
    /** Send a signal on purpose (then stop() will not complain about the exit). */
    kill(signal = 'SIGKILL') {
      killedByTest = true;
      proc.kill(signal);
      return exited;
    },
    isRunning: () => exitInfo === null,
    /** Race `promise` against the server process exiting (fail fast instead of timing out). */
    whileAlive(promise) {
      const died = exited.then((ex) => {
        throw new Error(`server exited while waiting (code=${ex.code}, signal=${ex.signal}` +
          `${killedByTest ? ', killed by the test' : ''}); stderr tail:\n${stderr.slice(-3000)}`);
      });
      died.catch(() => {});
      return Promise.race([promise, died]);
    },
    stderrText: () => stderr,
    stdoutText: () => stdout,
  };
}

/** Open a raw WebSocket (no JSON-RPC handling); resolves once open. */
export function openSocket(url, options = {}) {
  return new Promise((resolve, reject) => {
    const ws = new WebSocket(url, { maxPayload: 256 * 1024 * 1024, ...options });
    const onErr = (e) => reject(e);
    ws.once('error', onErr);
    ws.once('open', () => {
      ws.off('error', onErr);
      ws.on('error', () => {});
      resolve(ws);
    });
  });
}

/**
 * Minimal JSON-RPC 2.0 client.
 * call(method, params) resolves the whole response object (result or error responses alike).
 */
export async function rpcClient(url, { timeoutMs = 15000 } = {}) {
  const ws = await openSocket(url);
  let nextId = 1;
  const pending = new Map(); // JSON.stringify(id) -> {resolve, reject, timer}
  const messages = []; // every parsed message received, in order
  const rawMessages = []; // every raw text received
  const events = []; // onEvent notifications
  const waiters = []; // {pred, resolve, reject, timer, source: 'events'|'messages'}
  let closeInfo = null;
  const closeWaiters = [];

  function checkWaiters() {
    for (let i = waiters.length - 1; i >= 0; i--) {
      const w = waiters[i];
      const list = w.source === 'events' ? events : messages;
      const found = list.slice(w.from).find(w.pred);
      if (found !== undefined) {
        clearTimeout(w.timer);
        waiters.splice(i, 1);
        w.resolve(found);
      }
    }
  }

  ws.on('message', (data, isBinary) => {
    const text = isBinary ? Buffer.from(data).toString('utf8') : data.toString();
    rawMessages.push(text);
    let msg;
    try {
      msg = JSON.parse(text);
    } catch {
      msg = { __unparseable: text };
    }
    messages.push(msg);
    if (msg && typeof msg === 'object' && !Array.isArray(msg) && msg.method === 'onEvent' && !('id' in msg)) {
      events.push(msg);
    } else if (msg && typeof msg === 'object' && 'id' in msg) {
      const key = JSON.stringify(msg.id);
      const p = pending.get(key);
      if (p) {
        pending.delete(key);
        clearTimeout(p.timer);
        p.resolve(msg);
      }
    }
    checkWaiters();
  });

  ws.on('close', (code, reason) => {
    closeInfo = { code, reason: reason.toString() };
    for (const [, p] of pending) {
      clearTimeout(p.timer);
      p.reject(Object.assign(new Error(`socket closed (${code}) before response`), { closeInfo }));
    }
    pending.clear();
    for (const w of waiters.splice(0)) {
      clearTimeout(w.timer);
      w.reject(Object.assign(new Error(`socket closed (${code}) while waiting`), { closeInfo }));
    }
    for (const r of closeWaiters.splice(0)) r(closeInfo);
  });

  /** Send an arbitrary object as a request and wait for the response with the same id. */
  function request(obj, { timeout = timeoutMs } = {}) {
    const key = JSON.stringify(obj.id);
    return new Promise((resolve, reject) => {
      if (closeInfo) return reject(new Error('socket already closed'));
      const timer = setTimeout(() => {
        pending.delete(key);
        reject(new Error(`timeout (${timeout} ms) waiting for response to ${JSON.stringify(obj).slice(0, 300)}`));
      }, timeout);
      pending.set(key, { resolve, reject, timer });
      ws.send(JSON.stringify(obj));
    });
  }

  function call(method, params, opts = {}) {
    const msg = { jsonrpc: '2.0', id: nextId++, method };
    if (params !== undefined) msg.params = params;
    return request(msg, opts);
  }

  function waitFor(source, pred, timeout, fromIndex) {
    return new Promise((resolve, reject) => {
      const list = source === 'events' ? events : messages;
      const from = fromIndex ?? 0;
      const found = list.slice(from).find(pred);
      if (found !== undefined) return resolve(found);
      if (closeInfo) return reject(new Error(`socket closed (${closeInfo.code})`));
      const w = { pred, resolve, reject, source, from };
      w.timer = setTimeout(() => {
        const i = waiters.indexOf(w);
        if (i >= 0) waiters.splice(i, 1);
        reject(new Error(`timeout (${timeout} ms) waiting for ${source === 'events' ? 'event' : 'message'}`));
      }, timeout);
      waiters.push(w);
    });
  }

  return {
    ws,
    url,
    events,
    messages,
    rawMessages,
    call,
    request,
    /** Send a raw string (or Buffer) as-is. Text frame unless opts.binary. */
    send(raw, opts = {}) {
      ws.send(raw, { binary: false, ...opts });
    },
    /** Resolve with the first onEvent notification (already received or future) matching predicate. */
    waitEvent(pred = () => true, timeout = 5000, fromIndex = 0) {
      return waitFor('events', pred, timeout, fromIndex);
    },
    /** Resolve with the first message (any kind) matching predicate. */
    waitMessage(pred = () => true, timeout = 5000, fromIndex = 0) {
      return waitFor('messages', pred, timeout, fromIndex);
    },
    get closed() {
      return closeInfo;
    },
    /** Resolves with {code, reason} once the socket is closed. */
    waitClose(timeout = 5000) {
      if (closeInfo) return Promise.resolve(closeInfo);
      return new Promise((resolve, reject) => {
        const t = setTimeout(() => reject(new Error('timeout waiting for close')), timeout);
        closeWaiters.push((ci) => { clearTimeout(t); resolve(ci); });
      });
    },
    close() {
      if (closeInfo) return Promise.resolve(closeInfo);
      const p = new Promise((resolve) => closeWaiters.push(resolve));
      ws.close();
      const t = setTimeout(() => ws.terminate(), 2000);
      return p.finally(() => clearTimeout(t));
    },
    terminate() {
      ws.terminate();
    },
  };
}

// ---------------------------------------------------------------------------------------------
// Media helpers
// ---------------------------------------------------------------------------------------------

function run(cmd, args, { timeout = 120000 } = {}) {
  return new Promise((resolve, reject) => {
    execFile(cmd, args, { timeout, maxBuffer: 64 * 1024 * 1024 }, (err, stdout, stderr) => {
      if (err) {
        err.stdout = stdout;
        err.stderr = stderr;
        err.message += `\n${cmd} ${args.join(' ')}\nstdout:\n${stdout}\nstderr:\n${stderr}`;
        return reject(err);
      }
      resolve({ stdout, stderr });
    });
  });
}

/**
 * Generate a test clip with gst-launch-1.0.
 * container: 'webm' (VP8 + Opus, default) | 'mkv' (H.264 + Opus) | 'mp4' (H.264 + AAC)
 */
export async function makeClip(file, { seconds = 5, video = true, audio = true, container = 'webm' } = {}) {
  if (!video && !audio) throw new Error('makeClip: need video and/or audio');
  const frames = Math.round(seconds * 30);
  const audioBuffers = Math.round(seconds * 50); // 960 samples @ 48 kHz = 20 ms
  const mux = { webm: 'webmmux', mkv: 'matroskamux', mp4: 'mp4mux' }[container];
  if (!mux) throw new Error(`makeClip: unknown container ${container}`);
  const venc = container === 'webm'
    ? ['vp8enc', 'deadline=1']
    : ['x264enc', 'speed-preset=ultrafast', 'tune=zerolatency', 'key-int-max=30', '!', 'h264parse'];
  const aenc = container === 'mp4' ? ['avenc_aac', '!', 'aacparse'] : ['opusenc'];

  const args = ['-q', '-e', mux, 'name=mux', '!', 'filesink', `location=${file}`];
  if (video) {
    args.push('videotestsrc', `num-buffers=${frames}`, 'pattern=smpte', '!',
      'video/x-raw,width=320,height=240,framerate=30/1', '!', ...venc, '!', 'queue', '!', 'mux.');
  }
  if (audio) {
    args.push('audiotestsrc', `num-buffers=${audioBuffers}`, 'samplesperbuffer=960', 'wave=sine', '!',
      'audio/x-raw,rate=48000,channels=2', '!', 'audioconvert', '!', 'audioresample', '!', ...aenc, '!',
      'queue', '!', 'mux.');
  }
  await run('gst-launch-1.0', args);
  const st = await stat(file);
  if (st.size === 0) throw new Error(`makeClip produced an empty file ${file}`);
  return file;
}

function codecFromCaps(caps) {
  const media = caps.split(',')[0].trim();
  switch (media) {
    case 'video/x-vp8': return 'VP8';
    case 'video/x-vp9': return 'VP9';
    case 'video/x-h264': return 'H264';
    case 'video/x-h265': return 'H265';
    case 'video/x-av1': return 'AV1';
    case 'video/x-raw': return 'RAW';
    case 'image/jpeg': return 'JPEG';
    case 'audio/x-opus': return 'OPUS';
    case 'audio/x-vorbis': return 'VORBIS';
    case 'audio/x-raw': return 'RAW';
    case 'audio/x-alaw': return 'PCMA';
    case 'audio/x-mulaw': return 'PCMU';
    case 'audio/mpeg': {
      const v = /mpegversion=\(int\)(\d)/.exec(caps);
      if (v && (v[1] === '4' || v[1] === '2')) return 'AAC';
      const l = /layer=\(int\)(\d)/.exec(caps);
      return l && l[1] === '3' ? 'MP3' : 'MPEG_AUDIO';
    }
    default: return media;
  }
}

/**
 * Inspect a media file with `gst-discoverer-1.0 -v`.
 * @returns {Promise<{durationSec:number|null, container:string|null, videoCodecs:string[],
 *                    audioCodecs:string[], videoCaps:string[], audioCaps:string[], raw:string}>}
 * Codec names are normalised: VP8, VP9, H264, OPUS, AAC, ...
 */
export async function discover(file) {
  let out;
  try {
    out = await run('gst-discoverer-1.0', ['-v', file], { timeout: 60000 });
  } catch (err) {
    throw new Error(`gst-discoverer-1.0 failed on ${file}: ${err.message}`);
  }
  const raw = out.stdout + out.stderr;
  const d = /Duration:\s*(\d+):(\d+):(\d+(?:\.\d+)?)/.exec(raw);
  const durationSec = d ? Number(d[1]) * 3600 + Number(d[2]) * 60 + Number(d[3]) : null;
  const c = /container #\d+:\s*(.+)/.exec(raw);
  const videoCaps = [];
  const audioCaps = [];
  for (const m of raw.matchAll(/^\s*(video|audio) #\d+:\s*(.+)$/gm)) {
    (m[1] === 'video' ? videoCaps : audioCaps).push(m[2].trim());
  }
  return {
    durationSec,
    container: c ? c[1].trim() : null,
    videoCodecs: videoCaps.map(codecFromCaps),
    audioCodecs: audioCaps.map(codecFromCaps),
    videoCaps,
    audioCaps,
    raw,
  };
}

/**
 * Measure how much media a file really contains: demux it and return the largest buffer
 * pts + duration (seconds) of the given track. Works on files whose header was never
 * finalised (no Duration element), where gst-discoverer's estimate is unreliable.
 * @param {'video'|'audio'} track
 */
export async function contentDurationSec(file, track = 'video') {
  const fs = await import('node:fs');
  const head = fs.readFileSync(file).subarray(0, 12);
  const demux = head.subarray(4, 8).toString('latin1') === 'ftyp' ? 'qtdemux' : 'matroskademux';
  const args = ['-v', 'filesrc', `location=${file}`, '!', demux, 'name=d', `d.${track}_0`, '!',
    'fakesink', 'silent=false', 'sync=false'];
  let text;
  try {
    const r = await run('gst-launch-1.0', args, { timeout: 60000 });
    text = r.stdout + r.stderr;
  } catch (err) {
    // A truncated file may end with an error after its buffers went through: use what we got.
    text = (err.stdout || '') + (err.stderr || '');
  }
  let max = 0;
  const toSec = (h, m, s) => Number(h) * 3600 + Number(m) * 60 + Number(s);
  for (const m of text.matchAll(/pts: (\d+):(\d+):(\d+(?:\.\d+)?)(?:, duration: (\d+):(\d+):(\d+(?:\.\d+)?))?/g)) {
    let t = toSec(m[1], m[2], m[3]);
    if (m[4] !== undefined) t += toSec(m[4], m[5], m[6]);
    if (t > max) max = t;
  }
  return max;
}

export async function removeDir(dir) {
  if (dir) await rm(dir, { recursive: true, force: true });
}

// ---------------------------------------------------------------------------------------------
// Assertion helpers shared by the protocol tests
// ---------------------------------------------------------------------------------------------

/** Throws unless `resp` is a well-formed success response; returns resp.result. */
export function expectResult(resp, what = '') {
  if (!resp || typeof resp !== 'object') throw new Error(`${what}: not a response: ${JSON.stringify(resp)}`);
  if ('error' in resp) {
    throw new Error(`${what}: expected a result, got error ${JSON.stringify(resp.error)}`);
  }
  if (!('result' in resp)) throw new Error(`${what}: response has neither result nor error: ${JSON.stringify(resp)}`);
  if (resp.jsonrpc !== '2.0') throw new Error(`${what}: jsonrpc must be "2.0": ${JSON.stringify(resp)}`);
  return resp.result;
}

/** Throws unless `resp` is an error response (optionally with a given code); returns resp.error. */
export function expectError(resp, code, what = '') {
  if (!resp || typeof resp !== 'object') throw new Error(`${what}: not a response: ${JSON.stringify(resp)}`);
  if ('result' in resp) {
    throw new Error(`${what}: expected error${code !== undefined ? ' ' + code : ''}, got result ${JSON.stringify(resp.result)}`);
  }
  if (!resp.error || typeof resp.error !== 'object') throw new Error(`${what}: no error object: ${JSON.stringify(resp)}`);
  if (resp.jsonrpc !== '2.0') throw new Error(`${what}: jsonrpc must be "2.0": ${JSON.stringify(resp)}`);
  if (!Number.isInteger(resp.error.code)) throw new Error(`${what}: error.code not an integer: ${JSON.stringify(resp)}`);
  if (typeof resp.error.message !== 'string') throw new Error(`${what}: error.message not a string: ${JSON.stringify(resp)}`);
  if (code !== undefined && resp.error.code !== code) {
    throw new Error(`${what}: expected error code ${code}, got ${JSON.stringify(resp.error)}`);
  }
  if ('sessionId' in resp.error || (resp.error.data && typeof resp.error.data === 'object' && 'sessionId' in resp.error.data)) {
    throw new Error(`${what}: error responses must not carry sessionId: ${JSON.stringify(resp)}`);
  }
  return resp.error;
}

/** A Kurento (4xxxx) error code. */
export function isKurentoCode(code) {
  return Number.isInteger(code) && code >= 40000 && code <= 49999;
}
