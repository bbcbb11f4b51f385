// Tutorial page one2many.html in headless Chromium: one tab presents its camera, two more tabs
// of the same browser open the viewer link it shows (signalling through the presenter's page) and both see the moving picture; a viewer's Stop releases only
// its endpoint, the presenter's Stop releases the pipeline.
import { describe, it, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { setUp, waitStatus, assertVideoFrames, click, waitPipelines, serverPipelines, sleep } from './pages.mjs';

describe('tutorial: one to many', () => {
  let env;
  before(async () => { env = await setUp(); });
  after(async () => { await env?.tearDown(); });

  it('two viewers see the presenter', { timeout: 150000 }, async () => {
    const presenter = await env.open('/tutorials/one2many.html?autostart=1');
    await waitStatus(presenter, /^Presenting to 0 viewers/);
    const link = await presenter.$eval('#viewer-link', (a) => a.href);
    assert.match(link, /room=/);
    const url = new URL(link);
    assert.equal(url.origin, env.base);

    const viewers = [];
    for (let i = 0; i < 2; i++) {
      const viewer = await env.open(`${url.pathname}${url.search}&autostart=view`);
      await waitStatus(viewer, /^Viewing/);
      await assertVideoFrames(assert, viewer, 'video');
      viewers.push(viewer);
    }
    // The first viewer still gets frames after the second joined.
    await assertVideoFrames(assert, viewers[0], 'video');

    const endpoints = async () => {
      const { rpcClient } = await import('../lib/server.mjs');
      const admin = await rpcClient(`${env.server.url}?access_token=tutorial-admin`);
      const [pipeline] = await serverPipelines(env.server);
      const r = await admin.call('invoke', { object: pipeline, operation: 'getChildren' });
      admin.close();
      return r.result.value.length;
    };
    assert.equal(await endpoints(), 3, 'presenter + two viewer endpoints');
    await click(viewers[0], 'stop');
    await waitStatus(viewers[0], /^Stopped/);
    await sleep(500);
    assert.equal(await endpoints(), 2, 'a viewer\'s Stop released its endpoint only');
    await assertVideoFrames(assert, viewers[1], 'video');

    await waitStatus(presenter, /^Presenting to 1 viewer:/);
    await click(presenter, 'stop');
    await waitStatus(presenter, /^Stopped/);
    await waitStatus(viewers[1], /presenter stopped/);
    assert.deepEqual(await waitPipelines(env.server, 0), [], 'the presenter\'s Stop released the pipeline');
  });

  it('a viewer link of a finished presentation says so', { timeout: 60000 }, async () => {
    const viewer = await env.open('/tutorials/one2many.html?room=nobody&autostart=view');
    await viewer.waitForFunction(() => /^Failed/.test(document.getElementById('status').textContent), { timeout: 20000 });
    assert.match(await viewer.$eval('#status', (e) => e.textContent), /nobody answered/);
  });
});
