// WebRTC scenarios with headless Chromium against the real server: one server and one browser
// for the whole file, several RTCPeerConnections in the same page (window.peers[name]).
// Everything stays on 127.0.0.1 (the file runs inside `unshare -n`, see e2e/run-isolated.sh).
//
//   1. one2many: one presenter, three recvonly viewers, pure relay (no encoder/decoder)
//   2. H.264-only viewers of a VP8 presenter: one shared x264 transcode branch
//   3. browser → RecorderEndpoint(WEBM): VP8 passes through into the file
//   4. PlayerEndpoint → browser
//   5. bad input: SDP errors over raw JSON-RPC; a peer closed mid-ICE leaves the server healthy

import { describe, it, before, after } from 'node:test';
import assert from 'node:assert/strict';
import fs from 'node:fs';
import { execFile } from 'node:child_process';
import path from 'node:path';
import { serveFiles } from '../lib/http-file.mjs';
import { startServer, rpcClient, sleep, tempDir, removeDir, makeClip, discover, contentDurationSec } from '../lib/server.mjs';
import {
  launchBrowser, negotiate, framesDecoded, waitFrames, inboundVideoCodec, closePeer, ensureSubscribed, eventsOf, peerRtpStats,
} from '../lib/browser.mjs';

const DEBUG = !!process.env.PW_DEBUG;

describe('WebRTC scenarios with headless Chromium', () => {
  let server, rpc, chromium, page, mediaDir;

  before(async () => {
    mediaDir = await tempDir('pw-e2e-media-');
    server = await startServer({ extraArgs: ['--ice-address', '127.0.0.1'], mediaFolders: [mediaDir] });
    rpc = await rpcClient(server.url, { timeoutMs: 20000 });
    chromium = await launchBrowser();
    page = chromium.page;
  });

  after(async () => {
    if (DEBUG && server) fs.writeFileSync('/tmp/pw-scenarios-server.log', server.stderrText());
    await chromium?.close();
    rpc?.close();
    await server?.stop();
    await removeDir(mediaDir);
  });

  // --- small RPC helpers -----------------------------------------------------------------
  const value = (r, what = '') => { assert.ok(r.result, `${what} failed: ${JSON.stringify(r.error)}`); return r.result.value; };
  const create = async (type, constructorParams) => value(await rpc.call('create', { type, constructorParams }), `create ${type}`);
  const invoke = async (object, operation, operationParams) =>
    value(await rpc.call('invoke', { object, operation, ...(operationParams ? { operationParams } : {}) }), operation);
  const connect = (source, sink) => invoke(source, 'connect', { sink });
  const dot = (pipeline) => invoke(pipeline, 'getGstreamerDot');
  /** Number of elements of a GStreamer type (e.g. 'GstX264Enc') in a dot dump: node labels start with the type. */
  const countElements = (dotText, gstType) => (dotText.match(new RegExp(`label="${gstType}\\\\n`, 'g')) || []).length;
  const transcodingEvents = (object, mediaType) => eventsOf(rpc, object, 'MediaTranscodingStateChanged')
    .filter((v) => v.data.state === 'TRANSCODING' && (mediaType === undefined || v.data.mediaType === mediaType));
  /** Subscribe to the events a scenario wants to check (Error always). */
  const watch = async (object, ...types) => { for (const t of ['Error', ...types]) await ensureSubscribed(rpc, object, t); };
  const errorsOf = (...objects) => objects.flatMap((o) => eventsOf(rpc, o, 'Error')
    .map((v) => `${o.split('_kurento.').pop()}: ${v.data.type} ${v.data.description}`));
  const eventSummary = (object) => eventsOf(rpc, object)
    .map((v) => `${v.type}:${v.data.state || ''}${v.data.mediaType ? '/' + v.data.mediaType : ''}${v.data.binName ? '/' + v.data.binName : ''}`)
    .join(' ');

  /** Dump the dot and events when PW_DEBUG is set. */
  async function debugDump(tag, pipeline, objects) {
    if (!DEBUG) return;
    try {
      fs.writeFileSync(`/tmp/pw-scenario-${tag}.dot`, await dot(pipeline));
    } catch (e) { console.log('dot failed', e.message); }
    for (const o of objects) console.log(tag, o.split('/').pop(), eventSummary(o));
  }

  /** Close the given peers and release the pipeline, whatever happened in the test. */
  async function cleanup(pipeline, peerNames) {
    for (const n of peerNames) await closePeer(page, n);
    if (pipeline) await rpc.call('release', { object: pipeline }).catch(() => {});
  }

  // ---------------------------------------------------------------------------------------

  it('1. one2many: one presenter, three viewers, relayed without any encoder or decoder', { timeout: 60000 }, async () => {
    const peers = ['presenter1', 'viewer1a', 'viewer1b', 'viewer1c'];
    const pipeline = await create('MediaPipeline');
    try {
      const P = await create('WebRtcEndpoint', { mediaPipeline: pipeline });
      await watch(P, 'MediaTranscodingStateChanged');
      const { answer } = await negotiate(page, rpc, P, { peerName: 'presenter1' });
      assert.match(answer, /VP8\/90000/, 'the presenter sends VP8');

      const viewers = [];
      for (const name of peers.slice(1)) {
        const V = await create('WebRtcEndpoint', { mediaPipeline: pipeline });
        await watch(V, 'MediaTranscodingStateChanged');
        const r = await negotiate(page, rpc, V, { peerName: name, recvOnly: true, afterAnswer: () => connect(P, V) });
        assert.match(r.answer, /VP8\/90000/, `${name}'s answer offers VP8`);
        viewers.push({ name, V });
      }

      const first = {};
      for (const { name } of viewers) first[name] = await waitFrames(page, name, 30, 15000);
      await debugDump('one2many', pipeline, [P, ...viewers.map((v) => v.V)]);
      for (const { name } of viewers) {
        assert.ok(first[name] >= 30, `${name} decoded the presenter's video (${first[name]} frames; errors: ${errorsOf(P, ...viewers.map((v) => v.V))})`);
        assert.equal(await inboundVideoCodec(page, name), 'video/VP8', `${name} receives VP8`);
      }
      await sleep(2000);
      for (const { name } of viewers) {
        const later = await framesDecoded(page, name);
        assert.ok(later >= first[name] + 20, `${name}: frames keep coming (${first[name]} → ${later} in 2 s)`);
      }
      assert.deepEqual(transcodingEvents(P), [], 'no TRANSCODING event on the presenter');
      for (const { name, V } of viewers) assert.deepEqual(transcodingEvents(V), [], `no TRANSCODING event on ${name}`);
      const d = await dot(pipeline);
      assert.doesNotMatch(d, /vp8enc|vp8dec|GstVP8Enc|GstVP8Dec/, 'no VP8 encoder or decoder in the pipeline');
      assert.deepEqual(errorsOf(P, ...viewers.map((v) => v.V)), [], 'no Error events');
    } finally {
      await cleanup(pipeline, peers);
    }
  });

  it('2. H.264-only viewers of a VP8 presenter share one transcode branch', { timeout: 60000 }, async () => {
    const peers = ['presenter2', 'h264viewer2a', 'h264viewer2b'];
    const pipeline = await create('MediaPipeline');
    try {
      const P = await create('WebRtcEndpoint', { mediaPipeline: pipeline });
      await watch(P, 'MediaTranscodingStateChanged');
      const p = await negotiate(page, rpc, P, { peerName: 'presenter2' });
      assert.match(p.answer, /VP8\/90000/, 'the presenter sends VP8');

      const viewers = [];
      for (const name of peers.slice(1)) {
        const V = await create('WebRtcEndpoint', { mediaPipeline: pipeline });
        await watch(V);
        const r = await negotiate(page, rpc, V, { peerName: name, recvOnly: true, codec: 'H264', afterAnswer: () => connect(P, V) });
        assert.doesNotMatch(r.offer, /VP8\/90000/, `${name}'s offer is H.264-only`);
        assert.match(r.answer, /H264\/90000/, `${name}'s answer contains H264`);
        viewers.push({ name, V });
      }

      const frames = {};
      for (const { name } of viewers) frames[name] = await waitFrames(page, name, 30, 15000);
      await debugDump('h264', pipeline, [P, ...viewers.map((v) => v.V)]);
      for (const { name } of viewers) {
        assert.ok(frames[name] >= 30, `${name} decoded H.264 frames (${frames[name]}; presenter events: ${eventSummary(P)}; ` +
          `errors: ${JSON.stringify(errorsOf(P, ...viewers.map((v) => v.V)))})`);
        assert.equal(await inboundVideoCodec(page, name), 'video/H264', `${name} receives H.264`);
      }
      const video = transcodingEvents(P, 'VIDEO');
      assert.equal(video.length, 1, `exactly one VIDEO TRANSCODING event on the presenter (got: ${eventSummary(P)})`);
      assert.match(video[0].data.binName, /transcode/, 'binName names the transcode branch');
      const d = await dot(pipeline);
      assert.equal(countElements(d, 'GstX264Enc'), 1, 'exactly one x264enc in the pipeline');
      assert.deepEqual(transcodingEvents(P, 'AUDIO'), [], 'Opus is relayed (no AUDIO transcoding)');
      assert.deepEqual(errorsOf(P, ...viewers.map((v) => v.V)), [], 'no Error events');
    } finally {
      await cleanup(pipeline, peers);
    }
  });

  it('3. browser → RecorderEndpoint(WEBM): VP8 goes into the file without transcoding', { timeout: 60000 }, async () => {
    const peers = ['recorded3'];
    const file = path.join(mediaDir, 'browser-recording.webm');
    const pipeline = await create('MediaPipeline');
    try {
      const W = await create('WebRtcEndpoint', { mediaPipeline: pipeline });
      await watch(W, 'MediaTranscodingStateChanged');
      const R = await create('RecorderEndpoint', { mediaPipeline: pipeline, uri: `file://${file}`, mediaProfile: 'WEBM' });
      await watch(R, 'Recording', 'Stopped');
      await connect(W, R);
      const { answer } = await negotiate(page, rpc, W, { peerName: 'recorded3' });
      assert.match(answer, /VP8\/90000/, 'the browser sends VP8');
      await invoke(R, 'record');
      await sleep(4000);
      await invoke(R, 'stopAndWait');
      await debugDump('recorder', pipeline, [W, R]);
      assert.ok(fs.existsSync(file), `recording ${file} exists`);
      const info = await discover(file);
      const content = DEBUG || !(info.durationSec >= 3) ? await contentDurationSec(file, 'video').catch(() => null) : null;
      if (DEBUG) console.log('recording', info.container, info.videoCodecs, info.audioCodecs, info.durationSec, 'content', content);
      assert.deepEqual(info.videoCodecs, ['VP8'], `one VP8 video track (${info.videoCaps})`);
      assert.deepEqual(info.audioCodecs, ['OPUS'], `one Opus audio track (found: ${JSON.stringify(info.audioCaps)}; ` +
        `errors: ${JSON.stringify(errorsOf(W, R))})`);
      assert.ok(info.durationSec >= 3, `duration ≥ 3 s (discoverer: ${info.durationSec}, demuxed video: ${content})`);
      assert.deepEqual(transcodingEvents(W, 'VIDEO'), [], `no VIDEO transcoding on the WebRtcEndpoint (${eventSummary(W)})`);
      assert.deepEqual(errorsOf(W, R), [], 'no Error events');
    } finally {
      await cleanup(pipeline, peers);
      if (DEBUG && fs.existsSync(file)) fs.copyFileSync(file, '/tmp/pw-scenario-recording.webm');
      fs.rmSync(file, { force: true });
    }
  });

  it('4. PlayerEndpoint → browser: a 5 s clip is decoded by a recvonly viewer', { timeout: 60000 }, async () => {
    const peers = ['player4'];
    const clip = await makeClip(path.join(mediaDir, 'clip.webm'), { seconds: 5 });
    const pipeline = await create('MediaPipeline');
    try {
      const player = await create('PlayerEndpoint', { mediaPipeline: pipeline, uri: `file://${clip}` });
      const W = await create('WebRtcEndpoint', { mediaPipeline: pipeline });
      await watch(player, 'EndOfStream', 'MediaTranscodingStateChanged');
      await watch(W);
      await connect(player, W);
      await negotiate(page, rpc, W, { peerName: 'player4', recvOnly: true });
      await invoke(player, 'play');
      const n = await waitFrames(page, 'player4', 30, 15000);
      await debugDump('player', pipeline, [player, W]);
      if (DEBUG) console.log('player4 stats', JSON.stringify(await peerRtpStats(page, 'player4')));
      assert.ok(n >= 30, `the viewer decoded the clip (${n} frames; player events: ${eventSummary(player)}; ` +
        `errors: ${JSON.stringify(errorsOf(player, W))})`);
      assert.deepEqual(errorsOf(player, W), [], 'no Error events');
    } finally {
      await cleanup(pipeline, peers);
      fs.rmSync(clip, { force: true });
    }
  });

  it('6. magic mirror: WebRtcEndpoint → FaceOverlayFilter → same endpoint, decoded by the browser', { timeout: 60000 }, async () => {
    const peers = ['mirror6'];
    const hat = path.join(mediaDir, 'hat.png');
    await new Promise((resolve, reject) => {
      execFile('gst-launch-1.0', ['-q', 'videotestsrc', 'pattern=solid-color', 'foreground-color=0xffff0000', 'num-buffers=1', '!',
        'video/x-raw,width=64,height=64', '!', 'pngenc', '!', 'filesink', `location=${hat}`], (err) => (err ? reject(err) : resolve()));
    });
    // As the tutorial does: the hat is an http:// URI (its own web server; here one on 127.0.0.1).
    const images = await serveFiles({ '/img/mario-wings.png': hat }, { contentType: 'image/png' });
    const pipeline = await create('MediaPipeline');
    try {
      const W = await create('WebRtcEndpoint', { mediaPipeline: pipeline });
      const F = await create('FaceOverlayFilter', { mediaPipeline: pipeline });
      await invoke(F, 'setOverlayedImage', {
        uri: images.url('/img/mario-wings.png'), offsetXPercent: -0.35, offsetYPercent: -1.2, widthPercent: 1.6, heightPercent: 1.6,
      });
      assert.equal(images.requests.length, 1, 'the image was fetched over http');
      await watch(W);
      await watch(F, 'MediaTranscodingStateChanged');
      await negotiate(page, rpc, W, {
        peerName: 'mirror6',
        afterAnswer: async () => { await connect(W, F); await connect(F, W); },
      });
      const n = await waitFrames(page, 'mirror6', 30, 20000);
      assert.ok(n >= 30, `the browser decoded its video back through the filter (${n} frames; errors: ${JSON.stringify(errorsOf(W, F))})`);
      // The filter decodes once; its raw output is encoded once for the endpoint (VP8).
      const transcoding = eventsOf(rpc, F, 'MediaTranscodingStateChanged').filter((e) => e.data.state === 'TRANSCODING' && e.data.mediaType === 'VIDEO');
      assert.equal(transcoding.length, 1, 'one video encode on the filter output');
      assert.deepEqual(errorsOf(W, F), [], 'no Error events');
    } finally {
      await cleanup(pipeline, peers);
      await images.close();
      fs.rmSync(hat, { force: true });
    }
  });

  // --- 5. bad input ------------------------------------------------------------------------

  const FINGERPRINT = Array.from({ length: 32 }, (_, i) => ((i * 37 + 11) & 0xff).toString(16).padStart(2, '0').toUpperCase()).join(':');
  /** A syntactically complete WebRTC offer (BUNDLE, ICE, DTLS) with the given rtpmaps. */
  function handOffer({ audio = ['111 opus/48000/2'], video = ['96 VP8/90000'] } = {}) {
    const lines = ['v=0', 'o=- 4611731400430051336 2 IN IP4 127.0.0.1', 's=-', 't=0 0', 'a=group:BUNDLE 0 1', 'a=msid-semantic: WMS'];
    const section = (kind, maps, mid, ssrc) => {
      lines.push(`m=${kind} 9 UDP/TLS/RTP/SAVPF ${maps.map((m) => m.split(' ')[0]).join(' ')}`,
        'c=IN IP4 0.0.0.0', 'a=rtcp:9 IN IP4 0.0.0.0', 'a=ice-ufrag:pwTe', 'a=ice-pwd:pipewrightTestIcePassword0',
        'a=ice-options:trickle', `a=fingerprint:sha-256 ${FINGERPRINT}`, 'a=setup:actpass', `a=mid:${mid}`,
        'a=sendrecv', 'a=rtcp-mux');
      for (const m of maps) lines.push(`a=rtpmap:${m}`);
      lines.push(`a=ssrc:${ssrc} cname:pipewright-test`);
    };
    section('audio', audio, '0', 11111111);
    section('video', video, '1', 22222222);
    return lines.join('\r\n') + '\r\n';
  }

  it('9. data channels: the browser\'s messages come back through a DATA loopback', { timeout: 60000 }, async () => {
    const pipeline = await create('MediaPipeline');
    try {
      const W = await create('WebRtcEndpoint', { mediaPipeline: pipeline, useDataChannels: true });
      await watch(W, 'DataChannelOpened');
      // The page opens a channel before its offer, so the offer has a data channel m-line.
      await page.evaluate(() => {
        window.dcPending = { received: [] };
        const orig = window.RTCPeerConnection;
        window.RTCPeerConnection = function (...args) {
          const pc = new orig(...args);
          const dc = pc.createDataChannel('chat');
          dc.onmessage = (e) => window.dcPending.received.push(e.data);
          window.dcPending.channel = dc;
          window.RTCPeerConnection = orig;
          return pc;
        };
      });
      const { answer } = await negotiate(page, rpc, W, { peerName: 'dc9', audio: false, afterAnswer: async () => { await connect(W, W); } });
      assert.match(answer, /m=application .*webrtc-datachannel/, 'the answer accepts the data channel');
      await page.waitForFunction(() => window.dcPending.channel.readyState === 'open', { timeout: 15000 });
      const opened = await rpc.waitEvent((e) => e.params.value.type === 'DataChannelOpened' && e.params.value.object === W, 10000);
      assert.equal(typeof opened.params.value.data.channelId, 'number');
      await page.evaluate(() => window.dcPending.channel.send('hello-pipewright'));
      await page.waitForFunction(() => window.dcPending.received.includes('hello-pipewright'), { timeout: 10000 });
    } finally {
      await cleanup(pipeline, ['dc9']);
    }
  });

  it('8. maxVideoRecvBandwidth: the answer carries b=AS and the browser sends within it', { timeout: 60000 }, async () => {
    const pipeline = await create('MediaPipeline');
    try {
      const W = await create('WebRtcEndpoint', { mediaPipeline: pipeline });
      await invoke(W, 'setMaxVideoRecvBandwidth', { maxVideoRecvBandwidth: 150 });
      const { answer } = await negotiate(page, rpc, W, { peerName: 'bw8', afterAnswer: async () => { await connect(W, W); } });
      const video = answer.split(/\r\nm=/).find((section) => section.startsWith('video'));
      assert.match(video, /\r\nb=AS:150\r\n/, 'b=AS:150 in the video section of the answer');
      await waitFrames(page, 'bw8', 30, 15000);
      await sleep(3000);
      const target = await page.evaluate(async () => {
        let t = 0;
        (await window.peers.bw8.pc.getStats()).forEach((st) => { if (st.type === 'outbound-rtp' && st.kind === 'video') t = st.targetBitrate || 0; });
        return t;
      });
      assert.ok(target > 0 && target <= 165000, `the browser's video target bitrate respects 150 kbps (${target} bps)`);
    } finally {
      await cleanup(pipeline, ['bw8']);
    }
  });

  it('7. WebRTC sessions come and go: threads, sockets and file descriptors return to baseline', { timeout: 120000 }, async () => {
    const pid = server.proc.pid;
    const count = (dir) => fs.readdirSync(dir).length;
    const loopback = async (name) => {
      const pipeline = await create('MediaPipeline');
      const W = await create('WebRtcEndpoint', { mediaPipeline: pipeline });
      await negotiate(page, rpc, W, { peerName: name, afterAnswer: async () => { await connect(W, W); } });
      await waitFrames(page, name, 10, 15000);
      await cleanup(pipeline, [name]);
    };
    await loopback('warm7');  // plugin loading, thread pools, the first DTLS key
    await sleep(2000);
    const fds0 = count(`/proc/${pid}/fd`);
    const threads0 = count(`/proc/${pid}/task`);
    for (let i = 0; i < 5; i++) await loopback(`cycle7-${i}`);
    let fds = 0, threads = 0;
    for (let i = 0; i < 20; i++) {
      await sleep(500);
      fds = count(`/proc/${pid}/fd`);
      threads = count(`/proc/${pid}/task`);
      if (fds <= fds0 + 3 && threads <= threads0 + 3) break;
    }
    assert.ok(fds <= fds0 + 3, `file descriptors back to baseline after 5 WebRTC sessions (${fds0} → ${fds})`);
    assert.ok(threads <= threads0 + 3, `threads back to baseline after 5 WebRTC sessions (${threads0} → ${threads})`);
  });

  it('5a. bad SDP and out-of-order calls get the Kurento error codes', { timeout: 60000 }, async () => {
    const pipeline = await create('MediaPipeline');
    try {
      const newEndpoint = () => create('WebRtcEndpoint', { mediaPipeline: pipeline });
      const processOffer = (ep, offer) => rpc.call('invoke', { object: ep, operation: 'processOffer', operationParams: { offer } });
      const expectCode = (r, code, what) => {
        assert.ok(r.error, `${what}: expected error ${code}, got result ${String(JSON.stringify(r.result)).slice(0, 200)}`);
        assert.equal(r.error.code, code, `${what}: ${JSON.stringify(r.error)}`);
        return r.error;
      };

      expectCode(await processOffer(await newEndpoint(), 'this is not an SDP at all'), 40201, 'garbage offer');
      expectCode(await processOffer(await newEndpoint(), 'v=0\r\no=- 1 1 IN IP4 127.0.0.1\r\ns=-\r\nt=0 0\r\n'), 40201, 'offer without m= lines');

      const err = expectCode(await processOffer(await newEndpoint(), handOffer({ audio: ['97 BAR/48000/2'], video: ['96 FOO/90000'] })),
        40205, 'offer with only unknown codecs');
      for (const codec of [/VP8/, /H\.?264/i, /opus/i]) assert.match(err.message, codec, `the 40205 message names the codecs we accept: ${err.message}`);

      const ok = await newEndpoint();
      const answer = value(await processOffer(ok, handOffer()), 'processOffer of a valid hand-written offer');
      assert.match(answer, /^v=0/);
      assert.match(answer, /VP8\/90000/);
      assert.match(answer, /opus\/48000/i);
      expectCode(await processOffer(ok, handOffer()), 40208, 'second processOffer on the same endpoint');

      const fresh = await newEndpoint();
      value(await rpc.call('invoke', { object: fresh, operation: 'addIceCandidate', operationParams: {
        candidate: { candidate: 'candidate:1 1 UDP 2122260223 127.0.0.1 50000 typ host', sdpMid: '0', sdpMLineIndex: 0 },
      } }), 'addIceCandidate before any SDP (queued)');
      expectCode(await rpc.call('invoke', { object: fresh, operation: 'getLocalSessionDescriptor' }), 40202, 'getLocalSessionDescriptor before negotiation');
    } finally {
      await cleanup(pipeline, []);
    }
  });

  it('5b. a browser peer closed mid-ICE: the server stays healthy and a new loopback works', { timeout: 60000 }, async () => {
    const pipeline = await create('MediaPipeline');
    let second;
    try {
      const W = await create('WebRtcEndpoint', { mediaPipeline: pipeline });
      await ensureSubscribed(rpc, W, 'IceCandidateFound');
      const offer = await page.evaluate(async () => {
        const pc = new RTCPeerConnection();
        const peer = { pc, localCandidates: [] };
        window.peers.aborted5 = peer;
        pc.onicecandidate = (e) => { if (e.candidate) peer.localCandidates.push(e.candidate.toJSON()); };
        peer.stream = await navigator.mediaDevices.getUserMedia({ video: true, audio: true });
        for (const t of peer.stream.getTracks()) pc.addTrack(t, peer.stream);
        const o = await pc.createOffer();
        await pc.setLocalDescription(o);
        return o.sdp;
      });
      const answer = await invoke(W, 'processOffer', { offer });
      await page.evaluate((sdp) => window.peers.aborted5.pc.setRemoteDescription({ type: 'answer', sdp }), answer);
      await connect(W, W);
      await invoke(W, 'gatherCandidates');
      // Hand the server the browser's candidates so that connectivity checks start, then vanish.
      for (const candidate of await page.evaluate(() => window.peers.aborted5.localCandidates)) {
        await invoke(W, 'addIceCandidate', { candidate });
      }
      await closePeer(page, 'aborted5');
      await sleep(3000);
      assert.ok(server.isRunning(), 'the server survived the vanished peer');
      value(await rpc.call('release', { object: pipeline }), 'release of the pipeline with the half-negotiated endpoint');

      const pong = await rpc.call('ping', { interval: 5000 });
      assert.equal(pong.result?.value, 'pong', `ping answered: ${JSON.stringify(pong)}`);

      second = await create('MediaPipeline');
      const L = await create('WebRtcEndpoint', { mediaPipeline: second });
      await negotiate(page, rpc, L, { peerName: 'loop5', afterAnswer: () => connect(L, L) });
      const n = await waitFrames(page, 'loop5', 30, 15000);
      assert.ok(n >= 30, `a new loopback decodes frames (${n})`);
    } finally {
      await cleanup(pipeline, ['aborted5']);
      await cleanup(second, ['loop5']);
    }
  });
});
