// Tutorial page recorder.html in headless Chromium: the camera is recorded to a WebM file in the
// server's media folder; Stop finishes the file (gst-discoverer-1.0 reads VP8 video of the right
// length) and "Play the recording" shows it again in the page (frames and pixels).
import { describe, it, before, after } from 'node:test';
import assert from 'node:assert/strict';
import fs from 'node:fs';
import path from 'node:path';
import { setUp, waitStatus, assertVideoFrames, click, waitPipelines, sleep } from './pages.mjs';
import { tempDir, removeDir, discover } from '../lib/server.mjs';

describe('tutorial: recorder', () => {
  let env, media;
  before(async () => {
    media = await tempDir('pw-tutorial-media-');
    env = await setUp({ mediaFolders: [media] });
  });
  after(async () => { await env?.tearDown(); await removeDir(media); });

  it('the start page points the recorder at the media folder', async () => {
    const html = await (await fetch(`${env.base}/`)).text();
    assert.match(html, new RegExp(`recorder\\.html\\?folder=${encodeURIComponent(media).replace(/[.*+?^${}()|[\]\\]/g, '\\$&')}`));
  });

  it('records the camera, then plays the file back', { timeout: 120000 }, async () => {
    const page = await env.open(`/tutorials/recorder.html?folder=${encodeURIComponent(media)}&autostart=1`);
    await waitStatus(page, /^Recording to/);
    await assertVideoFrames(assert, page, 'remote');
    await sleep(3000);
    await click(page, 'stop');
    const done = await waitStatus(page, /^Recorded to/);
    assert.deepEqual(await waitPipelines(env.server, 0), [], 'Stop released the recording pipeline');
    const uri = /Recorded to (file:\S+?)\.?\s/.exec(done)[1];
    const file = decodeURIComponent(new URL(uri).pathname);
    assert.equal(path.dirname(file), media);
    assert.ok(fs.statSync(file).size > 10000, `the file has data (${fs.statSync(file).size} bytes)`);
    const info = await discover(file);
    assert.deepEqual(info.videoCodecs, ['VP8'], info.raw);
    assert.ok(info.durationSec === null || info.durationSec > 2, `duration ${info.durationSec}`);

    await click(page, 'play');
    await waitStatus(page, /^Playing file:/);
    await assertVideoFrames(assert, page, 'remote', { minFrames: 15 });
    await waitStatus(page, /^Playing finished/, 30000);
    await click(page, 'stop');
    assert.deepEqual(await waitPipelines(env.server, 0), [], 'Stop released the playback pipeline');
  });

  it('says what to do when the file is outside the media folders', { timeout: 60000 }, async () => {
    const page = await env.open('/tutorials/recorder.html?uri=file:///nonexistent-folder/x.webm&autostart=1');
    await sleep(1000);
    assert.match(await page.$eval('#status', (e) => e.textContent), /^Press Record/, 'a link naming the file does not start recording');
    await click(page, 'start');
    const text = await page.waitForFunction(() => /^Failed/.test(document.getElementById('status').textContent), { timeout: 20000 })
      .then(() => page.$eval('#status', (e) => e.textContent));
    assert.match(text, /media folders/);
    assert.deepEqual(await waitPipelines(env.server, 0), [], 'the failed start released its pipeline');
  });
});
