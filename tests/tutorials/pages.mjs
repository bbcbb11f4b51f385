// Helpers for the tutorial-page tests: a fresh server, Chromium, and checks that a page's
// <video> really shows frames (getStats framesDecoded rising AND a picture that is neither black
// nor uniform, drawn to a canvas). Runs inside a private network namespace (run-isolated.sh).
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import puppeteer from 'puppeteer-core';
import { startServer, rpcClient, sleep } from '../lib/server.mjs';
import { CHROMIUM_BIN, CHROMIUM_FLAGS, frameStats } from '../lib/browser.mjs';

/** Server + browser (extra Chromium flags in `browserFlags`); `base` is the server's http origin. */
export async function setUp(serverOptions = {}) {
  const server = await startServer({ ...serverOptions, config: { adminToken: ADMIN_TOKEN, ...(serverOptions.config || {}) }, extraArgs: ['--ice-address', '127.0.0.1', ...(serverOptions.extraArgs || [])] });
  const base = new URL(server.url).origin.replace(/^ws/, 'http');
  const pages = await browseServer(base, serverOptions.browserFlags);
  return {
    ...pages, server,
    async tearDown() {
      await pages.close();
      await server.stop();
    },
  };
}

/**
 * Chromium (extra flags in `browserFlags`) for the pages of a server already running at `base`
 * (http origin): open() loads one page and keeps its console lines; close() ends the browser.
 */
export async function browseServer(base, browserFlags = []) {
  const profileDir = fs.mkdtempSync(path.join(os.tmpdir(), 'pw-chromium-'));
  const browser = await puppeteer.launch({
    executablePath: CHROMIUM_BIN, headless: true, args: [...CHROMIUM_FLAGS, ...browserFlags, `--user-data-dir=${profileDir}`],
  });
  return {
    browser, base,
    async open(pathAndQuery) {
      const page = await browser.newPage();
      page.consoleLines = [];
      page.on('console', (m) => page.consoleLines.push(`${m.type()}: ${m.text()}`));
      page.on('pageerror', (e) => page.consoleLines.push(`pageerror: ${e.message}`));
      await page.goto(`${base}${pathAndQuery}`);
      return page;
    },
    async close() {
      await browser.close().catch(() => {});
      fs.rmSync(profileDir, { recursive: true, force: true });
    },
  };
}

/** Waits until #status matches `pattern`; throws with the status and console on "Failed". */
export async function waitStatus(page, pattern, timeoutMs = 30000) {
  const deadline = Date.now() + timeoutMs;
  let text = '';
  while (Date.now() < deadline) {
    text = await page.$eval('#status', (e) => e.textContent);
    if (pattern.test(text)) return text;
    if (/^Failed/.test(text)) break;
    await sleep(200);
  }
  throw new Error(`status of ${page.url()}: "${text}"\nconsole:\n${(page.consoleLines || []).join('\n')}`);
}


/**
 * Saves a picture of the page as `name` in PIPEWRIGHT_SCREENSHOT_DIR (the ctest sets it; the
 * docs' pictures of the tutorials are these, copied to docs/images). Nothing without the variable.
 */
export async function screenshot(page, name) {
  const dir = process.env.PIPEWRIGHT_SCREENSHOT_DIR;
  if (!dir) return;
  fs.mkdirSync(dir, { recursive: true });
  await page.setViewport({ width: 1000, height: 720 });
  await sleep(300);
  await page.screenshot({ path: path.join(dir, name) });
}

/** Decoded inbound video frames of an RTCPeerConnection found by `expr` in the page. */
export function framesDecoded(page, expr = 'window.tutorial.peer.peerConnection') {
  return page.evaluate(async (e) => {
    // eslint-disable-next-line no-eval
    const pc = eval(e);
    let n = 0;
    (await pc.getStats()).forEach((s) => { if (s.type === 'inbound-rtp' && s.kind === 'video') n += s.framesDecoded || 0; });
    return n;
  }, expr);
}

/**
 * Asserts that `videoId` shows a real, moving picture: framesDecoded rises by `minFrames`, the
 * frame is neither black nor flat, and it changes over a second and a half.
 * @returns {Promise<{frames:number, stats:object}>}
 */
export async function assertVideoFrames(assert, page, videoId, { peer, minFrames = 20, timeoutMs = 30000, moving = true } = {}) {
  const deadline = Date.now() + timeoutMs;
  let first = null;
  while (Date.now() < deadline) {
    first = await frameStats(page, videoId);
    if (first && first.std > 5 && first.mean > 10) break;
    await sleep(250);
  }
  assert.ok(first, `#${videoId} shows video`);
  assert.ok(first.std > 5 && first.mean > 10, `#${videoId}: the frame is neither black nor flat: mean ${first.mean}, std ${first.std}`);
  const f0 = await framesDecoded(page, peer);
  let f1 = f0;
  while (Date.now() < deadline && f1 - f0 < minFrames) {
    await sleep(250);
    f1 = await framesDecoded(page, peer);
  }
  assert.ok(f1 - f0 >= minFrames, `#${videoId}: framesDecoded rises (${f0} → ${f1})`);
  if (moving) {
    const later = await frameStats(page, videoId);
    const changed = later.luma.filter((y, i) => Math.abs(y - first.luma[i]) > 20).length;
    assert.ok(changed > 10, `#${videoId}: the picture moves (${changed} of ${later.luma.length} samples changed)`);
  }
  return { frames: f1, stats: first };
}

/** Clicks a button through the DOM (puppeteer's mouse click can wait forever on a background tab). */
export function click(page, id) {
  return page.evaluate((i) => document.getElementById(i).click(), id);
}

export const ADMIN_TOKEN = 'tutorial-admin';

/** Ids of every pipeline the server holds (an administrator session sees all sessions'). */
export async function serverPipelines(server) {
  return adminInvoke(server, 'manager_ServerManager', 'getPipelines');
}

/** invoke `operation` on any object with the administrator token; resolves the value. */
export async function adminInvoke(server, object, operation, operationParams = {}) {
  const admin = await rpcClient(`${server.url}?access_token=${ADMIN_TOKEN}`);
  try {
    const r = await admin.call('invoke', { object, operation, operationParams });
    if (!r.result) throw new Error(`${operation}: ${JSON.stringify(r.error)}`);
    return r.result.value;
  } finally {
    admin.close();
  }
}

/** Polls serverPipelines() until it has `count` entries (or the time is up); returns the last list. */
export async function waitPipelines(server, count, timeoutMs = 5000) {
  const deadline = Date.now() + timeoutMs;
  let list = await serverPipelines(server);
  while (list.length !== count && Date.now() < deadline) {
    await sleep(200);
    list = await serverPipelines(server);
  }
  return list;
}

export { sleep };
