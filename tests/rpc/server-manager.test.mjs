// ServerManager (api-surface §3, protocol §6/§11) and clean shutdown.
import { describe, it, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { startServer, rpcClient, expectResult, expectError, UUID_RE } from '../lib/server.mjs';
import { MANAGER, bindSession, createPipeline, createElement, invokeValue, invokeRaw } from '../lib/kms.mjs';

const METADATA = 'pipewright-test-metadata {"x":1}';
let srv;
let c;
before(async () => {
  srv = await startServer({ config: { metadata: METADATA, adminToken: 'sm-admin' } });
  c = await rpcClient(srv.url);
  await bindSession(c);
});
after(async () => {
  if (c) await c.close();
  if (srv) await srv.stop();
});

describe('ServerManager', () => {
  it('getInfo: ServerInfo with modules core/elements/filters and capability "transactions"', async () => {
    const r = expectResult(await invokeRaw(c, MANAGER, 'getInfo'));
    assert.equal(typeof r.sessionId, 'string');
    const info = r.value;
    assert.equal(info.__module__, 'kurento');
    assert.equal(info.__type__, 'ServerInfo');
    assert.equal(typeof info.version, 'string');
    assert.ok(['KMS', 'KCS'].includes(info.type), `type: ${info.type}`);
    assert.ok(Array.isArray(info.capabilities));
    assert.ok(info.capabilities.includes('transactions'));
    assert.ok(Array.isArray(info.modules));
    const byName = Object.fromEntries(info.modules.map((m) => [m.name, m]));
    for (const name of ['core', 'elements', 'filters']) {
      const m = byName[name];
      assert.ok(m, `module ${name} must be listed`);
      assert.equal(m.__module__, 'kurento');
      assert.equal(m.__type__, 'ModuleInfo');
      assert.equal(typeof m.version, 'string');
      assert.equal(typeof m.generationTime, 'string');
      assert.ok(Array.isArray(m.factories));
    }
    for (const f of ['MediaPipeline', 'PassThrough']) assert.ok(byName.core.factories.includes(f), `core factory ${f}`);
    for (const f of ['PlayerEndpoint', 'RecorderEndpoint']) assert.ok(byName.elements.factories.includes(f), `elements factory ${f}`);
    assert.ok(byName.filters.factories.includes('GStreamerFilter'));
    // The optional Kurento module chroma is built in; the detectors are not.
    assert.deepEqual(byName.chroma?.factories, ['ChromaFilter']);
    for (const absent of ['crowddetector', 'pointerdetector', 'platedetector']) assert.equal(byName[absent], undefined);
  });

  it('getPipelines lists pipeline ids (not elements) and drops released ones', async () => {
    const p1 = await createPipeline(c);
    const p2 = await createPipeline(c);
    await createElement(c, 'PassThrough', p1);
    let pipelines = await invokeValue(c, MANAGER, 'getPipelines');
    assert.ok(Array.isArray(pipelines));
    assert.ok(pipelines.includes(p1) && pipelines.includes(p2));
    assert.ok(pipelines.every((id) => id.endsWith('_kurento.MediaPipeline')));
    expectResult(await c.call('release', { object: p2 }));
    pipelines = await invokeValue(c, MANAGER, 'getPipelines');
    assert.ok(pipelines.includes(p1) && !pipelines.includes(p2));
  });

  it('getPipelines hides other sessions\' pipelines, except from the administrator', async () => {
    const other = await rpcClient(srv.url);
    const admin = await rpcClient(`${srv.url}?access_token=sm-admin`);
    try {
      const p = await createPipeline(other);
      assert.ok(!(await invokeValue(c, MANAGER, 'getPipelines')).includes(p));
      assert.ok((await invokeValue(other, MANAGER, 'getPipelines')).includes(p));
      assert.ok((await invokeValue(admin, MANAGER, 'getPipelines')).includes(p));
    } finally {
      await other.close();
      await admin.close();
    }
  });

  it('getSessions lists session ids (strings)', async () => {
    const sessions = await invokeValue(c, MANAGER, 'getSessions');
    assert.ok(Array.isArray(sessions) && sessions.length >= 1);
    for (const s of sessions) assert.match(s, UUID_RE);
  });

  it('getUsedMemory → positive integer (KiB)', async () => {
    const v = await invokeValue(c, MANAGER, 'getUsedMemory');
    assert.ok(Number.isInteger(v) && v > 0, `getUsedMemory → ${v}`);
    assert.ok(v < 64 * 1024 * 1024, 'KiB, not bytes');
  });

  it('getCpuCount → integer ≥ 1', async () => {
    const v = await invokeValue(c, MANAGER, 'getCpuCount');
    assert.ok(Number.isInteger(v) && v >= 1, `getCpuCount → ${v}`);
  });

  it('getUsedCpu(interval) → number ≥ 0, blocks about interval ms', async () => {
    const t0 = Date.now();
    const v = await invokeValue(c, MANAGER, 'getUsedCpu', { interval: 300 });
    const dt = Date.now() - t0;
    assert.equal(typeof v, 'number');
    assert.ok(v >= 0, `getUsedCpu → ${v}`);
    assert.ok(dt >= 200 && dt < 5000, `getUsedCpu(300) took ${dt} ms`);
    const v2 = await invokeValue(c, MANAGER, 'getUsedCpu');
    assert.equal(typeof v2, 'number');
  });

  it('getKmd(core|elements|filters|chroma) → JSON text that parses', async () => {
    for (const moduleName of ['core', 'elements', 'filters', 'chroma']) {
      const txt = await invokeValue(c, MANAGER, 'getKmd', { moduleName });
      assert.equal(typeof txt, 'string');
      const kmd = JSON.parse(txt);
      assert.equal(typeof kmd, 'object');
      if (kmd.name !== undefined) assert.equal(kmd.name, moduleName);
    }
  });

  it('getKmd(unknown) → 40500', async () => {
    const e = expectError(await invokeRaw(c, MANAGER, 'getKmd', { moduleName: 'nosuchmodule' }), 40500);
    if (e.data !== undefined) assert.equal(e.data.type, 'SERVER_MANAGER_ERROR_KMD_NOT_FOUND');
    expectError(await invokeRaw(c, MANAGER, 'getKmd', { moduleName: 'crowddetector' }), 40500);
  });

  it('getMetadata → the configured metadata string', async () => {
    const v = await invokeValue(c, MANAGER, 'getMetadata');
    assert.equal(v, METADATA);
  });

  it('MediaObject members work on the ServerManager (getName, tags)', async () => {
    assert.equal(typeof await invokeValue(c, MANAGER, 'getName'), 'string');
    assert.ok(Array.isArray(await invokeValue(c, MANAGER, 'getTags')));
  });

  it('ServerManager cannot be released by a client in a way that breaks the server', async () => {
    await c.call('release', { object: MANAGER });
    const r = expectResult(await c.call('describe', { object: MANAGER }));
    assert.equal(r.type, 'ServerManager');
    expectResult(await invokeRaw(c, MANAGER, 'getInfo'));
  });
});

describe('process lifecycle', () => {
  it('SIGTERM → clean exit (code 0)', async () => {
    const s = await startServer();
    const info = await s.stop();
    assert.equal(info.signal, null, `killed by ${info.signal}; stderr:\n${s.stderrText().slice(-2000)}`);
    assert.equal(info.code, 0, `exit code ${info.code}; stderr:\n${s.stderrText().slice(-2000)}`);
  });

  it('SIGTERM with live sessions, pipelines and sockets → clean exit', async () => {
    const s = await startServer();
    const x = await rpcClient(s.url);
    const p = await createPipeline(x);
    await createElement(x, 'PassThrough', p);
    await createElement(x, 'GStreamerFilter', p, { command: 'videoflip method=horizontal-flip' });
    const info = await s.stop();
    await x.waitClose(5000).catch(() => x.terminate());
    assert.equal(info.signal, null, `killed by ${info.signal}`);
    assert.equal(info.code, 0);
  });
});
