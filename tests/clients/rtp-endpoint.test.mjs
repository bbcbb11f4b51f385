// RtpEndpoint with a real RTP sender: gst-launch-1.0 streams VP8 + Opus over RTP/UDP on
// 127.0.0.1 to the ports the answer names; the recording proves the media arrived. Also the
// offerer side and the SDP errors.

import { describe, it, before, after } from 'node:test';
import assert from 'node:assert/strict';
import path from 'node:path';
import { spawn } from 'node:child_process';
import { startServer, rpcClient, sleep, tempDir, removeDir, discover } from '../lib/server.mjs';
import { rpcShortcuts } from '../lib/kms.mjs';

const OFFER = [
  'v=0', 'o=- 0 0 IN IP4 127.0.0.1', 's=gst-launch', 'c=IN IP4 127.0.0.1', 't=0 0',
  'm=audio 5006 RTP/AVP 111', 'a=rtpmap:111 OPUS/48000/2', 'a=sendonly',
  'm=video 5004 RTP/AVP 96', 'a=rtpmap:96 VP8/90000', 'a=sendonly', '',
].join('\r\n');

describe('RtpEndpoint', () => {
  let server, rpc, media;
  before(async () => {
    media = await tempDir('pw-rtp-');
    server = await startServer({ mediaFolders: [media], extraArgs: ['--ice-address', '127.0.0.1'] });
    rpc = await rpcClient(server.url);
  });
  after(async () => {
    rpc?.close();
    await server?.stop();
    await removeDir(media);
  });

  let value, create, invoke;
  before(() => ({ value, create, invoke } = rpcShortcuts(rpc)));

  it('gst-launch-1.0 → RtpEndpoint (processOffer) → RecorderEndpoint: VP8 + Opus recorded', { timeout: 60000 }, async () => {
    const p = await create('MediaPipeline');
    const rtp = await create('RtpEndpoint', { mediaPipeline: p });
    const file = path.join(media, 'from-rtp.webm');
    const rec = await create('RecorderEndpoint', { mediaPipeline: p, uri: `file://${file}` });
    value(await invoke(rtp, 'connect', { sink: rec }));
    const answer = value(await invoke(rtp, 'processOffer', { offer: OFFER }), 'processOffer');
    const ports = [...answer.matchAll(/^m=(audio|video) (\d+) RTP\/AVP (\d+)/gm)].reduce((o, m) => ({ ...o, [m[1]]: Number(m[2]) }), {});
    assert.ok(ports.audio > 0 && ports.video > 0, `answer names our ports:\n${answer}`);
    assert.match(answer, /a=recvonly/);
    assert.match(answer, /a=rtpmap:96 VP8\/90000/);
    value(await invoke(rec, 'record'));
    const sender = spawn('gst-launch-1.0', ['-q',
      'videotestsrc', 'is-live=true', 'num-buffers=150', '!', 'video/x-raw,width=320,height=240,framerate=30/1', '!',
      'vp8enc', 'deadline=1', 'keyframe-max-dist=30', '!', 'rtpvp8pay', 'pt=96', '!', 'udpsink', 'host=127.0.0.1', `port=${ports.video}`,
      'audiotestsrc', 'is-live=true', 'num-buffers=235', '!', 'audio/x-raw,rate=48000', '!', 'opusenc', '!', 'rtpopuspay', 'pt=111', '!',
      'udpsink', 'host=127.0.0.1', `port=${ports.audio}`]);
    await new Promise((resolve) => sender.on('exit', resolve));
    await sleep(500);
    value(await invoke(rec, 'stopAndWait'));
    const d = await discover(file);
    assert.ok(d.videoCodecs.some((c) => /vp8/i.test(c)), `VP8 recorded (${JSON.stringify(d)})`);
    assert.ok(d.audioCodecs.some((c) => /opus/i.test(c)), `Opus recorded (${JSON.stringify(d)})`);
    assert.ok(d.durationSec >= 3.5 && d.durationSec <= 6, `about 5 s recorded (${d.durationSec})`);
    assert.equal((await invoke(rtp, 'processOffer', { offer: OFFER })).error?.code, 40208, 'second processOffer');
    value(await rpc.call('release', { object: p }));
  });

  it('generateOffer names local ports; processAnswer accepts the peer; errors are Kurento codes', async () => {
    const p = await create('MediaPipeline');
    const rtp = await create('RtpEndpoint', { mediaPipeline: p });
    assert.equal((await invoke(rtp, 'processAnswer', { answer: OFFER })).error?.code, 40209);
    const offer = value(await invoke(rtp, 'generateOffer'), 'generateOffer');
    assert.match(offer, /^m=audio [1-9]\d* RTP\/AVPF 111/m);
    assert.match(offer, /^m=video [1-9]\d* RTP\/AVPF 96/m);
    assert.match(offer, /a=rtpmap:96 VP8\/90000/);
    const local = value(await invoke(rtp, 'processAnswer', { answer: OFFER.replace(/sendonly/g, 'recvonly') }), 'processAnswer');
    assert.equal(local, offer);
    assert.equal((await invoke(rtp, 'processAnswer', { answer: OFFER })).error?.code, 40210);
    const other = await create('RtpEndpoint', { mediaPipeline: p });
    assert.equal((await invoke(other, 'processOffer', { offer: 'garbage' })).error?.code, 40201);
    assert.equal((await invoke(other, 'processOffer', { offer: OFFER.replace(/VP8/g, 'FOO').replace(/OPUS/g, 'BAR') })).error?.code, 40205);
    const crypto = await rpc.call('create', { type: 'RtpEndpoint', constructorParams: { mediaPipeline: p, crypto: { crypto: 'AES_128_CM_HMAC_SHA1_80', key: '0123456789012345678901234567890' } } });
    assert.equal(crypto.error?.code, 40006, 'SDES-SRTP is reported as not implemented');
    value(await rpc.call('release', { object: p }));
  });
});
