// server.mjs: application server of the RTP sender sample.
//
//   node server.mjs [ws://127.0.0.1:8888/kurento] [http port, default 8080]
//
// Serves index.html on http://127.0.0.1:<port>/ and talks to the page over ws://…/signal.
// For each page that presses Start it builds
//
//   send.sh ──RTP/UDP──▶ RtpEndpoint ──▶ WebRtcEndpoint ──WebRTC──▶ the page
//
// and tells the page which UDP ports send.sh must send to.
// SENDER_HOST (default 127.0.0.1) is the address send.sh runs on; it goes into the offer
// that describes send.sh to the RtpEndpoint.

import fs from 'node:fs';
import http from 'node:http';
import kurento from 'kurento-client';
import { WebSocketServer } from 'ws';

const kurentoUrl = process.argv[2] || 'ws://127.0.0.1:8888/kurento';
const httpPort = Number(process.argv[3] ?? 8080);
const senderHost = process.env.SENDER_HOST || '127.0.0.1';
const page = fs.readFileSync(new URL('./index.html', import.meta.url));

// The SDP offer that stands for send.sh: it only sends (a=sendonly), VP8 as payload type 96
// and Opus as 111, exactly what send.sh's payloaders put in the packets. 5004 and 5006 are
// send.sh's own ports in this description; Pipewright sends its RTCP receiver reports to the
// next ports up (5005, 5007). send.sh does not listen there, so the reports are lost, harmlessly.
function senderOffer() {
  const ip = senderHost.includes(':') ? 'IP6' : 'IP4';
  return [
    'v=0',
    `o=- ${Date.now()} 1 IN ${ip} ${senderHost}`,
    's=send.sh',
    `c=IN ${ip} ${senderHost}`,
    't=0 0',
    'm=video 5004 RTP/AVP 96',
    'a=rtpmap:96 VP8/90000',
    'a=sendonly',
    'm=audio 5006 RTP/AVP 111',
    'a=rtpmap:111 OPUS/48000/2',
    'a=sendonly',
    '',
  ].join('\r\n');
}

// Where the RtpEndpoint listens, read from its answer: the c= address and the m= ports.
function receivePorts(answer) {
  const host = /^c=IN IP[46] (\S+)/m.exec(answer)?.[1];
  const ports = {};
  for (const [, kind, port] of answer.matchAll(/^m=(audio|video) (\d+) /gm)) ports[kind] = Number(port);
  if (!host || !ports.video || !ports.audio) throw new Error(`unexpected answer from the RtpEndpoint:\n${answer}`);
  return { host, video: ports.video, audio: ports.audio };
}

// One connection to Pipewright, shared by every page.
let clientReady = null;
function getKurento() {
  if (!clientReady) {
    const client = kurento(kurentoUrl, { failAfter: 3 });
    // Without a listener, kurento-client 7.3.0 ends the whole process when Pipewright cannot
    // be reached; with one, the connection fails after three attempts and Start reports it.
    client._re?.on('error', (error) => console.error(`media server ${kurentoUrl}: ${error.message}`));
    client.on('disconnect', () => { clientReady = null; });   // Pipewright went away: reconnect next time
    clientReady = Promise.resolve(client);
    clientReady.catch(() => { clientReady = null; });   // try again next time
  }
  return clientReady;
}

// kurento-client 7.3.0 resolves a failed call's promise with undefined; the callback form
// reports the error, which matters for processOffer.
function processOffer(endpoint, offer) {
  return new Promise((resolve, reject) =>
    endpoint.processOffer(offer, (error, answer) => (error ? reject(error) : resolve(answer))));
}

function send(ws, message) {
  if (ws.readyState === ws.OPEN) ws.send(JSON.stringify(message));
}

async function start(session, browserOffer) {
  const client = await getKurento();
  session.pipeline = await client.create('MediaPipeline');
  if (session.closed) return stop(session);
  const rtp = await session.pipeline.create('RtpEndpoint');
  const webRtc = await session.pipeline.create('WebRtcEndpoint', { sendonly: true });
  session.webRtc = webRtc;

  // Subscribe before anything can raise these events.
  rtp.on('MediaFlowOutStateChanged', (e) => {
    console.log(`from send.sh, ${e.mediaType}: ${e.state}`);
    send(session.ws, { id: 'flow', mediaType: e.mediaType, state: e.state });
  });
  rtp.on('Error', (e) => console.error(`RtpEndpoint error ${e.type}: ${e.description}`));
  webRtc.on('IceCandidateFound', (e) => {
    const c = e.candidate;
    send(session.ws, { id: 'iceCandidate', candidate: { candidate: c.candidate, sdpMid: c.sdpMid, sdpMLineIndex: c.sdpMLineIndex } });
  });
  webRtc.on('ConnectionStateChanged', (e) => console.log(`browser connection: ${e.newState}`));
  webRtc.on('MediaFlowInStateChanged', (e) => console.log(`to the browser, ${e.mediaType}: ${e.state}`));
  webRtc.on('Error', (e) => console.error(`WebRtcEndpoint error ${e.type}: ${e.description}`));

  // What the RtpEndpoint receives from send.sh goes to the browser, still encoded.
  await rtp.connect(webRtc);

  // The RTP side: describe send.sh, get the ports it must send to.
  const ports = receivePorts(await processOffer(rtp, senderOffer()));
  console.log(`send.sh may start: ./send.sh ${ports.video} ${ports.audio}` +
    (ports.host === '127.0.0.1' ? '' : `   (with RTP_HOST=${ports.host})`));

  // The WebRTC side: the browser offered, Pipewright answers; then candidates both ways.
  for (const candidate of session.pendingCandidates.splice(0)) {
    await webRtc.addIceCandidate(kurento.getComplexType('IceCandidate')(candidate));
  }
  const answer = await processOffer(webRtc, browserOffer);
  send(session.ws, { id: 'startResponse', sdpAnswer: answer, ports });
  await webRtc.gatherCandidates();
}

function stop(session) {
  if (session.pipeline) session.pipeline.release();   // releases both endpoints
  session.pipeline = null;
  session.webRtc = null;
}

const server = http.createServer((req, res) => {
  if (req.url === '/' || req.url === '/index.html') {
    res.writeHead(200, { 'content-type': 'text/html; charset=utf-8' });
    res.end(page);
  } else {
    res.writeHead(404).end();
  }
});

new WebSocketServer({ server, path: '/signal' }).on('connection', (ws) => {
  const session = { ws, pipeline: null, webRtc: null, pendingCandidates: [], closed: false };
  ws.on('message', (data) => {
    let message;
    try {
      message = JSON.parse(data);
    } catch {
      return;
    }
    switch (message.id) {
      case 'start':
        stop(session);
        session.pendingCandidates = [];
        start(session, message.sdpOffer).catch((error) => {
          console.error('start failed:', error.message || error);
          send(ws, { id: 'error', message: String(error.message || error) });
          stop(session);
        });
        break;
      case 'iceCandidate':
        if (session.webRtc) session.webRtc.addIceCandidate(kurento.getComplexType('IceCandidate')(message.candidate));
        else session.pendingCandidates.push(message.candidate);
        break;
      case 'stop':
        stop(session);
        break;
    }
  });
  ws.on('close', () => {
    session.closed = true;
    stop(session);
  });
});

server.listen(httpPort, '127.0.0.1', () => {
  console.log(`open http://127.0.0.1:${server.address().port}/ (media server: ${kurentoUrl})`);
});
