// create (§5.3), describe (§5.4), object ids (§4), hierarchy table (api-surface §1).
import { describe, it, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { startServer, rpcClient, tempDir, removeDir, expectResult, expectError, isKurentoCode } from '../lib/server.mjs';
import {
  MANAGER, PIPELINE_ID_RE, childIdRe, bindSession, createPipeline, createElement, invokeValue, subscribe, isEvent,
} from '../lib/kms.mjs';

let srv;
let c;
let media;
before(async () => {
  media = await tempDir('pipewright-media-');
  srv = await startServer({ mediaFolders: [media], config: { adminToken: 'test-admin' } });
  c = await rpcClient(srv.url);
  await bindSession(c);
});
after(async () => {
  if (c) await c.close();
  if (srv) await srv.stop();
  await removeDir(media);
});

const HIERARCHY = {
  MediaPipeline: ['kurento.MediaObject'],
  PassThrough: ['kurento.MediaElement', 'kurento.MediaObject'],
  GStreamerFilter: ['kurento.Filter', 'kurento.MediaElement', 'kurento.MediaObject'],
  PlayerEndpoint: ['kurento.UriEndpoint', 'kurento.Endpoint', 'kurento.MediaElement', 'kurento.MediaObject'],
  RecorderEndpoint: ['kurento.UriEndpoint', 'kurento.Endpoint', 'kurento.MediaElement', 'kurento.MediaObject'],
};

describe('create (§5.3)', () => {
  it('MediaPipeline: value is "<uuid>_kurento.MediaPipeline", result carries sessionId', async () => {
    const r = expectResult(await c.call('create', { type: 'MediaPipeline', properties: {} }));
    assert.match(r.value, PIPELINE_ID_RE);
    assert.equal(typeof r.sessionId, 'string');
  });

  it('MediaPipeline without constructorParams and without properties', async () => {
    const r = expectResult(await c.call('create', { type: 'MediaPipeline' }));
    assert.match(r.value, PIPELINE_ID_RE);
  });

  it('MediaPipeline with empty constructorParams and arbitrary properties (ignored)', async () => {
    const r = expectResult(await c.call('create', {
      type: 'MediaPipeline', constructorParams: {}, properties: { foo: 'bar', n: 1 },
    }));
    assert.match(r.value, PIPELINE_ID_RE);
  });

  it('every pipeline gets a fresh id', async () => {
    const ids = new Set();
    for (let i = 0; i < 5; i++) ids.add(await createPipeline(c));
    assert.equal(ids.size, 5);
  });

  it('elements get "<pipe>/<uuid>_kurento.<Type>" ids', async () => {
    const p = await createPipeline(c);
    const pt = await createElement(c, 'PassThrough', p);
    assert.match(pt, childIdRe(p, 'PassThrough'));
    const gf = await createElement(c, 'GStreamerFilter', p, { command: 'videoflip method=horizontal-flip' });
    assert.match(gf, childIdRe(p, 'GStreamerFilter'));
    const pl = await createElement(c, 'PlayerEndpoint', p, { uri: `file://${media}/in.webm` });
    assert.match(pl, childIdRe(p, 'PlayerEndpoint'));
    const rec = await createElement(c, 'RecorderEndpoint', p, { uri: `file://${media}/out.webm`, mediaProfile: 'WEBM' });
    assert.match(rec, childIdRe(p, 'RecorderEndpoint'));
    assert.ok([pt, gf, pl, rec].every((id) => id.startsWith(p)), 'descendant ids start with the pipeline id');
  });

  it('qualified type names are accepted ("kurento.MediaPipeline", "kurento.PassThrough")', async () => {
    const p = expectResult(await c.call('create', { type: 'kurento.MediaPipeline' })).value;
    assert.match(p, PIPELINE_ID_RE);
    const e = expectResult(await c.call('create', {
      type: 'kurento.PassThrough', constructorParams: { mediaPipeline: p },
    })).value;
    assert.match(e, childIdRe(p, 'PassThrough'));
  });

  it('optional constructor params take defaults; unknown extra ctor keys are ignored', async () => {
    const p = await createPipeline(c);
    const gf = await createElement(c, 'GStreamerFilter', p, { command: 'videoflip method=vertical-flip', bogusKey: 123 });
    assert.match(gf, childIdRe(p, 'GStreamerFilter'));
    const rec = await createElement(c, 'RecorderEndpoint', p, { uri: `file://${media}/default-profile.webm` });
    assert.match(rec, childIdRe(p, 'RecorderEndpoint'));
    const rec2 = await createElement(c, 'RecorderEndpoint', p, {
      uri: `file://${media}/eos.webm`, mediaProfile: 'WEBM_VIDEO_ONLY', stopOnEndOfStream: true,
    });
    assert.match(rec2, childIdRe(p, 'RecorderEndpoint'));
    const pl = await createElement(c, 'PlayerEndpoint', p, {
      uri: `file://${media}/x.webm`, useEncodedMedia: false, networkCache: 2000,
    });
    assert.match(pl, childIdRe(p, 'PlayerEndpoint'));
  });

  it('all recorder media profiles of the first version are accepted', async () => {
    const p = await createPipeline(c);
    for (const prof of ['WEBM', 'MKV', 'MP4', 'WEBM_VIDEO_ONLY', 'WEBM_AUDIO_ONLY', 'MKV_VIDEO_ONLY',
      'MKV_AUDIO_ONLY', 'MP4_VIDEO_ONLY', 'MP4_AUDIO_ONLY']) {
      const ext = prof.startsWith('WEBM') ? 'webm' : prof.startsWith('MKV') ? 'mkv' : 'mp4';
      await createElement(c, 'RecorderEndpoint', p, { uri: `file://${media}/p-${prof}.${ext}`, mediaProfile: prof });
    }
  });

  it('invalid enum value for mediaProfile → 40001', async () => {
    const p = await createPipeline(c);
    const e = expectError(await c.call('create', {
      type: 'RecorderEndpoint', constructorParams: { mediaPipeline: p, uri: `file://${media}/bad.webm`, mediaProfile: 'webm-ish' },
    }), 40001);
    assert.ok(e.message.length > 0);
  });

  it('unknown type → 40100', async () => {
    const e = expectError(await c.call('create', { type: 'NoSuchThing', constructorParams: {} }), 40100);
    if (e.data !== undefined) assert.equal(e.data.type, 'MEDIA_OBJECT_TYPE_NOT_FOUND');
  });

  it('ChromaFilter (module chroma) is created; the other optional Kurento modules answer 40100', async () => {
    const p = await createPipeline(c);
    const window = { __module__: 'chroma', __type__: 'WindowParam', topRightCornerX: 5, topRightCornerY: 5, width: 30, height: 30 };
    const chroma = expectResult(await c.call('create', { type: 'ChromaFilter', constructorParams: { mediaPipeline: p, window } })).value;
    assert.match(chroma, /ChromaFilter$/);
    expectResult(await c.call('invoke', { object: chroma, operation: 'unsetBackground' }));
    expectError(await c.call('create', { type: 'ChromaFilter', constructorParams: { mediaPipeline: p } }), 40001);
    for (const type of ['CrowdDetectorFilter', 'PointerDetectorFilter', 'PlateDetectorFilter']) {
      const e = expectError(await c.call('create', { type, constructorParams: { mediaPipeline: p } }), 40100, type);
      assert.match(e.message, new RegExp(type));
    }
  });

  it('abstract / non-creatable types → 40100-ish error (MediaElement, ServerManager, Endpoint)', async () => {
    const p = await createPipeline(c);
    for (const type of ['MediaElement', 'ServerManager', 'Endpoint', 'MediaObject']) {
      const e = expectError(await c.call('create', { type, constructorParams: { mediaPipeline: p } }), undefined, type);
      assert.ok(isKurentoCode(e.code), `${type}: expected a 4xxxx code, got ${e.code}`);
    }
  });

  it('missing required constructor param → 40001', async () => {
    const p = await createPipeline(c);
    const cases = [
      ['PassThrough', {}, 'mediaPipeline'],
      ['GStreamerFilter', { mediaPipeline: p }, 'command'],
      ['PlayerEndpoint', { mediaPipeline: p }, 'uri'],
      ['RecorderEndpoint', { mediaPipeline: p }, 'uri'],
    ];
    for (const [type, ctor, name] of cases) {
      const e = expectError(await c.call('create', { type, constructorParams: ctor }), 40001, type);
      assert.ok(e.message.includes(name), `${type}: message should name '${name}': ${e.message}`);
      if (e.data !== undefined) assert.equal(e.data.type, 'MARSHALL_ERROR');
    }
    // no constructorParams at all
    expectError(await c.call('create', { type: 'PassThrough' }), 40001, 'PassThrough without constructorParams');
  });

  it('wrongly typed constructor param → 40001 "\'<name>\' parameter should be a <type>"', async () => {
    const p = await createPipeline(c);
    const e = expectError(await c.call('create', {
      type: 'GStreamerFilter', constructorParams: { mediaPipeline: p, command: 42 },
    }), 40001);
    assert.match(e.message, /'command'/);
    const e2 = expectError(await c.call('create', {
      type: 'PassThrough', constructorParams: { mediaPipeline: 17 },
    }), 40001);
    assert.match(e2.message, /'mediaPipeline'/);
    expectError(await c.call('create', {
      type: 'RecorderEndpoint', constructorParams: { mediaPipeline: p, uri: `file://${media}/t.webm`, stopOnEndOfStream: 'yes' },
    }), 40001);
  });

  it('unknown pipeline id → 40101', async () => {
    const e = expectError(await c.call('create', {
      type: 'PassThrough',
      constructorParams: { mediaPipeline: '00000000-0000-4000-8000-000000000000_kurento.MediaPipeline' },
    }), 40101);
    if (e.data !== undefined) assert.equal(e.data.type, 'MEDIA_OBJECT_NOT_FOUND');
  });

  it('mediaPipeline pointing at a non-pipeline object → error', async () => {
    const p = await createPipeline(c);
    const pt = await createElement(c, 'PassThrough', p);
    const e = expectError(await c.call('create', { type: 'PassThrough', constructorParams: { mediaPipeline: pt } }));
    assert.ok(isKurentoCode(e.code));
    const e2 = expectError(await c.call('create', { type: 'PassThrough', constructorParams: { mediaPipeline: MANAGER } }));
    assert.ok(isKurentoCode(e2.code));
  });

  it('classes not implemented yet answer create with a 4xxxx error naming the type', async () => {
    const p = await createPipeline(c);
    const ctor = {
      WebRtcEndpoint: { mediaPipeline: p },
      RtpEndpoint: { mediaPipeline: p },
      HttpPostEndpoint: { mediaPipeline: p },
      Composite: { mediaPipeline: p },
      Dispatcher: { mediaPipeline: p },
      DispatcherOneToMany: { mediaPipeline: p },
      Mixer: { mediaPipeline: p },
      AlphaBlending: { mediaPipeline: p },
      FaceOverlayFilter: { mediaPipeline: p },
      ImageOverlayFilter: { mediaPipeline: p },
      ZBarFilter: { mediaPipeline: p },
    };
    for (const [type, params] of Object.entries(ctor)) {
      const resp = await c.call('create', { type, constructorParams: params, properties: {} });
      if ('result' in resp) {
        // Implemented since: must then be a proper id.
        assert.match(resp.result.value, childIdRe(p, type), `${type}: created but id is wrong`);
        continue;
      }
      const e = expectError(resp, undefined, type);
      assert.ok(isKurentoCode(e.code), `${type}: expected a 4xxxx code, got ${e.code}`);
      assert.ok(e.message.includes(type), `${type}: message must name the type: ${e.message}`);
    }
  });

  it('create fires ObjectCreated on manager_ServerManager with data.object = new id', async () => {
    const sub = await rpcClient(`${srv.url}?access_token=test-admin`); // another session: it sees the event as administrator
    try {
      await bindSession(sub);
      await subscribe(sub, MANAGER, 'ObjectCreated');
      const p = await createPipeline(c);
      const pt = await createElement(c, 'PassThrough', p);
      for (const id of [p, pt]) {
        const ev = await sub.waitEvent(isEvent(MANAGER, 'ObjectCreated', (d) => d.object === id), 5000);
        assert.equal(ev.params.value.data.source, MANAGER);
        assert.ok(!('id' in ev));
      }
    } finally {
      await sub.close();
    }
  });
});

describe('describe (§5.4)', () => {
  it('manager_ServerManager → ServerManager / kurento.ServerManager / [kurento.MediaObject]', async () => {
    const r = expectResult(await c.call('describe', { object: MANAGER }));
    assert.equal(r.type, 'ServerManager');
    assert.equal(r.qualifiedType, 'kurento.ServerManager');
    assert.deepEqual(r.hierarchy, ['kurento.MediaObject']);
    assert.equal(typeof r.sessionId, 'string');
    assert.ok(!('value' in r), 'describe result is flat (not inside value)');
  });

  it('hierarchy table for the implemented types', async () => {
    const p = await createPipeline(c);
    const ids = {
      MediaPipeline: p,
      PassThrough: await createElement(c, 'PassThrough', p),
      GStreamerFilter: await createElement(c, 'GStreamerFilter', p, { command: 'videoflip method=horizontal-flip' }),
      PlayerEndpoint: await createElement(c, 'PlayerEndpoint', p, { uri: `file://${media}/in.webm` }),
      RecorderEndpoint: await createElement(c, 'RecorderEndpoint', p, { uri: `file://${media}/h.webm` }),
    };
    for (const [type, id] of Object.entries(ids)) {
      const r = expectResult(await c.call('describe', { object: id }), type);
      assert.equal(r.type, type);
      assert.equal(r.qualifiedType, `kurento.${type}`);
      assert.deepEqual(r.hierarchy, HIERARCHY[type], `${type} hierarchy`);
    }
  });

  it('unknown id → 40101 "Object \'<id>\' not found"', async () => {
    for (const id of ['1234567890', 'nope_kurento.MediaPipeline', '']) {
      const e = expectError(await c.call('describe', { object: id }), 40101, id);
      assert.equal(e.message, `Object '${id}' not found`);
    }
  });

  it('released object → 40101', async () => {
    const p = await createPipeline(c);
    expectResult(await c.call('release', { object: p }));
    expectError(await c.call('describe', { object: p }), 40101);
  });

  it('describe from a fresh session: 40101 unless it is the administrator\'s', async () => {
    const p = await createPipeline(c);
    const stranger = await rpcClient(srv.url);
    const other = await rpcClient(`${srv.url}?access_token=test-admin`);
    try {
      expectError(await stranger.call('describe', { object: p }), 40101);
      const r = expectResult(await other.call('describe', { object: p }));
      assert.equal(r.type, 'MediaPipeline');
      assert.notEqual(r.sessionId, undefined);
    } finally {
      await other.close();
      await stranger.close();
    }
  });

  it('getPipelines / getChildren results are describable ids', async () => {
    const p = await createPipeline(c);
    await createElement(c, 'PassThrough', p);
    const pipelines = await invokeValue(c, MANAGER, 'getPipelines');
    assert.ok(pipelines.includes(p));
    const children = await invokeValue(c, p, 'getChildren');
    for (const id of children) expectResult(await c.call('describe', { object: id }));
  });
});
