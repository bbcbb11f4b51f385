// Tutorial page one2one.html in headless Chromium: one tab calls, another tab of the same browser
// answers from the call link; each shows the other's camera (frames and pixels), the server has
// the two endpoints connected both ways, a third tab is turned away, and hanging up releases all.
import { describe, it, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { setUp, waitStatus, assertVideoFrames, click, waitPipelines, serverPipelines, ADMIN_TOKEN } from './pages.mjs';
import { rpcClient } from '../lib/server.mjs';

describe('tutorial: one to one call', () => {
  let env;
  before(async () => { env = await setUp(); });
  after(async () => { await env?.tearDown(); });

  it('two tabs see each other through two cross-connected endpoints', { timeout: 120000 }, async () => {
    const caller = await env.open('/tutorials/one2one.html?autostart=1');
    await waitStatus(caller, /^Calling/);
    const link = new URL(await caller.$eval('#call-link', (a) => a.href));
    const callee = await env.open(`${link.pathname}${link.search}&autostart=answer`);
    await waitStatus(callee, /^In a call/);
    await waitStatus(caller, /^In a call/);
    await assertVideoFrames(assert, callee, 'remote');
    await assertVideoFrames(assert, caller, 'remote');

    const admin = await rpcClient(`${env.server.url}?access_token=${ADMIN_TOKEN}`);
    const [pipeline] = await serverPipelines(env.server);
    const children = (await admin.call('invoke', { object: pipeline, operation: 'getChildren' })).result.value;
    assert.equal(children.length, 2, 'two WebRtcEndpoints');
    for (const [a, b] of [[children[0], children[1]], [children[1], children[0]]]) {
      const sinks = (await admin.call('invoke', { object: a, operation: 'getSinkConnections' })).result.value;
      assert.ok(sinks.some((c) => c.sink === b), `${a} feeds ${b}: ${JSON.stringify(sinks)}`);
    }
    admin.close();

    const third = await env.open(`${link.pathname}${link.search}&autostart=answer`);
    await third.waitForFunction(() => /^Failed/.test(document.getElementById('status').textContent), { timeout: 20000 });
    assert.match(await third.$eval('#status', (e) => e.textContent), /full/);

    await click(caller, 'stop');
    await waitStatus(caller, /^Stopped/);
    await waitStatus(callee, /caller hung up/);
    assert.deepEqual(await waitPipelines(env.server, 0), []);
  });
});
