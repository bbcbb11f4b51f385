// MediaElement.setVideoFormat / setAudioFormat with kurento-client: the element's output is
// forced to a codec (and frame rate), transcoded where the source differs, with
// MediaTranscodingStateChanged on that element; checked on a real recording with
// gst-discoverer-1.0.
import { describe, it, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { startServer, tempDir, removeDir, makeClip, discover, rpcClient } from '../lib/server.mjs';
import { connectClient, cb, cbError, collect, closeClient } from '../lib/kc.mjs';

let srv;
let media;
let clip;
let client;
before(async () => {
  media = await tempDir('pipewright-format-');
  clip = `${media}/clip.webm`;
  await makeClip(clip, { seconds: 4 }); // VP8 30 fps + Opus in WebM
  srv = await startServer({ mediaFolders: [media] });
  [client] = await connectClient(srv.url);
});
after(async () => {
  closeClient(client);
  if (srv) await srv.stop();
  await removeDir(media);
});

describe('setVideoFormat / setAudioFormat', () => {
  it('a player forced to H.264 at 10 fps and to PCMU feeds them on, transcoding once, at its own output', { timeout: 90000 }, async () => {
    const out = `${media}/forced.mkv`;
    const [pipeline] = await cb((d) => client.create('MediaPipeline', d));
    try {
      const [player] = await cb((d) => pipeline.create('PlayerEndpoint', { uri: `file://${clip}` }, d));
      const [pass] = await cb((d) => pipeline.create('PassThrough', d));
      const [recorder] = await cb((d) => pipeline.create('RecorderEndpoint', { uri: `file://${out}`, mediaProfile: 'MKV_VIDEO_ONLY' }, d));
      const playerTranscoding = collect(player, 'MediaTranscodingStateChanged');
      const passTranscoding = collect(pass, 'MediaTranscodingStateChanged');
      const errors = collect(player, 'Error');
      const eos = collect(player, 'EndOfStream');
      await cb((d) => player.setVideoFormat({ codec: 'H264', framerate: { numerator: 10, denominator: 1 } }, d));
      await cb((d) => player.setAudioFormat({ codec: 'PCMU', bitrate: 64000 }, d));
      await cb((d) => player.connect(pass, d));
      await cb((d) => pass.connect(recorder, d));
      await cb((d) => recorder.record(d));
      await cb((d) => player.play(d));
      await eos.next(30000);
      assert.equal((await cb((d) => player.isMediaTranscoding('VIDEO', d)))[0], true, 'the player transcodes video');
      assert.equal((await cb((d) => player.isMediaTranscoding('AUDIO', d)))[0], true, 'the player transcodes audio');
      await cb((d) => recorder.stopAndWait(d), 30000, 'stopAndWait');

      assert.deepEqual(errors.events, []);
      const video = playerTranscoding.events.filter((e) => e.mediaType === 'VIDEO');
      const audio = playerTranscoding.events.filter((e) => e.mediaType === 'AUDIO');
      assert.equal(video[0]?.state, 'TRANSCODING', JSON.stringify(playerTranscoding.events));
      assert.match(video[0].binName, /h264-10-1fps/, 'the branch says what it makes');
      assert.equal(audio[0]?.state, 'TRANSCODING', JSON.stringify(playerTranscoding.events));
      assert.match(audio[0].binName, /pcmu/);
      // The PassThrough gets H.264 already: the recorder (H.264) takes it as it is.
      assert.deepEqual(passTranscoding.events.filter((e) => e.mediaType === 'VIDEO'), [], 'no second video transcode');

      const info = await discover(out);
      assert.deepEqual(info.videoCodecs, ['H264'], info.raw);
      assert.match(info.raw, /Frame rate: 10\/1/, `10 fps in the recording:\n${info.raw}`);
      assert.ok(info.durationSec > 3 && info.durationSec < 5, `duration ${info.durationSec}`);
    } finally {
      await cb((d) => pipeline.release(d)).catch(() => {});
    }
  });

  it('an element whose input already has the forced format passes it through: no second transcode', { timeout: 60000 }, async () => {
    const out = `${media}/same.webm`;
    const [pipeline] = await cb((d) => client.create('MediaPipeline', d));
    try {
      const [player] = await cb((d) => pipeline.create('PlayerEndpoint', { uri: `file://${clip}` }, d));
      const [first] = await cb((d) => pipeline.create('PassThrough', d));
      const [second] = await cb((d) => pipeline.create('PassThrough', d));
      const [recorder] = await cb((d) => pipeline.create('RecorderEndpoint', { uri: `file://${out}`, mediaProfile: 'WEBM_VIDEO_ONLY' }, d));
      const firstTranscoding = collect(first, 'MediaTranscodingStateChanged');
      const secondTranscoding = collect(second, 'MediaTranscodingStateChanged');
      const eos = collect(player, 'EndOfStream');
      const vp8 = { codec: 'VP8', framerate: { numerator: 30, denominator: 1 } };
      await cb((d) => second.setVideoFormat(vp8, d));
      await cb((d) => player.connect(first, 'VIDEO', d));
      await cb((d) => first.connect(second, d));
      await cb((d) => second.connect(recorder, d));
      // (set after connecting: the consumers already attached move to the new format)
      await cb((d) => first.setVideoFormat(vp8, d));
      await cb((d) => recorder.record(d));
      await cb((d) => player.play(d));
      await eos.next(30000);
      await cb((d) => recorder.stopAndWait(d), 30000, 'stopAndWait');
      assert.deepEqual(firstTranscoding.events.map((e) => [e.mediaType, e.state]), [['VIDEO', 'TRANSCODING']],
        'the first PassThrough encodes the decoded video to VP8');
      assert.deepEqual(secondTranscoding.events, [], 'VP8 at 30 fps in, VP8 at 30 fps out');
      const info = await discover(out);
      assert.deepEqual(info.videoCodecs, ['VP8'], info.raw);
      assert.ok(info.durationSec > 3 && info.durationSec < 5, `duration ${info.durationSec}`);
    } finally {
      await cb((d) => pipeline.release(d)).catch(() => {});
    }
  });

  it('refuses codecs it cannot make and malformed caps with a clear error', async () => {
    const rpc = await rpcClient(srv.url);
    try {
      const pipeline = (await rpc.call('create', { type: 'MediaPipeline', constructorParams: {} })).result.value;
      const player = (await rpc.call('create', { type: 'PlayerEndpoint', constructorParams: { mediaPipeline: pipeline, uri: `file://${clip}` } })).result.value;
      const bad = [
        ['setVideoFormat', { codec: 'H265' }],
        ['setVideoFormat', { codec: 'VP8', framerate: { numerator: 0, denominator: 1 } }],
        ['setVideoFormat', { codec: 'VP8', framerate: { numerator: 30, denominator: 0 } }],
        ['setVideoFormat', { codec: 'VP8', framerate: 30 }],
        ['setAudioFormat', { codec: 'AAC' }],
        ['setAudioFormat', { codec: 'OPUS', bitrate: -5 }],
        ['setAudioFormat', 'OPUS'],
      ];
      for (const [operation, caps] of bad) {
        const r = await rpc.call('invoke', { object: player, operation, operationParams: { caps } });
        assert.ok(r.error, `${operation}(${JSON.stringify(caps)}) is refused: ${JSON.stringify(r)}`);
        assert.notEqual(r.error.code, 40006, 'not "not implemented"');
        assert.ok(r.error.message.length > 10, r.error.message);
      }
      const ok = await rpc.call('invoke', { object: player, operation: 'setVideoFormat', operationParams: { caps: { codec: 'VP9', framerate: { numerator: 30000, denominator: 1001 } } } });
      assert.ok(!ok.error, JSON.stringify(ok));
      const err = await cbError((d) => client.getMediaobjectById('nope_kurento.PlayerEndpoint', d));
      assert.ok(err, 'sanity: the kurento-client connection still answers');
    } finally {
      rpc.close();
    }
  });
});
