// A WebM recording survives a SIGKILL of the server (no finalisation possible).
import { describe, it, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { existsSync, statSync } from 'node:fs';
import { startServer, tempDir, removeDir, makeClip, discover, contentDurationSec, sleep } from '../lib/server.mjs';
import { connectClient, cb, collect, closeClient } from '../lib/kc.mjs';

let srv;
let media;
let client;
before(async () => {
  media = await tempDir('pipewright-media-');
  await makeClip(`${media}/long.webm`, { seconds: 15 });
  srv = await startServer({ mediaFolders: [media] });
  [client] = await connectClient(srv.url);
});
after(async () => {
  closeClient(client);
  if (srv) await srv.stop();
  if (process.env.KEEP_MEDIA) console.log(`media kept in ${media}`);
  else await removeDir(media);
});

describe('crash safety', () => {
  it('recording from a player for ~4 s, then SIGKILL: the WebM is discoverable with ≥ 2 s of media', { timeout: 90000 }, async () => {
    const out = `${media}/killed.webm`;
    const [pipeline] = await cb((d) => client.create('MediaPipeline', d));
    const [player] = await cb((d) => pipeline.create('PlayerEndpoint', { uri: `file://${media}/long.webm` }, d));
    const [recorder] = await cb((d) => pipeline.create('RecorderEndpoint', { uri: `file://${out}`, mediaProfile: 'WEBM' }, d));
    await cb((d) => player.connect(recorder, d));
    const errors = collect(recorder, 'Error');
    await cb((d) => recorder.getUri(d));
    await cb((d) => recorder.record(d));
    await cb((d) => player.play(d));
    await sleep(4000);
    assert.deepEqual(errors.events, [], 'recorder raised Error events');

    const ex = await srv.kill('SIGKILL');
    assert.equal(ex.signal, 'SIGKILL');
    closeClient(client);
    client = null;

    assert.ok(existsSync(out), 'recording file must exist');
    assert.ok(statSync(out).size > 0, 'recording file must not be empty');
    const info = await discover(out);
    assert.deepEqual(info.videoCodecs, ['VP8'], `discoverer output:\n${info.raw}`);
    // The segment header of a killed WebM was never finalised, so gst-discoverer's Duration is an
    // estimate; also measure the media actually present by demuxing the file.
    const measured = await contentDurationSec(out, 'video');
    const best = Math.max(info.durationSec ?? 0, measured);
    assert.ok(best >= 2, `only ${best.toFixed(2)} s of media survived (discoverer ${info.durationSec}, demuxed ${measured.toFixed(2)})`);
  });
});
