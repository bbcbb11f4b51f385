// Real WebRTC with headless Chromium (fake camera) against WebRtcEndpoint, everything on
// 127.0.0.1: the test runs inside a private network namespace (see tests/CMakeLists.txt).
// Hello-world loopback: the browser's own VP8 comes back, relayed without decoding.

import { describe, it, before, after } from 'node:test';
import assert from 'node:assert/strict';
import fs from 'node:fs';
import { startServer, rpcClient, sleep } from '../lib/server.mjs';
import { launchBrowser, negotiate, framesDecoded, waitFrames, peerRtpStats, closePeer } from '../lib/browser.mjs';

describe('WebRTC with headless Chromium', () => {
  let server, rpc, chromium, page;

  before(async () => {
    server = await startServer({ extraArgs: ['--ice-address', '127.0.0.1'] });
    rpc = await rpcClient(server.url);
    chromium = await launchBrowser();
    page = chromium.page;
  });

  after(async () => {
    await chromium?.close();
    rpc?.close();
    await server?.stop();
  });

  const value = (r) => { assert.ok(r.result, JSON.stringify(r.error)); return r.result.value; };

  it('hello-world loopback: frames decode in the browser and the server never transcodes', { timeout: 60000 }, async () => {
    const pipeline = value(await rpc.call('create', { type: 'MediaPipeline' }));
    const ep = value(await rpc.call('create', { type: 'WebRtcEndpoint', constructorParams: { mediaPipeline: pipeline } }));
    for (const type of ['MediaTranscodingStateChanged', 'MediaFlowInStateChanged', 'NewCandidatePairSelected']) {
      value(await rpc.call('subscribe', { object: ep, type }));
    }
    const { answer } = await negotiate(page, rpc, ep, {
      peerName: 'pc',
      afterAnswer: async () => { value(await rpc.call('invoke', { object: ep, operation: 'connect', operationParams: { sink: ep } })); },
    });
    assert.match(answer, /^v=0/);
    assert.match(answer, /VP8\/90000/);
    await rpc.waitEvent((e) => e.params.value.type === 'IceGatheringDone' && e.params.value.object === ep, 5000)
      .catch(() => assert.fail('no IceGatheringDone within 5 s of the connection'));
    const first = await waitFrames(page, 'pc', 30, 15000);
    if (process.env.PW_DEBUG) {
      console.log('EVENTS', rpc.events.map((e) => e.params.value.type + ':' + JSON.stringify(e.params.value.data.state || e.params.value.data.mediaType || '')).join(' '));
      console.log('STATS', JSON.stringify(await peerRtpStats(page, 'pc')));
      fs.writeFileSync('/tmp/pw-loopback.dot', value(await rpc.call('invoke', { object: pipeline, operation: 'getGstreamerDot' })));
    }
    assert.ok(first >= 30, `the browser decoded its own video back (${first} frames)`);
    await sleep(3000);
    const later = await framesDecoded(page, 'pc');
    assert.ok(later >= first + 30, `frames keep coming (${first} → ${later})`);
    const transcoding = rpc.events.filter((e) => e.params.value.type === 'MediaTranscodingStateChanged' &&
      e.params.value.data.state === 'TRANSCODING');
    assert.equal(transcoding.length, 0, 'no transcoding');
    const dot = value(await rpc.call('invoke', { object: pipeline, operation: 'getGstreamerDot' }));
    assert.doesNotMatch(dot, /vp8dec|vp8enc|opusdec|opusenc/, 'no decoder or encoder in the pipeline');
    // The frames are not only decoded but shown: a <video> playing the received track has a size.
    const shown = await page.evaluate(async () => {
      const track = window.peers.pc.pc.getReceivers().map((r) => r.track).find((t) => t.kind === 'video');
      const video = document.createElement('video');
      video.muted = true;
      video.srcObject = new MediaStream([track]);
      document.body.appendChild(video);
      await video.play();
      for (let i = 0; i < 50 && video.videoWidth === 0; i++) await new Promise((r) => setTimeout(r, 200));
      return { width: video.videoWidth, height: video.videoHeight };
    });
    assert.ok(shown.width > 0 && shown.height > 0, `the received video renders (${JSON.stringify(shown)})`);
    await closePeer(page, 'pc');
    // The selected ICE pair: an event and getICECandidatePairs, both on 127.0.0.1.
    const pairEvent = await rpc.waitEvent((e) => e.params.value.type === 'NewCandidatePairSelected', 10000);
    const pair = pairEvent.params.value.data.candidatePair;
    assert.equal(pair.__type__, 'IceCandidatePair');
    assert.match(pair.localCandidate, /^candidate:.* 127\.0\.0\.1 \d+ typ /);
    assert.match(pair.remoteCandidate, /127\.0\.0\.1/);
    const pairs = value(await rpc.call('invoke', { object: ep, operation: 'getICECandidatePairs' }));
    assert.equal(pairs.length, 1);
    // getStats: real RTP counters from webrtcbin, as Kurento's Stats types.
    const stats = Object.values(value(await rpc.call('invoke', { object: ep, operation: 'getStats', operationParams: { mediaType: 'VIDEO' } })));
    const inbound = stats.filter((s) => s.__type__ === 'RTCInboundRTPStreamStats' && s.type === 'inboundrtp');
    const outbound = stats.filter((s) => s.__type__ === 'RTCOutboundRTPStreamStats' && s.type === 'outboundrtp');
    assert.ok(inbound.some((s) => s.packetsReceived > 50 && s.bytesReceived > 10000), `inbound video counters (${JSON.stringify(inbound)})`);
    assert.ok(outbound.some((s) => s.packetsSent > 50 && s.bytesSent > 10000), `outbound video counters (${JSON.stringify(outbound)})`);
    // The round trip, from the browser's receiver reports on our sender reports (one a second):
    // on 127.0.0.1 above 0 and well below a second, for the stream and for the candidate pair.
    assert.ok(outbound.some((s) => s.roundTripTime > 0 && s.roundTripTime < 1), `outbound roundTripTime (${JSON.stringify(outbound)})`);
    // (Candidate-pair entries exist on the lean path only; see docs/media.md.)
    if (process.env.PIPEWRIGHT_WEBRTC_TRANSPORT !== 'webrtcbin') {
      const pairStats = stats.filter((s) => s.type === 'candidatepair');
      assert.ok(pairStats.length === 1 && pairStats[0].roundTripTime > 0 && pairStats[0].roundTripTime < 1,
        `candidate pair roundTripTime (${JSON.stringify(pairStats)})`);
    }
    assert.ok(stats.every((s) => typeof s.timestampMillis === 'number' && Math.abs(s.timestampMillis - Date.now()) < 60000),
      'Stats.timestampMillis is a number of epoch milliseconds');
    // The mediaType filter narrows the RTP entries: VIDEO and AUDIO give disjoint streams, both
    // with traffic, and both are among the unfiltered ones.
    const rtpKeys = (list) => list.filter((s) => s.type === 'inboundrtp' || s.type === 'outboundrtp').map((s) => `${s.type}:${s.ssrc}`);
    const statsOf = async (mediaType) => Object.values(value(await rpc.call('invoke', { object: ep, operation: 'getStats', ...(mediaType ? { operationParams: { mediaType } } : {}) })));
    const audioStats = await statsOf('AUDIO');
    const videoKeys = rtpKeys(stats);
    const audioKeys = rtpKeys(audioStats);
    const allKeys = rtpKeys(await statsOf());
    assert.ok(audioStats.some((s) => s.type === 'inboundrtp' && s.packetsReceived > 50), `inbound audio counters (${JSON.stringify(audioStats)})`);
    assert.ok(audioStats.some((s) => s.type === 'outboundrtp' && s.packetsSent > 50), `outbound audio counters (${JSON.stringify(audioStats)})`);
    assert.deepEqual(videoKeys.filter((k) => audioKeys.includes(k)), [], `VIDEO ${videoKeys} and AUDIO ${audioKeys} share no stream`);
    assert.ok([...videoKeys, ...audioKeys].every((k) => allKeys.includes(k)), `filtered streams are among all streams ${allKeys}`);
    value(await rpc.call('release', { object: pipeline }));
  });
});
