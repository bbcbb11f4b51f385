// RFC 8843 bundle-only: a GStreamer webrtcbin peer with bundle-policy max-bundle offers video on
// the first m-line and audio on a second one with `port 0` and `a=bundle-only`. That audio section
// is not rejected: it shares the BUNDLE transport. A WebRtcEndpoint connected to itself must answer
// it, and echo the peer's audio RTP back as well as its video. Runs inside e2e's private network
// namespace (the peer and the server use 127.0.0.1 only).

import { describe, it, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { startServer, rpcClient, sleep } from '../lib/server.mjs';
import { rpcShortcuts } from '../lib/kms.mjs';
import { startWebrtcbinPeer } from '../lib/webrtcbin-peer.mjs';

// The m-line sections of an SDP, each as its lines.
function sections(sdp) {
  return sdp.split(/\r?\n(?=m=)/).slice(1).map((s) => s.split(/\r?\n/).filter(Boolean));
}

describe('bundle-only m-lines (RFC 8843)', () => {
  let server, rpc, peer;
  let value, create, invoke;

  before(async () => {
    server = await startServer({ extraArgs: ['--ice-address', '127.0.0.1'] });
    rpc = await rpcClient(server.url, { timeoutMs: 20000 });
    ({ value, create, invoke } = rpcShortcuts(rpc));
  });
  after(async () => {
    await peer?.stop();
    rpc?.close();
    await server?.stop();
  });

  it('an audio section with port 0 and a=bundle-only is answered and its RTP is echoed', { timeout: 60000 }, async () => {
    peer = startWebrtcbinPeer();
    const offer = await peer.offer;
    const [offerVideo, offerAudio] = sections(offer);
    assert.match(offerVideo[0], /^m=video [1-9]/, 'the first section carries the transport');
    assert.match(offerAudio[0], /^m=audio 0 /, `the offer's audio section has port 0:\n${offer}`);
    assert.ok(offerAudio.includes('a=bundle-only'), `the offer's audio section is bundle-only:\n${offer}`);

    const p = await create('MediaPipeline');
    const ep = await create('WebRtcEndpoint', { mediaPipeline: p });
    value(await rpc.call('subscribe', { object: ep, type: 'IceCandidateFound' }));
    value(await invoke(ep, 'connect', { sink: ep }));
    const answer = value(await invoke(ep, 'processOffer', { offer }), 'processOffer');

    const [answerVideo, answerAudio] = sections(answer);
    assert.ok(answerAudio, `the answer has an audio section:\n${answer}`);
    assert.match(answerAudio.join('\n'), /a=rtpmap:111 OPUS\/48000/i, `audio is accepted with Opus:\n${answer}`);
    assert.ok(answerAudio.includes('a=sendrecv'), `audio is sendrecv in the answer:\n${answer}`);
    assert.ok(answerAudio.includes('a=mid:audio1'), `the audio section keeps its mid:\n${answer}`);
    const bundle = answer.split(/\r?\n/).find((l) => l.startsWith('a=group:BUNDLE'));
    assert.ok(bundle && bundle.split(' ').includes('audio1'), `audio stays in the BUNDLE group: ${bundle}`);
    assert.match(answerVideo[0], /^m=video [1-9]/, 'the video section carries the transport in the answer');

    peer.setAnswer(answer);
    value(await invoke(ep, 'gatherCandidates'));
    let sentToPeer = 0;
    let sentToServer = 0;
    const deadline = Date.now() + 30000;
    while (Date.now() < deadline) {
      const found = rpc.events.filter((e) => e.params.value.type === 'IceCandidateFound' && e.params.value.object === ep);
      for (; sentToPeer < found.length; sentToPeer++) peer.addCandidate(found[sentToPeer].params.value.data.candidate);
      for (; sentToServer < peer.candidates.length; sentToServer++) {
        const c = peer.candidates[sentToServer];
        const sdpMid = /a=mid:(\S+)/.exec(sections(offer)[c.sdpMLineIndex].join('\n'))[1];
        value(await invoke(ep, 'addIceCandidate', { candidate: { __type__: 'IceCandidate', __module__: 'kurento', ...c, sdpMid } }));
      }
      if (peer.stats.audioPackets >= 50 && peer.stats.videoPackets >= 20) break;
      await sleep(200);
    }
    const s = peer.stats;
    assert.ok(peer.connected, `the peer connected (stderr: ${peer.stderrText().slice(-2000)})`);
    assert.ok(s.videoPackets >= 20, `video RTP came back: ${JSON.stringify(s)}`);
    assert.ok(s.audioPackets >= 50, `audio RTP came back (the bundle-only section): ${JSON.stringify(s)}`);

    // The endpoint's own counters agree: audio in from the peer and audio out to it.
    const stats = value(await invoke(ep, 'getStats', { mediaType: 'AUDIO' }), 'getStats AUDIO');
    const rtp = Object.values(stats).filter((v) => v && (v.type === 'inboundrtp' || v.type === 'outboundrtp'));
    const inbound = rtp.find((v) => v.type === 'inboundrtp');
    const outbound = rtp.find((v) => v.type === 'outboundrtp' && v.packetsSent > 0);
    assert.ok(inbound && inbound.packetsReceived > 0, `inbound audio counted: ${JSON.stringify(rtp)}`);
    assert.ok(outbound, `outbound audio counted: ${JSON.stringify(rtp)}`);
    value(await rpc.call('release', { object: p }));
  });
});
