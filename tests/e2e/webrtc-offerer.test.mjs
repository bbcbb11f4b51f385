// The server as the offerer: generateOffer / processAnswer. Two WebRtcEndpoints of one pipeline
// negotiate with each other (A offers, B answers) and media crosses a real ICE/DTLS/SRTP link on
// 127.0.0.1: Player → A ⇢ B → Recorder, checked with the recording. Runs inside e2e's private
// network namespace.

import { describe, it, before, after } from 'node:test';
import assert from 'node:assert/strict';
import path from 'node:path';
import { startServer, rpcClient, sleep, tempDir, removeDir, makeClip, discover } from '../lib/server.mjs';
import { rpcShortcuts } from '../lib/kms.mjs';

describe('WebRtcEndpoint as the offerer', () => {
  let server, rpc, media;

  before(async () => {
    media = await tempDir('pw-offerer-');
    server = await startServer({ extraArgs: ['--ice-address', '127.0.0.1'], mediaFolders: [media] });
    rpc = await rpcClient(server.url, { timeoutMs: 20000 });
  });
  after(async () => {
    rpc?.close();
    await server?.stop();
    await removeDir(media);
  });

  let value, create, invoke;
  before(() => ({ value, create, invoke } = rpcShortcuts(rpc)));

  it('every WebRtcEndpoint presents the same DTLS certificate (generated once per server)', async () => {
    const p = await create('MediaPipeline');
    const fingerprints = new Set();
    for (let i = 0; i < 3; i++) {
      const ep = await create('WebRtcEndpoint', { mediaPipeline: p });
      const offer = value(await invoke(ep, 'generateOffer'), 'generateOffer');
      const fp = offer.match(/a=fingerprint:sha-256 ([0-9A-F:]+)/);
      assert.ok(fp, 'the offer carries a sha-256 fingerprint');
      fingerprints.add(fp[1]);
    }
    assert.equal(fingerprints.size, 1, `one certificate for all endpoints (${[...fingerprints].join(', ')})`);
    value(await rpc.call('release', { object: p }));
  });

  it('generateOffer → processOffer → processAnswer carries media between two endpoints', { timeout: 90000 }, async () => {
    const clip = await makeClip(path.join(media, 'clip.webm'), { seconds: 6 });
    const p = await create('MediaPipeline');
    const player = await create('PlayerEndpoint', { mediaPipeline: p, uri: `file://${clip}` });
    const A = await create('WebRtcEndpoint', { mediaPipeline: p });
    const B = await create('WebRtcEndpoint', { mediaPipeline: p });
    const file = path.join(media, 'through-webrtc.webm');
    const rec = await create('RecorderEndpoint', { mediaPipeline: p, uri: `file://${file}` });
    for (const ep of [A, B]) {
      for (const t of ['IceCandidateFound', 'IceGatheringDone', 'MediaSessionStarted']) value(await rpc.call('subscribe', { object: ep, type: t }));
    }
    value(await rpc.call('subscribe', { object: player, type: 'EndOfStream' }));

    assert.equal((await invoke(A, 'processAnswer', { answer: 'v=0' })).error?.code, 40209, 'processAnswer before generateOffer');
    const offer = value(await invoke(A, 'generateOffer', { options: { offerToReceiveAudio: true, offerToReceiveVideo: true } }), 'generateOffer');
    assert.match(offer, /m=audio/);
    assert.match(offer, /m=video/);
    assert.match(offer, /VP8\/90000/);
    assert.equal(value(await invoke(A, 'getLocalSessionDescriptor')), offer);
    const answer = value(await invoke(B, 'processOffer', { offer }), 'processOffer');
    const local = value(await invoke(A, 'processAnswer', { answer }), 'processAnswer');
    assert.equal(local, offer, 'processAnswer returns the local description');
    assert.equal((await invoke(A, 'processAnswer', { answer })).error?.code, 40210, 'a second answer');

    value(await invoke(player, 'connect', { sink: A }));
    value(await invoke(B, 'connect', { sink: rec }));
    value(await invoke(A, 'gatherCandidates'));
    value(await invoke(B, 'gatherCandidates'));
    // Trickle: each endpoint's candidates go to the other.
    const forwarded = { [A]: 0, [B]: 0 };
    const deadline = Date.now() + 8000;
    while (Date.now() < deadline) {
      for (const [from, to] of [[A, B], [B, A]]) {
        const found = rpc.events.filter((e) => e.params.value.type === 'IceCandidateFound' && e.params.value.object === from);
        for (; forwarded[from] < found.length; forwarded[from]++) {
          value(await invoke(to, 'addIceCandidate', { candidate: found[forwarded[from]].params.value.data.candidate }));
        }
      }
      await sleep(200);
      if (forwarded[A] > 0 && forwarded[B] > 0 && rpc.events.filter((e) => e.params.value.type === 'IceGatheringDone').length >= 2) break;
    }
    value(await invoke(rec, 'record'));
    value(await invoke(player, 'play'));
    await rpc.waitEvent((e) => e.params.value.type === 'EndOfStream', 20000);
    await sleep(500);
    value(await invoke(rec, 'stopAndWait'));
    const d = await discover(file);
    assert.ok(d.videoCodecs.some((c) => /vp8/i.test(c)), `VP8 video crossed the WebRTC link (${JSON.stringify(d)})`);
    assert.ok(d.audioCodecs.some((c) => /opus/i.test(c)), `Opus audio crossed the WebRTC link (${JSON.stringify(d)})`);
    assert.ok(d.durationSec >= 3, `a real recording (${d.durationSec} s)`);
    value(await rpc.call('release', { object: p }));
  });
});
