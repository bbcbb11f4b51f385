// Real WebRTC with headless Chromium (fake camera) against WebRtcEndpoint, everything on
// 127.0.0.1: the test runs inside a private network namespace (see tests/CMakeLists.txt).
// Hello-world loopback: the browser's own VP8 comes back, relayed without decoding.

import { describe, it, before, after } from 'node:test';
import assert from 'node:assert/strict';
import http from 'node:http';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import puppeteer from 'puppeteer-core';
import { startServer, rpcClient } from '../lib/server.mjs';

const CHROMIUM_FLAGS = [
  '--headless=new', '--no-sandbox', '--disable-gpu', '--disable-quic', '--no-first-run',
  '--disable-background-networking', '--disable-component-update', '--disable-sync',
  '--use-fake-device-for-media-stream', '--use-fake-ui-for-media-stream',
  '--autoplay-policy=no-user-gesture-required', '--disable-features=WebRtcHideLocalIpsWithMdns',
  '--allow-loopback-in-peer-connection',
];

const sleep = (ms) => new Promise((r) => setTimeout(r, ms));

describe('WebRTC with headless Chromium', () => {
  let server, rpc, browser, page, web, profileDir;

  before(async () => {
    server = await startServer({ extraArgs: ['--ice-address', '127.0.0.1'] });
    rpc = await rpcClient(server.url);
    web = http.createServer((req, res) => { res.setHeader('content-type', 'text/html'); res.end('<!doctype html><title>pw</title>'); });
    await new Promise((r) => web.listen(0, '127.0.0.1', r));
    profileDir = fs.mkdtempSync(path.join(os.tmpdir(), 'pw-chromium-'));
    browser = await puppeteer.launch({ executablePath: '/usr/bin/chromium', headless: true,
      args: [...CHROMIUM_FLAGS, `--user-data-dir=${profileDir}`] });
    page = await browser.newPage();
    await page.goto(`http://127.0.0.1:${web.address().port}/`);
  });

  after(async () => {
    await browser?.close().catch(() => {});
    web?.close();
    rpc?.close();
    await server?.stop();
    if (profileDir) fs.rmSync(profileDir, { recursive: true, force: true });
  });

  const value = (r) => { assert.ok(r.result, JSON.stringify(r.error)); return r.result.value; };

  it('hello-world loopback: frames decode in the browser and the server never transcodes', { timeout: 60000 }, async () => {
    const offer = await page.evaluate(async () => {
      window.pc = new RTCPeerConnection();
      window.localCandidates = [];
      pc.onicecandidate = (e) => { if (e.candidate) localCandidates.push(e.candidate.toJSON()); };
      const stream = await navigator.mediaDevices.getUserMedia({ video: true, audio: true });
      for (const t of stream.getTracks()) pc.addTrack(t, stream);
      const o = await pc.createOffer();
      await pc.setLocalDescription(o);
      return o.sdp;
    });
    const pipeline = value(await rpc.call('create', { type: 'MediaPipeline' }));
    const ep = value(await rpc.call('create', { type: 'WebRtcEndpoint', constructorParams: { mediaPipeline: pipeline } }));
    for (const type of ['IceCandidateFound', 'IceGatheringDone', 'MediaTranscodingStateChanged', 'MediaFlowInStateChanged']) {
      value(await rpc.call('subscribe', { object: ep, type }));
    }
    const answer = value(await rpc.call('invoke', { object: ep, operation: 'processOffer', operationParams: { offer } }));
    assert.match(answer, /^v=0/);
    assert.match(answer, /VP8\/90000/);
    await page.evaluate((sdp) => pc.setRemoteDescription({ type: 'answer', sdp }), answer);
    value(await rpc.call('invoke', { object: ep, operation: 'connect', operationParams: { sink: ep } }));
    value(await rpc.call('invoke', { object: ep, operation: 'gatherCandidates' }));
    // Trickle both ways until connected.
    let sentBrowser = 0;
    let forwarded = 0;
    const deadline = Date.now() + 20000;
    let state = '';
    while (Date.now() < deadline) {
      const cands = rpc.events.filter((e) => e.params.value.type === 'IceCandidateFound');
      for (; forwarded < cands.length; forwarded++) {
        const c = cands[forwarded].params.value.data.candidate;
        await page.evaluate((cand) => pc.addIceCandidate(cand), { candidate: c.candidate, sdpMid: c.sdpMid, sdpMLineIndex: c.sdpMLineIndex });
      }
      const local = await page.evaluate(() => localCandidates);
      for (; sentBrowser < local.length; sentBrowser++) {
        value(await rpc.call('invoke', { object: ep, operation: 'addIceCandidate', operationParams: { candidate: local[sentBrowser] } }));
      }
      state = await page.evaluate(() => pc.connectionState);
      if (state === 'connected') break;
      await sleep(200);
    }
    assert.equal(state, 'connected', 'the browser connected');
    assert.ok(rpc.events.some((e) => e.params.value.type === 'IceGatheringDone'), 'IceGatheringDone');
    const framesDecoded = () => page.evaluate(async () => {
      let n = 0;
      (await pc.getStats()).forEach((s) => { if (s.type === 'inbound-rtp' && s.kind === 'video') n = s.framesDecoded || 0; });
      return n;
    });
    let first = 0;
    for (let i = 0; i < 50 && first < 30; i++) { await sleep(300); first = await framesDecoded(); }
    if (process.env.PW_DEBUG) {
      console.log('EVENTS', rpc.events.map((e) => e.params.value.type + ':' + JSON.stringify(e.params.value.data.state || e.params.value.data.mediaType || '')).join(' '));
      console.log('STATS', JSON.stringify(await page.evaluate(async () => { const o = []; (await pc.getStats()).forEach((s) => { if (s.type.includes('rtp')) o.push(s); }); return o; })));
      fs.writeFileSync('/tmp/pw-loopback.dot', value(await rpc.call('invoke', { object: pipeline, operation: 'getGstreamerDot' })));
    }
    assert.ok(first >= 30, `the browser decoded its own video back (${first} frames)`);
    await sleep(3000);
    const later = await framesDecoded();
    assert.ok(later >= first + 30, `frames keep coming (${first} → ${later})`);
    const transcoding = rpc.events.filter((e) => e.params.value.type === 'MediaTranscodingStateChanged' &&
      e.params.value.data.state === 'TRANSCODING');
    assert.equal(transcoding.length, 0, 'no transcoding');
    const dot = value(await rpc.call('invoke', { object: pipeline, operation: 'getGstreamerDot' }));
    assert.doesNotMatch(dot, /vp8dec|vp8enc|opusdec|opusenc/, 'no decoder or encoder in the pipeline');
    value(await rpc.call('release', { object: pipeline }));
  });
});
