// RtpEndpoint with a real RTP sender: gst-launch-1.0 streams VP8 + Opus over RTP/UDP on
// 127.0.0.1 to the ports the answer names; the recording proves the media arrived. Also the
// offerer side and the SDP errors, and SDES-SRTP: an endpoint created through the real
// kurento-client with a `crypto` key, fed by gst-launch-1.0 through srtpenc (and, as the
// negative case, by a sender that encrypts with another key than the one its SDP announces).

import { describe, it, before, after } from 'node:test';
import assert from 'node:assert/strict';
import path from 'node:path';
import { spawn } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import dgram from 'node:dgram';
import { startServer, rpcClient, sleep, tempDir, removeDir, discover, makeClip } from '../lib/server.mjs';
import { rpcShortcuts } from '../lib/kms.mjs';
import { kurentoClient, connectClient, cb, collect, closeClient } from '../lib/kc.mjs';

const OFFER = [
  'v=0', 'o=- 0 0 IN IP4 127.0.0.1', 's=gst-launch', 'c=IN IP4 127.0.0.1', 't=0 0',
  'm=audio 5006 RTP/AVP 111', 'a=rtpmap:111 OPUS/48000/2', 'a=sendonly',
  'm=video 5004 RTP/AVP 96', 'a=rtpmap:96 VP8/90000', 'a=sendonly', '',
].join('\r\n');

// An offer from an SRTP sender: RTP/SAVP with the sender's own key in each a=crypto line.
function srtpOffer(senderKey, suite = 'AES_CM_128_HMAC_SHA1_80', { audio = true } = {}) {
  const crypto = `a=crypto:1 ${suite} inline:${senderKey.toString('base64')}`;
  return [
    'v=0', 'o=- 0 0 IN IP4 127.0.0.1', 's=gst-launch', 'c=IN IP4 127.0.0.1', 't=0 0',
    ...(audio ? ['m=audio 5006 RTP/SAVP 111', 'a=rtpmap:111 OPUS/48000/2', crypto, 'a=sendonly'] : []),
    'm=video 5004 RTP/SAVP 96', 'a=rtpmap:96 VP8/90000', crypto, 'a=sendonly', '',
  ].join('\r\n');
}

const answerPorts = (answer) =>
  [...answer.matchAll(/^m=(audio|video) (\d+) RTP\/S?AVPF? (\d+)/gm)].reduce((o, m) => ({ ...o, [m[1]]: Number(m[2]) }), {});

// gst-launch-1.0: VP8 (and Opus) through srtpenc with `key` (bytes) to the endpoint's ports.
function sendSrtp(ports, key, { cipher = 'aes-128-icm', auth = 'hmac-sha1-80', frames = 150 } = {}) {
  const enc = ['srtpenc', `key=${key.toString('hex')}`, `rtp-cipher=${cipher}`, `rtp-auth=${auth}`, `rtcp-cipher=${cipher}`];
  const args = ['-q',
    'videotestsrc', 'is-live=true', `num-buffers=${frames}`, '!', 'video/x-raw,width=320,height=240,framerate=30/1', '!',
    'vp8enc', 'deadline=1', 'keyframe-max-dist=30', '!', 'rtpvp8pay', 'pt=96', '!', ...enc, '!',
    'udpsink', 'host=127.0.0.1', `port=${ports.video}`];
  if (ports.audio) {
    args.push('audiotestsrc', 'is-live=true', `num-buffers=${Math.round((frames / 30) * 47)}`, '!', 'audio/x-raw,rate=48000', '!',
      'opusenc', '!', 'rtpopuspay', 'pt=111', '!', ...enc, '!', 'udpsink', 'host=127.0.0.1', `port=${ports.audio}`);
  }
  const sender = spawn('gst-launch-1.0', args, { stdio: ['ignore', 'ignore', 'pipe'] });
  let stderr = '';
  sender.stderr.on('data', (d) => { stderr += d; });
  return new Promise((resolve) => sender.on('exit', (code) => resolve({ code, stderr })));
}

describe('RtpEndpoint', () => {
  let server, rpc, media, client;
  before(async () => {
    media = await tempDir('pw-rtp-');
    server = await startServer({ mediaFolders: [media], extraArgs: ['--ice-address', '127.0.0.1'] });
    rpc = await rpcClient(server.url);
  });
  after(async () => {
    rpc?.close();
    // kurento-client reconnects when its server goes away: close it first (hooks run in order).
    closeClient(client);
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
    // getStats: one inbound RTP entry per received stream, from rtpbin, narrowed by mediaType.
    const statsOf = async (mediaType) => Object.values(value(await invoke(rtp, 'getStats', mediaType ? { mediaType } : undefined), 'getStats'));
    const inboundOf = (list) => list.filter((s) => s.__type__ === 'RTCInboundRTPStreamStats' && s.type === 'inboundrtp');
    const videoIn = inboundOf(await statsOf('VIDEO'));
    const audioIn = inboundOf(await statsOf('AUDIO'));
    assert.equal(videoIn.length, 1, `one inbound video stream (${JSON.stringify(videoIn)})`);
    assert.equal(audioIn.length, 1, `one inbound audio stream (${JSON.stringify(audioIn)})`);
    assert.ok(videoIn[0].codecId === 'VP8' && videoIn[0].packetsReceived >= 150 && videoIn[0].bytesReceived > 20000, JSON.stringify(videoIn[0]));
    assert.ok(audioIn[0].codecId === 'OPUS' && audioIn[0].packetsReceived >= 200, JSON.stringify(audioIn[0]));
    assert.notEqual(videoIn[0].ssrc, audioIn[0].ssrc);
    assert.equal(inboundOf(await statsOf()).length, 2, 'both without a filter');
    value(await invoke(rec, 'stopAndWait'));
    const d = await discover(file);
    assert.ok(d.videoCodecs.some((c) => /vp8/i.test(c)), `VP8 recorded (${JSON.stringify(d)})`);
    assert.ok(d.audioCodecs.some((c) => /opus/i.test(c)), `Opus recorded (${JSON.stringify(d)})`);
    assert.ok(d.durationSec >= 3.5 && d.durationSec <= 6, `about 5 s recorded (${d.durationSec})`);
    assert.equal((await invoke(rtp, 'processOffer', { offer: OFFER })).error?.code, 40208, 'second processOffer');
    value(await rpc.call('release', { object: p }));
  });

  it('H.264 packetization-mode 0 (no fmtp): gst-launch-1.0 → RtpEndpoint → RtpEndpoint → a UDP receiver gets single NAL unit packets; recorded', { timeout: 60000 }, async () => {
    // The receiver: plain UDP sockets on 127.0.0.1 (RTP, RTCP), named in a legacy recvonly offer.
    const bind = () => new Promise((resolve) => { const s = dgram.createSocket('udp4'); s.bind(0, '127.0.0.1', () => resolve(s)); });
    const [rtpSock, rtcpSock] = [await bind(), await bind()];
    const packets = [];
    rtpSock.on('message', (m) => packets.push(m));
    try {
      const p = await create('MediaPipeline');
      const from = await create('RtpEndpoint', { mediaPipeline: p });
      const to = await create('RtpEndpoint', { mediaPipeline: p });
      const file = path.join(media, 'from-rtp-h264-mode0.mkv');
      const rec = await create('RecorderEndpoint', { mediaPipeline: p, uri: `file://${file}`, mediaProfile: 'MKV_VIDEO_ONLY' });
      value(await invoke(from, 'connect', { sink: to, mediaType: 'VIDEO' }));
      value(await invoke(from, 'connect', { sink: rec, mediaType: 'VIDEO' }));
      const legacy = (port, dir, rtcp) => [
        'v=0', 'o=- 0 0 IN IP4 127.0.0.1', 's=legacy', 'c=IN IP4 127.0.0.1', 't=0 0',
        `m=video ${port} RTP/AVP 96 97 98`, 'a=rtpmap:96 H264/90000', 'a=rtpmap:97 MP4V-ES/90000', 'a=rtpmap:98 H263-1998/90000',
        ...(rtcp ? [`a=rtcp:${rtcp}`] : []), `a=${dir}`, ''].join('\r\n');
      const answerIn = value(await invoke(from, 'processOffer', { offer: legacy(40000, 'sendonly') }), 'processOffer');
      const answerOut = value(await invoke(to, 'processOffer', { offer: legacy(rtpSock.address().port, 'recvonly', rtcpSock.address().port) }), 'processOffer');
      for (const a of [answerIn, answerOut]) {
        assert.match(a, /^m=video [1-9]\d* RTP\/AVP 96\r$/m, a);
        assert.doesNotMatch(a, /a=fmtp/, a);
      }
      assert.match(answerOut, /a=sendonly/);
      value(await invoke(rec, 'record'));
      // A mode-0 sender: every NAL unit whole in one packet (no STAP-A, no FU-A), however large.
      const sender = spawn('gst-launch-1.0', ['-q',
        'videotestsrc', 'is-live=true', 'num-buffers=120', '!', 'video/x-raw,width=320,height=240,framerate=30/1', '!',
        'x264enc', 'tune=zerolatency', 'speed-preset=ultrafast', 'bitrate=600', 'key-int-max=30', '!', 'video/x-h264,profile=constrained-baseline', '!',
        'rtph264pay', 'pt=96', 'aggregate-mode=none', 'mtu=65000', 'config-interval=-1', '!',
        'udpsink', 'host=127.0.0.1', `port=${answerPorts(answerIn).video}`], { stdio: ['ignore', 'ignore', 'pipe'] });
      let stderr = '';
      sender.stderr.on('data', (d) => { stderr += d; });
      const code = await new Promise((resolve) => sender.on('exit', resolve));
      assert.equal(code, 0, stderr);
      await sleep(1000);
      value(await invoke(rec, 'stopAndWait'));
      const types = new Set(packets.map((m) => m[12] & 0x1f));
      assert.ok(packets.length >= 100, `packets relayed to the receiver (${packets.length})`);
      assert.ok(packets.every((m) => (m[1] & 0x7f) === 96), 'payload type 96');
      assert.ok([...types].every((t) => t >= 1 && t <= 23), `single NAL unit packets only, no STAP-A (24) or FU-A (28): ${[...types]}`);
      assert.ok(types.has(5) && types.has(7) && types.has(8), `IDR, SPS and PPS each in its own packet: ${[...types]}`);
      const largest = Math.max(...packets.map((m) => m.length));
      assert.ok(largest > 1200, `a NAL unit larger than the 1200-byte mtu went whole (${largest} bytes)`);
      const d = await discover(file);
      assert.ok(d.videoCodecs.some((c) => /h\.?264/i.test(c)), `H.264 recorded (${JSON.stringify(d)})`);
      assert.ok(d.durationSec >= 2.5, `about 4 s recorded (${d.durationSec})`);
      value(await rpc.call('release', { object: p }));
    } finally {
      rtpSock.close();
      rtcpSock.close();
    }
  });

  it('a sender restarted with a new SSRC keeps media flowing: after a pause, overlapping the old one, and with the same SSRC', { timeout: 90000 }, async () => {
    // gst-launch-1.0 (VP8, fixed SSRC) → RtpEndpoint `from` → RtpEndpoint `to` → a UDP socket that
    // notes when each packet arrives: `to` sends its own continuous stream, so its packets show
    // whether `from` still has media after the sender changed.
    const bind = () => new Promise((resolve) => { const s = dgram.createSocket('udp4'); s.bind(0, '127.0.0.1', () => resolve(s)); });
    const [rtpSock, rtcpSock] = [await bind(), await bind()];
    const arrivals = [];
    rtpSock.on('message', () => arrivals.push(Date.now()));
    try {
      const p = await create('MediaPipeline');
      const from = await create('RtpEndpoint', { mediaPipeline: p });
      const to = await create('RtpEndpoint', { mediaPipeline: p });
      value(await invoke(from, 'connect', { sink: to, mediaType: 'VIDEO' }));
      const sdp = (port, dir, rtcp) => [
        'v=0', 'o=- 0 0 IN IP4 127.0.0.1', 's=restart', 'c=IN IP4 127.0.0.1', 't=0 0',
        `m=video ${port} RTP/AVP 96`, 'a=rtpmap:96 VP8/90000', ...(rtcp ? [`a=rtcp:${rtcp}`] : []), `a=${dir}`, ''].join('\r\n');
      const answerIn = value(await invoke(from, 'processOffer', { offer: sdp(40000, 'sendonly') }), 'processOffer');
      value(await invoke(to, 'processOffer', { offer: sdp(rtpSock.address().port, 'recvonly', rtcpSock.address().port) }), 'processOffer');
      const port = answerPorts(answerIn).video;
      // A sender with its own SSRC (and, as any new rtpbin/payloader, new sequence and timestamp bases).
      const send = (ssrc, frames) => {
        const sender = spawn('gst-launch-1.0', ['-q',
          'videotestsrc', 'is-live=true', `num-buffers=${frames}`, '!', 'video/x-raw,width=320,height=240,framerate=30/1', '!',
          'vp8enc', 'deadline=1', 'keyframe-max-dist=15', '!', 'rtpvp8pay', 'pt=96', `ssrc=${ssrc}`, '!',
          'udpsink', 'host=127.0.0.1', `port=${port}`], { stdio: ['ignore', 'ignore', 'pipe'] });
        let stderr = '';
        sender.stderr.on('data', (d) => { stderr += d; });
        return new Promise((resolve) => sender.on('exit', (code) => resolve({ code, stderr, at: Date.now() })));
      };
      const between = (a, b) => arrivals.filter((t) => t > a && t <= b).length;

      // 1. The sender stops; 1 s later another one starts with a new SSRC.
      const first = await send(0x1111, 45);
      assert.equal(first.code, 0, first.stderr);
      assert.ok(between(0, first.at) >= 30, `the first sender's media went through (${between(0, first.at)} packets)`);
      await sleep(1000);
      const restartAt = Date.now();
      assert.equal(between(first.at + 300, restartAt), 0, 'nothing while no sender runs');
      const second = await send(0x2222, 90);
      assert.equal(second.code, 0, second.stderr);
      const afterRestart = between(restartAt + 1000, second.at);
      console.log(`# packets out: first sender ${between(0, first.at)}, after the restart ${afterRestart}`);
      assert.ok(afterRestart >= 30, `media keeps flowing after the restart with a new SSRC (${afterRestart} packets in the last 2 s)`);

      // 2. No pause: a new sender starts while the old one still runs, and the old one stops.
      await sleep(800);
      const old = send(0x3333, 90);   // 3 s
      await sleep(1000);
      const next = send(0x4444, 180); // 6 s, from 1 s into the old one's
      const oldDone = await old;
      const nextDone = await next;
      assert.equal(oldDone.code, 0, oldDone.stderr);
      assert.equal(nextDone.code, 0, nextDone.stderr);
      const afterSwitch = between(oldDone.at + 1500, nextDone.at);
      console.log(`# packets out after the overlapping sender took over: ${afterSwitch}`);
      assert.ok(afterSwitch >= 30, `the overlapping sender took over once the old one stopped (${afterSwitch} packets)`);

      // 3. The last sender restarted with the same SSRC (as a sender configured with a fixed one
      // does), from a new port and with new sequence and timestamp bases.
      await sleep(1000);
      const sameAt = Date.now();
      const same = await send(0x4444, 90);
      assert.equal(same.code, 0, same.stderr);
      const afterSame = between(sameAt + 1000, same.at);
      console.log(`# packets out after a restart with the same SSRC: ${afterSame}`);
      assert.ok(afterSame >= 30, `a restart with the same SSRC from a new port is not taken for a collision (${afterSame} packets)`);

      // getStats lists the streams rtpbin still knows (it forgets a silent sender after a while).
      await sleep(300);
      const stats = Object.values(value(await invoke(from, 'getStats', { mediaType: 'VIDEO' }), 'getStats'));
      const ssrcs = stats.filter((s) => s.type === 'inboundrtp').map((s) => Number(s.ssrc));
      for (const ssrc of [0x3333, 0x4444]) assert.ok(ssrcs.includes(ssrc), `inbound stats for SSRC ${ssrc} (${ssrcs})`);
      value(await rpc.call('release', { object: p }));
    } finally {
      rtpSock.close();
      rtcpSock.close();
    }
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
    value(await rpc.call('release', { object: p }));
  });

  // ---- SDES-SRTP ----
  const KEY = 'PipewrightSdesKey-0123456789ab'; // 30 characters: AES-128 master key + salt
  const sdes = (extra) => ({ __module__: 'kurento', __type__: 'SDES', ...extra });
  // kurento-client only takes its own complex-type instances (it checks `instanceof SDES`).
  const SDES = kurentoClient.getComplexType('SDES');

  before(async () => { [client] = await connectClient(server.url); });

  it('SDES-SRTP: kurento-client RtpEndpoint(crypto) ← gst-launch-1.0 srtpenc → RecorderEndpoint: VP8 + Opus recorded', { timeout: 60000 }, async () => {
    const [pipeline] = await cb((d) => client.create('MediaPipeline', d));
    try {
      const [rtp] = await cb((d) => pipeline.create('RtpEndpoint', { crypto: new SDES({ crypto: 'AES_128_CM_HMAC_SHA1_80', key: KEY }) }, d));
      const file = path.join(media, 'from-srtp.webm');
      const [rec] = await cb((d) => pipeline.create('RecorderEndpoint', { uri: `file://${file}` }, d));
      await cb((d) => rtp.connect(rec, d));
      const flowOut = collect(rtp, 'MediaFlowOutStateChanged');
      const senderKey = randomBytes(30);
      const [answer] = await cb((d) => rtp.processOffer(srtpOffer(senderKey), d));
      assert.match(answer, /^m=audio [1-9]\d* RTP\/SAVP 111/m, answer);
      assert.match(answer, /^m=video [1-9]\d* RTP\/SAVP 96/m, answer);
      // Our own key (the constructor's), under the offer's tag and suite, in both sections.
      const ours = `a=crypto:1 AES_CM_128_HMAC_SHA1_80 inline:${Buffer.from(KEY).toString('base64')}`;
      assert.equal(answer.split(ours).length - 1, 2, `answer carries our key twice:\n${answer}`);
      await cb((d) => rec.record(d));
      const sent = await sendSrtp(answerPorts(answer), senderKey);
      assert.equal(sent.code, 0, sent.stderr);
      await sleep(500);
      await cb((d) => rec.stopAndWait(d));
      const info = await discover(file);
      assert.ok(info.videoCodecs.some((c) => /vp8/i.test(c)), `VP8 recorded (${JSON.stringify(info)})`);
      assert.ok(info.audioCodecs.some((c) => /opus/i.test(c)), `Opus recorded (${JSON.stringify(info)})`);
      assert.ok(info.durationSec >= 3.5 && info.durationSec <= 6, `about 5 s recorded (${info.durationSec})`);
      assert.ok(flowOut.events.some((e) => e.state === 'FLOWING' && e.mediaType === 'VIDEO'), 'decrypted video flowed out');
    } finally {
      await cb((d) => pipeline.release(d));
    }
  });

  it('SDES-SRTP: AES_256_CM_HMAC_SHA1_32 with keyBase64 decrypts video', { timeout: 30000 }, async () => {
    const p = await create('MediaPipeline');
    const key = randomBytes(46);
    const rtp = await create('RtpEndpoint', { mediaPipeline: p, crypto: sdes({ crypto: 'AES_256_CM_HMAC_SHA1_32', keyBase64: key.toString('base64') }) });
    const pass = await create('PassThrough', { mediaPipeline: p });
    value(await invoke(rtp, 'connect', { sink: pass }));
    const senderKey = randomBytes(46);
    const answer = value(await invoke(rtp, 'processOffer', { offer: srtpOffer(senderKey, 'AES_256_CM_HMAC_SHA1_32', { audio: false }) }));
    assert.match(answer, new RegExp(`a=crypto:1 AES_256_CM_HMAC_SHA1_32 inline:${key.toString('base64').replace(/[+/]/g, '\\$&')}\r\n`));
    const sent = sendSrtp(answerPorts(answer), senderKey, { cipher: 'aes-256-icm', auth: 'hmac-sha1-32', frames: 90 });
    await sleep(1500);
    const flowing = value(await invoke(pass, 'isMediaFlowingIn', { mediaType: 'VIDEO' }));
    assert.equal((await sent).code, 0);
    assert.equal(flowing, true, 'decrypted video reaches the PassThrough');
    value(await rpc.call('release', { object: p }));
  });

  it('SDES-SRTP: a sender encrypting with another key than its SDP says gets nothing through; the server carries on', { timeout: 30000 }, async () => {
    const [pipeline] = await cb((d) => client.create('MediaPipeline', d));
    try {
      const [rtp] = await cb((d) => pipeline.create('RtpEndpoint', { crypto: new SDES({ crypto: 'AES_128_CM_HMAC_SHA1_80', key: KEY }) }, d));
      const file = path.join(media, 'wrong-key.webm');
      const [rec] = await cb((d) => pipeline.create('RecorderEndpoint', { uri: `file://${file}` }, d));
      await cb((d) => rtp.connect(rec, d));
      const flowOut = collect(rtp, 'MediaFlowOutStateChanged');
      const flowIn = collect(rec, 'MediaFlowInStateChanged');
      const [answer] = await cb((d) => rtp.processOffer(srtpOffer(randomBytes(30)), d));
      await cb((d) => rec.record(d));
      const sent = await sendSrtp(answerPorts(answer), randomBytes(30), { frames: 90 });
      assert.equal(sent.code, 0, sent.stderr);
      await sleep(500);
      const [flowingOut] = await cb((d) => rtp.isMediaFlowingOut('VIDEO', d));
      assert.equal(flowingOut, false, 'nothing decrypts');
      await cb((d) => rec.stopAndWait(d));
      assert.ok(!flowOut.events.some((e) => e.state === 'FLOWING'), `no MediaFlowOut FLOWING: ${JSON.stringify(flowOut.events)}`);
      assert.ok(!flowIn.events.some((e) => e.state === 'FLOWING'), `no MediaFlowIn FLOWING on the recorder: ${JSON.stringify(flowIn.events)}`);
      let info = null;
      try { info = await discover(file); } catch { /* no file at all is fine */ }
      assert.ok(!info || info.videoCodecs.length === 0, `no video recorded (${JSON.stringify(info?.videoCaps)})`);
    } finally {
      await cb((d) => pipeline.release(d));
    }
    // The server still answers and still makes working endpoints.
    const p = await create('MediaPipeline');
    const other = await create('RtpEndpoint', { mediaPipeline: p, crypto: sdes({ crypto: 'AES_128_CM_HMAC_SHA1_80', key: KEY }) });
    assert.match(value(await invoke(other, 'generateOffer')), /RTP\/SAVPF/);
    value(await rpc.call('release', { object: p }));
  });

  it('SDES-SRTP sending: PlayerEndpoint → RtpEndpoint(crypto, generateOffer) → RtpEndpoint(crypto, processOffer) → PassThrough', { timeout: 30000 }, async () => {
    const clip = path.join(media, 'srtp-clip.webm');
    await makeClip(clip, { seconds: 4, audio: false });
    const p = await create('MediaPipeline');
    const player = await create('PlayerEndpoint', { mediaPipeline: p, uri: `file://${clip}`, useEncodedMedia: true });
    const sender = await create('RtpEndpoint', { mediaPipeline: p, crypto: sdes({ crypto: 'AES_128_CM_HMAC_SHA1_80', key: KEY }) });
    const receiver = await create('RtpEndpoint', { mediaPipeline: p, crypto: sdes({ crypto: 'AES_128_CM_HMAC_SHA1_80' }) });
    const pass = await create('PassThrough', { mediaPipeline: p });
    value(await invoke(player, 'connect', { sink: sender, mediaType: 'VIDEO' }));
    value(await invoke(receiver, 'connect', { sink: pass, mediaType: 'VIDEO' }));
    const offer = value(await invoke(sender, 'generateOffer', { options: { __module__: 'kurento', __type__: 'OfferOptions', offerToReceiveVideo: false, offerToReceiveAudio: false } }));
    const answer = value(await invoke(receiver, 'processOffer', { offer }));
    assert.match(answer, /^m=video [1-9]\d* RTP\/SAVPF 96/m);
    assert.match(answer, /a=recvonly/);
    value(await invoke(sender, 'processAnswer', { answer }));
    value(await invoke(player, 'play'));
    let flowing = false;
    for (let i = 0; i < 30 && !flowing; i++) {
      await sleep(100);
      flowing = value(await invoke(pass, 'isMediaFlowingIn', { mediaType: 'VIDEO' }));
    }
    assert.equal(flowing, true, 'what the sender encrypted with its key, the receiver decrypted with the key from the offer');
    value(await rpc.call('release', { object: p }));
  });

  it('SDES-SRTP: generateOffer/processAnswer, and SDP or key mismatches are clear errors', async () => {
    const p = await create('MediaPipeline');
    const createErr = async (crypto) => (await rpc.call('create', { type: 'RtpEndpoint', constructorParams: { mediaPipeline: p, crypto: sdes(crypto) } })).error;
    assert.equal((await createErr({ crypto: 'AES_128_CM_HMAC_SHA1_80', key: 'too short' }))?.code, 40107, 'key of the wrong length');
    assert.equal((await createErr({ crypto: 'AES_256_CM_HMAC_SHA1_80', key: KEY }))?.code, 40107, '30-byte key for a 256-bit suite');
    assert.equal((await createErr({ key: KEY }))?.code, 40107, 'key without a suite');
    assert.equal((await createErr({ crypto: 'AES_128_CM_HMAC_SHA1_80', key: KEY, keyBase64: Buffer.from(KEY).toString('base64') }))?.code, 40107);

    // Crypto endpoint, plain offer; plain endpoint, SRTP offer: 40205 saying why.
    const secure = await create('RtpEndpoint', { mediaPipeline: p, crypto: sdes({ crypto: 'AES_128_CM_HMAC_SHA1_80', key: KEY }) });
    const e1 = (await invoke(secure, 'processOffer', { offer: OFFER })).error;
    assert.equal(e1?.code, 40205);
    assert.match(e1.message, /crypto/i);
    const plain = await create('RtpEndpoint', { mediaPipeline: p });
    const e2 = (await invoke(plain, 'processOffer', { offer: srtpOffer(randomBytes(30)) })).error;
    assert.equal(e2?.code, 40205);
    assert.match(e2.message, /SRTP/);
    const other = await create('RtpEndpoint', { mediaPipeline: p, crypto: sdes({ crypto: 'AES_128_CM_HMAC_SHA1_80', key: KEY }) });
    const e3 = (await invoke(other, 'processOffer', { offer: srtpOffer(randomBytes(30), 'AES_CM_128_HMAC_SHA1_32') })).error;
    assert.equal(e3?.code, 40205, 'offer with another suite');

    // A random key when only the suite is given; offer is RTP/SAVPF with it.
    const offerer = await create('RtpEndpoint', { mediaPipeline: p, crypto: sdes({ crypto: 'AES_128_CM_HMAC_SHA1_32' }) });
    const offer = value(await invoke(offerer, 'generateOffer'));
    assert.match(offer, /^m=audio [1-9]\d* RTP\/SAVPF 111/m);
    assert.match(offer, /^m=video [1-9]\d* RTP\/SAVPF 96/m);
    const keys = [...offer.matchAll(/^a=crypto:1 AES_CM_128_HMAC_SHA1_32 inline:(\S+)\r$/gm)].map((m) => Buffer.from(m[1], 'base64'));
    assert.equal(keys.length, 2, offer);
    assert.equal(keys[0].length, 30);
    const plainAnswer = OFFER.replace(/sendonly/g, 'recvonly');
    const e4 = (await invoke(offerer, 'processAnswer', { answer: plainAnswer })).error;
    assert.equal(e4?.code, 40206, 'plain answer to an SRTP offer');
    const goodAnswer = srtpOffer(randomBytes(30), 'AES_CM_128_HMAC_SHA1_32').replace(/sendonly/g, 'recvonly');
    assert.equal(value(await invoke(offerer, 'processAnswer', { answer: goodAnswer })), offer);
    value(await rpc.call('release', { object: p }));
  });
});
