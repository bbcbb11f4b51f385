// Tutorial page rtp-receiver.html in headless Chromium: the page shows the RtpEndpoint's answer
// and a gst-launch-1.0 command; the test runs exactly that command, and the moving test pattern
// it sends shows in the page (frames and pixels).
import { describe, it, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { spawn } from 'node:child_process';
import { setUp, waitStatus, assertVideoFrames, click, waitPipelines } from './pages.mjs';

describe('tutorial: RTP receiver', () => {
  let env, sender;
  before(async () => { env = await setUp(); });
  after(async () => { sender?.kill('SIGINT'); await env?.tearDown(); });

  it('plays what the pasted gst-launch-1.0 command sends', { timeout: 90000 }, async () => {
    const page = await env.open('/tutorials/rtp-receiver.html?autostart=1');
    await waitStatus(page, /^Waiting for RTP/);
    const answer = await page.$eval('#answer', (e) => e.textContent);
    assert.match(answer, /^m=video \d+ RTP\/AVP 96/m);
    const command = await page.$eval('#command', (e) => e.textContent);
    assert.match(command, /udpsink host=127\.0\.0\.1 port=\d+/);
    sender = spawn('sh', ['-c', `exec ${command.replace(/\\\n/g, ' ')}`], { stdio: 'ignore' });
    await waitStatus(page, /^Receiving/);
    await assertVideoFrames(assert, page, 'remote');
    sender.kill('SIGINT');
    sender = null;
    await click(page, 'stop');
    await waitStatus(page, /^Stopped/);
    assert.deepEqual(await waitPipelines(env.server, 0), []);
  });
});
