// Browser-side helpers for the WebRTC end-to-end tests.
//
//   launchBrowser()  – headless Debian Chromium (fake camera/microphone) on a blank page served
//                      from 127.0.0.1; returns {browser, page, close()}
//   negotiate()      – one RTCPeerConnection in the page (window.peers[name]) against one
//                      server WebRtcEndpoint: offer → processOffer → answer, trickle ICE both
//                      ways until the browser reports 'connected'
//   framesDecoded()  – inbound video frames decoded by a peer (getStats)
//   waitFrames()     – poll framesDecoded until a minimum is reached
//   inboundVideoCodec(), peerRtpStats(), closePeer()
//   frameStats()     – luma mean/spread (and samples) of a <video>'s current frame: pixels, not events
//
// Everything runs on 127.0.0.1; the tests themselves run inside `unshare -n` (see
// e2e/run-isolated.sh), so no packet can leave the machine.

import http from 'node:http';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import puppeteer from 'puppeteer-core';

export const CHROMIUM_BIN = process.env.PW_CHROMIUM || '/usr/bin/chromium';

export const CHROMIUM_FLAGS = [
  '--headless=new', '--no-sandbox', '--disable-gpu', '--disable-quic', '--no-first-run',
  '--disable-background-networking', '--disable-component-update', '--disable-sync',
  '--use-fake-device-for-media-stream', '--use-fake-ui-for-media-stream',
  '--autoplay-policy=no-user-gesture-required', '--disable-features=WebRtcHideLocalIpsWithMdns',
  '--allow-loopback-in-peer-connection',
];

const sleep = (ms) => new Promise((r) => setTimeout(r, ms));

/**
 * Launch Chromium and open a blank page served on 127.0.0.1 (getUserMedia needs a secure
 * context; http://127.0.0.1 counts as one).
 * @param {object} [opts]
 * @param {string[]} [opts.extraFlags]
 * @returns {Promise<{browser, page, url:string, close:()=>Promise<void>}>}
 */
export async function launchBrowser({ extraFlags = [] } = {}) {
  const web = http.createServer((req, res) => {
    res.setHeader('content-type', 'text/html');
    res.end('<!doctype html><title>pw</title>');
  });
  await new Promise((r) => web.listen(0, '127.0.0.1', r));
  const profileDir = fs.mkdtempSync(path.join(os.tmpdir(), 'pw-chromium-'));
  let browser;
  try {
    browser = await puppeteer.launch({
      executablePath: CHROMIUM_BIN, headless: true,
      args: [...CHROMIUM_FLAGS, ...extraFlags, `--user-data-dir=${profileDir}`],
    });
    const page = await browser.newPage();
    const url = `http://127.0.0.1:${web.address().port}/`;
    await page.goto(url);
    await page.evaluate(() => { window.peers = {}; });
    return {
      browser,
      page,
      url,
      async close() {
        await browser.close().catch(() => {});
        web.close();
        fs.rmSync(profileDir, { recursive: true, force: true });
      },
    };
  } catch (err) {
    await browser?.close().catch(() => {});
    web.close();
    fs.rmSync(profileDir, { recursive: true, force: true });
    throw err;
  }
}

const rpcValue = (r, what) => {
  if (!r.result) throw new Error(`${what}: ${JSON.stringify(r.error)}`);
  return r.result.value;
};

// One subscription per (client, object, event type).
const subscribed = new WeakMap();
/** Subscribe `rpc` to `type` events of `object` unless already done. */
export async function ensureSubscribed(rpc, object, type) {
  let set = subscribed.get(rpc);
  if (!set) subscribed.set(rpc, (set = new Set()));
  const key = `${object}\u0000${type}`;
  if (set.has(key)) return;
  rpcValue(await rpc.call('subscribe', { object, type }), `subscribe ${type}`);
  set.add(key);
}

/** The onEvent notifications received so far for one object (and optionally one type). */
export function eventsOf(rpc, object, type) {
  return rpc.events.map((e) => e.params.value)
    .filter((v) => v.object === object && (type === undefined || v.type === type));
}

/**
 * Create window.peers[peerName] in the page and negotiate it with the server WebRtcEndpoint
 * `endpointId` (browser offers). Resolves once the browser's connectionState is 'connected';
 * throws (with ICE details) otherwise.
 *
 * @param {import('puppeteer-core').Page} page
 * @param {object} rpc          client from lib/server.mjs rpcClient()
 * @param {string} endpointId   WebRtcEndpoint id
 * @param {object} [opts]
 * @param {string} [opts.peerName='pc']
 * @param {boolean} [opts.recvOnly=false] recvonly video + audio transceivers, no camera
 * @param {string} [opts.codec]  'H264' | 'VP8' | 'VP9': restrict the video transceiver to that
 *                               codec with setCodecPreferences (H.264: packetization-mode=1 only)
 * @param {boolean} [opts.audio=true]  sendrecv peers: also send the fake microphone
 * @param {(answer:string)=>Promise<void>} [opts.afterAnswer] runs after the answer is applied,
 *                               before gatherCandidates (e.g. to connect() elements)
 * @param {number} [opts.timeoutMs=20000] ICE/DTLS deadline
 * @param {(offer:string)=>string} [opts.mungeOffer] what the server gets instead of the browser's
 *                               offer (e.g. without a feature, to compare with and without it)
 * @returns {Promise<{offer:string, answer:string, state:string}>}
 */
export async function negotiate(page, rpc, endpointId, opts = {}) {
  const { peerName = 'pc', recvOnly = false, codec = null, audio = true, afterAnswer, timeoutMs = 20000, mungeOffer } = opts;
  for (const type of ['IceCandidateFound', 'IceGatheringDone']) await ensureSubscribed(rpc, endpointId, type);

  const offer = await page.evaluate(async ({ peerName, recvOnly, codec, audio }) => {
    window.peers = window.peers || {};
    const pc = new RTCPeerConnection();
    const peer = { pc, localCandidates: [], gatheringDone: false };
    window.peers[peerName] = peer;
    pc.onicecandidate = (e) => {
      if (e.candidate) peer.localCandidates.push(e.candidate.toJSON());
      else peer.gatheringDone = true;
    };
    if (recvOnly) {
      pc.addTransceiver('video', { direction: 'recvonly' });
      pc.addTransceiver('audio', { direction: 'recvonly' });
    } else {
      const stream = await navigator.mediaDevices.getUserMedia({ video: true, audio });
      for (const t of stream.getTracks()) pc.addTrack(t, stream);
      peer.stream = stream;
    }
    if (codec) {
      const mime = `video/${codec}`.toLowerCase();
      const wanted = RTCRtpReceiver.getCapabilities('video').codecs.filter((c) =>
        c.mimeType.toLowerCase() === mime &&
        (codec.toUpperCase() !== 'H264' || /packetization-mode=1/.test(c.sdpFmtpLine || '')));
      if (wanted.length === 0) throw new Error(`this browser cannot receive ${codec}`);
      for (const t of pc.getTransceivers()) {
        if (t.receiver.track.kind === 'video') t.setCodecPreferences(wanted);
      }
    }
    const o = await pc.createOffer();
    await pc.setLocalDescription(o);
    return o.sdp;
  }, { peerName, recvOnly, codec, audio });

  const sent = mungeOffer ? mungeOffer(offer) : offer;
  const answer = rpcValue(await rpc.call('invoke', { object: endpointId, operation: 'processOffer', operationParams: { offer: sent } }), 'processOffer');
  await page.evaluate((name, sdp) => window.peers[name].pc.setRemoteDescription({ type: 'answer', sdp }), peerName, answer);
  if (afterAnswer) await afterAnswer(answer);
  rpcValue(await rpc.call('invoke', { object: endpointId, operation: 'gatherCandidates' }), 'gatherCandidates');

  // Trickle both ways until connected.
  let sentBrowser = 0;
  let forwarded = 0;
  let state = '';
  const deadline = Date.now() + timeoutMs;
  while (Date.now() < deadline) {
    const cands = eventsOf(rpc, endpointId, 'IceCandidateFound');
    for (; forwarded < cands.length; forwarded++) {
      const c = cands[forwarded].data.candidate;
      await page.evaluate((name, cand) => window.peers[name].pc.addIceCandidate(cand), peerName,
        { candidate: c.candidate, sdpMid: c.sdpMid, sdpMLineIndex: c.sdpMLineIndex });
    }
    const local = await page.evaluate((name) => window.peers[name].localCandidates, peerName);
    for (; sentBrowser < local.length; sentBrowser++) {
      rpcValue(await rpc.call('invoke', { object: endpointId, operation: 'addIceCandidate', operationParams: { candidate: local[sentBrowser] } }), 'addIceCandidate');
    }
    state = await page.evaluate((name) => window.peers[name].pc.connectionState, peerName);
    if (state === 'connected' || state === 'failed' || state === 'closed') break;
    await sleep(150);
  }
  if (state !== 'connected') {
    const ice = await page.evaluate((name) => window.peers[name].pc.iceConnectionState, peerName);
    throw new Error(`peer ${peerName} did not connect: connectionState=${state} iceConnectionState=${ice}, ` +
      `server candidates=${forwarded}, browser candidates=${sentBrowser}, ` +
      `IceGatheringDone=${eventsOf(rpc, endpointId, 'IceGatheringDone').length > 0}`);
  }
  return { offer, answer, state };
}

/** Video frames decoded so far by window.peers[peerName] (sum over inbound video streams). */
export function framesDecoded(page, peerName = 'pc') {
  return page.evaluate(async (name) => {
    let n = 0;
    (await window.peers[name].pc.getStats()).forEach((s) => {
      if (s.type === 'inbound-rtp' && s.kind === 'video') n += s.framesDecoded || 0;
    });
    return n;
  }, peerName);
}

/** Poll framesDecoded until it reaches `min` or `timeoutMs` passes; resolves the last count. */
export async function waitFrames(page, peerName, min, timeoutMs = 15000) {
  const deadline = Date.now() + timeoutMs;
  let n = await framesDecoded(page, peerName);
  while (n < min && Date.now() < deadline) {
    await sleep(250);
    n = await framesDecoded(page, peerName);
  }
  return n;
}

/** mimeType of the codec of the peer's inbound video stream ('video/VP8', ...), or null. */
export function inboundVideoCodec(page, peerName = 'pc') {
  return page.evaluate(async (name) => {
    const stats = await window.peers[name].pc.getStats();
    let codecId = null;
    stats.forEach((s) => { if (s.type === 'inbound-rtp' && s.kind === 'video' && s.codecId) codecId = s.codecId; });
    const c = codecId && stats.get(codecId);
    return c ? c.mimeType : null;
  }, peerName);
}

/** Every inbound/outbound RTP stats entry of a peer (for diagnostics). */
export function peerRtpStats(page, peerName = 'pc') {
  return page.evaluate(async (name) => {
    const out = [];
    (await window.peers[name].pc.getStats()).forEach((s) => { if (s.type.endsWith('-rtp')) out.push(s); });
    return out;
  }, peerName);
}

/** Close window.peers[peerName] (and stop its camera tracks); ignores unknown peers. */
export function closePeer(page, peerName = 'pc') {
  return page.evaluate((name) => {
    const p = window.peers && window.peers[name];
    if (!p) return;
    p.pc.close();
    p.stream?.getTracks().forEach((t) => t.stop());
    delete window.peers[name];
  }, peerName).catch(() => {});
}

/** The RGBA values of a <video>'s current frame scaled to width x height, or null before its first frame. */
export async function framePixels(page, videoId, width, height) {
  const values = await page.evaluate((id, w, h) => {
    const video = document.getElementById(id);
    if (!video || !video.videoWidth) return null;
    const canvas = document.createElement('canvas');
    canvas.width = w;
    canvas.height = h;
    const ctx = canvas.getContext('2d');
    ctx.drawImage(video, 0, 0, w, h);
    return Array.from(ctx.getImageData(0, 0, w, h).data);
  }, videoId, width, height);
  return values && Uint8Array.from(values);
}

/** Luma statistics of a <video>'s current frame (64x48 samples). */
export async function frameStats(page, videoId) {
  const data = await framePixels(page, videoId, 64, 48);
  if (!data) return null;
  const size = await page.evaluate((id) => {
    const video = document.getElementById(id);
    return { width: video.videoWidth, height: video.videoHeight };
  }, videoId);
  let sum = 0;
  let sumSq = 0;
  const luma = [];
  for (let i = 0; i < data.length; i += 4) {
    const y = 0.299 * data[i] + 0.587 * data[i + 1] + 0.114 * data[i + 2];
    luma.push(y);
    sum += y;
    sumSq += y * y;
  }
  const n = luma.length;
  const mean = sum / n;
  return { ...size, mean, std: Math.sqrt(sumSq / n - mean * mean), luma };
}
