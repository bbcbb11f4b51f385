// UDP garbage for the media-port tests (tests/e2e/udp-garbage.test.mjs); the same kinds as
// bench/udp-garbage.py:
//
//   random  random bytes (1..1200, any first byte)
//   stun    STUN binding requests with wrong credentials (a random USERNAME, or the endpoint's
//           real ufrag with a wrong password), well-formed MESSAGE-INTEGRITY and FINGERPRINT
//   dtls    DTLS 1.2 ClientHello records (epoch 0, use_srtp offered)
//   rtp     RTP (0x80, PT 96/111) and RTCP (PT 200..206) headers with random payload: SRTP
//           authentication fails
//   scan    one datagram (0..64 random bytes) to every UDP port 1024..65535
//
//   flood({kind, ports, ufrags, pps, seconds})  sends from a worker thread (so the test's own
//       event loop, RPC and browser stay responsive) and resolves {sent, errors}.
//   udpPortsOf(pid)  the UDP ports a process holds that 127.0.0.1 reaches (/proc/<pid>/fd and
//       /proc/<pid>/net/udp{,6}).
//
// Every datagram goes to 127.0.0.1 only, and the tests run inside `unshare -n`.

import crypto from 'node:crypto';
import dgram from 'node:dgram';
import fs from 'node:fs';
import { Worker, isMainThread, parentPort, workerData } from 'node:worker_threads';

export const GARBAGE_KINDS = ['random', 'stun', 'dtls', 'rtp', 'scan'];
const TARGET = '127.0.0.1';

const CRC_TABLE = (() => {
  const t = new Uint32Array(256);
  for (let n = 0; n < 256; n++) {
    let c = n;
    for (let k = 0; k < 8; k++) c = c & 1 ? 0xedb88320 ^ (c >>> 1) : c >>> 1;
    t[n] = c >>> 0;
  }
  return t;
})();

function crc32(buf) {
  let c = 0xffffffff;
  for (const b of buf) c = CRC_TABLE[(c ^ b) & 0xff] ^ (c >>> 8);
  return (c ^ 0xffffffff) >>> 0;
}

const randInt = (lo, hi) => lo + crypto.randomInt(hi - lo + 1);

function stunAttr(type, value) {
  const pad = (4 - (value.length % 4)) % 4;
  const head = Buffer.alloc(4);
  head.writeUInt16BE(type, 0);
  head.writeUInt16BE(value.length, 2);
  return Buffer.concat([head, value, Buffer.alloc(pad)]);
}

/** A well-formed binding request whose MESSAGE-INTEGRITY uses `key` (wrong for the server). */
export function stunBindingRequest(username, key) {
  const tid = crypto.randomBytes(12);
  const u32 = (v) => { const b = Buffer.alloc(4); b.writeUInt32BE(v >>> 0); return b; };
  let body = Buffer.concat([stunAttr(0x0006, Buffer.from(username)), stunAttr(0x0024, u32(crypto.randomInt(2 ** 31))),
    stunAttr(0x802a, crypto.randomBytes(8))]);
  const header = (length) => {
    const h = Buffer.alloc(8);
    h.writeUInt16BE(0x0001, 0);
    h.writeUInt16BE(length, 2);
    h.writeUInt32BE(0x2112a442, 4);
    return Buffer.concat([h, tid]);
  };
  const mac = crypto.createHmac('sha1', key).update(Buffer.concat([header(body.length + 24), body])).digest();
  body = Buffer.concat([body, stunAttr(0x0008, mac)]);
  const head = header(body.length + 8);
  const fingerprint = (crc32(Buffer.concat([head, body])) ^ 0x5354554e) >>> 0;
  return Buffer.concat([head, body, stunAttr(0x8028, u32(fingerprint))]);
}

/** One DTLS 1.2 record holding a ClientHello (no cookie) that offers use_srtp. */
export function dtlsClientHello() {
  const exts = Buffer.from([
    0x00, 0x0e, 0x00, 0x05, 0x00, 0x02, 0x00, 0x01, 0x00, // use_srtp: SRTP_AES128_CM_SHA1_80
    0x00, 0x0a, 0x00, 0x04, 0x00, 0x02, 0x00, 0x17, // supported_groups: secp256r1
    0x00, 0x0b, 0x00, 0x02, 0x01, 0x00, // ec_point_formats
    0x00, 0x0d, 0x00, 0x04, 0x00, 0x02, 0x04, 0x03, // signature_algorithms: ecdsa_secp256r1_sha256
    0x00, 0x17, 0x00, 0x00, // extended_master_secret
  ]);
  const extLen = Buffer.alloc(2);
  extLen.writeUInt16BE(exts.length);
  const body = Buffer.concat([Buffer.from([0xfe, 0xfd]), crypto.randomBytes(32), Buffer.from([0, 0]),
    Buffer.from([0x00, 0x08, 0xc0, 0x2b, 0xc0, 0x2f, 0xc0, 0x0a, 0xc0, 0x14, 0x01, 0x00]), extLen, exts]);
  const n = body.length;
  const len3 = [(n >> 16) & 0xff, (n >> 8) & 0xff, n & 0xff];
  const handshake = Buffer.concat([Buffer.from([1, ...len3, 0, 0, 0, 0, 0, ...len3]), body]);
  const record = Buffer.alloc(13);
  record[0] = 22;
  record.writeUInt16BE(0xfeff, 1);
  record.writeUInt16BE(0, 3);
  crypto.randomBytes(6).copy(record, 5);
  record.writeUInt16BE(handshake.length, 11);
  return Buffer.concat([record, handshake]);
}

/** RTP (PT 96/111) or RTCP (PT 200..206) with a valid-looking header and a random rest. */
export function fakeRtpOrRtcp() {
  if (Math.random() < 0.7) {
    const p = crypto.randomBytes(randInt(60, 1200));
    p[0] = 0x80;
    p[1] = (Math.random() < 0.5 ? 96 : 111) | (Math.random() < 0.1 ? 0x80 : 0);
    return p;
  }
  const words = randInt(1, 30);
  const p = crypto.randomBytes(4 * (words + 1) + 14); // + SRTCP index and tag
  p[0] = 0x80 | randInt(0, 1);
  p[1] = randInt(200, 206);
  p.writeUInt16BE(words, 2);
  return p;
}

/** A pool of datagrams of one kind (per port for `stun`, which names the port's ufrag). */
function pool(kind, ufrag) {
  const out = [];
  for (let i = 0; i < 512; i++) {
    switch (kind) {
      case 'random': out.push(crypto.randomBytes(randInt(1, 1200))); break;
      case 'stun': {
        const user = ufrag && i % 2 ? `${ufrag}:${crypto.randomBytes(4).toString('hex')}`
          : `${crypto.randomBytes(4).toString('hex')}:${crypto.randomBytes(4).toString('hex')}`;
        out.push(stunBindingRequest(user, crypto.randomBytes(16)));
        break;
      }
      case 'dtls': out.push(dtlsClientHello()); break;
      case 'rtp': out.push(fakeRtpOrRtcp()); break;
      case 'scan': out.push(crypto.randomBytes(randInt(0, 64))); break;
      default: throw new Error(`unknown garbage kind ${kind}`);
    }
  }
  return out;
}

async function runFlood({ kind, ports, ufrags = {}, pps, seconds }) {
  const targets = kind === 'scan' ? Array.from({ length: 65536 - 1024 }, (_, i) => 1024 + i) : ports;
  if (targets.length === 0) throw new Error('no port to send to');
  const pools = new Map();
  const packetsFor = (port) => {
    const key = kind === 'stun' ? port : 0;
    if (!pools.has(key)) pools.set(key, pool(kind, ufrags[port]));
    return pools.get(key);
  };
  const sock = dgram.createSocket('udp4');
  await new Promise((r) => sock.bind(0, TARGET, r));
  sock.on('error', () => {});
  let sent = 0;
  let errors = 0;
  let i = 0;
  const start = Date.now();
  const end = start + seconds * 1000;
  while (Date.now() < end) {
    const due = Math.floor(((Date.now() - start) / 1000) * pps);
    const sends = [];
    while (sent + errors + sends.length < due) {
      const port = targets[i % targets.length];
      const packets = packetsFor(port);
      const data = packets[i % packets.length];
      i++;
      sends.push(new Promise((resolve) => sock.send(data, port, TARGET, (err) => resolve(!err))));
    }
    for (const ok of await Promise.all(sends)) ok ? sent++ : errors++;
    await new Promise((r) => setTimeout(r, 5));
  }
  sock.close();
  return { kind, sent, errors, seconds: (Date.now() - start) / 1000, targets: targets.length };
}

/**
 * Flood from a worker thread. `scan` ignores `ports` and walks 1024..65535.
 * @returns {Promise<{kind:string, sent:number, errors:number, seconds:number, targets:number}>}
 */
export function flood(options) {
  return new Promise((resolve, reject) => {
    const worker = new Worker(new URL(import.meta.url), { workerData: options });
    worker.once('message', resolve);
    worker.once('error', reject);
    worker.once('exit', (code) => { if (code !== 0) reject(new Error(`flood worker exited with ${code}`)); });
  });
}

/** {port: address} of the UDP sockets process `pid` holds that a datagram to 127.0.0.1 reaches. */
export function udpPortsOf(pid) {
  const inodes = new Set();
  for (const fd of fs.readdirSync(`/proc/${pid}/fd`)) {
    try {
      const m = /^socket:\[(\d+)\]$/.exec(fs.readlinkSync(`/proc/${pid}/fd/${fd}`));
      if (m) inodes.add(m[1]);
    } catch { /* closed meanwhile */ }
  }
  const ports = {};
  for (const proto of ['udp', 'udp6']) {
    const lines = fs.readFileSync(`/proc/${pid}/net/${proto}`, 'utf8').trim().split('\n').slice(1);
    for (const line of lines) {
      const cols = line.trim().split(/\s+/);
      if (!inodes.has(cols[9])) continue;
      const [addrHex, portHex] = cols[1].split(':');
      const port = parseInt(portHex, 16);
      // 127.0.0.1 or 0.0.0.0 (v4); :: or ::ffff:127.0.0.1 (v6, dual-stack).
      const reached = proto === 'udp' ? addrHex === '0100007F' || addrHex === '00000000'
        : /^0{32}$/.test(addrHex) || addrHex === '0000000000000000FFFF00000100007F';
      if (reached) ports[port] = addrHex;
    }
  }
  return ports;
}

if (!isMainThread && workerData?.kind) {
  runFlood(workerData).then((r) => parentPort.postMessage(r));
}
