// Tutorial page stats.html in headless Chromium: the loopback plays, and the table and graph are
// refreshed from both getStats() calls: the browser's and the server endpoint's counters rise.
import { describe, it, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { setUp, waitStatus, assertVideoFrames, click, waitPipelines, sleep } from './pages.mjs';

describe('tutorial: live statistics', () => {
  let env;
  before(async () => { env = await setUp(); });
  after(async () => { await env?.tearDown(); });

  it('shows rising browser and server counters', { timeout: 90000 }, async () => {
    const page = await env.open('/tutorials/stats.html?autostart=1');
    await waitStatus(page, /^Playing/);
    await assertVideoFrames(assert, page, 'remote');
    await page.waitForFunction(() => window.tutorial && window.tutorial.samples >= 2, { timeout: 10000 });
    const a = await page.evaluate(() => window.tutorial.last);
    await sleep(2500);
    const b = await page.evaluate(() => window.tutorial.last);
    for (const key of ['browserIn', 'frames', 'serverIn', 'serverOut']) {
      assert.ok(Number.isFinite(a[key]) && b[key] > a[key], `${key} rises: ${JSON.stringify({ a, b })}`);
    }
    const rows = await page.$$eval('#stats tbody tr', (trs) => trs.map((tr) => [...tr.children].map((td) => td.textContent)));
    assert.ok(rows.length >= 8, JSON.stringify(rows));
    const graphInk = await page.evaluate(() => {
      const c = document.getElementById('graph');
      const d = c.getContext('2d').getImageData(0, 0, c.width, c.height).data;
      let n = 0;
      for (let i = 3; i < d.length; i += 4) if (d[i] > 0) n++;
      return n;
    });
    assert.ok(graphInk > 100, `the graph is drawn (${graphInk} pixels)`);
    await click(page, 'stop');
    await waitStatus(page, /^Stopped/);
    assert.deepEqual(await waitPipelines(env.server, 0), []);
  });
});
