// The start page and the files the tutorials load: every tutorial page is linked from `/`, every
// page answers 200 as HTML, the kurento-client and kurento-utils bundles are served as JavaScript
// (and define their globals in Chromium), and the start page passes ?access_token= on.
import { describe, it, before, after } from 'node:test';
import assert from 'node:assert/strict';
import fs from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { setUp, screenshot } from './pages.mjs';

const www = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..', '..', 'www');
const pages = fs.readdirSync(www).filter((f) => f.endsWith('.html'));

describe('tutorials: the start page and the bundles', () => {
  let env;
  before(async () => { env = await setUp(); });
  after(async () => { await env?.tearDown(); });

  it('links every tutorial page, and every page is served as HTML', async () => {
    const index = await fetch(`${env.base}/`);
    assert.equal(index.status, 200);
    const html = await index.text();
    const start = await env.browser.newPage();
    await start.goto(`${env.base}/`);
    await screenshot(start, 'tutorials-start-page.png');
    await start.close();
    for (const page of pages) {
      assert.match(html, new RegExp(`href="/tutorials/${page.replace('.', '\\.')}[?"]`), `the start page links ${page}`);
      const r = await fetch(`${env.base}/tutorials/${page}`);
      assert.equal(r.status, 200, page);
      assert.match(r.headers.get('content-type'), /^text\/html/);
    }
  });

  it('serves the bundles and the shared scripts as JavaScript', async () => {
    for (const file of ['kurento-client.js', 'kurento-utils.js', 'kurento-module-chroma.js', 'kurento-tutorial.js', 'webrtc-http.js']) {
      const r = await fetch(`${env.base}/tutorials/${file}`);
      assert.equal(r.status, 200, file);
      assert.match(r.headers.get('content-type'), /^text\/javascript/, file);
      assert.equal(r.headers.get('x-content-type-options'), 'nosniff');
      assert.ok((await r.arrayBuffer()).byteLength > 1000, file);
    }
    const css = await fetch(`${env.base}/tutorials/tutorial.css`);
    assert.match(css.headers.get('content-type'), /^text\/css/);
    // Not served: the npm project, paths, other folders.
    for (const bad of ['bundle/package.json', '..%2FCMakeLists.txt', 'CMakeLists.txt', 'package.json']) {
      assert.equal((await fetch(`${env.base}/tutorials/${bad}`)).status, 404, bad);
    }
  });

  it('the bundles define kurentoClient and kurentoUtils in the browser, which load nothing from elsewhere', { timeout: 60000 }, async () => {
    const page = await env.browser.newPage();
    const requests = [];
    page.on('request', (r) => requests.push(r.url()));
    await page.goto(`${env.base}/tutorials/hello-world.html`);
    const globals = await page.evaluate(() => ({
      client: typeof kurentoClient, utils: typeof kurentoUtils, peer: typeof kurentoUtils.WebRtcPeer.WebRtcPeerSendrecv,
      complex: typeof kurentoClient.getComplexType('IceCandidate'),
    }));
    assert.deepEqual(globals, { client: 'function', utils: 'object', peer: 'function', complex: 'function' });
    const foreign = requests.filter((u) => !u.startsWith(env.base));
    assert.deepEqual(foreign, [], 'every request goes to the server itself');
  });

  it('passes the access token from the start page to the tutorials, which use it on the WebSocket', { timeout: 60000 }, async () => {
    const page = await env.browser.newPage();
    await page.goto(`${env.base}/?access_token=secret-1`);
    const hrefs = await page.$$eval('#tutorials a', (as) => as.map((a) => a.getAttribute('href')));
    assert.ok(hrefs.length >= pages.length);
    for (const h of hrefs) assert.match(h, /access_token=secret-1/, h);
    await page.goto(`${env.base}/tutorials/hello-world.html?access_token=secret-1`);
    assert.equal(await page.evaluate(() => Tutorial.webSocketUrl()), `${env.base.replace('http', 'ws')}/kurento?access_token=secret-1`);
  });
});
