// Object references as kurento-client sends them (Kurento parity issue, item 3): some calls
// serialise the remote object itself instead of its id, e.g. DispatcherOneToMany.setSource(hubPort)
// arrives as {"_events":{}, "_maxListeners":…, "id":"…"}. Any JSON object with a string `id`
// stands for that id and is checked like it: the call works, a wrong type or an unknown id gets
// the same error as a plain id, and an object without an id is still a marshalling error.
import { describe, it, after } from 'node:test';
import assert from 'node:assert/strict';
import { startServer, rpcClient, expectResult } from '../lib/server.mjs';
import { createPipeline, createElement, invokeRaw } from '../lib/kms.mjs';

const asClientObject = (id) => ({ _events: {}, _eventsCount: 0, _maxListeners: null, id, __type__: 'ignored' });

describe('object references sent as objects', () => {
  let srv;
  after(async () => { if (srv) await srv.stop(); });

  it('accepts {…, id} wherever an object id is expected, and checks it like an id', { timeout: 30000 }, async () => {
    srv = await startServer();
    const c = await rpcClient(srv.url);
    const p = await createPipeline(c);
    const a = await createElement(c, 'PassThrough', p);
    const b = await createElement(c, 'PassThrough', p);
    expectResult(await invokeRaw(c, a, 'connect', { sink: asClientObject(b) }), 'connect with an object');
    const conns = expectResult(await invokeRaw(c, a, 'getSinkConnections'), 'getSinkConnections').value;
    assert.ok(conns.some((x) => x.sink === b), JSON.stringify(conns));

    // The hub case from the Kurento one2many-with-dispatcher tutorials.
    const hub = expectResult(await c.call('create', { type: 'DispatcherOneToMany', constructorParams: { mediaPipeline: asClientObject(p) } }), 'create hub').value;
    const port = expectResult(await c.call('create', { type: 'HubPort', constructorParams: { hub: asClientObject(hub) } }), 'create port').value;
    expectResult(await invokeRaw(c, hub, 'setSource', { source: asClientObject(port) }), 'setSource with an object');

    // Checked like an id: a pipeline where a MediaElement is expected, an unknown id, no id.
    const wrongType = await invokeRaw(c, a, 'connect', { sink: asClientObject(p) });
    const wrongTypeAsId = await invokeRaw(c, a, 'connect', { sink: p });
    assert.ok(wrongType.error, 'a pipeline is no sink');
    assert.equal(wrongType.error.code, wrongTypeAsId.error.code, 'the same error as with the plain id');
    const unknown = await invokeRaw(c, a, 'connect', { sink: asClientObject('nope_kurento.PassThrough') });
    assert.equal(unknown.error?.code, 40101, JSON.stringify(unknown.error));
    const noId = await invokeRaw(c, a, 'connect', { sink: { _events: {} } });
    assert.equal(noId.error?.code, 40001, JSON.stringify(noId.error));  // MARSHALL_ERROR, as before
    const numericId = await invokeRaw(c, a, 'connect', { sink: { id: 42 } });
    assert.equal(numericId.error?.code, 40001, JSON.stringify(numericId.error));
    await c.close();
  });
});
