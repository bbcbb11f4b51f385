// The lean WebRTC path (webrtcTransport "lean", issue: a lean media path): endpoints negotiate
// with each other inside one server (A.generateOffer → B.processOffer → A.processAnswer, every
// candidate passed over), so ICE, DTLS and SRTP really run, on loopback only. Asserts:
//  * the server's thread count does not grow from 1 to 50 connected endpoints (a fixed pool of
//    media threads), and its descriptors grow by at most 6 per endpoint;
//  * with RLIMIT_NOFILE lowered, creating endpoints ends in 40009, and after releasing some,
//    endpoints can be created and connected again;
//  * bad remote descriptions and candidates get clear errors and the server keeps serving.
import { describe, it, after } from 'node:test';
import assert from 'node:assert/strict';
import { readFileSync, readdirSync } from 'node:fs';
import { startServer, rpcClient, expectResult, sleep } from '../lib/server.mjs';
import { createPipeline, invokeRaw, subscribe, isEvent } from '../lib/kms.mjs';

const openFds = (pid) => readdirSync(`/proc/${pid}/fd`).length;
const threads = (pid) => Number(/Threads:\s+(\d+)/.exec(readFileSync(`/proc/${pid}/status`, 'utf8'))[1]);
const LEAN = { webrtcTransport: 'lean', mediaThreads: 2 };

async function endpoint(c, pipeline) {
  const r = await c.call('create', { type: 'WebRtcEndpoint', constructorParams: { mediaPipeline: pipeline }, properties: {} });
  if (r.error) return { error: r.error };
  const id = r.result.value;
  for (const type of ['IceCandidateFound', 'ConnectionStateChanged', 'IceGatheringDone']) await subscribe(c, id, type);
  return { id };
}

// Negotiates a with b (a offers) and passes every candidate; resolves when both are CONNECTED.
async function connectPair(c, a, b, timeout = 20000) {
  const from = c.events.length;
  const offer = expectResult(await invokeRaw(c, a, 'generateOffer'), 'generateOffer').value;
  const answer = expectResult(await invokeRaw(c, b, 'processOffer', { offer }), 'processOffer').value;
  expectResult(await invokeRaw(c, a, 'processAnswer', { answer }), 'processAnswer');
  const relay = (src, dst) => {
    let seen = from;
    return setInterval(async () => {
      for (; seen < c.events.length; seen++) {
        const ev = c.events[seen];
        if (isEvent(src, 'IceCandidateFound')(ev)) await invokeRaw(c, dst, 'addIceCandidate', { candidate: ev.params.value.data.candidate });
      }
    }, 20);
  };
  const t1 = relay(a, b);
  const t2 = relay(b, a);
  expectResult(await invokeRaw(c, a, 'gatherCandidates'), 'gatherCandidates');
  expectResult(await invokeRaw(c, b, 'gatherCandidates'), 'gatherCandidates');
  try {
    const connected = (id) => c.waitEvent(isEvent(id, 'ConnectionStateChanged', (d) => d.newState === 'CONNECTED'), timeout, from);
    await Promise.all([connected(a), connected(b)]);
  } finally {
    clearInterval(t1);
    clearInterval(t2);
  }
}

describe('lean transport: a fixed number of threads', () => {
  let srv;
  after(async () => { if (srv) await srv.stop(); });

  it('keeps the thread count constant from 1 to 50 connected endpoints', { timeout: 300000 }, async (t) => {
    srv = await startServer({ config: LEAN });
    const pid = srv.proc.pid;
    const c = await rpcClient(srv.url, { timeoutMs: 20000 });
    const p = await createPipeline(c);
    const a0 = (await endpoint(c, p)).id;
    const b0 = (await endpoint(c, p)).id;
    await connectPair(c, a0, b0);
    await sleep(500);
    const threadsAt2 = threads(pid);
    const fdsAt2 = openFds(pid);
    for (let i = 1; i < 25; i++) {
      const a = (await endpoint(c, p)).id;
      const b = (await endpoint(c, p)).id;
      await connectPair(c, a, b);
    }
    await sleep(500);
    const threadsAt50 = threads(pid);
    const fdsAt50 = openFds(pid);
    t.diagnostic(`threads: ${threadsAt2} with 2 endpoints, ${threadsAt50} with 50; fds: ${fdsAt2} → ${fdsAt50}`);
    assert.equal(threadsAt50, threadsAt2, 'no thread per endpoint');
    assert.ok((fdsAt50 - fdsAt2) / 48 <= 6, `at most 6 descriptors per endpoint (${((fdsAt50 - fdsAt2) / 48).toFixed(2)})`);
    expectResult(await c.call('release', { object: p }), 'release');
    await c.close();
  });
});

describe('lean transport: running out of descriptors', () => {
  let srv;
  after(async () => { if (srv) await srv.stop(); });

  it('refuses with 40009 at the limit, then recovers after a release', { timeout: 300000 }, async (t) => {
    srv = await startServer({ config: LEAN, limits: { nofile: 128 } });
    const pid = srv.proc.pid;
    const c = await rpcClient(srv.url, { timeoutMs: 20000 });
    const p = await createPipeline(c);
    const made = [];
    let refusal = null;
    for (let i = 0; i < 200 && !refusal; i++) {
      const r = await srv.whileAlive(endpoint(c, p));
      if (r.error) refusal = r.error;
      else {
        made.push(r.id);
        expectResult(await invokeRaw(c, r.id, 'generateOffer'), 'generateOffer');
      }
    }
    assert.ok(refusal, `never refused (${made.length} endpoints, ${openFds(pid)} fds)`);
    t.diagnostic(`refused after ${made.length} endpoints: ${refusal.message}`);
    assert.equal(refusal.code, 40009);
    assert.match(refusal.message, /file descriptors/);
    for (const id of made.splice(0, 10)) expectResult(await c.call('release', { object: id }), 'release');
    await sleep(1000);
    const a = await endpoint(c, p);
    const b = await endpoint(c, p);
    assert.ok(a.id && b.id, `creates again after a release: ${JSON.stringify(a.error || b.error)}`);
    await connectPair(c, a.id, b.id);
    await c.close();
  });
});

describe('lean transport: peers that do not trickle', () => {
  let srv;
  after(async () => { if (srv) await srv.stop(); });

  it('connects with candidates only inside the descriptions (no addIceCandidate)', { timeout: 60000 }, async () => {
    srv = await startServer({ config: LEAN });
    const c = await rpcClient(srv.url, { timeoutMs: 20000 });
    const p = await createPipeline(c);
    const a = (await endpoint(c, p)).id;
    const b = (await endpoint(c, p)).id;
    const from = c.events.length;
    const done = (id) => c.waitEvent(isEvent(id, 'IceGatheringDone'), 10000, from);
    const value = (r, what) => expectResult(r, what).value;
    value(await invokeRaw(c, a, 'generateOffer'), 'generateOffer');
    value(await invokeRaw(c, a, 'gatherCandidates'), 'gatherCandidates');
    await done(a);
    const offer = value(await invokeRaw(c, a, 'getLocalSessionDescriptor'), 'getLocalSessionDescriptor');
    assert.match(offer, /\r\na=candidate:\S+ 1 UDP \d+ 127\.0\.0\.1 \d+ typ host/i, 'the offer carries our candidates');
    assert.match(offer, /\r\na=end-of-candidates\r\n/);
    value(await invokeRaw(c, b, 'processOffer', { offer }), 'processOffer');
    value(await invokeRaw(c, b, 'gatherCandidates'), 'gatherCandidates');
    await done(b);
    const answer = value(await invokeRaw(c, b, 'getLocalSessionDescriptor'), 'getLocalSessionDescriptor');
    assert.match(answer, /\r\na=candidate:/);
    value(await invokeRaw(c, a, 'processAnswer', { answer }), 'processAnswer');
    const connected = (id) => c.waitEvent(isEvent(id, 'ConnectionStateChanged', (d) => d.newState === 'CONNECTED'), 20000, from);
    await Promise.all([connected(a), connected(b)]);
    await c.close();
  });
});

describe('lean transport: bad input', () => {
  let srv;
  after(async () => { if (srv) await srv.stop(); });

  it('answers bad offers, answers and candidates with errors and keeps serving', { timeout: 60000 }, async () => {
    srv = await startServer({ config: LEAN });
    const c = await rpcClient(srv.url);
    const p = await createPipeline(c);
    const e = (await endpoint(c, p)).id;
    const bad = [
      'garbage',
      'v=0\r\no=- 1 1 IN IP4 0.0.0.0\r\ns=-\r\nt=0 0\r\nm=video 9 UDP/TLS/RTP/SAVPF 96\r\na=rtpmap:96 VP8/90000\r\n',  // no ICE/DTLS
      'v=0\r\no=- 1 1 IN IP4 0.0.0.0\r\ns=-\r\nt=0 0\r\nm=video 9 UDP/TLS/RTP/SAVPF 100\r\na=rtpmap:100 FOO/90000\r\n',
    ];
    for (const offer of bad) {
      const r = await invokeRaw(c, e, 'processOffer', { offer });
      assert.ok(r.error, `refused: ${offer.slice(0, 40)}`);
      assert.ok([40201, 40205].includes(r.error.code), JSON.stringify(r.error));
    }
    const r = await invokeRaw(c, e, 'addIceCandidate', { candidate: { candidate: 'bogus', sdpMid: '0', sdpMLineIndex: 0 } });
    assert.equal(r.error?.code, 40401);
    // Still serving: a fresh pair connects.
    const a = (await endpoint(c, p)).id;
    const b = (await endpoint(c, p)).id;
    await connectPair(c, a, b);
    // Garbage candidates after negotiation are ignored safely.
    for (const cand of ['candidate:1 1 UDP 1 999.1.1.1 1 typ host', 'candidate:x', 'candidate:1 1 UDP 1 127.0.0.1 99999 typ host']) {
      await invokeRaw(c, a, 'addIceCandidate', { candidate: { candidate: cand, sdpMid: '0', sdpMLineIndex: 0 } });
    }
    const stats = expectResult(await invokeRaw(c, a, 'getStats'), 'getStats').value;
    assert.ok(typeof stats === 'object');
    await c.close();
  });
});
