// Manual probe (not a test): how long does releasing a big pipeline block other clients?
import { startServer, rpcClient, tempDir, makeClip, sleep } from '../tests/lib/server.mjs';
import { bindSession, createPipeline, createElement, invokeRaw } from '../tests/lib/kms.mjs';
const N = Number(process.env.N || 40);
const media = await tempDir();
const clip = `${media}/clip.webm`;
await makeClip(clip, { seconds: 10 }).catch(async () => { await makeClip(clip); });
const srv = await startServer({ mediaFolders: [media] });
const c = await rpcClient(srv.url, { timeoutMs: 300000 });
await bindSession(c);
const p = await createPipeline(c);
const player = await createElement(c, 'PlayerEndpoint', p, { uri: `file://${clip}` });
let prev = player;
const t0 = Date.now();
for (let i = 0; i < N; i++) {
  const w = await createElement(c, 'WebRtcEndpoint', p);
  await invokeRaw(c, w, 'generateOffer');
  await invokeRaw(c, prev, 'connect', { sink: w });
  const f = await createElement(c, 'GStreamerFilter', p, { command: 'videoflip video-direction=horiz' });
  await invokeRaw(c, prev, 'connect', { sink: f });
  const r = await createElement(c, 'RecorderEndpoint', p, { uri: `file://${media}/r${i}.webm` });
  await invokeRaw(c, f, 'connect', { sink: r });
  await invokeRaw(c, r, 'record');
  prev = f;
}
await invokeRaw(c, player, 'play');
console.log(`built ${N * 3 + 1} elements in ${Date.now() - t0} ms`);
await sleep(3000);
const other = await rpcClient(srv.url);
let maxPing = 0; let stop = false;
const pinger = (async () => { while (!stop) { const s = Date.now(); await other.call('ping', {}); maxPing = Math.max(maxPing, Date.now() - s); await sleep(20); } })();
await sleep(3000);
console.log(`max ping latency before release (media running): ${maxPing} ms`);
maxPing = 0;
if (process.env.PW_PID_FILE) { (await import('node:fs')).writeFileSync(process.env.PW_PID_FILE, String(srv.proc.pid)); }
const s = Date.now();
const rel = await c.call('release', { object: p });
console.log(`release answered in ${Date.now() - s} ms: ${JSON.stringify(rel.result || rel.error)}`);
await sleep(500); stop = true; await pinger;
console.log(`max ping latency during release: ${maxPing} ms`);
await c.close(); await other.close(); if (process.env.PW_DEBUG_RELEASE) console.log(srv.stderrText().split("\n").filter((l) => l.includes("DBG")).join("\n")); await srv.stop();
