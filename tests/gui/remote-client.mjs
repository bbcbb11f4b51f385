// A remote program for the studio GUI test: the real npm kurento-client builds a pipeline
// (player → recorder) on the server the studio runs, prints its id, then on "more" adds a
// PassThrough, on "studio" asks the studio to show it (the tutorials' "Open in studio": the
// pipewright.openInStudio tag), and quits when stdin closes.
import { cb, closeClient, connectClient } from '../lib/kc.mjs';
import readline from 'node:readline';

const [url, clipUri, recordUri] = process.argv.slice(2);
const [client] = await connectClient(url);
const [pipeline] = await cb((done) => client.create('MediaPipeline', done));
await cb((done) => pipeline.setName('Remote script pipeline', done));
const [player] = await cb((done) => pipeline.create('PlayerEndpoint', { uri: clipUri }, done));
const [recorder] = await cb((done) => pipeline.create('RecorderEndpoint', { uri: recordUri }, done));
await cb((done) => player.connect(recorder, 'VIDEO', done));
console.log(`PIPELINE ${pipeline.id}`);

const lines = readline.createInterface({ input: process.stdin });
lines.on('line', async (line) => {
  if (line.trim() === 'more') {
    const [pass] = await cb((done) => pipeline.create('PassThrough', done));
    await cb((done) => player.connect(pass, 'AUDIO', done));
    console.log(`ADDED ${pass.id}`);
  } else if (line.trim() === 'studio') {
    await cb((done) => recorder.addTag('pipewright.openInStudio', String(Date.now()), done));
    console.log('TAGGED');
  }
});
lines.on('close', () => { closeClient(client); process.exit(0); });
