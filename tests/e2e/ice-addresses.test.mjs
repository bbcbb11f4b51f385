// ICE gathers only on the configured addresses (security issue item 4). Runs inside e2e's
// private network namespace, where this test adds a veth pair (10.200.0.1 on pwice0) so that a
// non-loopback interface exists to be wrongly used. Nothing is sent to it: no STUN server is set.
// Checked two ways: the IceCandidateFound events, and the UDP sockets the server process really
// holds (/proc/<pid>/fd → /proc/<pid>/net/udp{,6}).

import { describe, it, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { execFileSync } from 'node:child_process';
import { readdirSync, readlinkSync, readFileSync } from 'node:fs';
import { startServer, rpcClient, sleep } from '../lib/server.mjs';
import { rpcShortcuts } from '../lib/kms.mjs';

const IFACE = 'pwice0';
const IFACE_IP = '10.200.0.1';

function addInterface() {
  try {
    execFileSync('ip', ['link', 'add', IFACE, 'type', 'veth', 'peer', 'name', `${IFACE}p`], { stdio: 'ignore' });
    execFileSync('ip', ['addr', 'add', `${IFACE_IP}/24`, 'dev', IFACE]);
    execFileSync('ip', ['link', 'set', IFACE, 'up']);
    execFileSync('ip', ['link', 'set', `${IFACE}p`, 'up']);
    return true;
  } catch {
    return false;
  }
}

/** Local addresses of the UDP sockets `pid` holds, as text ("127.0.0.1", "::1", "0.0.0.0"...). */
function udpAddressesOf(pid) {
  const inodes = new Set();
  for (const fd of readdirSync(`/proc/${pid}/fd`)) {
    try {
      const m = /^socket:\[(\d+)\]$/.exec(readlinkSync(`/proc/${pid}/fd/${fd}`));
      if (m) inodes.add(m[1]);
    } catch { /* fd closed meanwhile */ }
  }
  const out = [];
  for (const [file, v6] of [['udp', false], ['udp6', true]]) {
    const lines = readFileSync(`/proc/${pid}/net/${file}`, 'utf8').trim().split('\n').slice(1);
    for (const line of lines) {
      const cols = line.trim().split(/\s+/);
      if (!inodes.has(cols[9])) continue;
      const hex = cols[1].split(':')[0];
      out.push(v6 ? ipv6FromProc(hex) : ipv4FromProc(hex));
    }
  }
  return out;
}
const ipv4FromProc = (hex) => hex.match(/../g).reverse().map((b) => parseInt(b, 16)).join('.');
function ipv6FromProc(hex) {
  // Four 32-bit words, each in host (little-endian) order.
  const words = hex.match(/.{8}/g).map((w) => w.match(/../g).reverse().join(''));
  const groups = words.join('').match(/.{4}/g).map((g) => parseInt(g, 16).toString(16));
  const text = groups.join(':');
  if (text === '0:0:0:0:0:0:0:1') return '::1';
  if (text === '0:0:0:0:0:0:0:0') return '::';
  if (/^0:0:0:0:0:ffff:/.test(text)) return `::ffff:${text.slice(14)}`;
  return text;
}

const isLoopback = (a) => a === '::1' || a.startsWith('127.') || a.startsWith('::ffff:7f');

/** Creates an endpoint, offers, gathers; returns the candidate addresses and the socket addresses. */
async function gather(rpc, server, type = 'WebRtcEndpoint') {
  const { value, create, invoke } = rpcShortcuts(rpc);
  const p = await create('MediaPipeline');
  const ep = await create(type, { mediaPipeline: p });
  let candidates = [];
  if (type === 'WebRtcEndpoint') {
    value(await rpc.call('subscribe', { object: ep, type: 'IceCandidateFound' }));
    value(await rpc.call('subscribe', { object: ep, type: 'IceGatheringDone' }));
    value(await invoke(ep, 'generateOffer', { options: { offerToReceiveAudio: true, offerToReceiveVideo: true } }));
    value(await invoke(ep, 'gatherCandidates'));
    await rpc.waitEvent((e) => e.params.value.type === 'IceGatheringDone' && e.params.value.object === ep, 15000);
    candidates = rpc.events
      .filter((e) => e.params.value.type === 'IceCandidateFound' && e.params.value.object === ep)
      .map((e) => e.params.value.data.candidate.candidate.split(' ')[4]);
  } else {
    const offer = value(await invoke(ep, 'generateOffer'));
    candidates = [...offer.matchAll(/^c=IN IP[46] (\S+)/gm)].map((m) => m[1]);
  }
  await sleep(300);
  const sockets = udpAddressesOf(server.proc.pid);
  value(await rpc.call('release', { object: p }));
  return { candidates, sockets };
}

describe('ICE binds only the configured addresses', { skip: !addInterface() && 'cannot add a veth pair here' }, () => {
  let server, rpc;
  after(async () => {
    rpc?.close();
    await server?.stop();
    // The other browser tests in this namespace must not see the extra interface.
    try { execFileSync('ip', ['link', 'del', IFACE], { stdio: 'ignore' }); } catch { /* already gone */ }
  });

  it('loopback control port and nothing configured: loopback only', { timeout: 60000 }, async () => {
    server = await startServer();
    rpc = await rpcClient(server.url, { timeoutMs: 20000 });
    const { candidates, sockets } = await gather(rpc, server);
    assert.ok(candidates.length > 0, 'no candidate at all');
    assert.ok(candidates.every(isLoopback), `non-loopback candidates: ${candidates}`);
    assert.ok(sockets.length > 0, 'the endpoint holds no UDP socket');
    assert.ok(sockets.every(isLoopback), `UDP sockets bound beyond loopback: ${sockets}`);
    const rtp = await gather(rpc, server, 'RtpEndpoint');
    assert.ok(rtp.candidates.every(isLoopback), `RtpEndpoint offers ${rtp.candidates}`);
    rpc.close();
    await server.stop();
    server = null;
  });

  it('iceInterfaces names an interface: its addresses only', { timeout: 60000 }, async () => {
    server = await startServer({ config: { iceInterfaces: [IFACE] } });
    rpc = await rpcClient(server.url, { timeoutMs: 20000 });
    const { candidates, sockets } = await gather(rpc, server);
    assert.ok(candidates.includes(IFACE_IP), `${IFACE_IP} missing from ${candidates}`);
    assert.ok(candidates.every((a) => a === IFACE_IP || a.startsWith('fe80:')), `candidates ${candidates}`);
    assert.ok(sockets.every((a) => a === IFACE_IP || a.startsWith('fe80')), `UDP sockets ${sockets}`);
    rpc.close();
    await server.stop();
    server = null;
  });

  it('iceLocalAddresses (--ice-address): that address only, even with another interface up', { timeout: 60000 }, async () => {
    server = await startServer({ extraArgs: ['--ice-address', '127.0.0.1'] });
    rpc = await rpcClient(server.url, { timeoutMs: 20000 });
    const { candidates, sockets } = await gather(rpc, server);
    assert.ok(candidates.length > 0 && candidates.every((a) => a === '127.0.0.1'), `candidates ${candidates}`);
    assert.ok(sockets.every((a) => a === '127.0.0.1'), `UDP sockets ${sockets}`);
  });
});
