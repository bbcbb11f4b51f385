// Tutorial page data-channel.html in headless Chromium: the camera and a data channel loop
// through one WebRtcEndpoint; a message sent comes back on the channel, and the video arrives.
import { describe, it, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { setUp, waitStatus, assertVideoFrames, click, waitPipelines } from './pages.mjs';

describe('tutorial: data channel', () => {
  let env;
  before(async () => { env = await setUp(); });
  after(async () => { await env?.tearDown(); });

  it('echoes messages and video back through the server', { timeout: 90000 }, async () => {
    const page = await env.open('/tutorials/data-channel.html?autostart=1');
    await waitStatus(page, /^Data channel open/);
    await assertVideoFrames(assert, page, 'remote');
    for (const text of ['first message', 'zweite Nachricht ✓']) {
      await page.evaluate((t) => {
        document.getElementById('message').value = t;
        document.getElementById('send').click();
      }, text);
    }
    await page.waitForFunction(() => document.querySelectorAll('#received li').length >= 2, { timeout: 10000 });
    const got = await page.$$eval('#received li', (items) => items.map((i) => i.textContent));
    assert.deepEqual(got, ['first message', 'zweite Nachricht ✓']);
    await click(page, 'stop');
    await waitStatus(page, /^Stopped/);
    assert.deepEqual(await waitPipelines(env.server, 0), []);
  });
});
