// PlayerEndpoint transport control (play / pause / seek / stop, position, videoInfo), a player
// reading over http://, and RecorderEndpoint pause/resume and stopOnEndOfStream.
// Raw JSON-RPC (tests/lib/server.mjs rpcClient); media verified with gst-discoverer / a demuxer.
import { describe, it, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { existsSync, statSync } from 'node:fs';
import path from 'node:path';
import {
  startServer, rpcClient, tempDir, removeDir, makeClip, discover, contentDurationSec, sleep, expectError,
} from '../lib/server.mjs';
import {
  bindSession, createPipeline, createElement, invokeValue, invokeRaw, subscribe, isEvent,
} from '../lib/kms.mjs';
import { serveFiles } from '../lib/http-file.mjs';

const CLIP_MS = 6000;
const LONG_CLIP_MS = 10000;

let srv;
let c;
let media; // the server's only media folder
let outside; // not a media folder: the http server serves from here
let clip; // 6 s VP8 + Opus WebM in the media folder
let longClip; // 10 s VP8 + Opus WebM in the media folder
let httpClip; // copy of the 6 s clip outside the media folder

before(async () => {
  media = await tempDir('pipewright-media-');
  outside = await tempDir('pipewright-http-');
  clip = path.join(media, 'clip6.webm');
  longClip = path.join(media, 'clip10.webm');
  httpClip = path.join(outside, 'clip.webm');
  await Promise.all([
    makeClip(clip, { seconds: CLIP_MS / 1000 }),
    makeClip(longClip, { seconds: LONG_CLIP_MS / 1000 }),
    makeClip(httpClip, { seconds: CLIP_MS / 1000 }),
  ]);
  srv = await startServer({ mediaFolders: [media] });
  c = await rpcClient(srv.url, { timeoutMs: 20000 });
  await bindSession(c);
});

after(async () => {
  if (c) await c.close();
  if (srv) await srv.stop();
  if (process.env.KEEP_MEDIA) {
    console.log(`media kept in ${media} and ${outside}`);
  } else {
    await removeDir(media);
    await removeDir(outside);
  }
});

const pos = (player) => invokeValue(c, player, 'getPosition');
const state = (ep) => invokeValue(c, ep, 'getState');

/** Events of `type` raised by `object` since index `from`, as data objects. */
function eventsOf(object, type, from = 0) {
  return c.events.slice(from).filter(isEvent(object, type)).map((e) => e.params.value.data);
}

/** stopAndWait may take a while (file finalisation): use a long RPC timeout. */
async function stopAndWait(recorder) {
  const r = await c.call('invoke', { object: recorder, operation: 'stopAndWait' }, { timeout: 30000 });
  assert.ok(!('error' in r), `stopAndWait failed: ${JSON.stringify(r.error)}`);
}

function summary(info) {
  return `container=${info.container} duration=${info.durationSec} video=${JSON.stringify(info.videoCaps)} ` +
    `audio=${JSON.stringify(info.audioCaps)}\n--- gst-discoverer-1.0 output ---\n${info.raw.slice(0, 3000)}`;
}

function errorsText(from, ...objects) {
  return JSON.stringify(objects.flatMap((o) => eventsOf(o, 'Error', from)));
}

describe('PlayerEndpoint control', () => {
  it('play / getPosition / getVideoInfo / pause / play / setPosition / EndOfStream / stop', { timeout: 60000 }, async () => {
    await srv.whileAlive((async () => {
      const P = await createPipeline(c);
      try {
        const player = await createElement(c, 'PlayerEndpoint', P, { uri: `file://${clip}` });
        const sink = await createElement(c, 'PassThrough', P);
        await invokeValue(c, player, 'connect', { sink });
        const from = c.events.length;
        for (const t of ['UriEndpointStateChanged', 'EndOfStream', 'Error']) await subscribe(c, player, t);

        assert.equal(await state(player), 'STOP', 'a new player is in STOP');

        // play → position advances in real time
        await invokeValue(c, player, 'play');
        const tPlay = Date.now();
        assert.equal(await state(player), 'START', 'state after play()');
        await c.waitEvent(isEvent(player, 'UriEndpointStateChanged', (d) => d.state === 'START'), 5000, from);
        await sleep(1500 - (Date.now() - tPlay));
        const p0 = await pos(player);
        assert.ok(Number.isInteger(p0), `getPosition must be an integer (int64 ms), got ${JSON.stringify(p0)}`);
        assert.ok(p0 >= 500 && p0 <= 3000, `position ~1.5 s after play() must be in [500, 3000] ms, got ${p0}; ` +
          `errors: ${errorsText(from, player)}`);

        // videoInfo
        const vi = await invokeValue(c, player, 'getVideoInfo');
        assert.ok(vi && typeof vi === 'object', `getVideoInfo → ${JSON.stringify(vi)}`);
        assert.equal(vi.__type__, 'VideoInfo', `VideoInfo struct needs __type__: ${JSON.stringify(vi)}`);
        assert.equal(vi.__module__, 'kurento', `VideoInfo struct needs __module__ "kurento": ${JSON.stringify(vi)}`);
        assert.equal(vi.isSeekable, true, `a local WebM is seekable: ${JSON.stringify(vi)}`);
        assert.ok(Number.isInteger(vi.duration), `duration must be an integer (ms): ${JSON.stringify(vi)}`);
        assert.ok(Math.abs(vi.duration - CLIP_MS) <= CLIP_MS * 0.1,
          `videoInfo.duration must be ≈ ${CLIP_MS} ms (±10%): ${JSON.stringify(vi)}`);

        // pause → PAUSE, event, position frozen
        const fromPause = c.events.length;
        await invokeValue(c, player, 'pause');
        assert.equal(await state(player), 'PAUSE', 'state after pause()');
        await c.waitEvent(isEvent(player, 'UriEndpointStateChanged', (d) => d.state === 'PAUSE'), 5000, fromPause);
        await sleep(200); // let the pause settle
        const p1 = await pos(player);
        await sleep(1000);
        const p2 = await pos(player);
        assert.ok(Math.abs(p2 - p1) <= 150, `position must not advance while paused: ${p1} → ${p2} ms over 1 s`);
        assert.ok(p1 >= p0 - 150, `position went backwards on pause: ${p0} → ${p1}`);

        // play again
        const fromResume = c.events.length;
        await invokeValue(c, player, 'play');
        assert.equal(await state(player), 'START', 'state after resuming play()');
        await c.waitEvent(isEvent(player, 'UriEndpointStateChanged', (d) => d.state === 'START'), 5000, fromResume);

        // Seek near the end: EndOfStream comes much earlier than playing on would take. Note: makeClip's
        // VP8 has keyframes only at 0 s and ~4.27 s (vp8enc keyframe-max-dist 128 at 30 fps), so a seek
        // that snaps back to the previous keyframe restarts the clip at 0 instead of reaching 4000 ms.
        const pBeforeSeek = await pos(player);
        const remainingWithoutSeek = CLIP_MS - pBeforeSeek;
        const fromSeek = c.events.length;
        const seekResp = await invokeRaw(c, player, 'setPosition', { position: 4000 });
        const tSeek = Date.now();
        assert.ok(!('error' in seekResp), `setPosition(4000) while playing failed: ${JSON.stringify(seekResp.error)}`);
        // The seek checks are collected so that stop() below is exercised even when they fail.
        const seekFailures = [];
        await sleep(150);
        const p3 = await pos(player);
        const earlyEos = eventsOf(player, 'EndOfStream', fromSeek).length > 0;
        if (!(p3 >= 3800 || earlyEos)) seekFailures.push(`position after setPosition(4000) must be ≥ 3800 ms, got ${p3}`);
        let eosAfter = null;
        try {
          await c.waitEvent(isEvent(player, 'EndOfStream'), Math.max(1, 3500 - (Date.now() - tSeek)), fromSeek);
          eosAfter = Date.now() - tSeek;
        } catch {
          seekFailures.push(`no EndOfStream within 3.5 s of setPosition(4000) (position 150 ms after the seek: ${p3} ms; ` +
            `${remainingWithoutSeek} ms were left before the seek); errors: ${errorsText(from, player)}`);
          // let the clip end anyway, then go on with stop()
          await c.waitEvent(isEvent(player, 'EndOfStream'), CLIP_MS + 3000, fromSeek).then(() => {
            seekFailures.push(`EndOfStream came ${Date.now() - tSeek} ms after the seek`);
          }, () => seekFailures.push('no EndOfStream at all after the seek'));
        }
        if (eosAfter !== null && !(eosAfter < remainingWithoutSeek - 800)) {
          seekFailures.push(`EndOfStream ${eosAfter} ms after the seek: not clearly earlier than the ` +
            `${remainingWithoutSeek} ms playing on without the seek would take`);
        }
        if (eventsOf(player, 'EndOfStream', from).length > 1) seekFailures.push('more than one EndOfStream');

        // stop
        await invokeValue(c, player, 'stop');
        assert.equal(await state(player), 'STOP', 'state after stop()');
        // (the server may already have gone to STOP at EndOfStream: accept the event from either moment)
        await c.waitEvent(isEvent(player, 'UriEndpointStateChanged', (d) => d.state === 'STOP'), 3000, fromResume);
        assert.deepEqual(eventsOf(player, 'Error', from), [], 'no Error events');
        assert.deepEqual(seekFailures, [], 'setPosition(4000) while playing');
      } finally {
        await c.call('release', { object: P }).catch(() => {});
      }
    })());
  });

  it('setPosition before play() → 40700 PLAYER_SEEK_FAIL', async () => {
    const P = await createPipeline(c);
    try {
      const player = await createElement(c, 'PlayerEndpoint', P, { uri: `file://${clip}` });
      const e = expectError(await invokeRaw(c, player, 'setPosition', { position: 2000 }), 40700, 'setPosition before play');
      if (e.data !== undefined) assert.equal(e.data.type, 'PLAYER_SEEK_FAIL');
      // the player is still usable
      assert.equal(await state(player), 'STOP');
    } finally {
      await c.call('release', { object: P }).catch(() => {});
    }
  });
});

describe('PlayerEndpoint over http://', () => {
  it('Player(http://127.0.0.1/clip.webm) → Recorder(WEBM): VP8 + Opus, ≈ clip duration, EndOfStream', { timeout: 60000 }, async () => {
    const web = await serveFiles({ '/clip.webm': httpClip });
    const P = await createPipeline(c);
    try {
      await srv.whileAlive((async () => {
        const out = path.join(media, 'from-http.webm');
        const uri = web.url('/clip.webm');
        const player = await createElement(c, 'PlayerEndpoint', P, { uri });
        assert.equal(await invokeValue(c, player, 'getUri'), uri);
        const recorder = await createElement(c, 'RecorderEndpoint', P, { uri: `file://${out}`, mediaProfile: 'WEBM' });
        await invokeValue(c, player, 'connect', { sink: recorder });
        const from = c.events.length;
        for (const t of ['EndOfStream', 'Error']) await subscribe(c, player, t);
        for (const t of ['Recording', 'Stopped', 'Error']) await subscribe(c, recorder, t);

        await invokeValue(c, recorder, 'record');
        await invokeValue(c, player, 'play');
        await c.waitEvent(isEvent(player, 'EndOfStream'), 25000, from).catch((err) => {
          throw new Error(`${err.message}; http requests: ${JSON.stringify(web.requests)}; ` +
            `errors: ${errorsText(from, player, recorder)}`);
        });
        assert.ok(web.requests.some((r) => r.path === '/clip.webm'), 'the player fetched the clip over HTTP');
        await stopAndWait(recorder);
        assert.ok(existsSync(out) && statSync(out).size > 0, `recording ${out} missing or empty`);
        const info = await discover(out);
        assert.deepEqual(info.videoCodecs, ['VP8'], summary(info));
        assert.deepEqual(info.audioCodecs, ['OPUS'], summary(info));
        const seconds = CLIP_MS / 1000;
        let dur = info.durationSec;
        if (dur === null) dur = await contentDurationSec(out, 'video');
        assert.ok(Math.abs(dur - seconds) <= seconds * 0.1, `duration ${dur}s not within 10% of ${seconds}s; ${summary(info)}`);
        assert.equal(eventsOf(player, 'EndOfStream', from).length, 1, 'exactly one EndOfStream');
        assert.deepEqual(eventsOf(player, 'Error', from).concat(eventsOf(recorder, 'Error', from)), [], 'no Error events');
      })());
    } finally {
      await c.call('release', { object: P }).catch(() => {});
      await web.close();
    }
  });
});

describe('RecorderEndpoint pause / resume and stopOnEndOfStream', () => {
  it('record 2 s, pause 2 s, record 2 s → the file holds ≈ 4 s of media, not 6 s', { timeout: 60000 }, async () => {
    const P = await createPipeline(c);
    try {
      await srv.whileAlive((async () => {
        const out = path.join(media, 'paused.webm');
        const player = await createElement(c, 'PlayerEndpoint', P, { uri: `file://${longClip}` });
        const recorder = await createElement(c, 'RecorderEndpoint', P, { uri: `file://${out}`, mediaProfile: 'WEBM' });
        await invokeValue(c, player, 'connect', { sink: recorder });
        const from = c.events.length;
        for (const t of ['EndOfStream', 'Error']) await subscribe(c, player, t);
        for (const t of ['Recording', 'Paused', 'Stopped', 'Error', 'UriEndpointStateChanged']) await subscribe(c, recorder, t);

        await invokeValue(c, recorder, 'record');
        await invokeValue(c, player, 'play');
        await c.waitEvent(isEvent(recorder, 'Recording'), 5000, from).catch((err) => {
          throw new Error(`no Recording event: ${err.message}; errors: ${errorsText(from, player, recorder)}`);
        });
        await sleep(2000);

        const fromPause = c.events.length;
        await invokeValue(c, recorder, 'pause');
        await c.waitEvent(isEvent(recorder, 'Paused'), 5000, fromPause);
        assert.equal(await state(recorder), 'PAUSE', 'recorder state after pause()');
        await sleep(2000);

        await invokeValue(c, recorder, 'record');
        assert.equal(await state(recorder), 'START', 'recorder state after record() again');
        await sleep(2000);
        assert.equal(eventsOf(player, 'EndOfStream', from).length, 0, 'the 10 s clip must still be playing');
        await stopAndWait(recorder);
        await c.waitEvent(isEvent(recorder, 'Stopped'), 5000, from);

        assert.ok(existsSync(out) && statSync(out).size > 0, `recording ${out} missing or empty`);
        const video = await contentDurationSec(out, 'video');
        const audio = await contentDurationSec(out, 'audio');
        assert.ok(video >= 3.0 && video <= 5.0,
          `video media duration must be ≈ 4 s (in [3.0, 5.0]) after 2 s + 2 s recording around a 2 s pause, got ${video} s`);
        assert.ok(audio >= 3.0 && audio <= 5.0,
          `audio media duration must be ≈ 4 s (in [3.0, 5.0]) after 2 s + 2 s recording around a 2 s pause, got ${audio} s`);
        assert.deepEqual(eventsOf(player, 'Error', from).concat(eventsOf(recorder, 'Error', from)), [], 'no Error events');
      })());
    } finally {
      await c.call('release', { object: P }).catch(() => {});
    }
  });

  it('stopOnEndOfStream=true: Stopped arrives by itself after EndOfStream; the file is valid', { timeout: 60000 }, async () => {
    const P = await createPipeline(c);
    try {
      await srv.whileAlive((async () => {
        const out = path.join(media, 'auto-stop.webm');
        const player = await createElement(c, 'PlayerEndpoint', P, { uri: `file://${clip}` });
        const recorder = await createElement(c, 'RecorderEndpoint', P,
          { uri: `file://${out}`, mediaProfile: 'WEBM', stopOnEndOfStream: true });
        await invokeValue(c, player, 'connect', { sink: recorder });
        const from = c.events.length;
        for (const t of ['EndOfStream', 'Error']) await subscribe(c, player, t);
        for (const t of ['Recording', 'Stopped', 'Error']) await subscribe(c, recorder, t);

        await invokeValue(c, recorder, 'record');
        await invokeValue(c, player, 'play');
        await c.waitEvent(isEvent(player, 'EndOfStream'), 20000, from).catch((err) => {
          throw new Error(`${err.message}; errors: ${errorsText(from, player, recorder)}`);
        });
        // no stop() / stopAndWait(): the recorder must stop by itself
        await c.waitEvent(isEvent(recorder, 'Stopped'), 10000, from).catch((err) => {
          throw new Error(`stopOnEndOfStream recorder did not raise Stopped within 10 s of EndOfStream: ${err.message}; ` +
            `errors: ${errorsText(from, player, recorder)}`);
        });
        assert.equal(await state(recorder), 'STOP', 'recorder state after the automatic stop');

        assert.ok(existsSync(out) && statSync(out).size > 0, `recording ${out} missing or empty`);
        const info = await discover(out);
        assert.deepEqual(info.videoCodecs, ['VP8'], summary(info));
        assert.deepEqual(info.audioCodecs, ['OPUS'], summary(info));
        const seconds = CLIP_MS / 1000;
        assert.ok(info.durationSec !== null, `no duration (file not finalised?); ${summary(info)}`);
        assert.ok(Math.abs(info.durationSec - seconds) <= seconds * 0.1,
          `duration ${info.durationSec}s not within 10% of ${seconds}s; ${summary(info)}`);
        assert.deepEqual(eventsOf(player, 'Error', from).concat(eventsOf(recorder, 'Error', from)), [], 'no Error events');
      })());
    } finally {
      await c.call('release', { object: P }).catch(() => {});
    }
  });
});
