// End-to-end media with kurento-client: PlayerEndpoint → (GStreamerFilter) → RecorderEndpoint,
// verified with gst-discoverer-1.0.
import { describe, it, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { existsSync, statSync } from 'node:fs';
import { startServer, tempDir, removeDir, makeClip, discover } from '../lib/server.mjs';
import { connectClient, cb, collect, closeClient } from '../lib/kc.mjs';

const CLIP_SECONDS = 5;
let srv;
let media;
let clip;
let client;
before(async () => {
  media = await tempDir('pipewright-media-');
  clip = `${media}/clip.webm`;
  await makeClip(clip, { seconds: CLIP_SECONDS }); // VP8 + Opus in WebM
  srv = await startServer({ mediaFolders: [media] });
  [client] = await connectClient(srv.url);
});
after(async () => {
  closeClient(client);
  if (srv) await srv.stop();
  if (process.env.KEEP_MEDIA) console.log(`media kept in ${media}`);
  else await removeDir(media);
});

/**
 * Play the clip once into a recorder with the given profile.
 * Returns {file, info, events:{recording, stopped, eos, errors}}.
 */
async function playAndRecord(opts) {
  return srv.whileAlive(playAndRecordInner(opts));
}

async function playAndRecordInner({ profile, ext, filter = null }) {
  const out = `${media}/out-${profile}.${ext}`;
  const [pipeline] = await cb((d) => client.create('MediaPipeline', d));
  try {
    const [player] = await cb((d) => pipeline.create('PlayerEndpoint', { uri: `file://${clip}` }, d));
    const [recorder] = await cb((d) => pipeline.create('RecorderEndpoint', { uri: `file://${out}`, mediaProfile: profile }, d));
    let last = player;
    if (filter) {
      const [f] = await cb((d) => pipeline.create('GStreamerFilter', { command: filter }, d));
      await cb((d) => player.connect(f, d));
      last = f;
    }
    await cb((d) => last.connect(recorder, d));

    const eos = collect(player, 'EndOfStream');
    const playerErrors = collect(player, 'Error');
    const recErrors = collect(recorder, 'Error');
    const recording = collect(recorder, 'Recording');
    const stopped = collect(recorder, 'Stopped');
    // let the subscriptions reach the server before media starts
    await cb((d) => player.getUri(d));

    await cb((d) => recorder.record(d));
    await cb((d) => player.play(d));
    await eos.next(30000).catch((err) => {
      throw new Error(`${err.message}; player errors: ${JSON.stringify(playerErrors.events)}; recorder errors: ${JSON.stringify(recErrors.events)}`);
    });
    await cb((d) => recorder.stopAndWait(d), 30000, 'stopAndWait');
    // Stopped may be delivered slightly after the stopAndWait response
    await stopped.next(5000).catch(() => {});
    assert.ok(existsSync(out), `recording ${out} does not exist`);
    assert.ok(statSync(out).size > 0, 'recording is empty');
    const info = await discover(out);
    return {
      file: out,
      info,
      events: { recording: recording.events, stopped: stopped.events, eos: eos.events, errors: [...playerErrors.events, ...recErrors.events] },
    };
  } finally {
    await cb((d) => pipeline.release(d)).catch(() => {});
  }
}

/** Compact description of a discover() result for assertion messages. */
function summary(info) {
  return `container=${info.container} duration=${info.durationSec} video=${JSON.stringify(info.videoCaps)} ` +
    `audio=${JSON.stringify(info.audioCaps)}\n--- gst-discoverer-1.0 output ---\n${info.raw.slice(0, 3000)}`;
}

function assertDuration(info, expected = CLIP_SECONDS) {
  assert.ok(info.durationSec !== null, `no duration in discoverer output:\n${info.raw}`);
  assert.ok(Math.abs(info.durationSec - expected) <= expected * 0.1,
    `duration ${info.durationSec}s not within 10% of ${expected}s; ${summary(info)}`);
}

describe('recording with kurento-client', () => {
  let webm;

  it('WEBM: Player → GStreamerFilter(videoflip) → Recorder gives VP8 + Opus, ~5 s', { timeout: 90000 }, async () => {
    webm = await playAndRecord({ profile: 'WEBM', ext: 'webm', filter: 'videoflip method=horizontal-flip' });
    const { info } = webm;
    assert.deepEqual(info.videoCodecs, ['VP8'], summary(info));
    assert.deepEqual(info.audioCodecs, ['OPUS'], summary(info));
    assert.match(info.container || '', /webm/i, summary(info));
    assertDuration(info);
    assert.deepEqual(webm.events.errors, [], 'no Error events during a clean recording');
  });

  it('WEBM recording: exactly one EndOfStream; Recording and Stopped events were raised', (t) => {
    if (!webm) return t.skip('WEBM recording failed');
    assert.equal(webm.events.eos.length, 1, 'one EndOfStream');
    assert.ok(webm.events.recording.length >= 1, 'RecorderEndpoint must raise Recording');
    assert.ok(webm.events.stopped.length >= 1, 'RecorderEndpoint must raise Stopped after stopAndWait');
    for (const ev of [...webm.events.eos, ...webm.events.recording, ...webm.events.stopped]) {
      assert.equal(typeof ev.timestampMillis, 'string');
      assert.ok(Array.isArray(ev.tags));
    }
  });

  it('MKV: H.264 + Opus, ~5 s', { timeout: 90000 }, async () => {
    const { info } = await playAndRecord({ profile: 'MKV', ext: 'mkv' });
    assert.deepEqual(info.videoCodecs, ['H264'], summary(info));
    assert.deepEqual(info.audioCodecs, ['OPUS'], summary(info));
    assert.match(info.container || '', /matroska/i, summary(info));
    assertDuration(info);
  });

  it('MP4: H.264 + AAC, ~5 s', { timeout: 90000 }, async () => {
    const { info } = await playAndRecord({ profile: 'MP4', ext: 'mp4' });
    assert.deepEqual(info.videoCodecs, ['H264'], summary(info));
    assert.deepEqual(info.audioCodecs, ['AAC'], summary(info));
    assert.match(info.container || '', /quicktime|mp4/i, summary(info));
    assertDuration(info);
  });

  it('WEBM_VIDEO_ONLY: VP8 only', { timeout: 90000 }, async () => {
    const { info } = await playAndRecord({ profile: 'WEBM_VIDEO_ONLY', ext: 'webm' });
    assert.deepEqual(info.videoCodecs, ['VP8'], summary(info));
    assert.deepEqual(info.audioCodecs, [], summary(info));
    assertDuration(info);
  });

  it('MP4_AUDIO_ONLY: AAC only', { timeout: 90000 }, async () => {
    const { info } = await playAndRecord({ profile: 'MP4_AUDIO_ONLY', ext: 'm4a' });
    assert.deepEqual(info.videoCodecs, [], summary(info));
    assert.deepEqual(info.audioCodecs, ['AAC'], summary(info));
    assertDuration(info);
  });
});
