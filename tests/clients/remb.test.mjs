// REMB congestion control (issue 3 §2) on RtpEndpoint, black-box: this test is the RTP peer,
// with UDP sockets on 127.0.0.1. It receives what the server sends, measures the bitrate, and
// sends RTCP REMB (RR + PSFB/AFB "REMB") to the endpoint's RTCP port.
//  * transcoding: PlayerEndpoint (decoded) → RtpEndpoint (VP8) encodes through one shared
//    vp8enc; a REMB of 100 kbps must bring the received bitrate down, and the endpoint's
//    min/maxVideoSendBandwidth clamp it.
//  * pass-through: gst-launch-1.0 → RtpEndpoint A → RtpEndpoint B relays VP8 without decoding;
//    a REMB sent to B must come out of A, in A's RTCP to the original sender.

import { describe, it, before, after } from 'node:test';
import assert from 'node:assert/strict';
import path from 'node:path';
import dgram from 'node:dgram';
import { spawn, execFile } from 'node:child_process';
import { promisify } from 'node:util';
import { startServer, rpcClient, sleep, tempDir, removeDir } from '../lib/server.mjs';
import { rpcShortcuts } from '../lib/kms.mjs';

const OPTS = { __module__: 'kurento', __type__: 'OfferOptions', offerToReceiveAudio: false, offerToReceiveVideo: false };

async function udpSocket() {
  const s = dgram.createSocket('udp4');
  await new Promise((resolve) => s.bind(0, '127.0.0.1', resolve));
  return s;
}

// RR (no report blocks) + REMB for `bps` about `ssrcs`, from `senderSsrc`.
function rembPacket(bps, ssrcs, senderSsrc = 0x0badcafe) {
  let exp = 0;
  while ((bps >>> exp) >= 1 << 18) exp++;
  const mantissa = Math.floor(bps / 2 ** exp);
  const rr = Buffer.alloc(8);
  rr.writeUInt8(0x80, 0); rr.writeUInt8(201, 1); rr.writeUInt16BE(1, 2); rr.writeUInt32BE(senderSsrc, 4);
  const fb = Buffer.alloc(20 + 4 * ssrcs.length);
  fb.writeUInt8(0x80 | 15, 0); fb.writeUInt8(206, 1); fb.writeUInt16BE(fb.length / 4 - 1, 2);
  fb.writeUInt32BE(senderSsrc, 4); fb.writeUInt32BE(0, 8); fb.write('REMB', 12, 'latin1');
  fb.writeUInt8(ssrcs.length, 16);
  fb.writeUInt8((exp << 2) | (mantissa >>> 16), 17); fb.writeUInt16BE(mantissa & 0xffff, 18);
  ssrcs.forEach((s, i) => fb.writeUInt32BE(s, 20 + 4 * i));
  return Buffer.concat([rr, fb]);
}

// REMB entries ({bps, ssrcs}) in an RTCP compound packet.
function parseRemb(buf) {
  const out = [];
  for (let off = 0; off + 4 <= buf.length;) {
    const len = (buf.readUInt16BE(off + 2) + 1) * 4;
    if ((buf[off] & 0x1f) === 15 && buf[off + 1] === 206 && buf.toString('latin1', off + 12, off + 16) === 'REMB') {
      const n = buf[off + 16];
      const exp = buf[off + 17] >> 2;
      const mantissa = ((buf[off + 17] & 3) << 16) | buf.readUInt16BE(off + 18);
      const ssrcs = [];
      for (let i = 0; i < n; i++) ssrcs.push(buf.readUInt32BE(off + 20 + 4 * i));
      out.push({ bps: mantissa * 2 ** exp, ssrcs });
    }
    off += len;
  }
  return out;
}

// A video-only answer to the endpoint's generateOffer: RTP and RTCP to our sockets.
function answerTo(offer, rtpPort, rtcpPort) {
  assert.match(offer, /^m=audio \d+ RTP\/AVPF 111/m);
  return [
    'v=0', 'o=- 1 1 IN IP4 127.0.0.1', 's=test peer', 'c=IN IP4 127.0.0.1', 't=0 0',
    'm=audio 0 RTP/AVPF 111', 'a=rtpmap:111 OPUS/48000/2', 'a=inactive',
    `m=video ${rtpPort} RTP/AVPF 96`, 'a=rtpmap:96 VP8/90000', 'a=rtcp-fb:96 nack pli', 'a=rtcp-fb:96 goog-remb',
    `a=rtcp:${rtcpPort}`, 'a=recvonly', '',
  ].join('\r\n');
}

const rtcpPortOf = (sdp, kind) => Number(/a=rtcp:(\d+)/.exec(sdp.slice(sdp.indexOf(`m=${kind}`)))[1]);

describe('REMB', () => {
  let server, rpc, media, value, create, invoke;
  before(async () => {
    media = await tempDir('pw-remb-');
    server = await startServer({ mediaFolders: [media], extraArgs: ['--ice-address', '127.0.0.1'] });
    rpc = await rpcClient(server.url);
    ({ value, create, invoke } = rpcShortcuts(rpc));
  });
  after(async () => {
    rpc?.close();
    await server?.stop();
    await removeDir(media);
  });

  // Plays a moving zone-plate clip (detailed enough to fill the encoder's target) into a VP8 RtpEndpoint whose peer
  // is this test. Returns the received bitrate before and after `remb` (bps, null = none).
  async function transcodeRun({ remb = null, minSend = 0, maxSend = 0, midway = null, file }) {
    const p = await create('MediaPipeline');
    const player = await create('PlayerEndpoint', { mediaPipeline: p, uri: `file://${file}` });
    const rtp = await create('RtpEndpoint', { mediaPipeline: p });
    if (minSend) value(await invoke(rtp, 'setMinVideoSendBandwidth', { minVideoSendBandwidth: minSend }));
    if (maxSend) value(await invoke(rtp, 'setMaxVideoSendBandwidth', { maxVideoSendBandwidth: maxSend }));
    value(await invoke(player, 'connect', { sink: rtp, mediaType: 'VIDEO' }));
    const rtpSock = await udpSocket();
    const rtcpSock = await udpSocket();
    const samples = []; // [ms, bytes]
    let ssrc = null;
    const t0 = Date.now();
    rtpSock.on('message', (m) => { samples.push([Date.now() - t0, m.length]); ssrc ??= m.readUInt32BE(8); });
    try {
      const offer = value(await invoke(rtp, 'generateOffer', { options: OPTS }));
      value(await invoke(rtp, 'processAnswer', { answer: answerTo(offer, rtpSock.address().port, rtcpSock.address().port) }));
      value(await invoke(player, 'play'));
      const kbps = (from, to) => samples.filter(([t]) => t >= from && t < to).reduce((a, [, b]) => a + b, 0) * 8 / (to - from);
      await sleep(3500);
      const before = kbps(1500, 3500);
      if (midway) await midway(player);
      if (remb) {
        const target = rtcpPortOf(offer, 'video');
        for (let i = 0; i < 8; i++) {
          rtcpSock.send(rembPacket(remb, ssrc ? [ssrc] : []), target, '127.0.0.1');
          await sleep(500);
        }
      } else {
        await sleep(4000);
      }
      const afterKbps = kbps(5500, 7500);
      return { before, after: afterKbps };
    } finally {
      rtpSock.close();
      rtcpSock.close();
      value(await rpc.call('release', { object: p }));
    }
  }

  let clip;
  before(async () => {
    clip = path.join(media, 'zone-plate.webm');
    await promisify(execFile)('gst-launch-1.0', ['-q', '-e', 'videotestsrc', 'pattern=zone-plate', 'kx2=20', 'ky2=20', 'kt=1', 'num-buffers=270', '!',
      'video/x-raw,width=320,height=240,framerate=30/1', '!', 'vp8enc', 'deadline=1', 'target-bitrate=2000000', '!',
      'webmmux', '!', 'filesink', `location=${clip}`]);
  });

  it('transcoding: a REMB of 100 kbps lowers what the shared encoder sends', { timeout: 30000 }, async () => {
    const { before, after } = await transcodeRun({ remb: 100000, file: clip });
    console.log(`# transcode bitrate before REMB ${before.toFixed(0)} kbps, after REMB(100 kbps) ${after.toFixed(0)} kbps`);
    assert.ok(before > 200, `the encoder fills its default 300 kbps first (${before.toFixed(0)} kbps)`);
    assert.ok(after < 160 && after < before * 0.6, `after the REMB the bitrate drops towards 100 kbps (${before.toFixed(0)} → ${after.toFixed(0)} kbps)`);
  });

  it('transcoding: minVideoSendBandwidth is a floor for REMB, maxVideoSendBandwidth a ceiling', { timeout: 30000 }, async () => {
    const floored = await transcodeRun({ remb: 30000, minSend: 250, file: clip });
    console.log(`# REMB 30 kbps with minVideoSendBandwidth 250: ${floored.before.toFixed(0)} → ${floored.after.toFixed(0)} kbps`);
    assert.ok(floored.after > 180, `a REMB of 30 kbps does not go below the 250 kbps floor (${floored.after.toFixed(0)} kbps)`);
    const capped = await transcodeRun({ maxSend: 120, file: clip });
    console.log(`# maxVideoSendBandwidth 120, no REMB: ${capped.before.toFixed(0)} → ${capped.after.toFixed(0)} kbps`);
    assert.ok(capped.after < 180, `maxVideoSendBandwidth caps the encoder without any REMB (${capped.after.toFixed(0)} kbps)`);
  });

  it('transcoding: the source\'s maxEncoderBitrate caps a running encoder, and a REMB cannot go below minEncoderBitrate', { timeout: 30000 }, async () => {
    const capped = await transcodeRun({
      file: clip,
      midway: async (player) => value(await invoke(player, 'setMaxEncoderBitrate', { maxEncoderBitrate: 100000 })),
    });
    console.log(`# source maxEncoderBitrate 100000 set while running: ${capped.before.toFixed(0)} → ${capped.after.toFixed(0)} kbps`);
    assert.ok(capped.before > 200 && capped.after < 180, `the running encoder follows maxEncoderBitrate (${capped.before.toFixed(0)} → ${capped.after.toFixed(0)} kbps)`);
    const floored = await transcodeRun({
      file: clip,
      remb: 30000,
      midway: async (player) => value(await invoke(player, 'setMinEncoderBitrate', { minEncoderBitrate: 250000 })),
    });
    console.log(`# REMB 30 kbps with the source's minEncoderBitrate 250000: ${floored.before.toFixed(0)} → ${floored.after.toFixed(0)} kbps`);
    assert.ok(floored.after > 180, `minEncoderBitrate is a floor for REMB (${floored.after.toFixed(0)} kbps)`);
  });

  it('pass-through: a REMB to the receiving endpoint reaches the original sender in the source endpoint\'s RTCP', { timeout: 40000 }, async () => {
    const p = await create('MediaPipeline');
    const senderRtcp = await udpSocket(); // where the source endpoint's RTCP goes: the sender's RTCP port
    const peerRtp = await udpSocket();
    const peerRtcp = await udpSocket();
    const received = [];
    senderRtcp.on('message', (m) => received.push(...parseRemb(m)));
    let ssrc = null;
    peerRtp.on('message', (m) => { ssrc ??= m.readUInt32BE(8); });
    const SENDER_SSRC = 0x11223344;
    let sender;
    try {
      const a = await create('RtpEndpoint', { mediaPipeline: p });
      const b = await create('RtpEndpoint', { mediaPipeline: p });
      value(await invoke(a, 'connect', { sink: b, mediaType: 'VIDEO' }));
      const offerFromSender = [
        'v=0', 'o=- 0 0 IN IP4 127.0.0.1', 's=gst-launch', 'c=IN IP4 127.0.0.1', 't=0 0',
        'm=video 5004 RTP/AVPF 96', 'a=rtpmap:96 VP8/90000', 'a=rtcp-fb:96 nack pli', 'a=rtcp-fb:96 goog-remb',
        `a=rtcp:${senderRtcp.address().port}`, 'a=sendonly', '',
      ].join('\r\n');
      const answerA = value(await invoke(a, 'processOffer', { offer: offerFromSender }));
      const portA = Number(/^m=video (\d+)/m.exec(answerA)[1]);
      const offerB = value(await invoke(b, 'generateOffer', { options: OPTS }));
      value(await invoke(b, 'processAnswer', { answer: answerTo(offerB, peerRtp.address().port, peerRtcp.address().port) }));
      sender = spawn('gst-launch-1.0', ['-q', 'videotestsrc', 'is-live=true', 'num-buffers=900', '!',
        'video/x-raw,width=320,height=240,framerate=30/1', '!', 'vp8enc', 'deadline=1', 'keyframe-max-dist=30', '!',
        'rtpvp8pay', 'pt=96', `ssrc=${SENDER_SSRC}`, '!', 'udpsink', 'host=127.0.0.1', `port=${portA}`], { stdio: 'ignore' });
      for (let i = 0; i < 50 && ssrc === null; i++) await sleep(100);
      assert.ok(ssrc !== null, 'B relays the sender\'s video to us');
      const transcoding = value(await invoke(a, 'isMediaTranscoding', { mediaType: 'VIDEO' }));
      assert.equal(transcoding, false, 'A → B is a pass-through');
      const target = rtcpPortOf(offerB, 'video');
      const deadline = Date.now() + 12000;
      while (Date.now() < deadline && !received.some((r) => r.bps === 80000)) {
        peerRtcp.send(rembPacket(80000, [ssrc]), target, '127.0.0.1');
        await sleep(500);
      }
      const hit = received.find((r) => r.bps === 80000);
      assert.ok(hit, `A sent the sender a REMB of 80 kbps (got ${JSON.stringify(received)})`);
      assert.deepEqual(hit.ssrcs, [SENDER_SSRC], 'about the sender\'s SSRC');
      // When B goes, nobody limits A's sender any more: A lifts its ceiling with a very high REMB.
      const released = Date.now();
      value(await rpc.call('release', { object: b }));
      // (An early RTCP packet may be refused right after another one; the next regular one, up
      // to 1.5 × 5 s later, carries it then.)
      for (let i = 0; i < 150 && !received.some((r) => r.bps > 50e6); i++) await sleep(100);
      assert.ok(received.some((r) => r.bps > 50e6), `A lifted the limit (got ${JSON.stringify(received.slice(-3))})`);
      console.log(`# REMB 80 kbps passed on; limit lifted ${Date.now() - released} ms after B was released`);
    } finally {
      sender?.kill('SIGINT');
      senderRtcp.close();
      peerRtp.close();
      peerRtcp.close();
      value(await rpc.call('release', { object: p }));
    }
  });
});
