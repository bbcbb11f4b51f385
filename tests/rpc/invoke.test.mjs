// invoke (§5.5): MediaObject / MediaElement / MediaPipeline members, errors, value encoding (§6).
import { describe, it, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { startServer, rpcClient, tempDir, removeDir, expectResult, expectError, isKurentoCode, sleep } from '../lib/server.mjs';
import {
  MANAGER, bindSession, createPipeline, createElement, invoke, invokeRaw, invokeValue, subscribe, isEvent,
  checkEventEnvelope,
} from '../lib/kms.mjs';

let srv;
let c;
let media;
let P;
before(async () => {
  media = await tempDir('pipewright-media-');
  srv = await startServer({ mediaFolders: [media] });
  c = await rpcClient(srv.url);
  await bindSession(c);
  P = await createPipeline(c);
});
after(async () => {
  if (c) await c.close();
  if (srv) await srv.stop();
  await removeDir(media);
});

describe('MediaObject members', () => {
  it('getName defaults to the object id', async () => {
    const e = await createElement(c, 'PassThrough', P);
    assert.equal(await invokeValue(c, e, 'getName'), e);
    assert.equal(await invokeValue(c, P, 'getName'), P);
  });

  it('setName → "value": null present; getName returns the new name', async () => {
    const e = await createElement(c, 'PassThrough', P);
    const r = await invoke(c, e, 'setName', { name: 'my-element' });
    assert.ok('value' in r, `void invoke must include "value": null: ${JSON.stringify(r)}`);
    assert.equal(r.value, null);
    assert.equal(typeof r.sessionId, 'string');
    assert.equal(await invokeValue(c, e, 'getName'), 'my-element');
  });

  it('sendTagsInEvents defaults to false and is settable', async () => {
    const e = await createElement(c, 'PassThrough', P);
    assert.equal(await invokeValue(c, e, 'getSendTagsInEvents'), false);
    assert.equal(await invokeValue(c, e, 'setSendTagsInEvents', { sendTagsInEvents: true }), null);
    assert.equal(await invokeValue(c, e, 'getSendTagsInEvents'), true);
  });

  it('addTag / getTag / getTags / removeTag', async () => {
    const e = await createElement(c, 'PassThrough', P);
    assert.deepEqual(await invokeValue(c, e, 'getTags'), []);
    assert.equal(await invokeValue(c, e, 'addTag', { key: 'room', value: 'blue' }), null);
    assert.equal(await invokeValue(c, e, 'addTag', { key: 'user', value: 'ann' }), null);
    assert.equal(await invokeValue(c, e, 'getTag', { key: 'room' }), 'blue');
    const tags = await invokeValue(c, e, 'getTags');
    assert.ok(Array.isArray(tags));
    assert.equal(tags.length, 2);
    const byKey = Object.fromEntries(tags.map((t) => [t.key, t]));
    assert.equal(byKey.room.value, 'blue');
    assert.equal(byKey.user.value, 'ann');
    assert.equal(await invokeValue(c, e, 'removeTag', { key: 'room' }), null);
    const after = await invokeValue(c, e, 'getTags');
    assert.deepEqual(after.map((t) => t.key), ['user']);
  });

  it('getTags entries are complex types with __module__ "kurento" and __type__ "Tag"', async () => {
    const e = await createElement(c, 'PassThrough', P);
    await invokeValue(c, e, 'addTag', { key: 'k', value: 'v' });
    const [t] = await invokeValue(c, e, 'getTags');
    assert.equal(t.__module__, 'kurento');
    assert.equal(t.__type__, 'Tag');
  });

  it('addTag on an existing key replaces the value', async () => {
    const e = await createElement(c, 'PassThrough', P);
    await invokeValue(c, e, 'addTag', { key: 'k', value: '1' });
    await invokeValue(c, e, 'addTag', { key: 'k', value: '2' });
    assert.equal(await invokeValue(c, e, 'getTag', { key: 'k' }), '2');
  });

  it('getTag of a missing key → 40110', async () => {
    const e = await createElement(c, 'PassThrough', P);
    const err = expectError(await invokeRaw(c, e, 'getTag', { key: 'absent' }), 40110);
    if (err.data !== undefined) assert.equal(err.data.type, 'MEDIA_OBJECT_TAG_KEY_NOT_FOUND');
  });

  it('removeTag of a missing key is silently ok', async () => {
    const e = await createElement(c, 'PassThrough', P);
    assert.equal(await invokeValue(c, e, 'removeTag', { key: 'absent' }), null);
  });

  it('getChildren / getParent / getMediaPipeline', async () => {
    const p = await createPipeline(c);
    const a = await createElement(c, 'PassThrough', p);
    const b = await createElement(c, 'GStreamerFilter', p, { command: 'videoflip method=horizontal-flip' });
    const children = await invokeValue(c, p, 'getChildren');
    assert.ok(Array.isArray(children));
    assert.deepEqual([...children].sort(), [a, b].sort());
    assert.deepEqual(await invokeValue(c, a, 'getChildren'), []);
    assert.equal(await invokeValue(c, a, 'getParent'), p);
    assert.equal(await invokeValue(c, a, 'getMediaPipeline'), p);
    assert.equal(await invokeValue(c, p, 'getMediaPipeline'), p, 'a pipeline\'s mediaPipeline is itself');
  });

  it('getCreationTime → integer Unix seconds', async () => {
    const before = Math.floor(Date.now() / 1000);
    const e = await createElement(c, 'PassThrough', P);
    const t = await invokeValue(c, e, 'getCreationTime');
    assert.ok(Number.isInteger(t), `creationTime must be an int: ${t}`);
    assert.ok(t >= before - 5 && t <= Math.ceil(Date.now() / 1000) + 5, `creationTime ${t} not ~now (${before})`);
  });

  it('unknown operation → 40008', async () => {
    const e = await createElement(c, 'PassThrough', P);
    const err = expectError(await invokeRaw(c, e, 'flyToTheMoon', {}), 40008);
    assert.match(err.message, /flyToTheMoon/);
    expectError(await invokeRaw(c, MANAGER, 'getNoSuchProperty'), 40008);
  });

  it('setter of a read-only/final property is an unknown operation (40008)', async () => {
    const e = await createElement(c, 'PassThrough', P);
    expectError(await invokeRaw(c, e, 'setCreationTime', { creationTime: 5 }), 40008);
    expectError(await invokeRaw(c, e, 'setParent', { parent: P }), 40008);
    expectError(await invokeRaw(c, e, 'setChildren', { children: [] }), 40008);
  });

  it('operation of another class is not available (PassThrough.play → 40008)', async () => {
    const e = await createElement(c, 'PassThrough', P);
    expectError(await invokeRaw(c, e, 'play'), 40008);
  });

  it('wrong param type → 40001 and the message names the param', async () => {
    const e = await createElement(c, 'PassThrough', P);
    const err = expectError(await invokeRaw(c, e, 'setName', { name: 42 }), 40001);
    assert.match(err.message, /name/);
    const err2 = expectError(await invokeRaw(c, e, 'addTag', { key: 5, value: 'x' }), 40001);
    assert.match(err2.message, /key/);
    const err3 = expectError(await invokeRaw(c, e, 'setSendTagsInEvents', { sendTagsInEvents: 'yes' }), 40001);
    assert.match(err3.message, /sendTagsInEvents/);
  });

  it('missing required param → 40001', async () => {
    const e = await createElement(c, 'PassThrough', P);
    expectError(await invokeRaw(c, e, 'setName', {}), 40001);
    expectError(await invokeRaw(c, e, 'getTag'), 40001);
  });

  it('unknown object → 40101', async () => {
    const err = expectError(await invokeRaw(c, `${P}/00000000-0000-4000-8000-000000000000_kurento.PassThrough`, 'getName'), 40101);
    assert.match(err.message, /not found/);
  });

  it('operationParams may be absent for methods without params', async () => {
    const e = await createElement(c, 'PassThrough', P);
    const r = expectResult(await c.call('invoke', { object: e, operation: 'getName' }));
    assert.equal(r.value, e);
  });

  it('int params accept integral floats (5.0) and float params accept integers', async () => {
    const e = await createElement(c, 'PassThrough', P);
    // encoderBitrate is an int property of MediaElement
    const r = await invokeRaw(c, e, 'setEncoderBitrate', { encoderBitrate: 300000.0 });
    expectResult(r);
    assert.equal(await invokeValue(c, e, 'getEncoderBitrate'), 300000);
  });
});

describe('MediaElement members', () => {
  it('connect without mediaType → one ElementConnected per media type', async () => {
    const a = await createElement(c, 'PassThrough', P);
    const b = await createElement(c, 'PassThrough', P);
    await subscribe(c, a, 'ElementConnected');
    const from = c.events.length;
    assert.equal(await invokeValue(c, a, 'connect', { sink: b }), null);
    await c.waitEvent(isEvent(a, 'ElementConnected', (d) => d.mediaType === 'VIDEO'), 5000, from);
    await c.waitEvent(isEvent(a, 'ElementConnected', (d) => d.mediaType === 'AUDIO'), 5000, from);
    await sleep(500);
    const evs = c.events.slice(from).filter(isEvent(a, 'ElementConnected'));
    const types = evs.map((e) => e.params.value.data.mediaType);
    assert.equal(new Set(types).size, types.length, `one event per media type, got ${types}`);
    for (const t of types) assert.ok(['AUDIO', 'VIDEO', 'DATA'].includes(t), `bad mediaType ${t}`);
    for (const ev of evs) {
      const v = checkEventEnvelope(ev, { object: a, type: 'ElementConnected' });
      assert.equal(v.data.source, a);
      assert.equal(v.data.sink, b);
      assert.equal(typeof v.data.sourceMediaDescription, 'string');
      assert.equal(typeof v.data.sinkMediaDescription, 'string');
    }
  });

  it('connect with mediaType VIDEO → exactly one ElementConnected (VIDEO)', async () => {
    const a = await createElement(c, 'PassThrough', P);
    const b = await createElement(c, 'PassThrough', P);
    await subscribe(c, a, 'ElementConnected');
    const from = c.events.length;
    await invokeValue(c, a, 'connect', { sink: b, mediaType: 'VIDEO' });
    await c.waitEvent(isEvent(a, 'ElementConnected'), 5000, from);
    await sleep(500);
    const evs = c.events.slice(from).filter(isEvent(a, 'ElementConnected'));
    assert.equal(evs.length, 1);
    assert.equal(evs[0].params.value.data.mediaType, 'VIDEO');
    assert.equal(evs[0].params.value.data.sink, b);
  });

  it('getSinkConnections / getSourceConnections return ElementConnectionData', async () => {
    const a = await createElement(c, 'PassThrough', P);
    const b = await createElement(c, 'PassThrough', P);
    await invokeValue(c, a, 'connect', { sink: b });
    const sinks = await invokeValue(c, a, 'getSinkConnections');
    assert.ok(Array.isArray(sinks) && sinks.length >= 2, `sink connections: ${JSON.stringify(sinks)}`);
    for (const cd of sinks) {
      assert.equal(cd.__module__, 'kurento');
      assert.equal(cd.__type__, 'ElementConnectionData');
      assert.equal(cd.source, a);
      assert.equal(cd.sink, b);
      assert.ok(['AUDIO', 'VIDEO', 'DATA'].includes(cd.type));
      assert.equal(typeof cd.sourceDescription, 'string');
      assert.equal(typeof cd.sinkDescription, 'string');
    }
    const types = sinks.map((x) => x.type);
    assert.ok(types.includes('AUDIO') && types.includes('VIDEO'));
    const sources = await invokeValue(c, b, 'getSourceConnections');
    assert.deepEqual(sources.map((x) => x.type).sort(), types.sort());
    for (const cd of sources) {
      assert.equal(cd.__type__, 'ElementConnectionData');
      assert.equal(cd.source, a);
      assert.equal(cd.sink, b);
    }
    const videoOnly = await invokeValue(c, a, 'getSinkConnections', { mediaType: 'VIDEO' });
    assert.equal(videoOnly.length, 1);
    assert.equal(videoOnly[0].type, 'VIDEO');
    assert.deepEqual(await invokeValue(c, b, 'getSinkConnections'), []);
    assert.deepEqual(await invokeValue(c, a, 'getSourceConnections'), []);
  });

  it('disconnect → ElementDisconnected events and the connections are gone', async () => {
    const a = await createElement(c, 'PassThrough', P);
    const b = await createElement(c, 'PassThrough', P);
    await invokeValue(c, a, 'connect', { sink: b });
    await subscribe(c, a, 'ElementDisconnected');
    const from = c.events.length;
    assert.equal(await invokeValue(c, a, 'disconnect', { sink: b, mediaType: 'AUDIO' }), null);
    const ev = await c.waitEvent(isEvent(a, 'ElementDisconnected'), 5000, from);
    const v = checkEventEnvelope(ev, { object: a, type: 'ElementDisconnected' });
    assert.equal(v.data.mediaType, 'AUDIO');
    assert.equal(v.data.sink, b);
    await sleep(300);
    assert.equal(c.events.slice(from).filter(isEvent(a, 'ElementDisconnected')).length, 1);
    let remaining = await invokeValue(c, a, 'getSinkConnections');
    assert.ok(!remaining.some((x) => x.type === 'AUDIO'));
    assert.ok(remaining.some((x) => x.type === 'VIDEO'));
    const from2 = c.events.length;
    await invokeValue(c, a, 'disconnect', { sink: b });
    await c.waitEvent(isEvent(a, 'ElementDisconnected', (d) => d.mediaType === 'VIDEO'), 5000, from2);
    remaining = await invokeValue(c, a, 'getSinkConnections');
    assert.deepEqual(remaining, []);
    assert.deepEqual(await invokeValue(c, b, 'getSourceConnections'), []);
  });

  it('connecting a new source to a sink replaces its previous source for that type', async () => {
    const a = await createElement(c, 'PassThrough', P);
    const a2 = await createElement(c, 'PassThrough', P);
    const b = await createElement(c, 'PassThrough', P);
    await invokeValue(c, a, 'connect', { sink: b, mediaType: 'VIDEO' });
    await invokeValue(c, a2, 'connect', { sink: b, mediaType: 'VIDEO' });
    const sources = await invokeValue(c, b, 'getSourceConnections', { mediaType: 'VIDEO' });
    assert.equal(sources.length, 1);
    assert.equal(sources[0].source, a2);
    assert.deepEqual(await invokeValue(c, a, 'getSinkConnections', { mediaType: 'VIDEO' }), []);
  });

  it('fan-out: one source to many sinks', async () => {
    const a = await createElement(c, 'PassThrough', P);
    const b1 = await createElement(c, 'PassThrough', P);
    const b2 = await createElement(c, 'PassThrough', P);
    await invokeValue(c, a, 'connect', { sink: b1, mediaType: 'VIDEO' });
    await invokeValue(c, a, 'connect', { sink: b2, mediaType: 'VIDEO' });
    const sinks = await invokeValue(c, a, 'getSinkConnections', { mediaType: 'VIDEO' });
    assert.deepEqual(sinks.map((s) => s.sink).sort(), [b1, b2].sort());
  });

  it('connect to an unknown sink → 40101; sink of a wrong class → error', async () => {
    const a = await createElement(c, 'PassThrough', P);
    expectError(await invokeRaw(c, a, 'connect', { sink: `${P}/00000000-0000-4000-8000-000000000000_kurento.PassThrough` }), 40101);
    const err = expectError(await invokeRaw(c, a, 'connect', { sink: P }));
    assert.ok(isKurentoCode(err.code));
  });

  it('connect with an invalid mediaType enum → 40001', async () => {
    const a = await createElement(c, 'PassThrough', P);
    const b = await createElement(c, 'PassThrough', P);
    expectError(await invokeRaw(c, a, 'connect', { sink: b, mediaType: 'video' }), 40001);
    expectError(await invokeRaw(c, a, 'connect', { sink: b, mediaType: 'SMELL' }), 40001);
  });

  it('isMediaFlowingIn / isMediaFlowingOut / isMediaTranscoding return booleans', async () => {
    const a = await createElement(c, 'PassThrough', P);
    for (const op of ['isMediaFlowingIn', 'isMediaFlowingOut', 'isMediaTranscoding']) {
      for (const mediaType of ['AUDIO', 'VIDEO']) {
        const v = await invokeValue(c, a, op, { mediaType });
        assert.equal(typeof v, 'boolean', `${op}(${mediaType}) → ${JSON.stringify(v)}`);
      }
    }
    assert.equal(typeof await invokeValue(c, a, 'isMediaFlowingIn', { mediaType: 'VIDEO', sinkMediaDescription: 'default' }), 'boolean');
    expectError(await invokeRaw(c, a, 'isMediaFlowingIn', {}), 40001);
  });

  it('getGstreamerDot on pipeline and element returns Graphviz text starting with "digraph"', async () => {
    const a = await createElement(c, 'PassThrough', P);
    for (const id of [P, a]) {
      const dot = await invokeValue(c, id, 'getGstreamerDot');
      assert.equal(typeof dot, 'string');
      assert.ok(dot.trimStart().startsWith('digraph'), `dot text of ${id} starts with ${dot.slice(0, 40)}`);
    }
    const dot2 = await invokeValue(c, P, 'getGstreamerDot', { details: 'SHOW_ALL' });
    assert.ok(dot2.trimStart().startsWith('digraph'));
  });

  it('getStats returns an object (map of stats)', async () => {
    const a = await createElement(c, 'PassThrough', P);
    const s = await invokeValue(c, a, 'getStats');
    assert.ok(s !== null && typeof s === 'object' && !Array.isArray(s), `getStats → ${JSON.stringify(s)}`);
    const sv = await invokeValue(c, a, 'getStats', { mediaType: 'VIDEO' });
    assert.ok(sv !== null && typeof sv === 'object' && !Array.isArray(sv));
    for (const st of Object.values(s)) {
      assert.equal(typeof st.__type__, 'string');
      assert.equal(typeof st.timestampMillis, 'number', 'Stats.timestampMillis is a number');
    }
  });

  it('encoder bitrate properties round-trip', async () => {
    const a = await createElement(c, 'PassThrough', P);
    for (const [prop, val] of [['MinEncoderBitrate', 100000], ['MaxEncoderBitrate', 900000]]) {
      const key = prop[0].toLowerCase() + prop.slice(1);
      assert.equal(await invokeValue(c, a, `set${prop}`, { [key]: val }), null);
      assert.equal(await invokeValue(c, a, `get${prop}`), val);
    }
  });
});

describe('class-specific members', () => {
  it('GStreamerFilter.getCommand returns the constructor command', async () => {
    const g = await createElement(c, 'GStreamerFilter', P, { command: 'videoflip method=horizontal-flip' });
    assert.equal(await invokeValue(c, g, 'getCommand'), 'videoflip method=horizontal-flip');
  });

  it('GStreamerFilter.setElementProperty', async () => {
    const g = await createElement(c, 'GStreamerFilter', P, { command: 'videoflip method=horizontal-flip' });
    assert.equal(await invokeValue(c, g, 'setElementProperty', { propertyName: 'method', propertyValue: 'vertical-flip' }), null);
  });

  it('UriEndpoint.getUri / getState', async () => {
    const uri = `file://${media}/state.webm`;
    const r = await createElement(c, 'RecorderEndpoint', P, { uri });
    assert.equal(await invokeValue(c, r, 'getUri'), uri);
    const st = await invokeValue(c, r, 'getState');
    assert.equal(st, 'STOP');
  });

  it('MediaPipeline latencyStats round-trip', async () => {
    const p = await createPipeline(c);
    assert.equal(await invokeValue(c, p, 'getLatencyStats'), false);
    await invokeValue(c, p, 'setLatencyStats', { latencyStats: true });
    assert.equal(await invokeValue(c, p, 'getLatencyStats'), true);
  });
});
