// subscribe / unsubscribe (§5.6), onEvent shape (§7), release (§5.7).
import { describe, it, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { startServer, rpcClient, tempDir, removeDir, expectResult, expectError, sleep, UUID_RE } from '../lib/server.mjs';
import {
  MANAGER, bindSession, createPipeline, createElement, invokeValue, invokeRaw, subscribe, isEvent, checkEventEnvelope,
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

describe('subscribe / unsubscribe (§5.6)', () => {
  it('subscribe returns value = subscription id (UUID) and sessionId', async () => {
    const p = await createPipeline(c);
    const pl = await createElement(c, 'PlayerEndpoint', p, { uri: `file://${media}/x.webm` });
    const r = expectResult(await c.call('subscribe', { object: pl, type: 'EndOfStream' }));
    assert.match(r.value, UUID_RE);
    assert.equal(typeof r.sessionId, 'string');
  });

  it('events of the whole hierarchy are subscribable; own class events too', async () => {
    const p = await createPipeline(c);
    const ids = {
      pipeline: p,
      pass: await createElement(c, 'PassThrough', p),
      filter: await createElement(c, 'GStreamerFilter', p, { command: 'videoflip method=horizontal-flip' }),
      player: await createElement(c, 'PlayerEndpoint', p, { uri: `file://${media}/x.webm` }),
      recorder: await createElement(c, 'RecorderEndpoint', p, { uri: `file://${media}/y.webm` }),
    };
    const element = ['Error', 'ElementConnected', 'ElementDisconnected', 'MediaFlowInStateChanged',
      'MediaFlowOutStateChanged', 'MediaTranscodingStateChanged'];
    const table = {
      pipeline: ['Error'],
      pass: element,
      filter: element,
      player: [...element, 'UriEndpointStateChanged', 'EndOfStream'],
      recorder: [...element, 'UriEndpointStateChanged', 'Recording', 'Paused', 'Stopped'],
    };
    for (const [k, types] of Object.entries(table)) {
      for (const type of types) await subscribe(c, ids[k], type);
    }
    for (const type of ['Error', 'ObjectCreated', 'ObjectDestroyed']) await subscribe(c, MANAGER, type);
  });

  it('unknown event → 40106 "Event \'<type>\' not supported"', async () => {
    const p = await createPipeline(c);
    const pt = await createElement(c, 'PassThrough', p);
    const e = expectError(await c.call('subscribe', { object: pt, type: 'NoSuchEvent' }), 40106);
    assert.match(e.message, /NoSuchEvent/);
    if (e.data !== undefined) assert.equal(e.data.type, 'MEDIA_OBJECT_EVENT_NOT_SUPPORTED');
  });

  it('event of another class → 40106 (PassThrough EndOfStream, MediaPipeline ElementConnected, Player Recording)', async () => {
    const p = await createPipeline(c);
    const pt = await createElement(c, 'PassThrough', p);
    const pl = await createElement(c, 'PlayerEndpoint', p, { uri: `file://${media}/x.webm` });
    expectError(await c.call('subscribe', { object: pt, type: 'EndOfStream' }), 40106);
    expectError(await c.call('subscribe', { object: p, type: 'ElementConnected' }), 40106);
    expectError(await c.call('subscribe', { object: pl, type: 'Recording' }), 40106);
    expectError(await c.call('subscribe', { object: MANAGER, type: 'EndOfStream' }), 40106);
    // 6.x names are not 7.x names (accepting them as aliases is optional): must not crash
    const r = await c.call('subscribe', { object: pt, type: 'MediaFlowInStateChange' });
    if ('error' in r) assert.equal(r.error.code, 40106);
  });

  it('subscribe on an unknown object → 40101', async () => {
    expectError(await c.call('subscribe', { object: 'nope_kurento.MediaPipeline', type: 'Error' }), 40101);
  });

  it('duplicate subscription → new id, but one delivery per event occurrence', async () => {
    const p = await createPipeline(c);
    const a = await createElement(c, 'PassThrough', p);
    const b = await createElement(c, 'PassThrough', p);
    const s1 = await subscribe(c, a, 'ElementConnected');
    const s2 = await subscribe(c, a, 'ElementConnected');
    assert.notEqual(s1, s2);
    let from = c.events.length;
    await invokeValue(c, a, 'connect', { sink: b, mediaType: 'VIDEO' });
    await c.waitEvent(isEvent(a, 'ElementConnected'), 5000, from);
    await sleep(700);
    assert.equal(c.events.slice(from).filter(isEvent(a, 'ElementConnected')).length, 1,
      'two subscriptions in one session must give one delivery');
    // unsubscribe one: still delivered once
    expectResult(await c.call('unsubscribe', { object: a, subscription: s1 }));
    from = c.events.length;
    await invokeValue(c, a, 'connect', { sink: b, mediaType: 'AUDIO' });
    await c.waitEvent(isEvent(a, 'ElementConnected'), 5000, from);
    await sleep(500);
    assert.equal(c.events.slice(from).filter(isEvent(a, 'ElementConnected')).length, 1);
    // unsubscribe the other: no more deliveries
    expectResult(await c.call('unsubscribe', { object: a, subscription: s2 }));
    from = c.events.length;
    await invokeValue(c, a, 'disconnect', { sink: b });
    await invokeValue(c, a, 'connect', { sink: b, mediaType: 'VIDEO' });
    await sleep(700);
    assert.equal(c.events.slice(from).filter(isEvent(a, 'ElementConnected')).length, 0);
  });

  it('unsubscribe of an unknown subscription succeeds with {sessionId}', async () => {
    const p = await createPipeline(c);
    const r = expectResult(await c.call('unsubscribe', { object: p, subscription: '00000000-0000-4000-8000-000000000000' }));
    assert.equal(typeof r.sessionId, 'string');
  });

  it('events are delivered only to subscribed sessions', async () => {
    const other = await rpcClient(srv.url);
    try {
      await bindSession(other);
      const p = await createPipeline(c);
      const a = await createElement(c, 'PassThrough', p);
      const b = await createElement(c, 'PassThrough', p);
      await subscribe(c, a, 'ElementConnected');
      await invokeValue(c, a, 'connect', { sink: b, mediaType: 'VIDEO' });
      await c.waitEvent(isEvent(a, 'ElementConnected'), 5000);
      await sleep(300);
      assert.equal(other.events.length, 0);
    } finally {
      await other.close();
    }
  });

  it('two sessions subscribed to the same event each get one delivery', async () => {
    const other = await rpcClient(`${srv.url}?access_token=test-admin`);
    try {
      await bindSession(other);
      const p = await createPipeline(c);
      const a = await createElement(c, 'PassThrough', p);
      const b = await createElement(c, 'PassThrough', p);
      await subscribe(c, a, 'ElementConnected');
      await subscribe(other, a, 'ElementConnected');
      const f1 = c.events.length;
      await invokeValue(c, a, 'connect', { sink: b, mediaType: 'AUDIO' });
      await c.waitEvent(isEvent(a, 'ElementConnected'), 5000, f1);
      await other.waitEvent(isEvent(a, 'ElementConnected'), 5000);
      await sleep(300);
      assert.equal(c.events.slice(f1).filter(isEvent(a, 'ElementConnected')).length, 1);
      assert.equal(other.events.filter(isEvent(a, 'ElementConnected')).length, 1);
    } finally {
      await other.close();
    }
  });
});

describe('onEvent shape (§7)', () => {
  it('no id; params.value.{object,type,data}; data.source/type/timestampMillis(string)/tags(array)', async () => {
    const p = await createPipeline(c);
    const a = await createElement(c, 'PassThrough', p);
    const b = await createElement(c, 'PassThrough', p);
    await subscribe(c, a, 'ElementConnected');
    const from = c.events.length;
    await invokeValue(c, a, 'connect', { sink: b, mediaType: 'VIDEO' });
    const ev = await c.waitEvent(isEvent(a, 'ElementConnected'), 5000, from);
    const v = checkEventEnvelope(ev, { object: a, type: 'ElementConnected' });
    assert.equal(v.data.source, a);
    assert.deepEqual(v.data.tags, [], 'tags empty when sendTagsInEvents is false');
    // raw frame check: no "id" key at top level
    const raw = c.rawMessages.find((t) => t.includes('"onEvent"') && t.includes(a));
    assert.ok(raw);
    assert.ok(!('id' in JSON.parse(raw)));
  });

  it('sendTagsInEvents=true → data.tags carries the Tag objects', async () => {
    const p = await createPipeline(c);
    const a = await createElement(c, 'PassThrough', p);
    const b = await createElement(c, 'PassThrough', p);
    await invokeValue(c, a, 'addTag', { key: 'room', value: 'r1' });
    await invokeValue(c, a, 'setSendTagsInEvents', { sendTagsInEvents: true });
    await subscribe(c, a, 'ElementConnected');
    const from = c.events.length;
    await invokeValue(c, a, 'connect', { sink: b, mediaType: 'VIDEO' });
    const ev = await c.waitEvent(isEvent(a, 'ElementConnected'), 5000, from);
    const { tags } = ev.params.value.data;
    assert.equal(tags.length, 1);
    assert.equal(tags[0].key, 'room');
    assert.equal(tags[0].value, 'r1');
  });

  it('ObjectCreated / ObjectDestroyed carry data.object / data.objectId', async () => {
    await subscribe(c, MANAGER, 'ObjectCreated');
    await subscribe(c, MANAGER, 'ObjectDestroyed');
    const from = c.events.length;
    const p = await createPipeline(c);
    const ev = await c.waitEvent(isEvent(MANAGER, 'ObjectCreated', (d) => d.object === p), 5000, from);
    const v = checkEventEnvelope(ev, { object: MANAGER, type: 'ObjectCreated' });
    assert.equal(v.data.source, MANAGER);
    expectResult(await c.call('release', { object: p }));
    const ev2 = await c.waitEvent(isEvent(MANAGER, 'ObjectDestroyed', (d) => d.objectId === p), 5000, from);
    checkEventEnvelope(ev2, { object: MANAGER, type: 'ObjectDestroyed' });
  });
});

describe('release (§5.7)', () => {
  it('release returns {sessionId}', async () => {
    const p = await createPipeline(c);
    const r = expectResult(await c.call('release', { object: p }));
    assert.equal(typeof r.sessionId, 'string');
    assert.ok(!('value' in r) || r.value === null);
  });

  it('unknown id → 40101', async () => {
    expectError(await c.call('release', { object: 'nope_kurento.MediaPipeline' }), 40101);
  });

  it('release of a pipeline cascades to its elements; ObjectDestroyed for each', async () => {
    const watcher = await rpcClient(`${srv.url}?access_token=test-admin`);
    try {
      await bindSession(watcher);
      await subscribe(watcher, MANAGER, 'ObjectDestroyed');
      const p = await createPipeline(c);
      const kids = [
        await createElement(c, 'PassThrough', p),
        await createElement(c, 'GStreamerFilter', p, { command: 'videoflip method=horizontal-flip' }),
        await createElement(c, 'PlayerEndpoint', p, { uri: `file://${media}/x.webm` }),
        await createElement(c, 'RecorderEndpoint', p, { uri: `file://${media}/rel.webm` }),
      ];
      await invokeValue(c, kids[0], 'connect', { sink: kids[1] });
      expectResult(await c.call('release', { object: p }));
      for (const id of [p, ...kids]) {
        await watcher.waitEvent(isEvent(MANAGER, 'ObjectDestroyed', (d) => d.objectId === id), 5000);
        expectError(await c.call('describe', { object: id }), 40101, `describe ${id} after release`);
        expectError(await invokeRaw(c, id, 'getName'), 40101, `invoke ${id} after release`);
      }
      await sleep(300);
      for (const id of [p, ...kids]) {
        const n = watcher.events.filter(isEvent(MANAGER, 'ObjectDestroyed', (d) => d.objectId === id)).length;
        assert.equal(n, 1, `exactly one ObjectDestroyed for ${id}`);
      }
      const pipelines = await invokeValue(c, MANAGER, 'getPipelines');
      assert.ok(!pipelines.includes(p));
    } finally {
      await watcher.close();
    }
  });

  it('releasing an element removes it from its pipeline and disconnects it', async () => {
    const p = await createPipeline(c);
    const a = await createElement(c, 'PassThrough', p);
    const b = await createElement(c, 'PassThrough', p);
    await invokeValue(c, a, 'connect', { sink: b });
    expectResult(await c.call('release', { object: b }));
    assert.deepEqual(await invokeValue(c, p, 'getChildren'), [a]);
    assert.deepEqual(await invokeValue(c, a, 'getSinkConnections'), []);
    expectError(await c.call('release', { object: b }), 40101, 'second release');
  });

  it('release destroys regardless of other sessions\' references', async () => {
    const other = await rpcClient(`${srv.url}?access_token=test-admin`);
    try {
      await bindSession(other);
      const p = await createPipeline(c);
      expectResult(await other.call('describe', { object: p })); // other session refs it
      expectResult(await other.call('ref', { object: p }));
      expectResult(await c.call('release', { object: p }));
      expectError(await other.call('describe', { object: p }), 40101);
    } finally {
      await other.close();
    }
  });

  it('released objects stop producing events; the subscription ends with them', async () => {
    const p = await createPipeline(c);
    const a = await createElement(c, 'PassThrough', p);
    await subscribe(c, a, 'ElementConnected');
    expectResult(await c.call('release', { object: p }));
    expectError(await c.call('subscribe', { object: a, type: 'ElementConnected' }), 40101);
  });
});
