// A clean install logs no error for things that work (Kurento parity issue, item 2): creating a
// FaceOverlayFilter made OpenCV print three "[ERROR] … Can't open file haarcascade_mcs_*" lines,
// for cascades GStreamer's facedetect asks for and Debian's opencv-data does not ship (Pipewright
// uses only the face cascade). The server's output must have none of them, and the filter works.
import { describe, it, after } from 'node:test';
import assert from 'node:assert/strict';
import { startServer, rpcClient, expectResult, sleep } from '../lib/server.mjs';
import { createPipeline, createElement, invokeRaw } from '../lib/kms.mjs';

describe('a clean log', () => {
  let srv;
  after(async () => { if (srv) await srv.stop(); });

  it('FaceOverlayFilter is created without an OpenCV error line', { timeout: 30000 }, async () => {
    srv = await startServer({ env: { OPENCV_LOG_LEVEL: '' } });
    const c = await rpcClient(srv.url);
    const p = await createPipeline(c);
    const f = await createElement(c, 'FaceOverlayFilter', p);
    expectResult(await invokeRaw(c, f, 'getName'), 'the filter answers');
    await sleep(500);
    const log = srv.stderrText() + srv.stdoutText();
    assert.doesNotMatch(log, /\[ERROR|Can't open file|haarcascade_mcs/, log.slice(-2000));
    await c.close();
  });
});
