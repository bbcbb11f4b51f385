// Tutorial page magic-mirror.html in headless Chromium. The fake camera shows a face
// (resources/test-media/astronaut-face.jpg as a Y4M clip); the server fetches the page's hat
// image over http from itself, and the mirror video shows the hat's magenta over the face while
// the camera picture has none.
import { describe, it, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { execFileSync } from 'node:child_process';
import path from 'node:path';
import { setUp, waitStatus, assertVideoFrames, click, waitPipelines, sleep } from './pages.mjs';
import { tempDir, removeDir, REPO_ROOT } from '../lib/server.mjs';
import { framePixels } from '../lib/browser.mjs';

/** Pixels of the hat's magenta (220,20,200) in a <video>'s current frame, 160x120 samples. */
async function magentaPixels(page, id) {
  const d = await framePixels(page, id, 160, 120);
  let n = 0;
  for (let i = 0; d && i < d.length; i += 4) if (d[i] > 170 && d[i + 1] < 90 && d[i + 2] > 150) n++;
  return n;
}

describe('tutorial: magic mirror', () => {
  let env, dir;
  before(async () => {
    dir = await tempDir('pw-tutorial-face-');
    const clip = path.join(dir, 'face.y4m');
    execFileSync('gst-launch-1.0', ['-q', 'filesrc', `location=${path.join(REPO_ROOT, 'resources/test-media/astronaut-face.jpg')}`,
      '!', 'jpegdec', '!', 'videoconvert', '!', 'videoscale', 'add-borders=true', '!', 'imagefreeze', 'num-buffers=40', '!',
      'video/x-raw,format=I420,width=640,height=480,framerate=20/1,pixel-aspect-ratio=1/1', '!', 'y4menc', '!',
      'filesink', `location=${clip}`]);
    env = await setUp({ browserFlags: [`--use-file-for-fake-video-capture=${clip}`] });
  });
  after(async () => { await env?.tearDown(); await removeDir(dir); });

  it('draws the hat over the face', { timeout: 120000 }, async () => {
    const page = await env.open('/tutorials/magic-mirror.html?autostart=1');
    await waitStatus(page, /^Playing/);
    await assertVideoFrames(assert, page, 'remote', { moving: false, minFrames: 10 });
    let hat = 0;
    const deadline = Date.now() + 20000;
    while (Date.now() < deadline && hat < 300) {
      hat = await magentaPixels(page, 'remote');
      await sleep(250);
    }
    const camera = await magentaPixels(page, 'local');
    assert.ok(camera < 20, `the camera picture has no hat colour (${camera} pixels)`);
    assert.ok(hat >= 300, `the mirror shows the hat over the face (${hat} of 19200 samples magenta)`);
    await click(page, 'stop');
    await waitStatus(page, /^Stopped/);
    assert.deepEqual(await waitPipelines(env.server, 0), []);
  });
});
