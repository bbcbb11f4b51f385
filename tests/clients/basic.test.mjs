// The unmodified npm kurento-client against the server: connection, objects, events, errors.
import { describe, it, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { startServer, tempDir, removeDir, makeClip, isKurentoCode } from '../lib/server.mjs';
import { connectClient, cb, cbError, once, collect, closeClient } from '../lib/kc.mjs';

let srv;
let media;
let clip;
let client;
const extraClients = [];
before(async () => {
  media = await tempDir('pipewright-media-');
  clip = `${media}/clip.webm`;
  await makeClip(clip, { seconds: 2 });
  srv = await startServer({ mediaFolders: [media], config: { adminToken: 'admin-token' } });
  [client] = await connectClient(srv.url);
});
after(async () => {
  closeClient(client);
  for (const c of extraClients) closeClient(c);
  if (srv) await srv.stop();
  await removeDir(media);
});

describe('kurento-client: connection', () => {
  it('connects in strict mode (describe ServerManager + getInfo module check passes)', () => {
    assert.ok(client);
    assert.equal(typeof client.sessionId, 'string', 'client must have picked up the sessionId');
  });

  it('connects with the access_token option (query string tolerated)', async () => {
    const [c2] = await connectClient(srv.url, { access_token: 'secret-token' });
    extraClients.push(c2);
    const [sm] = await cb((d) => c2.getServerManager(d));
    const [info] = await cb((d) => sm.getInfo(d));
    assert.ok(info.modules.length >= 3);
  });

  it('ServerManager: getInfo, getPipelines, getSessions, getCpuCount, getUsedMemory, getKmd, getMetadata', async () => {
    const [sm] = await cb((d) => client.getServerManager(d));
    const [info] = await cb((d) => sm.getInfo(d));
    const names = info.modules.map((m) => m.name);
    for (const n of ['core', 'elements', 'filters']) assert.ok(names.includes(n));
    assert.ok(info.capabilities.includes('transactions'));
    const [pipeline] = await cb((d) => client.create('MediaPipeline', d));
    const [pipelines] = await cb((d) => sm.getPipelines(d));
    assert.ok(pipelines.some((p) => p.id === pipeline.id), 'getPipelines must list the new pipeline (as proxies)');
    const [sessions] = await cb((d) => sm.getSessions(d));
    assert.ok(sessions.includes(client.sessionId));
    const [cpus] = await cb((d) => sm.getCpuCount(d));
    assert.ok(cpus >= 1);
    const [mem] = await cb((d) => sm.getUsedMemory(d));
    assert.ok(mem > 0);
    const [kmd] = await cb((d) => sm.getKmd('core', d));
    JSON.parse(kmd);
    const [meta] = await cb((d) => sm.getMetadata(d));
    assert.equal(typeof meta, 'string');
    await cb((d) => pipeline.release(d));
  });
});

describe('kurento-client: objects', () => {
  it('create pipeline and elements; ids and proxies', async () => {
    const [pipeline] = await cb((d) => client.create('MediaPipeline', d));
    assert.match(pipeline.id, /_kurento\.MediaPipeline$/);
    const [pass] = await cb((d) => pipeline.create('PassThrough', d));
    assert.ok(pass.id.startsWith(`${pipeline.id}/`));
    const [filter] = await cb((d) => pipeline.create('GStreamerFilter', { command: 'videoflip method=horizontal-flip' }, d));
    assert.ok(filter.id.endsWith('_kurento.GStreamerFilter'));
    const [player] = await cb((d) => pipeline.create('PlayerEndpoint', { uri: `file://${clip}` }, d));
    const [rec] = await cb((d) => pipeline.create('RecorderEndpoint', { uri: `file://${media}/x.webm`, mediaProfile: 'WEBM' }, d));
    assert.equal(player.constructor.name, 'PlayerEndpoint');
    assert.equal(rec.constructor.name, 'RecorderEndpoint');

    const [name] = await cb((d) => pass.getName(d));
    assert.equal(name, pass.id);
    await cb((d) => pass.setName('renamed', d));
    assert.equal((await cb((d) => pass.getName(d)))[0], 'renamed');
    await cb((d) => pass.addTag('k', 'v', d));
    assert.equal((await cb((d) => pass.getTag('k', d)))[0], 'v');
    const [tags] = await cb((d) => pass.getTags(d));
    assert.equal(tags.length, 1);
    assert.equal(tags[0].key, 'k');
    const [mp] = await cb((d) => pass.getMediaPipeline(d));
    assert.equal(mp.id, pipeline.id);
    const [parent] = await cb((d) => filter.getParent(d));
    assert.equal(parent.id, pipeline.id);
    const [children] = await cb((d) => pipeline.getChildren(d));
    assert.deepEqual(children.map((x) => x.id).sort(), [pass.id, filter.id, player.id, rec.id].sort());
    const [uri] = await cb((d) => player.getUri(d));
    assert.equal(uri, `file://${clip}`);
    const [cmd] = await cb((d) => filter.getCommand(d));
    assert.equal(cmd, 'videoflip method=horizontal-flip');
    const [dot] = await cb((d) => pipeline.getGstreamerDot(d));
    assert.ok(dot.startsWith('digraph'));
    const [flowing] = await cb((d) => pass.isMediaFlowingIn('VIDEO', d));
    assert.equal(typeof flowing, 'boolean');
    await cb((d) => pipeline.release(d));
  });

  it('connect / disconnect with events and connection data', async () => {
    const [pipeline] = await cb((d) => client.create('MediaPipeline', d));
    const [a] = await cb((d) => pipeline.create('PassThrough', d));
    const [b] = await cb((d) => pipeline.create('PassThrough', d));
    const connected = collect(a, 'ElementConnected');
    await cb((d) => a.connect(b, 'VIDEO', d));
    const ev = await connected.next(5000);
    assert.equal(ev.mediaType, 'VIDEO');
    assert.equal(ev.sink, b.id);
    assert.equal(typeof ev.timestampMillis, 'string');
    const [sinks] = await cb((d) => a.getSinkConnections(d));
    assert.equal(sinks.length, 1);
    assert.equal(sinks[0].type, 'VIDEO');
    const disconnected = once(a, 'ElementDisconnected', 5000);
    await cb((d) => a.disconnect(b, 'VIDEO', d));
    const dev = await disconnected;
    assert.equal(dev.mediaType, 'VIDEO');
    await cb((d) => pipeline.release(d));
  });

  it('array form pipeline.create([...])', async () => {
    // (client.create([...]) with numeric mediaPipeline goes through client.transaction(), which is
    // broken in kurento-client 7.3.0 on Node >= 12, see environment.md; the pipeline form works)
    const [pipeline] = await cb((d) => client.create('MediaPipeline', d));
    const [objs] = await cb((d) => pipeline.create([
      { type: 'PassThrough' },
      { type: 'GStreamerFilter', params: { command: 'videoflip method=vertical-flip' } },
    ], d));
    assert.equal(objs.length, 2);
    const [pass, filter] = objs;
    assert.ok(pass.id.startsWith(`${pipeline.id}/`) && pass.id.endsWith('_kurento.PassThrough'));
    assert.ok(filter.id.startsWith(`${pipeline.id}/`) && filter.id.endsWith('_kurento.GStreamerFilter'));
    await cb((d) => pipeline.release(d));
  });

  it('getMediaobjectById from a second client: not found, unless it holds the administrator token', async () => {
    const [pipeline] = await cb((d) => client.create('MediaPipeline', d));
    const [player] = await cb((d) => pipeline.create('PlayerEndpoint', { uri: `file://${clip}` }, d));
    const [stranger] = await connectClient(srv.url);
    extraClients.push(stranger);
    const err = await cbError((d) => stranger.getMediaobjectById(player.id, d), 10000);
    assert.ok(err, 'another session must not reach the player');
    assert.equal(err.code, 40101);
    const [c2] = await connectClient(srv.url, { access_token: 'admin-token' });
    extraClients.push(c2);
    const [same] = await cb((d) => c2.getMediaobjectById(player.id, d));
    assert.equal(same.id, player.id);
    assert.equal(same.constructor.name, 'PlayerEndpoint');
    const [uri] = await cb((d) => same.getUri(d));
    assert.equal(uri, `file://${clip}`);
    await cb((d) => pipeline.release(d));
  });

  it('release pipeline: later calls on its elements fail with 40101 (ReferenceError)', async () => {
    const [pipeline] = await cb((d) => client.create('MediaPipeline', d));
    const [pass] = await cb((d) => pipeline.create('PassThrough', d));
    const pid = pipeline.id;
    await cb((d) => pipeline.release(d));
    const [sm] = await cb((d) => client.getServerManager(d));
    const [pipelines] = await cb((d) => sm.getPipelines(d));
    assert.ok(!pipelines.some((p) => p.id === pid));
    const err = await cbError((d) => pass.getName(d), 10000);
    assert.ok(err, 'invoking a released object must fail');
    assert.equal(err.code, 40101);
    assert.ok(err instanceof ReferenceError);
  });
});

describe('kurento-client: errors', () => {
  it('strict mode rejects an unknown type locally; the server rejects it with 40100 (TypeError)', async () => {
    assert.throws(() => client.create('NoSuchType', () => {}), SyntaxError);
    const [loose] = await connectClient(srv.url, { strict: false });
    extraClients.push(loose);
    const err = await cbError((d) => loose.create('NoSuchType', d));
    assert.ok(err, 'unknown type must fail');
    assert.equal(err.code, 40100);
    assert.ok(err instanceof TypeError);
  });

  it('not-implemented classes fail with a 4xxxx error naming the type', async () => {
    const [pipeline] = await cb((d) => client.create('MediaPipeline', d));
    for (const type of ['WebRtcEndpoint', 'Composite', 'FaceOverlayFilter', 'RtpEndpoint']) {
      const res = await cb((d) => pipeline.create(type, d)).then(([o]) => ({ o }), (err) => ({ err }));
      if (res.o) continue; // implemented meanwhile
      assert.ok(isKurentoCode(res.err.code), `${type}: code ${res.err.code}`);
      assert.ok(res.err.message.includes(type), `${type}: ${res.err.message}`);
    }
    await cb((d) => pipeline.release(d));
  });

  it('recorder uri outside the media folders → error 40107', async () => {
    const [pipeline] = await cb((d) => client.create('MediaPipeline', d));
    const err = await cbError((d) => pipeline.create('RecorderEndpoint', { uri: 'file:///tmp/pipewright-client-evil.webm' }, d));
    assert.ok(err, 'must fail');
    assert.equal(err.code, 40107);
    const err2 = await cbError((d) => pipeline.create('PlayerEndpoint', { uri: 'file:///etc/hostname' }, d));
    assert.ok(err2);
    assert.ok(isKurentoCode(err2.code));
    await cb((d) => pipeline.release(d));
  });

  it('unknown operation / bad params surface as errors in the callback', async () => {
    const [pipeline] = await cb((d) => client.create('MediaPipeline', d));
    const [pass] = await cb((d) => pipeline.create('PassThrough', d));
    const err = await cbError((d) => pass.getTag('missing', d));
    assert.equal(err?.code, 40110);
    await cb((d) => pipeline.release(d));
  });

  it('player of a missing file in the media folder raises an Error event after play()', async () => {
    const [pipeline] = await cb((d) => client.create('MediaPipeline', d));
    const [player] = await cb((d) => pipeline.create('PlayerEndpoint', { uri: `file://${media}/does-not-exist.webm` }, d));
    const errors = collect(player, 'Error');
    const playErr = await cbError((d) => player.play(d));
    if (!playErr) {
      const ev = await errors.next(15000);
      assert.equal(typeof ev.type, 'string');
      assert.equal(typeof ev.description, 'string');
      assert.ok(Number.isInteger(ev.errorCode));
    } else {
      assert.ok(isKurentoCode(playErr.code));
    }
    await cb((d) => pipeline.release(d));
  });
});
