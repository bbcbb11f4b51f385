// The unmodified npm kurento-client with Kurento's own chroma module package
// (kurento-module-chroma 7.3.0) registered: the strict start-up check finds module chroma on the
// server, ChromaFilter is created with a WindowParam, and setBackground/unsetBackground work.
import { describe, it, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { execFileSync } from 'node:child_process';
import fs from 'node:fs';
import { startServer, tempDir, removeDir } from '../lib/server.mjs';
import { kurentoClient, connectClient, cb, cbError, closeClient } from '../lib/kc.mjs';
import chromaModule from 'kurento-module-chroma';

kurentoClient.register(chromaModule);

let srv;
let media;
let client;
before(async () => {
  media = await tempDir('pipewright-chroma-');
  execFileSync('gst-launch-1.0', ['-q', 'videotestsrc', 'pattern=solid-color', 'foreground-color=0xff3070d0', 'num-buffers=1', '!',
    'video/x-raw,width=64,height=48', '!', 'videoconvert', '!', 'pngenc', '!', 'filesink', `location=${media}/sky.png`]);
  fs.writeFileSync(`${media}/not-an-image.png`, 'this is not an image\n');
  srv = await startServer({ mediaFolders: [media] });
  [client] = await connectClient(srv.url);
});
after(async () => {
  closeClient(client);
  if (srv) await srv.stop();
  await removeDir(media);
});

describe('kurento-client: ChromaFilter (kurento-module-chroma)', () => {
  it('the server announces module chroma with its factory', async () => {
    const [sm] = await cb((d) => client.getServerManager(d));
    const [info] = await cb((d) => sm.getInfo(d));
    const chroma = info.modules.find((m) => m.name === 'chroma');
    assert.ok(chroma, 'module chroma is listed');
    assert.deepEqual(chroma.factories, ['ChromaFilter']);
  });

  it('creates a ChromaFilter with a WindowParam; setBackground and unsetBackground', async () => {
    const [pipeline] = await cb((d) => client.create('MediaPipeline', d));
    const window = kurentoClient.getComplexType('WindowParam')({ topRightCornerX: 5, topRightCornerY: 5, width: 30, height: 30 });
    const [filter] = await cb((d) => pipeline.create('ChromaFilter', { window }, d));
    assert.match(filter.id, /ChromaFilter$/);
    assert.equal(typeof filter.setBackground, 'function');
    await cb((d) => filter.setBackground(`file://${media}/sky.png`, d));
    await cb((d) => filter.unsetBackground(d));
    const bad = await cbError((d) => filter.setBackground(`file://${media}/not-an-image.png`, d));
    assert.ok(bad, 'a file that is not an image is refused');
    assert.equal(bad.code, 40107);
    // backgroundImage in the constructor
    const [second] = await cb((d) => pipeline.create('ChromaFilter', { window, backgroundImage: `file://${media}/sky.png` }, d));
    assert.match(second.id, /ChromaFilter$/);
    await cb((d) => pipeline.release(d));
  });
});
