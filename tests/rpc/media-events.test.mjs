// Media-driven events (api-surface.md §4, kurento-protocol.md §7): MediaFlowIn/OutStateChanged,
// MediaTranscodingStateChanged, ObjectCreated/ObjectDestroyed, Error on unreadable media, and
// what getGstreamerDot shows about transcoding.
import { describe, it, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { writeFile } from 'node:fs/promises';
import { randomBytes } from 'node:crypto';
import path from 'node:path';
import { startServer, rpcClient, tempDir, removeDir, makeClip, expectResult } from '../lib/server.mjs';
import {
  MANAGER, bindSession, createPipeline, createElement, invokeValue, subscribe, isEvent, checkEventEnvelope,
} from '../lib/kms.mjs';

const CLIP_SECONDS = 4;

let srv;
let c;
let media;
let clip; // VP8 + Opus WebM
before(async () => {
  media = await tempDir('pipewright-media-');
  clip = path.join(media, 'clip.webm');
  await makeClip(clip, { seconds: CLIP_SECONDS });
  srv = await startServer({ mediaFolders: [media], config: { adminToken: 'test-admin' } });
  c = await rpcClient(srv.url, { timeoutMs: 20000 });
  await bindSession(c);
});
after(async () => {
  if (c) await c.close();
  if (srv) await srv.stop();
  await removeDir(media);
});

const dataOf = (object, type, from = 0, pred = () => true) =>
  c.events.slice(from).filter(isEvent(object, type, pred)).map((e) => e.params.value.data);

function errorsText(from, ...objects) {
  return JSON.stringify(objects.flatMap((o) => dataOf(o, 'Error', from)));
}

async function release(id) {
  await c.call('release', { object: id }).catch(() => {});
}

/** Pipeline with Player(clip) → Recorder(WEBM, recording) and the player playing. */
async function playIntoRecorder({ useEncodedMedia, name, subscribeOnPlayer = [] }) {
  const P = await createPipeline(c);
  const ctor = { uri: `file://${clip}` };
  if (useEncodedMedia !== undefined) ctor.useEncodedMedia = useEncodedMedia;
  const player = await createElement(c, 'PlayerEndpoint', P, ctor);
  const recorder = await createElement(c, 'RecorderEndpoint', P,
    { uri: `file://${path.join(media, `${name}.webm`)}`, mediaProfile: 'WEBM' });
  await invokeValue(c, player, 'connect', { sink: recorder });
  const from = c.events.length;
  for (const t of ['Error', 'EndOfStream', ...subscribeOnPlayer]) await subscribe(c, player, t);
  for (const t of ['Error', 'Recording']) await subscribe(c, recorder, t);
  await invokeValue(c, recorder, 'record');
  await invokeValue(c, player, 'play');
  return { P, player, recorder, from };
}

describe('MediaFlowInStateChanged / MediaFlowOutStateChanged', () => {
  it('Player → PassThrough → Recorder: FLOWING in/out for VIDEO and AUDIO, isMediaFlowingIn/Out, NOT_FLOWING after EndOfStream', { timeout: 40000 }, async () => {
    const P = await createPipeline(c);
    try {
      await srv.whileAlive((async () => {
        const player = await createElement(c, 'PlayerEndpoint', P, { uri: `file://${clip}` });
        const pass = await createElement(c, 'PassThrough', P);
        const recorder = await createElement(c, 'RecorderEndpoint', P,
          { uri: `file://${path.join(media, 'flow.webm')}`, mediaProfile: 'WEBM' });
        await invokeValue(c, player, 'connect', { sink: pass });
        await invokeValue(c, pass, 'connect', { sink: recorder });
        const from = c.events.length;
        await subscribe(c, pass, 'MediaFlowInStateChanged');
        await subscribe(c, pass, 'MediaFlowOutStateChanged');
        for (const t of ['EndOfStream', 'Error']) await subscribe(c, player, t);
        await invokeValue(c, recorder, 'record');
        await invokeValue(c, player, 'play');

        const flow = (type, state, mediaType, fromIdx, timeout) =>
          c.waitEvent(isEvent(pass, type, (d) => d.state === state && d.mediaType === mediaType), timeout, fromIdx)
            .catch((err) => {
              throw new Error(`no ${type} ${state} ${mediaType} on the PassThrough: ${err.message}; ` +
                `flow events so far: ${JSON.stringify(c.events.slice(fromIdx).map((e) => e.params.value)
                  .filter((v) => v.type.startsWith('MediaFlow')).map((v) => [v.type, v.data.state, v.data.mediaType]))}; ` +
                `errors: ${errorsText(from, player)}`);
            });

        for (const type of ['MediaFlowInStateChanged', 'MediaFlowOutStateChanged']) {
          for (const mediaType of ['VIDEO', 'AUDIO']) {
            const ev = await flow(type, 'FLOWING', mediaType, from, 5000);
            const v = checkEventEnvelope(ev, { object: pass, type });
            assert.equal(v.data.source, pass);
            assert.equal(v.data.state, 'FLOWING');
            assert.equal(v.data.mediaType, mediaType);
            assert.equal(v.data.padName, 'default', `padName must be "default": ${JSON.stringify(v.data)}`);
          }
        }
        for (const mediaType of ['VIDEO', 'AUDIO']) {
          assert.equal(await invokeValue(c, pass, 'isMediaFlowingIn', { mediaType }), true, `isMediaFlowingIn(${mediaType}) while playing`);
          assert.equal(await invokeValue(c, pass, 'isMediaFlowingOut', { mediaType }), true, `isMediaFlowingOut(${mediaType}) while playing`);
        }
        assert.equal(await invokeValue(c, pass, 'isMediaFlowingIn', { mediaType: 'VIDEO', sinkMediaDescription: 'default' }), true);
        assert.equal(await invokeValue(c, pass, 'isMediaFlowingOut', { mediaType: 'VIDEO', sourceMediaDescription: 'default' }), true);
        // exactly one FLOWING per (direction, media type) so far
        for (const type of ['MediaFlowInStateChanged', 'MediaFlowOutStateChanged']) {
          for (const mediaType of ['VIDEO', 'AUDIO']) {
            const n = dataOf(pass, type, from, (d) => d.state === 'FLOWING' && d.mediaType === mediaType).length;
            assert.equal(n, 1, `one ${type} FLOWING ${mediaType}, got ${n}`);
          }
        }

        await c.waitEvent(isEvent(player, 'EndOfStream'), CLIP_SECONDS * 1000 + 8000, from);
        const eosAt = Date.now();
        for (const type of ['MediaFlowInStateChanged', 'MediaFlowOutStateChanged']) {
          for (const mediaType of ['VIDEO', 'AUDIO']) {
            const left = Math.max(1, 4000 - (Date.now() - eosAt));
            const ev = await flow(type, 'NOT_FLOWING', mediaType, from, left);
            const v = checkEventEnvelope(ev, { object: pass, type });
            assert.equal(v.data.padName, 'default');
          }
        }
        for (const mediaType of ['VIDEO', 'AUDIO']) {
          assert.equal(await invokeValue(c, pass, 'isMediaFlowingIn', { mediaType }), false, `isMediaFlowingIn(${mediaType}) after NOT_FLOWING`);
          assert.equal(await invokeValue(c, pass, 'isMediaFlowingOut', { mediaType }), false, `isMediaFlowingOut(${mediaType}) after NOT_FLOWING`);
        }
        assert.deepEqual(dataOf(player, 'Error', from), [], 'no Error events');
      })());
    } finally {
      await release(P);
    }
  });
});

describe('MediaTranscodingStateChanged', () => {
  it('decoded Player → Recorder(WEBM): TRANSCODING on the player, isMediaTranscoding; NOT_TRANSCODING after disconnect', { timeout: 30000 }, async () => {
    let P;
    try {
      await srv.whileAlive((async () => {
        const s = await playIntoRecorder({ name: 'transcode', subscribeOnPlayer: ['MediaTranscodingStateChanged'] });
        P = s.P;
        const { player, recorder, from } = s;
        const ev = await c.waitEvent(isEvent(player, 'MediaTranscodingStateChanged',
          (d) => d.state === 'TRANSCODING' && d.mediaType === 'VIDEO'), 8000, from).catch((err) => {
          throw new Error(`no MediaTranscodingStateChanged TRANSCODING VIDEO on the player: ${err.message}; ` +
            `errors: ${errorsText(from, player, recorder)}`);
        });
        const v = checkEventEnvelope(ev, { object: player, type: 'MediaTranscodingStateChanged' });
        assert.equal(v.data.source, player);
        assert.equal(v.data.state, 'TRANSCODING');
        assert.equal(v.data.mediaType, 'VIDEO');
        assert.equal(typeof v.data.binName, 'string', `binName must be a string: ${JSON.stringify(v.data)}`);
        assert.ok(v.data.binName.length > 0, 'binName must not be empty');
        assert.equal(await invokeValue(c, player, 'isMediaTranscoding', { mediaType: 'VIDEO' }), true,
          'isMediaTranscoding(VIDEO) while the decoded player feeds a VP8 recorder');
        assert.equal(await invokeValue(c, player, 'isMediaTranscoding', { mediaType: 'VIDEO', binName: v.data.binName }), true,
          `isMediaTranscoding(VIDEO, "${v.data.binName}") for the binName the event reported`);

        const fromDisc = c.events.length;
        await invokeValue(c, player, 'disconnect', { sink: recorder });
        const ev2 = await c.waitEvent(isEvent(player, 'MediaTranscodingStateChanged',
          (d) => d.state === 'NOT_TRANSCODING' && d.mediaType === 'VIDEO'), 5000, fromDisc).catch((err) => {
          throw new Error(`no NOT_TRANSCODING VIDEO after disconnect: ${err.message}; events since: ` +
            `${JSON.stringify(c.events.slice(fromDisc).map((e) => e.params.value))}`);
        });
        const v2 = checkEventEnvelope(ev2, { object: player, type: 'MediaTranscodingStateChanged' });
        assert.equal(typeof v2.data.binName, 'string');
        assert.equal(await invokeValue(c, player, 'isMediaTranscoding', { mediaType: 'VIDEO' }), false,
          'isMediaTranscoding(VIDEO) after the only consumer is disconnected');
      })());
    } finally {
      if (P) await release(P);
    }
  });
});

describe('ObjectCreated / ObjectDestroyed on manager_ServerManager', () => {
  it('data.object = id of the created object; data.objectId = id of the destroyed object', async () => {
    const watcher = await rpcClient(`${srv.url}?access_token=test-admin`);
    try {
      await bindSession(watcher);
      await subscribe(watcher, MANAGER, 'ObjectCreated');
      await subscribe(watcher, MANAGER, 'ObjectDestroyed');
      const P = await createPipeline(c);
      const pass = await createElement(c, 'PassThrough', P);
      const player = await createElement(c, 'PlayerEndpoint', P, { uri: `file://${clip}` });
      for (const id of [P, pass, player]) {
        const ev = await watcher.waitEvent(isEvent(MANAGER, 'ObjectCreated', (d) => d.object === id), 5000);
        const v = checkEventEnvelope(ev, { object: MANAGER, type: 'ObjectCreated' });
        assert.equal(v.data.source, MANAGER);
        assert.equal(typeof v.data.object, 'string', `ObjectCreated.object is the id string: ${JSON.stringify(v.data)}`);
        assert.ok(!('objectId' in v.data), `ObjectCreated carries object, not objectId: ${JSON.stringify(v.data)}`);
      }
      expectResult(await c.call('release', { object: pass }), 'release element');
      const evE = await watcher.waitEvent(isEvent(MANAGER, 'ObjectDestroyed', (d) => d.objectId === pass), 5000);
      const vE = checkEventEnvelope(evE, { object: MANAGER, type: 'ObjectDestroyed' });
      assert.equal(vE.data.source, MANAGER);
      assert.equal(typeof vE.data.objectId, 'string');
      assert.ok(!('object' in vE.data), `ObjectDestroyed carries objectId, not object: ${JSON.stringify(vE.data)}`);
      expectResult(await c.call('release', { object: P }), 'release pipeline');
      for (const id of [P, player]) {
        const ev = await watcher.waitEvent(isEvent(MANAGER, 'ObjectDestroyed', (d) => d.objectId === id), 5000);
        checkEventEnvelope(ev, { object: MANAGER, type: 'ObjectDestroyed' });
      }
      // one of each per object
      for (const id of [P, pass, player]) {
        assert.equal(watcher.events.filter(isEvent(MANAGER, 'ObjectCreated', (d) => d.object === id)).length, 1);
        assert.equal(watcher.events.filter(isEvent(MANAGER, 'ObjectDestroyed', (d) => d.objectId === id)).length, 1);
      }
    } finally {
      await watcher.close();
    }
  });
});

describe('Error event', () => {
  it('Player on a non-media file → Error {type INVALID_MEDIA|INVALID_URI|STREAM_ERROR_*, errorCode int, description}; server keeps answering', { timeout: 30000 }, async () => {
    const bogus = path.join(media, 'x.webm');
    await writeFile(bogus, randomBytes(64 * 1024));
    const P = await createPipeline(c);
    try {
      await srv.whileAlive((async () => {
        const player = await createElement(c, 'PlayerEndpoint', P, { uri: `file://${bogus}` });
        const from = c.events.length;
        await subscribe(c, player, 'Error');
        await subscribe(c, P, 'Error');
        // play() itself may succeed (the error is asynchronous) or fail; either way an Error event must follow
        const r = await c.call('invoke', { object: player, operation: 'play' });
        assert.ok('result' in r || 'error' in r, JSON.stringify(r));
        const ev = await c.waitEvent(isEvent(player, 'Error'), 10000, from).catch((err) => {
          throw new Error(`no Error event on the player after play() on random bytes: ${err.message}; ` +
            `play() answered ${JSON.stringify(r)}; pipeline errors: ${errorsText(from, P)}`);
        });
        const v = checkEventEnvelope(ev, { object: player, type: 'Error' });
        assert.equal(v.data.source, player);
        assert.match(v.data.type, /^(INVALID_MEDIA|INVALID_URI|STREAM_ERROR_[A-Z_]+)$/,
          `Error data.type is the error kind: ${JSON.stringify(v.data)}`);
        assert.ok(Number.isInteger(v.data.errorCode), `errorCode must be an integer: ${JSON.stringify(v.data)}`);
        assert.equal(typeof v.data.description, 'string');
        assert.ok(v.data.description.trim().length > 0, 'description must not be empty');
      })());
      // the server is still healthy
      const pong = expectResult(await c.call('ping', { interval: 240000 }), 'ping after the Error');
      assert.equal(pong.value, 'pong');
      assert.equal(typeof await invokeValue(c, P, 'getName'), 'string');
      assert.ok(srv.isRunning());
    } finally {
      await release(P);
    }
  });
});

describe('getGstreamerDot and transcoding', () => {
  it('decoded Player → Recorder(WEBM): the pipeline dot shows a "transcode" branch', { timeout: 30000 }, async () => {
    let P;
    try {
      await srv.whileAlive((async () => {
        const s = await playIntoRecorder({ name: 'dot-transcode' });
        P = s.P;
        await c.waitEvent(isEvent(s.recorder, 'Recording'), 8000, s.from).catch((err) => {
          throw new Error(`no Recording: ${err.message}; errors: ${errorsText(s.from, s.player, s.recorder)}`);
        });
        const dot = await invokeValue(c, P, 'getGstreamerDot');
        assert.equal(typeof dot, 'string');
        assert.ok(dot.trimStart().startsWith('digraph'));
        assert.ok(dot.includes('transcode'), `pipeline dot of a decoded Player → WEBM Recorder has no "transcode" branch:\n${dot.slice(0, 3000)}`);
      })());
    } finally {
      if (P) await release(P);
    }
  });

  it('Player(useEncodedMedia) on VP8/Opus WebM → Recorder(WEBM): no decoder/encoder in the dot, not transcoding', { timeout: 30000 }, async () => {
    let P;
    try {
      await srv.whileAlive((async () => {
        const s = await playIntoRecorder({ name: 'dot-encoded', useEncodedMedia: true });
        P = s.P;
        await c.waitEvent(isEvent(s.recorder, 'Recording'), 8000, s.from).catch((err) => {
          throw new Error(`no Recording: ${err.message}; errors: ${errorsText(s.from, s.player, s.recorder)}`);
        });
        // (the player's own decoding pipeline is not part of these dumps on this server, so the
        // encoder names are what really shows a transcode toward the recorder)
        const dots = [
          ['pipeline', await invokeValue(c, P, 'getGstreamerDot', { details: 'SHOW_ALL' })],
          ['player', await invokeValue(c, s.player, 'getGstreamerDot', { details: 'SHOW_ALL' })],
        ];
        for (const [what, dot] of dots) {
          assert.equal(typeof dot, 'string');
          const lower = dot.toLowerCase();
          for (const bad of ['vp8dec', 'vp8enc', 'avdec', 'opusdec', 'opusenc']) {
            const i = lower.indexOf(bad);
            assert.equal(i, -1, `${what} dot of an encoded VP8 → WEBM path contains "${bad}" (hidden transcoding): ` +
              `…${dot.slice(Math.max(0, i - 300), i + 300)}…`);
          }
        }
        for (const mediaType of ['VIDEO', 'AUDIO']) {
          assert.equal(await invokeValue(c, s.player, 'isMediaTranscoding', { mediaType }), false,
            `isMediaTranscoding(${mediaType}) on an encoded VP8/Opus player feeding a WEBM recorder`);
        }
        assert.deepEqual(dataOf(s.player, 'Error', s.from).concat(dataOf(s.recorder, 'Error', s.from)), []);
      })());
    } finally {
      if (P) await release(P);
    }
  });
});
