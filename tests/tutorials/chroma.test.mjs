// Tutorial page chroma.html in headless Chromium. The fake camera shows a green wall with a grey
// square in the middle (a Y4M clip made here); ChromaFilter learns the green from the top-left
// corner, and the keyed video shows the page's blue background image where the wall was, the
// grey square unchanged, while the camera picture has no blue.
import { describe, it, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { execFileSync } from 'node:child_process';
import path from 'node:path';
import { setUp, waitStatus, assertVideoFrames, click, waitPipelines, sleep } from './pages.mjs';
import { tempDir, removeDir } from '../lib/server.mjs';
import { framePixels } from '../lib/browser.mjs';

/** Counts of the background's blue (48,112,208) and of grey in a <video>'s frame, 160x120 samples. */
async function colours(page, id) {
  const d = await framePixels(page, id, 160, 120);
  let blue = 0;
  let grey = 0;
  for (let i = 0; d && i < d.length; i += 4) {
    const [r, g, b] = [d[i], d[i + 1], d[i + 2]];
    if (b > 150 && r < 110 && g > 60 && g < 160) blue++;
    if (r > 80 && r < 180 && Math.abs(r - g) < 30 && Math.abs(r - b) < 30) grey++;
  }
  return { blue, grey };
}

describe('tutorial: chroma', () => {
  let env, dir;
  before(async () => {
    dir = await tempDir('pw-tutorial-chroma-');
    const clip = path.join(dir, 'green-wall.y4m');
    // 640x480: green everywhere but a 160x160 grey square in the middle (1/12 of the picture).
    execFileSync('gst-launch-1.0', ['-q', 'videotestsrc', 'pattern=solid-color', 'foreground-color=0xff808080', 'num-buffers=40', '!',
      'video/x-raw,width=160,height=160,framerate=20/1', '!', 'videobox', 'fill=green', 'top=-160', 'bottom=-160',
      'left=-240', 'right=-240', '!', 'videoconvert', '!',
      'video/x-raw,format=I420,width=640,height=480,framerate=20/1,pixel-aspect-ratio=1/1', '!', 'y4menc', '!',
      'filesink', `location=${clip}`]);
    env = await setUp({ browserFlags: [`--use-file-for-fake-video-capture=${clip}`] });
  });
  after(async () => { await env?.tearDown(); await removeDir(dir); });

  it('shows the background where the camera shows the wall', { timeout: 120000 }, async () => {
    const page = await env.open('/tutorials/chroma.html?autostart=1');
    await waitStatus(page, /^Playing/);
    await assertVideoFrames(assert, page, 'remote', { moving: false, minFrames: 10 });
    let keyed = { blue: 0, grey: 0 };
    const deadline = Date.now() + 20000;
    while (Date.now() < deadline && keyed.blue < 12000) {
      keyed = await colours(page, 'remote');
      await sleep(250);
    }
    const camera = await colours(page, 'local');
    // The wall is 11/12 of the picture (17600 of 19200 samples); the square 1600 samples.
    assert.ok(camera.blue < 20, `the camera picture has no background blue (${camera.blue} samples)`);
    assert.ok(keyed.blue >= 12000, `the keyed video shows the background over the wall (${keyed.blue} of 19200 samples blue)`);
    assert.ok(keyed.grey >= 800, `the grey square stays (${keyed.grey} samples grey)`);
    await click(page, 'stop');
    await waitStatus(page, /^Stopped/);
    assert.deepEqual(await waitPipelines(env.server, 0), []);
  });
});
