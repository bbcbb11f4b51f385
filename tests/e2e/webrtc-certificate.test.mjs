// The DTLS certificate: every WebRtcEndpoint presents the one from the config (`pemCertificate`),
// the SDP announces its real fingerprint, and headless Chromium — which checks the certificate
// against that fingerprint — completes DTLS and decodes frames. A broken PEM is a clear error.

import { describe, it, before, after } from 'node:test';
import assert from 'node:assert/strict';
import path from 'node:path';
import { execFileSync } from 'node:child_process';
import { readFile, writeFile } from 'node:fs/promises';
import { startServer, rpcClient, tempDir, removeDir } from '../lib/server.mjs';
import { launchBrowser, negotiate, waitFrames, closePeer } from '../lib/browser.mjs';

describe('DTLS certificate from the config', () => {
  let dir, pem, certOnly, expected;

  before(async () => {
    dir = await tempDir('pw-dtls-');
    const cert = path.join(dir, 'cert.pem');
    const key = path.join(dir, 'key.pem');
    execFileSync('openssl', ['req', '-x509', '-newkey', 'ec', '-pkeyopt', 'ec_paramgen_curve:prime256v1', '-nodes',
      '-days', '2', '-subj', '/CN=pipewright-test', '-keyout', key, '-out', cert], { stdio: 'ignore' });
    pem = path.join(dir, 'dtls.pem');
    await writeFile(pem, (await readFile(cert, 'utf8')) + (await readFile(key, 'utf8')));
    certOnly = cert;
    expected = execFileSync('openssl', ['x509', '-in', cert, '-noout', '-fingerprint', '-sha256'], { encoding: 'utf8' })
      .split('=')[1].trim().toUpperCase();
  });
  after(async () => { await removeDir(dir); });

  const value = (r) => { assert.ok(r.result, JSON.stringify(r.error)); return r.result.value; };

  it('Chromium completes DTLS with the configured certificate and decodes frames', { timeout: 60000 }, async () => {
    const server = await startServer({ extraArgs: ['--ice-address', '127.0.0.1'], config: { pemCertificate: pem } });
    const rpc = await rpcClient(server.url);
    const chromium = await launchBrowser();
    try {
      const pipeline = value(await rpc.call('create', { type: 'MediaPipeline' }));
      const ep = value(await rpc.call('create', { type: 'WebRtcEndpoint', constructorParams: { mediaPipeline: pipeline } }));
      const { answer } = await negotiate(chromium.page, rpc, ep, {
        peerName: 'pem',
        afterAnswer: async () => { value(await rpc.call('invoke', { object: ep, operation: 'connect', operationParams: { sink: ep } })); },
      });
      const fp = answer.match(/a=fingerprint:sha-256 ([0-9A-F:]+)/);
      assert.ok(fp, 'the answer carries a sha-256 fingerprint');
      assert.equal(fp[1], expected, 'the fingerprint is the configured certificate\'s');
      const frames = await waitFrames(chromium.page, 'pem', 20, 15000);
      assert.ok(frames >= 20, `DTLS completed and frames came back (${frames})`);
      // A second endpoint presents the same certificate.
      const ep2 = value(await rpc.call('create', { type: 'WebRtcEndpoint', constructorParams: { mediaPipeline: pipeline } }));
      const offer = value(await rpc.call('invoke', { object: ep2, operation: 'generateOffer' }));
      assert.equal(offer.match(/a=fingerprint:sha-256 ([0-9A-F:]+)/)[1], expected);
      await closePeer(chromium.page, 'pem');
    } finally {
      await chromium.close();
      rpc.close();
      await server.stop();
    }
  });

  it('a PEM without its private key is refused with a reason; the server keeps serving', async () => {
    const server = await startServer({ config: { pemCertificate: certOnly } });
    const rpc = await rpcClient(server.url);
    try {
      const pipeline = value(await rpc.call('create', { type: 'MediaPipeline' }));
      const resp = await rpc.call('create', { type: 'WebRtcEndpoint', constructorParams: { mediaPipeline: pipeline } });
      assert.ok(resp.error, 'no endpoint without a usable certificate');
      assert.match(resp.error.message, /pemCertificate .* private key/);
      assert.ok(value(await rpc.call('create', { type: 'PassThrough', constructorParams: { mediaPipeline: pipeline } })));
    } finally {
      rpc.close();
      await server.stop();
    }
  });
});
