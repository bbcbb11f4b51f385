// Runs tests/lib/webrtcbin-peer.py (a GStreamer webrtcbin peer with bundle-policy max-bundle)
// and speaks its line protocol. Only for tests that run in a private network namespace: the
// peer gathers candidates on 127.0.0.1 only.
import { spawn } from 'node:child_process';
import path from 'node:path';
import { fileURLToPath } from 'node:url';

const here = path.dirname(fileURLToPath(import.meta.url));

/** @param {{video?: 'vp8'|'h264'}} [opts] the video codec the peer sends */
export function startWebrtcbinPeer({ video = 'vp8' } = {}) {
  const proc = spawn('/usr/bin/python3', [path.join(here, 'webrtcbin-peer.py')],
    { stdio: ['pipe', 'pipe', 'pipe'], env: { ...process.env, PW_PEER_VIDEO: video } });
  const candidates = [];
  let stats = { audioPackets: 0, videoPackets: 0, audioSent: 0, videoSent: 0 };
  let connected = false;
  let stderr = '';
  let buffered = '';
  let resolveOffer;
  let rejectOffer;
  const offer = new Promise((resolve, reject) => { resolveOffer = resolve; rejectOffer = reject; });
  proc.stderr.setEncoding('utf8');
  proc.stderr.on('data', (d) => { stderr = (stderr + d).slice(-20000); });
  proc.stdout.setEncoding('utf8');
  proc.stdout.on('data', (d) => {
    buffered += d;
    let nl;
    while ((nl = buffered.indexOf('\n')) >= 0) {
      const line = buffered.slice(0, nl);
      buffered = buffered.slice(nl + 1);
      if (!line.trim()) continue;
      const msg = JSON.parse(line);
      if (msg.offer) resolveOffer(msg.offer);
      else if (msg.candidate) candidates.push(msg.candidate);
      else if (msg.stats) stats = msg.stats;
      else if (msg.connected) connected = true;
    }
  });
  const exited = new Promise((resolve) => proc.on('exit', (code, signal) => {
    rejectOffer(new Error(`webrtcbin peer exited (code=${code}, signal=${signal}) before its offer:\n${stderr}`));
    resolve({ code, signal });
  }));
  const send = (obj) => proc.stdin.write(`${JSON.stringify(obj)}\n`);
  return {
    offer,
    candidates,
    get stats() { return stats; },
    get connected() { return connected; },
    stderrText: () => stderr,
    setAnswer: (sdp) => send({ answer: sdp }),
    addCandidate: (candidate) => send({ candidate }),
    async stop() {
      proc.stdin.end();
      const timer = setTimeout(() => proc.kill('SIGKILL'), 5000);
      await exited;
      clearTimeout(timer);
    },
  };
}
