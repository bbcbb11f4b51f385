// UDP garbage and a port scan on the media ports of a lean WebRtcEndpoint (webrtcTransport
// "lean"), with a Chromium hello-world loopback running: the session keeps flowing, the server
// keeps answering JSON-RPC, and it is alive at the end. Behaviour only: the CPU cost is measured
// by bench/udp-garbage.py, never asserted here. Every datagram goes to 127.0.0.1, inside the
// private network namespace of e2e/run-isolated.sh.

import { describe, it, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { startServer, rpcClient, sleep } from '../lib/server.mjs';
import { launchBrowser, negotiate, framesDecoded, waitFrames, closePeer } from '../lib/browser.mjs';
import dgram from 'node:dgram';
import crypto from 'node:crypto';
import { flood, udpPortsOf, stunBindingRequest, GARBAGE_KINDS } from '../lib/udp-garbage.mjs';

const FLOOD_PPS = 2000;
const FLOOD_SECONDS = 3;
const SCAN_SECONDS = 4; // every port 1024..65535 once: ~16,000 datagrams/s, nearly all to closed ports

describe('UDP garbage on the media ports (lean transport)', () => {
  let server, rpc, chromium, page;

  before(async () => {
    server = await startServer({ config: { webrtcTransport: 'lean' }, extraArgs: ['--ice-address', '127.0.0.1'] });
    rpc = await rpcClient(server.url);
    chromium = await launchBrowser();
    page = chromium.page;
  });

  after(async () => {
    await chromium?.close();
    rpc?.close();
    await server?.stop();
  });

  const value = (r) => { assert.ok(r.result, JSON.stringify(r.error)); return r.result.value; };

  // JSON-RPC round trip (ms) of a ping; a separate client, as another application would be.
  async function pingMs(client) {
    const t = Date.now();
    const r = await client.call('ping', { interval: 10000 }, { timeout: 5000 });
    assert.ok(r.result, `ping answered (${JSON.stringify(r.error)})`);
    return Date.now() - t;
  }

  async function inboundVideoPackets(ep) {
    const stats = Object.values(value(await rpc.call('invoke', { object: ep, operation: 'getStats', operationParams: { mediaType: 'VIDEO' } },
      { timeout: 5000 })));
    const inbound = stats.filter((s) => s.type === 'inboundrtp');
    assert.ok(inbound.length > 0, `getStats has inbound video (${JSON.stringify(stats).slice(0, 500)})`);
    return inbound.reduce((n, s) => n + (s.packetsReceived || 0), 0);
  }

  // What the browser's sender and receiver were doing, for a failure message.
  function browserVideoState(p) {
    return p.evaluate(async () => {
      const o = {};
      (await window.peers.pc.pc.getStats()).forEach((s) => {
        if (s.type === 'outbound-rtp' && s.kind === 'video') {
          Object.assign(o, { sentFps: s.framesPerSecond, width: s.frameWidth, limitedBy: s.qualityLimitationReason, targetBps: s.targetBitrate });
        }
        if (s.type === 'inbound-rtp' && s.kind === 'video') {
          Object.assign(o, { receivedFps: s.framesPerSecond, lost: s.packetsLost, nacks: s.nackCount, plis: s.pliCount, dropped: s.framesDropped });
        }
        if (s.type === 'candidate-pair' && s.nominated) Object.assign(o, { availableOutgoingBps: s.availableOutgoingBitrate });
      });
      return o;
    });
  }

  it('a loopback keeps decoding and the server keeps answering through random, STUN, DTLS, SRTP garbage and a port scan',
    { timeout: 150000 }, async () => {
      const pipeline = value(await rpc.call('create', { type: 'MediaPipeline' }));
      const ep = value(await rpc.call('create', { type: 'WebRtcEndpoint', constructorParams: { mediaPipeline: pipeline } }));
      // The browser's sender follows the REMB that the server relays from its own receiver: a loopback
      // whose receiver backs off when the flood steals CPU slows its sender down with it, for tens
      // of seconds (5 fps seen). The garbage is what is tested here, not congestion control: a
      // floor of 1 Mbit/s (minVideoSendBandwidth) keeps the browser's rate out of it.
      value(await rpc.call('invoke', { object: ep, operation: 'setMinVideoSendBandwidth', operationParams: { minVideoSendBandwidth: 1000 } }));
      value(await rpc.call('subscribe', { object: ep, type: 'NewCandidatePairSelected' }));
      const { answer } = await negotiate(page, rpc, ep, {
        afterAnswer: async () => { value(await rpc.call('invoke', { object: ep, operation: 'connect', operationParams: { sink: ep } })); },
      });
      const first = await waitFrames(page, 'pc', 30, 15000);
      assert.ok(first >= 30, `the browser decodes its own video back before any garbage (${first} frames)`);

      // The endpoint's media port(s): the server's UDP sockets, and the selected pair's port among them.
      const ports = Object.keys(udpPortsOf(server.proc.pid)).map(Number);
      assert.ok(ports.length > 0, 'the server holds UDP sockets on 127.0.0.1');
      const pair = (await rpc.waitEvent((e) => e.params.value.type === 'NewCandidatePairSelected', 10000)).params.value.data.candidatePair;
      const selectedPort = Number(/ 127\.0\.0\.1 (\d+) typ /.exec(pair.localCandidate)?.[1]);
      assert.ok(ports.includes(selectedPort), `the selected local candidate's port ${selectedPort} is among the server's UDP ports ${ports}`);
      const ufrag = /a=ice-ufrag:(\S+)/.exec(answer)?.[1];
      assert.ok(ufrag, 'the answer has an ICE ufrag');
      const ufrags = Object.fromEntries(ports.map((p) => [p, ufrag]));

      // A Binding request naming another ufrag is dropped unanswered (the kernel-side filter of
      // the lean transport); one with our ufrag and a wrong password still reaches ICE, which
      // answers it with an error. Sent in that order on one socket: once the second is answered,
      // an answer to the first would have come already.
      {
        const sock = dgram.createSocket('udp4');
        await new Promise((r) => sock.bind(0, '127.0.0.1', r));
        const replies = [];
        sock.on('message', (m) => replies.push(m));
        const stranger = stunBindingRequest('zzzzzzzz:abcd', crypto.randomBytes(16));
        const guesser = stunBindingRequest(`${ufrag}:abcd`, crypto.randomBytes(16));
        const tid = (m) => m.subarray(8, 20).toString('hex');
        sock.send(stranger, selectedPort, '127.0.0.1');
        await sleep(200);
        sock.send(guesser, selectedPort, '127.0.0.1');
        for (let i = 0; i < 50 && !replies.some((m) => tid(m) === tid(guesser)); i++) await sleep(100);
        sock.close();
        const answered = replies.find((m) => tid(m) === tid(guesser));
        assert.ok(answered, 'a Binding request with the endpoint\'s ufrag and a wrong password is answered');
        assert.equal(answered.readUInt16BE(0), 0x0111, 'with a Binding error response');
        assert.ok(!replies.some((m) => tid(m) === tid(stranger)), 'a Binding request naming another ufrag gets no answer');
      }

      const other = await rpcClient(server.url);
      try {
        const quietPing = await pingMs(other);
        let packets = await inboundVideoPackets(ep);
        for (const kind of GARBAGE_KINDS) {
          const seconds = kind === 'scan' ? SCAN_SECONDS : FLOOD_SECONDS;
          const pps = kind === 'scan' ? Math.ceil((65536 - 1024) / SCAN_SECONDS) : FLOOD_PPS;
          const framesBefore = await framesDecoded(page, 'pc');
          const sending = flood({ kind, ports, ufrags, pps, seconds });
          // During the flood: pings and getStats answered, frames and packets keep coming.
          const pings = [];
          await sleep(500);
          for (let i = 0; i < 4; i++) {
            pings.push(await pingMs(other));
            await sleep(400);
          }
          const packetsDuring = await inboundVideoPackets(ep);
          const framesDuring = await framesDecoded(page, 'pc');
          const sent = await sending;
          assert.ok(sent.sent > 0.5 * pps * seconds, `${kind}: the garbage was sent (${JSON.stringify(sent)})`);
          assert.ok(server.isRunning(), `${kind}: the server is alive`);
          assert.ok(Math.max(...pings) < 1000, `${kind}: pings answered promptly during the flood (${pings} ms; ${quietPing} ms without)`);
          const senderState = framesDuring >= framesBefore + 15 ? '' : JSON.stringify(await browserVideoState(page));
          assert.ok(framesDuring >= framesBefore + 15, `${kind}: frames keep decoding during the flood (${framesBefore} → ${framesDuring}; ${senderState})`);
          assert.ok(packetsDuring > packets, `${kind}: the endpoint keeps receiving RTP during the flood (${packets} → ${packetsDuring})`);
          packets = packetsDuring;
        }
        // After the garbage: the session still flows, the server still answers.
        const framesAfter = await framesDecoded(page, 'pc');
        await sleep(2000);
        const framesLater = await framesDecoded(page, 'pc');
        assert.ok(framesLater >= framesAfter + 20, `frames keep decoding after the garbage (${framesAfter} → ${framesLater})`);
        assert.ok(await inboundVideoPackets(ep) > packets, 'getStats still counts inbound video after the garbage');
        assert.ok(await pingMs(other) < 1000, 'ping answered after the garbage');
        const pc = await page.evaluate(() => window.peers.pc.pc.connectionState);
        assert.equal(pc, 'connected', 'the browser is still connected');
      } finally {
        await other.close();
      }
      await closePeer(page, 'pc');
      value(await rpc.call('release', { object: pipeline }));
      assert.ok(server.isRunning(), 'the server is alive at the end');
    });
});
