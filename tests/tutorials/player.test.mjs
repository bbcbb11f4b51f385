// Tutorial page player.html in headless Chromium: a WebM clip from the media folder plays in the
// page (frames and pixels), pauses (frames stop), resumes, seeks, and reaches its end.
import { describe, it, before, after } from 'node:test';
import assert from 'node:assert/strict';
import path from 'node:path';
import { setUp, waitStatus, assertVideoFrames, framesDecoded, click, waitPipelines, sleep } from './pages.mjs';
import { tempDir, removeDir, makeClip } from '../lib/server.mjs';

describe('tutorial: player', () => {
  let env, media, clip;
  before(async () => {
    media = await tempDir('pw-tutorial-media-');
    clip = await makeClip(path.join(media, 'clip.webm'), { seconds: 8 });
    env = await setUp({ mediaFolders: [media] });
  });
  after(async () => { await env?.tearDown(); await removeDir(media); });

  it('plays a file URI, pauses, seeks and finishes', { timeout: 120000 }, async () => {
    const page = await env.open(`/tutorials/player.html?uri=${encodeURIComponent(`file://${clip}`)}&autostart=1`);
    await waitStatus(page, /^Playing file:/);
    // The SMPTE test pattern: colour bars, not moving.
    await assertVideoFrames(assert, page, 'remote', { minFrames: 10, moving: false });

    await click(page, 'pause');
    await waitStatus(page, /^Paused/);
    await sleep(500);
    const a = await framesDecoded(page);
    await sleep(1500);
    const b = await framesDecoded(page);
    assert.ok(b - a <= 2, `no new frames while paused (${a} → ${b})`);
    await click(page, 'pause');
    await waitStatus(page, /^Playing/);
    await assertVideoFrames(assert, page, 'remote', { minFrames: 10, moving: false });

    assert.equal(await page.$eval('#seek', (e) => e.disabled), false, 'a file is seekable');
    await page.evaluate(() => {
      const seek = document.getElementById('seek');
      seek.value = 6000;
      seek.dispatchEvent(new Event('change'));
    });
    await waitStatus(page, /^Seeked to 6\.0 s/);
    const pos = await page.evaluate(() => new Promise((resolve) =>
      window.tutorial.player.getPosition((e, v) => resolve(e ? -1 : v))));
    assert.ok(pos >= 5500, `the player moved to the new position (${pos} ms)`);
    await waitStatus(page, /^Finished/, 20000);
    await click(page, 'stop');
    assert.deepEqual(await waitPipelines(env.server, 0), [], 'Stop released the pipeline');
  });

  it('explains a URI the server refuses', { timeout: 60000 }, async () => {
    const page = await env.open(`/tutorials/player.html?uri=${encodeURIComponent('file:///etc/passwd')}&autostart=1`);
    await page.waitForFunction(() => /^Failed/.test(document.getElementById('status').textContent), { timeout: 20000 });
    assert.match(await page.$eval('#status', (e) => e.textContent), /refused the URI.*media folders/);
    assert.deepEqual(await waitPipelines(env.server, 0), []);
  });
});
