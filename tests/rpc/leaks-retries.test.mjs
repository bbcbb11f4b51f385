// Resource hygiene and retries: releasing pipelines returns threads and file descriptors to
// their baseline; a request re-sent with the same (session, id) is answered, not re-run.

import { describe, it, before, after } from 'node:test';
import assert from 'node:assert/strict';
import fs from 'node:fs';
import path from 'node:path';
import { startServer, rpcClient, makeClip, tempDir, removeDir, sleep } from '../lib/server.mjs';

const count = (dir) => fs.readdirSync(dir).length;

describe('resources and retries', () => {
  let server, c, media;

  before(async () => {
    media = await tempDir();
    await makeClip(path.join(media, 'clip.webm'), { seconds: 2 });
    server = await startServer({ mediaFolders: [media] });
    c = await rpcClient(server.url);
  });
  after(async () => {
    c?.close();
    await server?.stop();
    await removeDir(media);
  });

  const value = (r) => { assert.ok(r.result, JSON.stringify(r.error)); return r.result.value; };

  async function cycle(i) {
    const p = value(await c.call('create', { type: 'MediaPipeline' }));
    const player = value(await c.call('create', { type: 'PlayerEndpoint', constructorParams: { mediaPipeline: p, uri: `file://${media}/clip.webm` } }));
    const filter = value(await c.call('create', { type: 'GStreamerFilter', constructorParams: { mediaPipeline: p, command: 'videoflip method=vertical-flip' } }));
    const rec = value(await c.call('create', { type: 'RecorderEndpoint', constructorParams: { mediaPipeline: p, uri: `file://${media}/r${i}.webm` } }));
    value(await c.call('invoke', { object: player, operation: 'connect', operationParams: { sink: filter } }));
    value(await c.call('invoke', { object: filter, operation: 'connect', operationParams: { sink: rec } }));
    value(await c.call('invoke', { object: rec, operation: 'record' }));
    value(await c.call('invoke', { object: player, operation: 'play' }));
    await sleep(700);
    value(await c.call('release', { object: p }));
  }

  it('threads and file descriptors return to baseline after 15 pipelines come and go', { timeout: 120000 }, async () => {
    const pid = server.proc.pid;
    await cycle(0); // warm up: plugin loading, thread pools
    await sleep(1500);
    const fds0 = count(`/proc/${pid}/fd`);
    const threads0 = count(`/proc/${pid}/task`);
    for (let i = 1; i <= 15; i++) await cycle(i);
    let fds = 0, threads = 0;
    for (let i = 0; i < 20; i++) {
      await sleep(500);
      fds = count(`/proc/${pid}/fd`);
      threads = count(`/proc/${pid}/task`);
      if (fds <= fds0 + 2 && threads <= threads0 + 2) break;
    }
    assert.ok(fds <= fds0 + 2, `file descriptors back to baseline (${fds0} → ${fds})`);
    assert.ok(threads <= threads0 + 2, `threads back to baseline (${threads0} → ${threads})`);
    const pipelines = value(await c.call('invoke', { object: 'manager_ServerManager', operation: 'getPipelines' }));
    assert.deepEqual(pipelines, []);
  });

  it('a create re-sent with the same session and id gets the first answer, not a second object', async () => {
    const p = await c.call('create', { type: 'MediaPipeline' });
    const session = p.result.sessionId;
    const raw = JSON.stringify({ jsonrpc: '2.0', id: 987654, method: 'create', params: { type: 'MediaPipeline', sessionId: session } });
    c.send(raw);
    const a = await c.waitMessage((m) => m.id === 987654);
    c.send(raw);
    await sleep(300);
    const answers = c.messages.filter((m) => m.id === 987654);
    assert.equal(answers.length, 2, 'both requests answered');
    assert.equal(answers[1].result.value, a.result.value, 'same object id both times');
    const pipelines = value(await c.call('invoke', { object: 'manager_ServerManager', operation: 'getPipelines' }));
    assert.equal(pipelines.filter((id) => id === a.result.value).length, 1);
    assert.equal(pipelines.length, 2, 'exactly two pipelines exist (no duplicate create)');
  });
});
