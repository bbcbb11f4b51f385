// The built-in WHIP and WHEP pages (www/whip.html, www/whep.html, served by the control port
// under /tutorials/) in headless Chromium: one tab publishes its fake camera by WHIP, another
// plays it by WHEP, and the played video must show moving pixels. Runs inside e2e's private
// network namespace (Chromium and the server use 127.0.0.1 only).

import { describe, it, before, after } from 'node:test';
import assert from 'node:assert/strict';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import puppeteer from 'puppeteer-core';
import { startServer, rpcClient, sleep } from '../lib/server.mjs';
import { rpcShortcuts } from '../lib/kms.mjs';
import { CHROMIUM_BIN, CHROMIUM_FLAGS, frameStats } from '../lib/browser.mjs';

const TOKEN = 'page-token';

async function waitStatus(page, pattern, timeoutMs = 30000) {
  const deadline = Date.now() + timeoutMs;
  let text = '';
  while (Date.now() < deadline) {
    text = await page.$eval('#status', (e) => e.textContent);
    if (pattern.test(text)) return text;
    if (/^Failed/.test(text)) break;
    await sleep(200);
  }
  throw new Error(`status of ${page.url()}: "${text}"`);
}


describe('the WHIP and WHEP tutorial pages in Chromium', () => {
  let server, rpc, browser, profileDir;
  let value, create, invoke;

  before(async () => {
    server = await startServer({ extraArgs: ['--ice-address', '127.0.0.1'] });
    rpc = await rpcClient(server.url, { timeoutMs: 20000 });
    ({ value, create, invoke } = rpcShortcuts(rpc));
    profileDir = fs.mkdtempSync(path.join(os.tmpdir(), 'pw-chromium-'));
    browser = await puppeteer.launch({
      executablePath: CHROMIUM_BIN, headless: true, args: [...CHROMIUM_FLAGS, `--user-data-dir=${profileDir}`],
    });
  });
  after(async () => {
    await browser?.close().catch(() => {});
    if (profileDir) fs.rmSync(profileDir, { recursive: true, force: true });
    rpc?.close();
    await server?.stop();
  });

  it('a camera published by WHIP plays by WHEP in another tab', { timeout: 120000 }, async () => {
    const pipeline = await create('MediaPipeline');
    const whip = await create('WhipEndpoint', { mediaPipeline: pipeline, token: TOKEN });
    const whep = await create('WhepEndpoint', { mediaPipeline: pipeline, token: TOKEN });
    value(await invoke(whip, 'connect', { sink: whep }));
    value(await rpc.call('subscribe', { object: whep, type: 'MediaTranscodingStateChanged' }));
    value(await rpc.call('subscribe', { object: whep, type: 'PeerConnected' }));
    const whipUrl = value(await invoke(whip, 'getUrl'));
    const whepUrl = value(await invoke(whep, 'getUrl'));
    const base = new URL(whipUrl).origin;

    const index = await fetch(`${base}/`);
    assert.equal(index.status, 200);
    assert.match(await index.text(), /href="\/tutorials\/whip\.html"/, 'the start page lists the WHIP page');

    const publisher = await browser.newPage();
    const q = (url) => `url=${encodeURIComponent(url)}&token=${TOKEN}&autostart=1`;
    await publisher.goto(`${base}/tutorials/whip.html?${q(whipUrl)}`);
    await waitStatus(publisher, /Connection connected/);

    const viewer = await browser.newPage();
    await viewer.goto(`${base}/tutorials/whep.html?${q(whepUrl)}`);
    await waitStatus(viewer, /Connection connected/);

    const inbound = () => viewer.evaluate(async () => {
      const out = {};
      (await session.pc.getStats()).forEach((r) => {
        if (r.type === 'inbound-rtp' && r.kind === 'video') Object.assign(out, { packets: r.packetsReceived, frames: r.framesDecoded });
      });
      return out;
    });
    let first = null;
    const deadline = Date.now() + 30000;
    while (Date.now() < deadline) {
      first = await frameStats(viewer, 'player');
      if (first && first.std > 5) break;
      await sleep(250);
    }
    assert.ok(first, 'the WHEP page shows video');
    assert.ok(first.std > 5, `the frame is not flat (fake camera picture): mean ${first.mean}, std ${first.std}`);
    await sleep(1500);
    const later = await frameStats(viewer, 'player');
    const changed = later.luma.filter((y, i) => Math.abs(y - first.luma[i]) > 20).length;
    assert.ok(changed > 10, `the picture moves (${changed} of ${later.luma.length} samples changed)`);

    // ICE restart from the player (PATCH with new credentials): the picture goes on, and the
    // session's endpoint now answers with new credentials.
    const session = rpc.events.map((e) => e.params.value).find((v) => v.type === 'PeerConnected' && v.object === whep);
    assert.ok(session, 'PeerConnected for the viewer');
    const ufragOf = (sdp) => /^a=ice-ufrag:(\S+)/m.exec(sdp)[1];
    const before = ufragOf(value(await invoke(session.data.endpoint, 'getLocalSessionDescriptor')));
    value(await rpc.call('subscribe', { object: session.data.endpoint, type: 'IceComponentStateChanged' }));
    await viewer.evaluate(() => document.getElementById('restart').click());
    await waitStatus(viewer, /ICE restarted/);
    const after = ufragOf(value(await invoke(session.data.endpoint, 'getLocalSessionDescriptor')));
    assert.notEqual(after, before, 'the server took new ICE credentials');
    // Connectivity is back on the new credentials: ICE went READY again and video packets arrive.
    const iceStates = () => rpc.events.map((e) => e.params.value)
      .filter((v) => v.object === session.data.endpoint && v.type === 'IceComponentStateChanged').map((v) => v.data.state);
    const readyBy = Date.now() + 10000;
    while (Date.now() < readyBy && iceStates().at(-1) !== 'READY') await sleep(100);
    const states = iceStates();
    assert.ok(states.includes('CONNECTING') && states.at(-1) === 'READY', `ICE states after the restart: ${states}`);
    await sleep(1000);
    const mid = await inbound();
    await sleep(1500);
    const end = await inbound();
    assert.ok(end.packets - mid.packets >= 20, `video packets arrive after the ICE restart: ${JSON.stringify([mid, end])}`);
    // Known gap (docs/whip-whep.md): the decoder does not always get a new keyframe through
    // WhipEndpoint → WhepEndpoint after the packets lost during the restart, so decoded frames
    // are not asserted here.
    assert.doesNotMatch(await viewer.$eval('#status', (e) => e.textContent), /Failed/);

    const transcoding = rpc.events.map((e) => e.params.value)
      .filter((v) => v.type === 'MediaTranscodingStateChanged' && v.data.state === 'TRANSCODING');
    assert.deepEqual(transcoding, [], 'the browser-to-browser stream is relayed, not re-encoded');

    // (a click through the DOM: puppeteer's mouse click waits for a background tab forever)
    for (const page of [publisher, viewer]) await page.evaluate(() => document.getElementById('stop').click());
    await sleep(1000);
    assert.equal(value(await invoke(whip, 'getSessionCount')), 0, 'Stop deleted the WHIP session');
    assert.equal(value(await invoke(whep, 'getSessionCount')), 0, 'Stop deleted the WHEP session');
    value(await rpc.call('release', { object: pipeline }));
  });
});
