// Tutorial page group-call.html in headless Chromium: the first tab starts a Composite call and a
// second tab joins from the call link; both receive the composed picture (frames and pixels),
// the pipeline has a Composite with two HubPorts, leaving releases the guest's objects, and the
// first tab's Leave releases the pipeline.
import { describe, it, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { setUp, waitStatus, assertVideoFrames, click, waitPipelines, serverPipelines, ADMIN_TOKEN, sleep } from './pages.mjs';
import { rpcClient } from '../lib/server.mjs';

describe('tutorial: group call', () => {
  let env;
  before(async () => { env = await setUp(); });
  after(async () => { await env?.tearDown(); });

  it('two tabs share one composed picture', { timeout: 150000 }, async () => {
    const host = await env.open('/tutorials/group-call.html?autostart=1');
    await waitStatus(host, /^In the call with 0 others/, 45000);
    const link = new URL(await host.$eval('#call-link', (a) => a.href));
    const guest = await env.open(`${link.pathname}${link.search}&autostart=join`);
    await waitStatus(guest, /^In the call\./, 45000);
    await waitStatus(host, /^In the call with 1 other:/);
    await assertVideoFrames(assert, guest, 'remote');
    await assertVideoFrames(assert, host, 'remote');

    const types = async () => {
      const admin = await rpcClient(`${env.server.url}?access_token=${ADMIN_TOKEN}`);
      const [pipeline] = await serverPipelines(env.server);
      const childrenOf = async (id) => (await admin.call('invoke', { object: id, operation: 'getChildren' })).result.value;
      const children = await childrenOf(pipeline);
      const composite = children.find((id) => id.endsWith('_kurento.Composite'));
      const all = [...children, ...(composite ? await childrenOf(composite) : [])];  // HubPorts are the hub's children
      admin.close();
      return all.map((id) => id.replace(/^.*_kurento\./, '')).sort();
    };
    assert.deepEqual(await types(), ['Composite', 'HubPort', 'HubPort', 'WebRtcEndpoint', 'WebRtcEndpoint']);

    await click(guest, 'stop');
    await waitStatus(guest, /^Stopped/);
    await waitStatus(host, /^In the call with 0 others/);
    await sleep(300);
    assert.deepEqual(await types(), ['Composite', 'HubPort', 'WebRtcEndpoint'], 'the guest\'s endpoint and port are gone');

    await click(host, 'stop');
    await waitStatus(host, /^Stopped/);
    assert.deepEqual(await waitPipelines(env.server, 0), []);
  });
});
