// HttpPostEndpoint (docs/http-post.md): media uploaded by HTTP POST to the element's URL on the
// control port flows out of it into a RecorderEndpoint, whose file must play; EndOfStream fires
// when the upload's media ended. Also the HTTP contract (404, 405, 409, 413, 415, OPTIONS, a
// multipart form) and an element released while its upload plays. Driven with kurento-client;
// runs inside e2e's private network namespace (everything on 127.0.0.1).

import { describe, it, before, after } from 'node:test';
import assert from 'node:assert/strict';
import net from 'node:net';
import { readFile, stat } from 'node:fs/promises';
import { execFile } from 'node:child_process';
import { promisify } from 'node:util';
import { existsSync, statSync } from 'node:fs';
import { startServer, tempDir, removeDir, makeClip, discover, sleep } from '../lib/server.mjs';
import { cb, connectClient, closeClient, collect } from '../lib/kc.mjs';

const MAX_HTTP_BODY_BYTES = 256 * 1024; // every other HTTP body on the control port (ControlPort::kMaxHttpBodyBytes)
const MAX_UPLOAD_BYTES = 3 * 1024 * 1024;

async function http(url, { method = 'GET', headers = {}, body } = {}) {
  const res = await fetch(url, { method, headers, body });
  return { status: res.status, headers: res.headers, text: await res.text() };
}

/**
 * Sends a request head (and optionally `bodyBytes` zero bytes) over a raw socket and returns the
 * status line's code and the answer's text: a server may refuse on the head alone, before a
 * client library would have finished sending the body.
 */
function rawRequest(port, head, bodyBytes = 0) {
  return new Promise((resolve, reject) => {
    const socket = net.connect(port, '127.0.0.1');
    let text = '';
    const timer = setTimeout(() => { socket.destroy(); reject(new Error(`no answer; got ${JSON.stringify(text)}`)); }, 15000);
    socket.on('connect', () => {
      socket.write(head);
      if (bodyBytes > 0) socket.write(Buffer.alloc(bodyBytes));
    });
    socket.on('data', (d) => {
      text += d.toString('latin1');
      const m = /^HTTP\/1\.1 (\d+)/.exec(text);
      const end = text.indexOf('\r\n\r\n');
      const len = /content-length:\s*(\d+)/i.exec(text);
      if (m && end >= 0 && len && text.length >= end + 4 + Number(len[1])) {
        clearTimeout(timer);
        socket.destroy();
        resolve({ status: Number(m[1]), text });
      }
    });
    socket.on('error', (err) => { clearTimeout(timer); reject(err); });
  });
}

/**
 * A WebM clip (VP8 + Opus, 320x240, 30 fps) with busy pictures, so that `seconds` of it weigh more
 * than the 256 KiB every non-upload HTTP body is held to (makeClip's test pattern compresses to less).
 */
async function makeBusyClip(file, seconds) {
  await promisify(execFile)('gst-launch-1.0', ['-q', '-e', 'webmmux', 'name=mux', '!', 'filesink', `location=${file}`,
    'videotestsrc', `num-buffers=${seconds * 30}`, 'pattern=snow', '!', 'video/x-raw,width=320,height=240,framerate=30/1', '!',
    'vp8enc', 'deadline=1', 'target-bitrate=1500000', '!', 'queue', '!', 'mux.',
    'audiotestsrc', `num-buffers=${seconds * 50}`, 'samplesperbuffer=960', '!', 'audio/x-raw,rate=48000,channels=2', '!',
    'audioconvert', '!', 'opusenc', '!', 'queue', '!', 'mux.'], { timeout: 60000 });
  if ((await stat(file)).size === 0) throw new Error(`no clip in ${file}`);
  return file;
}

describe('HttpPostEndpoint', () => {
  let server, client, media, clip, longClip, base;

  before(async () => {
    media = await tempDir('pipewright-httppost-');
    clip = await makeBusyClip(`${media}/upload.webm`, 3);
    longClip = await makeClip(`${media}/long.webm`, { seconds: 8, audio: false });
    server = await startServer({
      mediaFolders: [media],
      config: { maxUploadBytes: MAX_UPLOAD_BYTES },
    });
    [client] = await connectClient(server.url);
    base = server.url.replace(/^ws/, 'http').replace(/\/kurento$/, '');
  });
  after(async () => {
    closeClient(client);
    await server?.stop();
    await removeDir(media);
  });

  it('records what a POST uploads; EndOfStream fires; a second POST meanwhile gets 409', { timeout: 90000 }, async () => {
    const body = await readFile(clip);
    assert.ok(body.length > MAX_HTTP_BODY_BYTES, `the clip (${body.length} bytes) is over the 256 KiB HTTP body cap, under maxUploadBytes`);
    assert.ok(body.length < MAX_UPLOAD_BYTES);
    const out = `${media}/recorded.webm`;
    const [pipeline] = await cb((d) => client.create('MediaPipeline', d));
    try {
      const [post] = await cb((d) => pipeline.create('HttpPostEndpoint', { disconnectionTimeout: 2 }, d));
      const [recorder] = await cb((d) => pipeline.create('RecorderEndpoint', { uri: `file://${out}`, mediaProfile: 'WEBM' }, d));
      await cb((d) => post.connect(recorder, d));
      const eos = collect(post, 'EndOfStream');
      const errors = collect(post, 'Error');
      const [url] = await cb((d) => post.getUrl(d));
      assert.match(url, new RegExp(`^${base}/httppost/[A-Za-z0-9]{24}$`), `url ${url}`);
      await cb((d) => recorder.record(d));

      const started = Date.now();
      const upload = http(url, { method: 'POST', headers: { 'Content-Type': 'video/webm' }, body });
      await sleep(700);
      const second = await http(url, { method: 'POST', headers: { 'Content-Type': 'video/webm' }, body });
      assert.equal(second.status, 409, `a concurrent POST: ${second.status} ${second.text}`);
      assert.match(second.text, /already/);

      const first = await upload;
      assert.equal(first.status, 200, `the upload: ${first.status} ${first.text}`);
      assert.match(first.text, new RegExp(`Received ${body.length} bytes`));
      assert.ok(Date.now() - started > 2000, 'the media is paced in real time (3 s clip)');
      const ev = await eos.next(10000);
      assert.equal(ev.type, 'EndOfStream');
      assert.equal(ev.source?.id ?? ev.source, post.id);
      assert.equal(typeof ev.timestampMillis, 'string');
      assert.ok(Array.isArray(ev.tags));
      assert.deepEqual(errors.events, [], 'no Error events');

      await cb((d) => recorder.stopAndWait(d), 30000, 'stopAndWait');
      assert.ok(existsSync(out) && statSync(out).size > 0, 'the recording exists');
      const info = await discover(out);
      assert.ok(info.durationSec > 1, `recording duration ${info.durationSec}\n${info.raw.slice(0, 2000)}`);
      assert.deepEqual(info.videoCodecs, ['VP8'], info.raw.slice(0, 2000));
      assert.deepEqual(info.audioCodecs, ['OPUS'], info.raw.slice(0, 2000));

      // Sequential uploads: the element takes the next one once the first ended.
      const again = await http(url, { method: 'POST', headers: { 'Content-Type': 'video/webm' }, body });
      assert.equal(again.status, 200, `a second upload after the first: ${again.status} ${again.text}`);
      await eos.next(10000);
    } finally {
      await cb((d) => pipeline.release(d));
    }
  });

  it('takes the file of a multipart/form-data form (a browser form)', { timeout: 60000 }, async () => {
    const [pipeline] = await cb((d) => client.create('MediaPipeline', d));
    try {
      const [post] = await cb((d) => pipeline.create('HttpPostEndpoint', d));
      const eos = collect(post, 'EndOfStream');
      const [url] = await cb((d) => post.getUrl(d));
      const form = new FormData();
      form.append('title', 'a test');
      form.append('file', new Blob([await readFile(clip)], { type: 'video/webm' }), 'upload.webm');
      const r = await http(url, { method: 'POST', body: form });
      assert.equal(r.status, 200, `${r.status} ${r.text}`);
      await eos.next(10000);
    } finally {
      await cb((d) => pipeline.release(d));
    }
  });

  it('decodes an MP4 upload (H.264 + AAC, index at the end: the demuxer seeks in the upload)', { timeout: 60000 }, async () => {
    const mp4 = await makeClip(`${media}/upload.mp4`, { seconds: 2, container: 'mp4' });
    const [pipeline] = await cb((d) => client.create('MediaPipeline', d));
    try {
      const [post] = await cb((d) => pipeline.create('HttpPostEndpoint', { mediaProfile: 'MP4' }, d));
      const eos = collect(post, 'EndOfStream');
      const errors = collect(post, 'Error');
      const [url] = await cb((d) => post.getUrl(d));
      const r = await http(url, { method: 'POST', headers: { 'Content-Type': 'video/mp4' }, body: await readFile(mp4) });
      assert.equal(r.status, 200, `${r.status} ${r.text}`);
      await eos.next(10000);
      assert.deepEqual(errors.events, []);
    } finally {
      await cb((d) => pipeline.release(d));
    }
  });

  it('answers unknown keys 404, other methods 405, OPTIONS 204, undecodable media 415', { timeout: 60000 }, async () => {
    const [pipeline] = await cb((d) => client.create('MediaPipeline', d));
    try {
      const [post] = await cb((d) => pipeline.create('HttpPostEndpoint', d));
      const errors = collect(post, 'Error');
      const [url] = await cb((d) => post.getUrl(d));
      const unknown = await http(`${base}/httppost/NoSuchKeyNoSuchKeyNoSuch`, { method: 'POST', body: 'x' });
      assert.equal(unknown.status, 404, unknown.text);
      const key = url.slice(url.lastIndexOf('/') + 1);
      const wrongPrefix = await http(`${base}/whip/${key}`, { method: 'POST', body: 'x' });
      assert.equal(wrongPrefix.status, 404, 'a key answers only under its own prefix');
      const get = await http(url);
      assert.equal(get.status, 405, get.text);
      assert.match(get.headers.get('allow') || '', /POST/);
      const put = await http(url, { method: 'PUT', body: 'x' });
      assert.equal(put.status, 405);
      const options = await http(url, { method: 'OPTIONS' });
      assert.equal(options.status, 204);
      assert.equal(options.headers.get('access-control-allow-origin'), '*');
      const empty = await http(url, { method: 'POST' });
      assert.equal(empty.status, 400, empty.text);
      const garbage = await http(url, { method: 'POST', body: Buffer.alloc(100000, 7) });
      assert.equal(garbage.status, 415, garbage.text);
      const err = await errors.next(5000);
      assert.equal(err.type, 'INVALID_MEDIA');
      // The element is free again after a failed upload.
      const ok = await http(url, { method: 'POST', body: await readFile(clip) });
      assert.equal(ok.status, 200, ok.text);
    } finally {
      await cb((d) => pipeline.release(d));
    }
  });

  it('holds uploads to maxUploadBytes, only to existing endpoints, one at a time, and every other body to 256 KiB', { timeout: 60000 }, async () => {
    const [pipeline] = await cb((d) => client.create('MediaPipeline', d));
    try {
      const [post] = await cb((d) => pipeline.create('HttpPostEndpoint', d));
      const [url] = await cb((d) => post.getUrl(d));
      const path = new URL(url).pathname;
      const head = (target, length) =>
        `POST ${target} HTTP/1.1\r\nHost: 127.0.0.1\r\nContent-Type: video/webm\r\nContent-Length: ${length}\r\n\r\n`;
      const over = await rawRequest(server.port, head(path, MAX_UPLOAD_BYTES + 1));
      assert.equal(over.status, 413, over.text);
      assert.match(over.text, /maxUploadBytes/);
      // Between the two caps: refused anywhere but under /httppost/.
      const size = MAX_HTTP_BODY_BYTES * 2;
      const other = await rawRequest(server.port, head('/whip/abc', size));
      assert.equal(other.status, 413, other.text);
      assert.doesNotMatch(other.text, /maxUploadBytes/);
      // Large bodies only to an endpoint that exists: nobody can make the server hold
      // maxUploadBytes by posting to made-up keys.
      const unknownUpload = await rawRequest(server.port, head('/httppost/NoSuchKeyNoSuchKeyNoSuch', size), size);
      assert.equal(unknownUpload.status, 413, unknownUpload.text);
      const small = await rawRequest(server.port, head('/httppost/NoSuchKeyNoSuchKeyNoSuch', 10), 10);
      assert.equal(small.status, 404, small.text);
      // One upload per endpoint arriving at a time: a second connection is refused on its head.
      const first = net.connect(server.port, '127.0.0.1');
      first.on('error', () => {});
      await new Promise((resolve) => first.on('connect', resolve));
      first.write(head(path, size));
      first.write(Buffer.alloc(1000));
      await new Promise((resolve) => setTimeout(resolve, 300));
      const second = await rawRequest(server.port, head(path, size), size);
      assert.equal(second.status, 409, second.text);
      assert.match(second.text, /already in progress/);
      first.destroy();
      await new Promise((resolve) => setTimeout(resolve, 300));
      const third = await rawRequest(server.port, head(path, 100), 100);
      assert.notEqual(third.status, 409, 'the endpoint is free again once the first connection left');
    } finally {
      await cb((d) => pipeline.release(d));
    }
  });

  it('answers the POST of an upload whose element is released while it plays (410)', { timeout: 60000 }, async () => {
    const [pipeline] = await cb((d) => client.create('MediaPipeline', d));
    let released = false;
    try {
      const [post] = await cb((d) => pipeline.create('HttpPostEndpoint', d));
      const [url] = await cb((d) => post.getUrl(d));
      const upload = http(url, { method: 'POST', body: await readFile(longClip) });
      await sleep(1500);
      await cb((d) => post.release(d));
      const started = Date.now();
      const r = await upload;
      assert.equal(r.status, 410, `${r.status} ${r.text}`);
      assert.ok(Date.now() - started < 3000, 'answered at the release, not at the end of the media');
      const after = await http(url, { method: 'POST', body: 'x' });
      assert.equal(after.status, 404, 'a released element has no URL');
      await cb((d) => pipeline.release(d));
      released = true;
      // The server is still healthy.
      const [p2] = await cb((d) => client.create('MediaPipeline', d));
      await cb((d) => p2.release(d));
    } finally {
      if (!released) await cb((d) => pipeline.release(d)).catch(() => {});
    }
  });

  it('logged no GStreamer criticals', () => {
    assert.doesNotMatch(server.stderrText(), /CRITICAL/, server.stderrText().slice(-3000));
  });
});
