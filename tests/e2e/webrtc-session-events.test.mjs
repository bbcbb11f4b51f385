// DtlsConnectionStateChange, getDtlsConnectionState, MediaSessionStarted/Terminated and the
// transport / candidate-pair entries of getStats, as an application sees them: the real npm
// kurento-client drives a WebRtcEndpoint (loopback) that headless Chromium talks to, everything
// on 127.0.0.1 inside e2e's private network namespace. Runs on the default (lean) media path, and
// on webrtcbin in the e2e.webrtcbin ctest (PIPEWRIGHT_WEBRTC_TRANSPORT).

import { describe, it, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { startServer, sleep } from '../lib/server.mjs';
import { launchBrowser, waitFrames, closePeer } from '../lib/browser.mjs';
import { kurentoClient, cb, connectClient, closeClient, collect } from '../lib/kc.mjs';

const IceCandidate = kurentoClient.getComplexType('IceCandidate');

describe('WebRtcEndpoint session events through kurento-client', () => {
  let server, client, chromium, page;

  before(async () => {
    server = await startServer({ extraArgs: ['--ice-address', '127.0.0.1'] });
    [client] = await connectClient(server.url);
    chromium = await launchBrowser();
    page = chromium.page;
  });

  after(async () => {
    await chromium?.close();
    closeClient(client);
    await server?.stop();
  });

  it('DTLS NEW → CONNECTING → CONNECTED with the schema fields, then CLOSED and MediaSessionTerminated when the browser hangs up', { timeout: 90000 }, async () => {
    const [pipeline] = await cb((d) => client.create('MediaPipeline', d));
    try {
      const [ep] = await cb((d) => pipeline.create('WebRtcEndpoint', d));
      const dtls = collect(ep, 'DtlsConnectionStateChange');
      const started = collect(ep, 'MediaSessionStarted');
      const terminated = collect(ep, 'MediaSessionTerminated');
      const ice = collect(ep, 'IceComponentStateChanged');
      const candidates = collect(ep, 'IceCandidateFound');
      await cb((d) => ep.connect(ep, d));
      assert.deepEqual((await cb((d) => ep.getDtlsConnectionState(d)))[0], [], 'no DTLS connection before the negotiation');

      const offer = await page.evaluate(async () => {
        const pc = new RTCPeerConnection();
        const peer = { pc, localCandidates: [] };
        window.peers.pc = peer;
        pc.onicecandidate = (e) => { if (e.candidate) peer.localCandidates.push(e.candidate.toJSON()); };
        const stream = await navigator.mediaDevices.getUserMedia({ video: true, audio: false });
        for (const t of stream.getTracks()) pc.addTrack(t, stream);
        peer.stream = stream;
        await pc.setLocalDescription(await pc.createOffer());
        return pc.localDescription.sdp;
      });
      const [answer] = await cb((d) => ep.processOffer(offer, d));
      await page.evaluate((sdp) => window.peers.pc.pc.setRemoteDescription({ type: 'answer', sdp }), answer);
      await cb((d) => ep.gatherCandidates(d));
      let forwarded = 0, sent = 0, state = '';
      for (const deadline = Date.now() + 20000; Date.now() < deadline;) {
        for (; forwarded < candidates.events.length; forwarded++) {
          const c = candidates.events[forwarded].candidate;
          await page.evaluate((cand) => window.peers.pc.pc.addIceCandidate(cand), { candidate: c.candidate, sdpMid: c.sdpMid, sdpMLineIndex: c.sdpMLineIndex });
        }
        const local = await page.evaluate(() => window.peers.pc.localCandidates);
        for (; sent < local.length; sent++) await cb((d) => ep.addIceCandidate(new IceCandidate(local[sent]), d));
        state = await page.evaluate(() => window.peers.pc.pc.connectionState);
        if (state === 'connected' || state === 'failed') break;
        await sleep(150);
      }
      assert.equal(state, 'connected', 'the browser connected');
      assert.ok(await waitFrames(page, 'pc', 20, 15000) >= 20, 'the loopback video decodes in the browser');
      assert.equal(started.events.length, 1, 'MediaSessionStarted once');

      // The DTLS events: in order, the fields of Kurento's DtlsConnectionStateChange.
      for (let i = 0; i < 50 && !dtls.events.some((e) => e.state === 'CONNECTED'); i++) await sleep(100);
      const states = dtls.events.map((e) => e.state);
      assert.ok(states.includes('CONNECTED'), `DTLS reached CONNECTED (${states})`);
      assert.deepEqual(states.slice(0, states.indexOf('CONNECTED') + 1).filter((s) => s !== 'CONNECTING'), ['NEW', 'CONNECTED'],
        `NEW first, CONNECTED last (${states})`);
      for (const e of dtls.events) {
        assert.equal(e.type, 'DtlsConnectionStateChange');
        assert.equal(e.source, ep.id, 'source is the endpoint');
        assert.equal(e.streamId, '1');
        assert.equal(e.componentId, '1');
        assert.ok(typeof e.connectionId === 'string' && e.connectionId.length > 0, `connectionId ${e.connectionId}`);
        assert.equal(e.connectionId, dtls.events[0].connectionId, 'one connection');
      }
      const [connections] = await cb((d) => ep.getDtlsConnectionState(d));
      assert.equal(connections.length, 1, JSON.stringify(connections));
      assert.equal(connections[0].state, 'CONNECTED');
      assert.equal(connections[0].connectionId, dtls.events[0].connectionId);
      assert.equal(connections[0].streamId, '1');
      assert.equal(connections[0].componentId, '1');
      assert.equal(terminated.events.length, 0, 'no MediaSessionTerminated while connected');

      // getStats: the transport and the selected pair, linked by id, with the schema's fields.
      const [stats] = await cb((d) => ep.getStats(d));
      const all = Object.values(stats);
      const transport = all.find((s) => s.type === 'transport');
      const pair = all.find((s) => s.type === 'candidatepair');
      const inbound = all.find((s) => s.type === 'inboundrtp');
      if (process.env.PIPEWRIGHT_WEBRTC_TRANSPORT !== 'webrtcbin') {
        assert.ok(transport, `a transport entry (${all.map((s) => s.type)})`);
        for (const f of ['bytesSent', 'bytesReceived', 'rtcpTransportStatsId', 'activeConnection', 'selectedCandidatePairId', 'localCertificateId', 'remoteCertificateId']) {
          assert.ok(f in transport, `RTCTransportStats.${f} (${JSON.stringify(transport)})`);
        }
        assert.ok(transport.bytesSent > 10000 && transport.bytesReceived > 10000, JSON.stringify(transport));
        assert.equal(transport.activeConnection, true);
        assert.ok(pair, 'a candidatepair entry');
        assert.equal(transport.selectedCandidatePairId, pair.id);
        assert.equal(inbound.transportId, transport.id, 'the RTP entries name the transport');
        for (const f of ['transportId', 'localCandidateId', 'remoteCandidateId', 'state', 'priority', 'nominated', 'writable', 'readable',
          'bytesSent', 'bytesReceived', 'roundTripTime', 'availableOutgoingBitrate', 'availableIncomingBitrate']) {
          assert.ok(f in pair, `RTCIceCandidatePairStats.${f} (${JSON.stringify(pair)})`);
        }
        assert.equal(pair.transportId, transport.id);
        assert.equal(pair.state, 'succeeded');
        assert.ok(pair.priority > 0);
        const localCandidate = stats[pair.localCandidateId];
        const remoteCandidate = stats[pair.remoteCandidateId];
        assert.equal(localCandidate?.type, 'localcandidate');
        assert.equal(remoteCandidate?.type, 'remotecandidate');
        for (const c of [localCandidate, remoteCandidate]) {
          assert.equal(c.ipAddress, '127.0.0.1', JSON.stringify(c));
          assert.ok(c.portNumber > 0 && c.priority > 0, JSON.stringify(c));
          assert.ok(['host', 'serverreflexive', 'peerreflexive', 'relayed'].includes(c.candidateType), JSON.stringify(c));
          assert.ok(['udp', 'tcp'].includes(c.transport), JSON.stringify(c));
        }
      }

      // The browser hangs up: its DTLS close_notify ends the session (or, without it, ICE
      // consent freshness within 30 s).
      const hungUpAt = Date.now();
      await closePeer(page, 'pc');
      await terminated.next(45000);
      const endStates = dtls.events.map((e) => e.state);
      const iceStates = ice.events.map((e) => e.state);
      console.log(`# hang-up → MediaSessionTerminated after ${Date.now() - hungUpAt} ms; DTLS ${endStates}; ICE ${iceStates}`);
      assert.ok(endStates.at(-1) === 'CLOSED' || iceStates.at(-1) === 'FAILED', `the session ended by DTLS CLOSED or ICE FAILED (${endStates} / ${iceStates})`);
      await sleep(500);
      assert.equal(terminated.events.length, 1, 'MediaSessionTerminated once');
    } finally {
      await cb((d) => pipeline.release(d));
    }
  });
});
