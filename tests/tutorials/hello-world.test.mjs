// Tutorial page hello-world.html (WebRtcEndpoint loopback) in headless Chromium: the camera goes
// through the server and comes back; Stop releases the pipeline.
import { describe, it, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { setUp, waitStatus, assertVideoFrames, click, waitPipelines, adminInvoke, screenshot } from './pages.mjs';

describe('tutorial: hello world', () => {
  let env;
  before(async () => { env = await setUp(); });
  after(async () => { await env?.tearDown(); });

  it('shows the camera back from the server, and Stop releases the pipeline', { timeout: 90000 }, async () => {
    const page = await env.open('/tutorials/hello-world.html?autostart=1');
    await waitStatus(page, /^Playing/);
    await assertVideoFrames(assert, page, 'remote');
    assert.ok(await page.evaluate(() => document.getElementById('local').videoWidth) > 0, 'the local video shows the camera');
    const [pipelineId] = await waitPipelines(env.server, 1);
    assert.ok(pipelineId, 'one pipeline while playing');

    // The pipeline is named after the tutorial (the studio's sessions list shows it), and "Open in
    // studio" tags it for the studio of this server (headless here: the page says what it did).
    assert.equal(await adminInvoke(env.server, pipelineId, 'getName'), 'Tutorial: hello world (WebRTC loopback)');
    assert.equal(await page.evaluate(() => document.getElementById('openInStudio').hidden), false);
    await click(page, 'openInStudio');
    await waitStatus(page, /^Sent to the studio/);
    await screenshot(page, 'tutorial-hello-world.png');
    assert.match(await adminInvoke(env.server, pipelineId, 'getTag', { key: 'pipewright.openInStudio' }), /^\d+$/);

    await click(page, 'stop');
    await waitStatus(page, /^Stopped/);
    assert.deepEqual(await waitPipelines(env.server, 0), [], 'Stop released the pipeline');
    assert.equal(await page.evaluate(() => window.tutorial.peer.peerConnection.connectionState), 'closed');
  });

  it('releases the pipeline when the tab is closed', { timeout: 60000 }, async () => {
    const page = await env.open('/tutorials/hello-world.html?autostart=1');
    await waitStatus(page, /^Playing/);
    assert.equal((await waitPipelines(env.server, 1)).length, 1);
    await page.close({ runBeforeUnload: true });
    // The page's pagehide handler releases it; else the server does when the WebSocket closes.
    const left = await waitPipelines(env.server, 0, 10000);
    assert.deepEqual(left, [], 'closing the tab leaves no pipeline behind');
  });
});
