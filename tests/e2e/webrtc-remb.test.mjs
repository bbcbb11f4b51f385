// REMB through WebRtcEndpoints with headless Chromium (inside `unshare -n`, see run-isolated.sh):
// presenter browser → WebRtcEndpoint P → WebRtcEndpoint V → viewer browser, relayed without
// decoding. V's maxVideoSendBandwidth (a ceiling on what V may send) can only be honoured by the
// presenter's browser: Pipewright passes it up the pass-through branch, and P sends the browser
// a REMB. The browser's own encoder target (outbound-rtp targetBitrate) must follow it.

import { describe, it, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { startServer, rpcClient, sleep } from '../lib/server.mjs';
import { launchBrowser, negotiate, waitFrames, closePeer } from '../lib/browser.mjs';

describe('REMB with headless Chromium', () => {
  let server, rpc, chromium, page;
  before(async () => {
    server = await startServer({ extraArgs: ['--ice-address', '127.0.0.1'] });
    rpc = await rpcClient(server.url, { timeoutMs: 20000 });
    chromium = await launchBrowser();
    page = chromium.page;
  });
  after(async () => {
    await chromium?.close();
    rpc?.close();
    await server?.stop();
  });

  const value = (r, what = '') => { assert.ok(r.result, `${what} failed: ${JSON.stringify(r.error)}`); return r.result.value; };
  const create = async (type, constructorParams) => value(await rpc.call('create', { type, constructorParams }), `create ${type}`);
  const invoke = async (object, operation, operationParams) =>
    value(await rpc.call('invoke', { object, operation, ...(operationParams ? { operationParams } : {}) }), operation);

  // The presenter browser's video encoder target and sending rate (kbit/s) over `ms`.
  async function presenterRate(name, ms) {
    const sample = () => page.evaluate(async (n) => {
      let bytes = 0;
      let target = 0;
      (await window.peers[n].pc.getStats()).forEach((s) => {
        if (s.type === 'outbound-rtp' && s.kind === 'video') { bytes += s.bytesSent || 0; target += s.targetBitrate || 0; }
      });
      return { bytes, target, t: performance.now() };
    }, name);
    const a = await sample();
    await sleep(ms);
    const b = await sample();
    return { kbps: ((b.bytes - a.bytes) * 8) / (b.t - a.t), targetKbps: b.target / 1000 };
  }

  async function run(tag, maxVideoSendBandwidth) {
    const presenter = `presenter-${tag}`;
    const viewer = `viewer-${tag}`;
    const pipeline = await create('MediaPipeline');
    try {
      const P = await create('WebRtcEndpoint', { mediaPipeline: pipeline });
      const V = await create('WebRtcEndpoint', { mediaPipeline: pipeline });
      if (maxVideoSendBandwidth) await invoke(V, 'setMaxVideoSendBandwidth', { maxVideoSendBandwidth });
      await negotiate(page, rpc, P, { peerName: presenter, audio: false });
      // webrtcbin 1.22 answers transport-cc, not goog-remb; Chromium applies a received REMB all the same.
      await negotiate(page, rpc, V, { peerName: viewer, recvOnly: true, afterAnswer: () => invoke(P, 'connect', { sink: V }) });
      assert.ok((await waitFrames(page, viewer, 20, 15000)) >= 20, 'the viewer decodes the relayed video');
      assert.equal(await invoke(P, 'isMediaTranscoding', { mediaType: 'VIDEO' }), false, 'relayed, not transcoded');
      await sleep(4000);
      return await presenterRate(presenter, 3000);
    } finally {
      await closePeer(page, presenter);
      await closePeer(page, viewer);
      await rpc.call('release', { object: pipeline }).catch(() => {});
    }
  }

  // transport-cc (lean path): Chromium offers it; the answer keeps it, and then the browser's
  // send-side bandwidth estimate lives on our feedback alone. Measured: with the feedback it
  // grows from 300 kbit/s (the start) to 600+ in 7 s (260 on a machine busy with two builds);
  // with transport-cc answered but no feedback sent it decays to 85-133 kbit/s in the same time.
  it('transport-cc: the answer keeps it and the browser\'s bandwidth estimate grows on our feedback', { timeout: 60000 }, async () => {
    const pipeline = await create('MediaPipeline');
    const name = 'twcc';
    try {
      const ep = await create('WebRtcEndpoint', { mediaPipeline: pipeline });
      const { answer } = await negotiate(page, rpc, ep, {
        peerName: name,
        afterAnswer: () => invoke(ep, 'connect', { sink: ep }),
      });
      const video = answer.split(/\r\nm=/).find((section) => section.startsWith('video'));
      assert.match(video, /a=rtcp-fb:\d+ transport-cc/, 'the answer keeps transport-cc');
      assert.match(video, /a=extmap:\d+ http:\/\/www\.ietf\.org\/id\/draft-holmer-rmcat-transport-wide-cc-extensions-01/,
        'and the transport-wide sequence number extension');
      assert.ok((await waitFrames(page, name, 20, 15000)) >= 20, 'the loopback decodes');
      const estimate = () => page.evaluate(async (n) => {
        let bps = 0;
        (await window.peers[n].pc.getStats()).forEach((s) => {
          if (s.type === 'candidate-pair' && s.nominated && s.availableOutgoingBitrate) bps = s.availableOutgoingBitrate;
        });
        return bps / 1000;
      }, name);
      await sleep(7000);
      const kbps = await estimate();
      console.log(`# browser's estimate 7 s after the first frames: ${kbps.toFixed(0)} kbit/s`);
      assert.ok(kbps >= 180, `the browser's estimate holds or grows on transport-cc feedback (${kbps.toFixed(0)} kbit/s)`);
    } finally {
      await closePeer(page, name);
      await rpc.call('release', { object: pipeline }).catch(() => {});
    }
  });

  it("a viewer's maxVideoSendBandwidth reaches the presenter's browser as REMB", { timeout: 90000 }, async () => {
    const free = await run('free', 0);
    const limited = await run('limited', 100);
    console.log(`# presenter: no limit ${free.kbps.toFixed(0)} kbps (target ${free.targetKbps.toFixed(0)}), ` +
      `viewer maxVideoSendBandwidth 100: ${limited.kbps.toFixed(0)} kbps (target ${limited.targetKbps.toFixed(0)})`);
    assert.ok(limited.targetKbps > 0 && limited.targetKbps <= 110, `the browser's encoder target follows the REMB (${limited.targetKbps} kbps)`);
    assert.ok(limited.kbps < 160, `the browser sends about 100 kbps (${limited.kbps.toFixed(0)} kbps)`);
    assert.ok(free.targetKbps > limited.targetKbps * 1.5, `without the limit it aims higher (${free.targetKbps} vs ${limited.targetKbps} kbps)`);
  });
});
