// Remote URIs (docs/security.md, "Remote URIs"): with the policy restricted (the server listens
// beyond loopback, or remoteUriPolicy is "restricted" as here) a PlayerEndpoint may not reach
// loopback, link-local, private, unspecified or multicast addresses unless remoteUriAllowedHosts
// allows them, and a refused URI is refused before any packet is sent: the local HTTP server
// counts requests. Traffic only ever goes to 127.0.0.1.
import { describe, it, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { execFile } from 'node:child_process';
import { writeFileSync } from 'node:fs';
import path from 'node:path';
import { startServer, rpcClient, tempDir, removeDir, expectError, makeClip } from '../lib/server.mjs';
import { bindSession, createPipeline, createElement, invokeRaw, invokeValue, subscribe, isEvent } from '../lib/kms.mjs';
import { serveFiles } from '../lib/http-file.mjs';

let dir;
let http;
let images;  // a second server: image/png
before(async () => {
  dir = await tempDir('pipewright-remote-');
  const clip = path.join(dir, 'clip.webm');
  await makeClip(clip, { seconds: 2 });
  // A playlist on an allowed host whose segment is on a refused one (a literal 127.0.0.1).
  const seg = path.join(dir, 'seg.webm');
  await makeClip(seg, { seconds: 1 });
  http = await serveFiles({ '/clip.webm': clip, '/seg.webm': seg, '/list.m3u8': path.join(dir, 'list.m3u8') });
  const png = path.join(dir, 'red.png');
  await new Promise((resolve, reject) => {
    execFile('gst-launch-1.0', ['-q', 'videotestsrc', 'pattern=solid-color', 'foreground-color=0xffff0000', 'num-buffers=1', '!',
      'video/x-raw,width=64,height=64', '!', 'pngenc', '!', 'filesink', `location=${png}`], (err) => (err ? reject(err) : resolve()));
  });
  images = await serveFiles({ '/red.png': png }, { contentType: 'image/png' });
  writeFileSync(path.join(dir, 'list.m3u8'),
    `#EXTM3U\n#EXT-X-TARGETDURATION:2\n#EXTINF:1.0,\n${http.url('/seg.webm')}\n#EXT-X-ENDLIST\n`);
});
after(async () => {
  if (http) await http.close();
  if (images) await images.close();
  await removeDir(dir);
});

async function withServer(config, fn) {
  const srv = await startServer({ config });
  const c = await rpcClient(srv.url, { timeoutMs: 20000 });
  try {
    await bindSession(c);
    const P = await createPipeline(c);
    await fn(c, P);
  } finally {
    await c.close();
    await srv.stop();
  }
}

const requestsTo = (p) => http.requests.filter((r) => r.path === p).length;
const imageRequests = () => images.requests.filter((r) => r.path === '/red.png').length;

// The magic-mirror tutorial's call, and ImageOverlayFilter's.
async function setOverlayImages(c, P, uri) {
  const face = await createElement(c, 'FaceOverlayFilter', P);
  const overlay = await createElement(c, 'ImageOverlayFilter', P);
  return [
    await invokeRaw(c, face, 'setOverlayedImage', { uri, offsetXPercent: -0.35, offsetYPercent: -1.2, widthPercent: 1.6, heightPercent: 1.6 }),
    await invokeRaw(c, overlay, 'addImage', {
      id: 'logo', uri, offsetXPercent: 0, offsetYPercent: 0, widthPercent: 0.2, heightPercent: 0.2, keepAspectRatio: true, center: false,
    }),
  ];
}

function expect40107(resp, what, pattern = /remoteUriAllowedHosts/) {
  const e = expectError(resp, undefined, what);
  assert.equal(e.code, 40107, `${what}: 40107 expected, got ${JSON.stringify(e)}`);
  assert.match(e.message, pattern, `${what}: ${e.message}`);
}

async function playsToEnd(c, player) {
  const from = c.events.length;
  for (const t of ['Error', 'EndOfStream']) await subscribe(c, player, t);
  await invokeValue(c, player, 'play');
  const ev = await c.waitEvent((e) => isEvent(player, 'EndOfStream')(e) || isEvent(player, 'Error')(e), 15000, from);
  assert.equal(ev.params.value.type, 'EndOfStream', JSON.stringify(ev.params.value));
}

describe('remote URIs, policy restricted', () => {
  it('IP literals of refused classes → create() 40107, no request sent', async () => {
    await withServer({ remoteUriPolicy: 'restricted' }, async (c, P) => {
      const before = http.requests.length;
      for (const uri of [http.url('/clip.webm'), 'http://[::1]:9/clip.webm', 'http://169.254.169.254/latest/meta-data/',
        'rtsp://10.0.0.1/cam', 'https://192.168.1.1/x.webm', 'http://0.0.0.0:9/x', 'http://[::ffff:127.0.0.1]:9/x']) {
        const resp = await c.call('create', { type: 'PlayerEndpoint', constructorParams: { mediaPipeline: P, uri } });
        expect40107(resp, uri);
      }
      assert.equal(http.requests.length, before, 'nothing may reach the HTTP server');
    });
  });

  it('a host name that resolves to loopback (localhost) → play() 40107, no request sent', async () => {
    await withServer({ remoteUriPolicy: 'restricted' }, async (c, P) => {
      const before = http.requests.length;
      const player = await createElement(c, 'PlayerEndpoint', P, { uri: http.url('/clip.webm').replace('127.0.0.1', 'localhost') });
      expect40107(await invokeRaw(c, player, 'play'), 'localhost', /loopback/);
      assert.equal(http.requests.length, before);
    });
  });

  it('allowed by CIDR (127.0.0.0/8) → plays', { timeout: 30000 }, async () => {
    await withServer({ remoteUriPolicy: 'restricted', remoteUriAllowedHosts: ['127.0.0.0/8'] }, async (c, P) => {
      const before = requestsTo('/clip.webm');
      const player = await createElement(c, 'PlayerEndpoint', P, { uri: http.url('/clip.webm') });
      await playsToEnd(c, player);
      assert.ok(requestsTo('/clip.webm') > before);
    });
  });

  it('allowed by host name (localhost) → plays; its addresses need no CIDR', { timeout: 30000 }, async () => {
    await withServer({ remoteUriPolicy: 'restricted', remoteUriAllowedHosts: ['localhost'] }, async (c, P) => {
      const before = requestsTo('/clip.webm');
      const player = await createElement(c, 'PlayerEndpoint', P, { uri: http.url('/clip.webm').replace('127.0.0.1', 'localhost') });
      await playsToEnd(c, player);
      assert.ok(requestsTo('/clip.webm') > before);
    });
  });

  it('a remote playlist on an allowed host cannot lead to a refused one: the segment is never fetched', { timeout: 30000 }, async () => {
    await withServer({ remoteUriPolicy: 'restricted', remoteUriAllowedHosts: ['localhost'] }, async (c, P) => {
      const segBefore = requestsTo('/seg.webm');
      const listBefore = requestsTo('/list.m3u8');
      const player = await createElement(c, 'PlayerEndpoint', P, { uri: http.url('/list.m3u8').replace('127.0.0.1', 'localhost') });
      const from = c.events.length;
      for (const t of ['Error', 'EndOfStream']) await subscribe(c, player, t);
      await invokeValue(c, player, 'play');
      const ev = await c.waitEvent((e) => isEvent(player, 'EndOfStream')(e) || isEvent(player, 'Error')(e), 15000, from);
      assert.equal(ev.params.value.type, 'Error', JSON.stringify(ev.params.value));
      assert.match(ev.params.value.data.description, /remoteUriAllowedHosts/);
      assert.ok(requestsTo('/list.m3u8') > listBefore, 'the playlist itself was fetched');
      assert.equal(requestsTo('/seg.webm'), segBefore, 'the refused segment must not be requested');
    });
  });
});

describe('overlay images by http:// URI (FaceOverlayFilter, ImageOverlayFilter)', () => {
  it('policy restricted: an image on 127.0.0.1 → 40107 naming remoteUriAllowedHosts, no request sent', async () => {
    await withServer({ remoteUriPolicy: 'restricted' }, async (c, P) => {
      const before = imageRequests();
      for (const resp of await setOverlayImages(c, P, images.url('/red.png'))) expect40107(resp, 'overlay image on 127.0.0.1');
      assert.equal(imageRequests(), before, 'nothing may reach the image server');
    });
  });

  it('policy restricted, 127.0.0.0/8 allowed: fetched once, used by both filters', { timeout: 30000 }, async () => {
    await withServer({ remoteUriPolicy: 'restricted', remoteUriAllowedHosts: ['127.0.0.0/8'] }, async (c, P) => {
      const before = imageRequests();
      for (const resp of await setOverlayImages(c, P, images.url('/red.png'))) assert.ok(!resp.error, JSON.stringify(resp.error));
      assert.equal(imageRequests() - before, 1, 'one download, then the cache');
    });
  });

  it('loopback-only control port: any host, 127.0.0.1 included', { timeout: 30000 }, async () => {
    await withServer({}, async (c, P) => {
      for (const resp of await setOverlayImages(c, P, images.url('/red.png'))) assert.ok(!resp.error, JSON.stringify(resp.error));
    });
  });
});

describe('remote URIs, loopback-only control port (auto)', () => {
  it('any host may be fetched: 127.0.0.1 plays', { timeout: 30000 }, async () => {
    await withServer({}, async (c, P) => {
      const before = requestsTo('/clip.webm');
      const player = await createElement(c, 'PlayerEndpoint', P, { uri: http.url('/clip.webm') });
      await playsToEnd(c, player);
      assert.ok(requestsTo('/clip.webm') > before);
    });
  });
});
