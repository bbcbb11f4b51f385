// file:// URIs are confined to the configured media folders.
import { describe, it, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { existsSync, readdirSync, mkdirSync } from 'node:fs';
import path from 'node:path';
import { startServer, rpcClient, tempDir, removeDir, expectResult, expectError, isKurentoCode, makeClip, sleep } from '../lib/server.mjs';
import { bindSession, createPipeline, createElement, invokeRaw } from '../lib/kms.mjs';

let srv;
let c;
let media;
let outside;
let P;
before(async () => {
  media = await tempDir('pipewright-media-');
  outside = await tempDir('pipewright-outside-');
  srv = await startServer({ mediaFolders: [media] });
  c = await rpcClient(srv.url);
  await bindSession(c);
  P = await createPipeline(c);
});
after(async () => {
  if (c) await c.close();
  if (srv) await srv.stop();
  await removeDir(media);
  await removeDir(outside);
});

function expectConfinementError(resp, what) {
  const e = expectError(resp, undefined, what);
  assert.ok(isKurentoCode(e.code), `${what}: expected a 4xxxx error, got ${JSON.stringify(e)}`);
  return e;
}

describe('file:// confinement', () => {
  it('RecorderEndpoint outside the media folders → 4xxxx (40107 expected), nothing created on disk', async () => {
    const target = path.join(outside, 'evil.webm');
    const resp = await c.call('create', {
      type: 'RecorderEndpoint', constructorParams: { mediaPipeline: P, uri: `file://${target}` },
    });
    const e = expectConfinementError(resp, 'recorder outside');
    assert.equal(e.code, 40107, `40107 MEDIA_OBJECT_ILLEGAL_PARAM_ERROR expected, got ${e.code}`);
    await sleep(300);
    assert.equal(existsSync(target), false);
    assert.deepEqual(readdirSync(outside), []);
  });

  it('PlayerEndpoint outside the media folders → 4xxxx (40107 expected)', async () => {
    const clip = path.join(outside, 'secret.webm');
    await makeClip(clip, { seconds: 1 });
    const resp = await c.call('create', {
      type: 'PlayerEndpoint', constructorParams: { mediaPipeline: P, uri: `file://${clip}` },
    });
    const e = expectConfinementError(resp, 'player outside');
    assert.equal(e.code, 40107);
  });

  it('path traversal out of a media folder is rejected', async () => {
    const before = readdirSync(outside).sort();
    const rel = path.relative(media, path.join(outside, 'trav.webm'));
    for (const uri of [
      `file://${media}/../${path.basename(outside)}/trav.webm`,
      `file://${media}/${rel}`,
      `file://${media}/%2e%2e/${path.basename(outside)}/trav2.webm`,
    ]) {
      const resp = await c.call('create', { type: 'RecorderEndpoint', constructorParams: { mediaPipeline: P, uri } });
      expectConfinementError(resp, uri);
    }
    await sleep(300);
    assert.deepEqual(readdirSync(outside).sort(), before);
  });

  it('a sibling directory sharing the folder name prefix is not inside the folder', async () => {
    const sibling = `${media}-sibling`;
    const resp = await c.call('create', {
      type: 'RecorderEndpoint', constructorParams: { mediaPipeline: P, uri: `file://${sibling}/x.webm` },
    });
    expectConfinementError(resp, 'prefix sibling');
    assert.equal(existsSync(sibling), false);
  });

  it('well-known system paths are rejected', async () => {
    for (const uri of ['file:///etc/passwd', 'file:///tmp/pipewright-evil.webm', 'file:///proc/self/environ']) {
      for (const type of ['PlayerEndpoint', 'RecorderEndpoint']) {
        const resp = await c.call('create', { type, constructorParams: { mediaPipeline: P, uri } });
        expectConfinementError(resp, `${type} ${uri}`);
      }
    }
    assert.equal(existsSync('/tmp/pipewright-evil.webm'), false);
  });

  it('malformed or relative URIs are rejected with a 4xxxx error', async () => {
    for (const uri of ['', 'not a uri', 'file://relative/path.webm', 'file:relative.webm', '/abs/without/scheme.webm']) {
      const resp = await c.call('create', { type: 'RecorderEndpoint', constructorParams: { mediaPipeline: P, uri } });
      expectConfinementError(resp, `uri ${JSON.stringify(uri)}`);
    }
  });

  it('URIs inside the media folder are accepted (also in an existing sub-directory)', async () => {
    mkdirSync(`${media}/sub/dir`, { recursive: true });
    await createElement(c, 'RecorderEndpoint', P, { uri: `file://${media}/ok.webm` });
    await createElement(c, 'RecorderEndpoint', P, { uri: `file://${media}/sub/dir/ok.webm` });
    await createElement(c, 'PlayerEndpoint', P, { uri: `file://${media}/whatever.webm` });
  });

  it('the confinement also applies inside a transaction', async () => {
    const before = readdirSync(outside).sort();
    const r = expectResult(await c.call('transaction', {
      operations: [{
        jsonrpc: '2.0', id: 0, method: 'create',
        params: { type: 'RecorderEndpoint', constructorParams: { mediaPipeline: P, uri: `file://${outside}/tx.webm` } },
      }],
    }));
    expectConfinementError(r.value[0], 'transaction create');
    await sleep(300);
    assert.deepEqual(readdirSync(outside).sort(), before);
  });

  it('a recorder inside the folder cannot be re-pointed elsewhere (uri is final)', async () => {
    const rec = await createElement(c, 'RecorderEndpoint', P, { uri: `file://${media}/final.webm` });
    const resp = await invokeRaw(c, rec, 'setUri', { uri: `file://${outside}/x.webm` });
    expectError(resp);
  });
});

describe('no media folders configured', () => {
  it('every file:// URI is rejected when mediaFolders is empty', async () => {
    const s2 = await startServer({ mediaFolders: [] });
    const c2 = await rpcClient(s2.url);
    try {
      const p = await createPipeline(c2);
      const target = path.join(outside, 'none.webm');
      const resp = await c2.call('create', {
        type: 'RecorderEndpoint', constructorParams: { mediaPipeline: p, uri: `file://${target}` },
      });
      expectConfinementError(resp, 'empty mediaFolders');
      assert.equal(existsSync(target), false);
    } finally {
      await c2.close();
      await s2.stop();
    }
  });
});
