// The clean-root check's drivers for the installed package (clean-root-check.sh runs them from the
// host's node, inside the root's private network namespace: only 127.0.0.1 is reachable).
//
//   node installed-check.mjs loopback <http origin>
//     The installed server's hello-world tutorial (WebRTC loopback) in headless Chromium with the
//     fake camera: the page says Playing and its remote <video> shows a real, moving picture that
//     came back from the server (framesDecoded rising, pixels neither black nor flat).
//   node installed-check.mjs studio <phase> <ws url> <admin token> <root dir>
//     What the studio's engine holds, asked over the Kurento protocol with the administrator token
//     (the studio's own session is another session). Phases, each waiting up to a deadline:
//       loaded   one pipeline with a PlayerEndpoint and a RecorderEndpoint (the template)
//       running  player and recorder in state START, media flowing into the recorder, and its
//                file (under <root dir>, the root as seen from the host) growing
//       stopped  the recorder in state STOP and its file not empty
// Prints one line of what it saw; exits 1 with the reason otherwise.
import assert from 'node:assert/strict';
import { stat } from 'node:fs/promises';
import { fileURLToPath } from 'node:url';
import { rpcClient, sleep } from '../lib/server.mjs';
import { MANAGER, invokeValue } from '../lib/kms.mjs';
import { browseServer, waitStatus, assertVideoFrames } from '../tutorials/pages.mjs';

async function loopback(base) {
  const browser = await browseServer(base);
  try {
    const page = await browser.open('/tutorials/hello-world.html?autostart=1');
    await waitStatus(page, /^Playing/);
    const { frames, stats } = await assertVideoFrames(assert, page, 'remote', { minFrames: 30 });
    console.log(`hello-world loopback: Playing, remote video ${stats.width}x${stats.height}, ` +
      `${frames} frames decoded, luma mean ${stats.mean.toFixed(0)} spread ${stats.std.toFixed(0)}, picture moving`);
  } finally {
    await browser.close();
  }
}

const typeOf = (id) => id.slice(id.lastIndexOf('.') + 1);

/** The studio's pipeline and its player and recorder, once the template has built them. */
async function templateElements(rpc) {
  for (const pipeline of await invokeValue(rpc, MANAGER, 'getPipelines')) {
    const children = await invokeValue(rpc, pipeline, 'getChildren');
    const player = children.find((id) => typeOf(id) === 'PlayerEndpoint');
    const recorder = children.find((id) => typeOf(id) === 'RecorderEndpoint');
    if (player && recorder) return { pipeline, player, recorder, children };
  }
  return null;
}

/** Polls `probe` until it returns something truthy; throws `what` (with the last value) after `ms`. */
async function until(what, ms, probe) {
  const deadline = Date.now() + ms;
  let last;
  for (;;) {
    last = await probe();
    if (last && last.ok !== false) return last;
    if (Date.now() > deadline) throw new Error(`${what}: ${JSON.stringify(last)}`);
    await sleep(500);
  }
}

async function studio(phase, url, token, rootDir) {
  const rpc = await rpcClient(`${url}?access_token=${encodeURIComponent(token)}`);
  try {
    const t = await until('no pipeline with a PlayerEndpoint and a RecorderEndpoint', 90000, () => templateElements(rpc));
    const file = rootDir + fileURLToPath(await invokeValue(rpc, t.recorder, 'getUri'));
    const size = async () => (await stat(file).catch(() => ({ size: 0 }))).size;
    const state = async (id) => invokeValue(rpc, id, 'getState');
    if (phase === 'loaded') {
      console.log(`template loaded: pipeline ${t.pipeline.slice(0, 8)} with ${t.children.map(typeOf).join(', ')}`);
    } else if (phase === 'running') {
      const seen = await until('the template does not run', 30000, async () => {
        const s = { player: await state(t.player), recorder: await state(t.recorder),
          videoIn: await invokeValue(rpc, t.recorder, 'isMediaFlowingIn', { mediaType: 'VIDEO' }), bytes: await size() };
        return { ...s, ok: s.player === 'START' && s.recorder === 'START' && s.videoIn && s.bytes > 0 };
      });
      const grown = await until(`${file} does not grow`, 15000, async () => {
        const bytes = await size();
        return { bytes, ok: bytes > seen.bytes };
      });
      console.log(`template running: player and recorder START, video flowing into the recorder, ` +
        `${file.slice(rootDir.length)} ${seen.bytes} -> ${grown.bytes} bytes`);
    } else if (phase === 'stopped') {
      const s = await until('the recorder does not stop', 30000, async () => {
        const recorder = await state(t.recorder);
        const bytes = await size();
        return { recorder, bytes, ok: recorder === 'STOP' && bytes > 0 };
      });
      console.log(`template stopped: recorder STOP, ${file.slice(rootDir.length)} ${s.bytes} bytes`);
    } else {
      throw new Error(`unknown phase '${phase}'`);
    }
  } finally {
    rpc.close();
  }
}

const [command, ...args] = process.argv.slice(2);
try {
  if (command === 'loopback') await loopback(args[0]);
  else if (command === 'studio') await studio(...args);
  else throw new Error('usage: installed-check.mjs loopback <http origin> | studio <phase> <ws url> <admin token> <root dir>');
  process.exit(0);
} catch (err) {
  console.log(`FAIL: ${err.message}`);
  process.exit(1);
}
