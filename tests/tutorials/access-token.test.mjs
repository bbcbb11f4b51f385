// A server with an access token: a tutorial page opened with ?access_token= works, one opened
// without it says that the token is missing.
import { describe, it, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { setUp, waitStatus, assertVideoFrames, click } from './pages.mjs';

describe('tutorials: access token', () => {
  let env;
  before(async () => { env = await setUp({ config: { accessToken: 'page-secret' } }); });
  after(async () => { await env?.tearDown(); });

  it('a page with ?access_token= plays', { timeout: 90000 }, async () => {
    const page = await env.open('/tutorials/hello-world.html?access_token=page-secret&autostart=1');
    await waitStatus(page, /^Playing/);
    await assertVideoFrames(assert, page, 'remote');
    await click(page, 'stop');
    await waitStatus(page, /^Stopped/);
  });

  it('a page without it explains what is missing', { timeout: 60000 }, async () => {
    const page = await env.open('/tutorials/hello-world.html?autostart=1');
    await page.waitForFunction(() => /^Failed/.test(document.getElementById('status').textContent), { timeout: 30000 });
    assert.match(await page.$eval('#status', (e) => e.textContent), /access_token/);
  });
});
