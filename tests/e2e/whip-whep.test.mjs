// WHIP ingest and WHEP playback on the control port (docs/whip-whep.md): the HTTP contract as a
// WHIP/WHEP client meets it (statuses, Location, ETag, trickle PATCH, DELETE, CORS, tokens),
// then media: a GStreamer webrtcbin peer publishes by WHIP into a recorder whose file must play,
// and a second peer plays it by WHEP and must receive RTP. Runs inside e2e's private network
// namespace (peers and server use 127.0.0.1 only).

import { describe, it, before, after } from 'node:test';
import assert from 'node:assert/strict';
import path from 'node:path';
import { startServer, rpcClient, sleep, tempDir, removeDir, discover } from '../lib/server.mjs';
import { rpcShortcuts } from '../lib/kms.mjs';
import { startWebrtcbinPeer } from '../lib/webrtcbin-peer.mjs';

const TOKEN = 'whip-secret-token';

/** An SDP offer that no codec of ours matches (PCMU audio only). */
const PCMU_OFFER = [
  'v=0', 'o=- 1 1 IN IP4 127.0.0.1', 's=-', 't=0 0', 'a=group:BUNDLE 0',
  'm=audio 9 UDP/TLS/RTP/SAVPF 0', 'c=IN IP4 0.0.0.0', 'a=rtcp-mux', 'a=mid:0', 'a=sendonly',
  'a=ice-ufrag:abcd', 'a=ice-pwd:abcdefghijklmnopqrstuvwx',
  'a=fingerprint:sha-256 00:11:22:33:44:55:66:77:88:99:AA:BB:CC:DD:EE:FF:00:11:22:33:44:55:66:77:88:99:AA:BB:CC:DD:EE:FF',
  'a=setup:actpass', 'a=rtpmap:0 PCMU/8000', '',
].join('\r\n');

async function http(url, { method = 'GET', headers = {}, body } = {}) {
  const res = await fetch(url, { method, headers, body });
  return { status: res.status, headers: res.headers, text: await res.text() };
}

const sdpHeaders = (token = TOKEN) => ({ 'Content-Type': 'application/sdp', Authorization: `Bearer ${token}` });

/** Sends the peer's trickled candidates to the session until the peer connects (or times out). */
async function trickleUntilConnected(peer, offer, sessionUrl, etag, timeoutMs = 20000) {
  const mids = [...offer.matchAll(/^a=mid:(\S+)/gm)].map((m) => m[1]);
  let sent = 0;
  const deadline = Date.now() + timeoutMs;
  while (Date.now() < deadline && !peer.connected) {
    const fresh = peer.candidates.slice(sent);
    if (fresh.length > 0) {
      sent += fresh.length;
      const frag = fresh.map((c) => `a=mid:${mids[c.sdpMLineIndex] ?? mids[0]}\r\na=${c.candidate}\r\n`).join('');
      const r = await http(sessionUrl, {
        method: 'PATCH',
        headers: { 'Content-Type': 'application/trickle-ice-sdpfrag', Authorization: `Bearer ${TOKEN}`, 'If-Match': etag },
        body: frag,
      });
      assert.equal(r.status, 204, `PATCH trickle: ${r.status} ${r.text}`);
    }
    await sleep(100);
  }
  assert.ok(peer.connected, `the peer connected (stderr: ${peer.stderrText().slice(-1500)})`);
}

describe('WHIP and WHEP on the control port', () => {
  let server, rpc, media;
  let value, create, invoke;
  const peers = [];

  before(async () => {
    media = await tempDir('pipewright-whip-');
    server = await startServer({ mediaFolders: [media], extraArgs: ['--ice-address', '127.0.0.1'] });
    rpc = await rpcClient(server.url, { timeoutMs: 20000 });
    ({ value, create, invoke } = rpcShortcuts(rpc));
  });
  after(async () => {
    for (const p of peers) await p.stop();
    rpc?.close();
    await server?.stop();
    await removeDir(media);
  });

  const events = (object, type) => rpc.events.map((e) => e.params.value).filter((v) => v.object === object && v.type === type);

  it('follows the WHIP contract and records what a publisher sends', { timeout: 90000 }, async () => {
    const pipeline = await create('MediaPipeline');
    const whip = await create('WhipEndpoint', { mediaPipeline: pipeline, token: TOKEN });
    const url = value(await invoke(whip, 'getUrl'), 'getUrl');
    const base = server.url.replace(/^ws/, 'http').replace(/\/kurento$/, '');
    assert.match(url, new RegExp(`^${base}/whip/[A-Za-z0-9]{24}$`), `url ${url}`);
    for (const type of ['PeerConnected', 'PeerDisconnected']) value(await rpc.call('subscribe', { object: whip, type }), type);
    const file = path.join(media, 'whip.webm');
    const recorder = await create('RecorderEndpoint', { mediaPipeline: pipeline, uri: `file://${file}` });
    value(await rpc.call('subscribe', { object: recorder, type: 'Recording' }));
    value(await invoke(whip, 'connect', { sink: recorder }));
    const baseline = value(await invoke(pipeline, 'getChildren')).length;

    // CORS preflight, then every refusal.
    const options = await http(url, { method: 'OPTIONS', headers: { Origin: 'https://example.com' } });
    assert.equal(options.status, 204);
    assert.equal(options.headers.get('access-control-allow-origin'), '*');
    assert.match(options.headers.get('access-control-allow-headers') || '', /Authorization/);
    assert.equal(options.headers.get('accept-post'), 'application/sdp');
    const noToken = await http(url, { method: 'POST', headers: { 'Content-Type': 'application/sdp' }, body: PCMU_OFFER });
    assert.equal(noToken.status, 401, noToken.text);
    assert.equal(noToken.headers.get('www-authenticate'), 'Bearer');
    const wrongToken = await http(url, { method: 'POST', headers: sdpHeaders('nope'), body: PCMU_OFFER });
    assert.equal(wrongToken.status, 401, wrongToken.text);
    const wrongType = await http(url, { method: 'POST', headers: { ...sdpHeaders(), 'Content-Type': 'text/plain' }, body: PCMU_OFFER });
    assert.equal(wrongType.status, 415, wrongType.text);
    const garbage = await http(url, { method: 'POST', headers: sdpHeaders(), body: 'v=0\r\nthis is not SDP\r\n' });
    assert.equal(garbage.status, 400, garbage.text);
    const noCodec = await http(url, { method: 'POST', headers: sdpHeaders(), body: PCMU_OFFER });
    assert.equal(noCodec.status, 406, noCodec.text);
    assert.match(noCodec.text, /codec/i);
    const get = await http(url, { headers: { Authorization: `Bearer ${TOKEN}` } });
    assert.equal(get.status, 405, get.text);
    assert.equal((await http(`${base}/whip/notakey`, { method: 'POST', headers: sdpHeaders(), body: PCMU_OFFER })).status, 404);
    assert.equal(value(await invoke(pipeline, 'getChildren')).length, baseline, 'refused offers leave no object behind');

    // A real publisher.
    const peer = startWebrtcbinPeer();
    peers.push(peer);
    const offer = await peer.offer;
    const created = await http(url, { method: 'POST', headers: sdpHeaders(), body: offer });
    assert.equal(created.status, 201, created.text);
    assert.equal(created.headers.get('content-type'), 'application/sdp');
    const location = created.headers.get('location');
    assert.match(location, /^\/whip\/[A-Za-z0-9]{24}\/[A-Za-z0-9]{24}$/, `Location ${location}`);
    const etag = created.headers.get('etag');
    assert.match(etag, /^"[A-Za-z0-9]+"$/, `ETag ${etag}`);
    assert.match(created.text, /^a=candidate:/m, 'the answer carries the server candidates');
    assert.match(created.text, /^a=recvonly/m, 'WHIP answers receive-only');
    assert.match(created.text, /^a=end-of-candidates/m, 'gathering finished before the answer');
    const sessionUrl = new URL(location, url).toString();

    const second = await http(url, { method: 'POST', headers: sdpHeaders(), body: offer });
    assert.equal(second.status, 409, `a second publisher: ${second.text}`);
    const staleTag = await http(sessionUrl, {
      method: 'PATCH',
      headers: { 'Content-Type': 'application/trickle-ice-sdpfrag', Authorization: `Bearer ${TOKEN}`, 'If-Match': '"stale"' },
      body: 'a=mid:video0\r\n',
    });
    assert.equal(staleTag.status, 412, staleTag.text);

    peer.setAnswer(created.text);
    await trickleUntilConnected(peer, offer, sessionUrl, etag);
    const joined = events(whip, 'PeerConnected');
    assert.equal(joined.length, 1, 'PeerConnected raised once');
    assert.equal(joined[0].data.session, location.split('/').pop());
    assert.match(joined[0].data.remoteAddress, /^127\.0\.0\.1:\d+$/);
    assert.equal(value(await invoke(whip, 'getSessionCount')), 1);
    const sessionEndpoint = joined[0].data.endpoint;
    assert.ok(value(await invoke(pipeline, 'getChildren')).includes(sessionEndpoint), 'the session endpoint is in the pipeline');

    value(await invoke(recorder, 'record'));
    const deadline = Date.now() + 20000;
    while (Date.now() < deadline && events(recorder, 'Recording').length === 0) await sleep(100);
    assert.ok(events(recorder, 'Recording').length > 0, 'the recorder got media from the WHIP publisher');
    await sleep(3000);
    value(await invoke(recorder, 'stopAndWait'));
    const info = await discover(file);
    assert.ok(info.videoCodecs.map((c) => c.toLowerCase()).includes('vp8'), `the recording has the publisher's VP8, not re-encoded: ${JSON.stringify(info.videoCodecs)} ${info.raw.slice(0, 1500)}`);
    assert.ok(info.durationSec > 1.5, `the recording plays ${info.durationSec} s`);

    const deleted = await http(sessionUrl, { method: 'DELETE', headers: { Authorization: `Bearer ${TOKEN}` } });
    assert.equal(deleted.status, 200, deleted.text);
    assert.equal(value(await invoke(pipeline, 'getChildren')).length, baseline, 'DELETE released the session endpoint');
    assert.equal(value(await invoke(whip, 'getSessionCount')), 0);
    const left = events(whip, 'PeerDisconnected');
    assert.equal(left.length, 1, 'PeerDisconnected raised once');
    assert.equal(left[0].data.reason, 'deleted');
    assert.equal(left[0].data.endpoint, sessionEndpoint);
    const again = await http(sessionUrl, { method: 'DELETE', headers: { Authorization: `Bearer ${TOKEN}` } });
    assert.equal(again.status, 404, again.text);

    value(await rpc.call('release', { object: pipeline }));
    const gone = await http(url, { method: 'POST', headers: sdpHeaders(), body: offer });
    assert.equal(gone.status, 404, 'a released element has no resource');
  });

  it('relays and records H.264 from a publisher (what OBS sends) without transcoding', { timeout: 90000 }, async () => {
    const pipeline = await create('MediaPipeline');
    const whip = await create('WhipEndpoint', { mediaPipeline: pipeline, token: TOKEN });
    const whep = await create('WhepEndpoint', { mediaPipeline: pipeline, token: TOKEN });
    const file = path.join(media, 'whip-h264.mkv');
    const recorder = await create('RecorderEndpoint', { mediaPipeline: pipeline, uri: `file://${file}`, mediaProfile: 'MKV' });
    value(await invoke(whip, 'connect', { sink: recorder }));
    value(await invoke(whip, 'connect', { sink: whep }));
    for (const object of [whip, whep, recorder]) {
      value(await rpc.call('subscribe', { object, type: 'MediaTranscodingStateChanged' }));
    }
    value(await rpc.call('subscribe', { object: recorder, type: 'Recording' }));

    const publisher = startWebrtcbinPeer({ video: 'h264' });
    peers.push(publisher);
    const pubOffer = await publisher.offer;
    const published = await http(value(await invoke(whip, 'getUrl')), { method: 'POST', headers: sdpHeaders(), body: pubOffer });
    assert.equal(published.status, 201, published.text);
    assert.match(published.text, /^a=rtpmap:\d+ H264\/90000/m, 'H.264 is accepted');
    publisher.setAnswer(published.text);
    const whipUrl = value(await invoke(whip, 'getUrl'));
    await trickleUntilConnected(publisher, pubOffer, new URL(published.headers.get('location'), whipUrl).toString(),
      published.headers.get('etag'));
    value(await invoke(recorder, 'record'));

    const viewer = startWebrtcbinPeer({ video: 'h264' });
    peers.push(viewer);
    const viewOffer = await viewer.offer;
    const whepUrl = value(await invoke(whep, 'getUrl'));
    const watched = await http(whepUrl, { method: 'POST', headers: sdpHeaders(), body: viewOffer });
    assert.equal(watched.status, 201, watched.text);
    viewer.setAnswer(watched.text);
    await trickleUntilConnected(viewer, viewOffer, new URL(watched.headers.get('location'), whepUrl).toString(),
      watched.headers.get('etag'));
    const deadline = Date.now() + 20000;
    while (Date.now() < deadline && (viewer.stats.videoPackets < 30 || events(recorder, 'Recording').length === 0)) await sleep(200);
    assert.ok(viewer.stats.videoPackets >= 30, `the WHEP viewer receives the H.264 video: ${JSON.stringify(viewer.stats)}`);
    assert.ok(events(recorder, 'Recording').length > 0, 'the recorder got media');
    await sleep(2500);
    value(await invoke(recorder, 'stopAndWait'));
    const info = await discover(file);
    assert.ok(info.videoCodecs.some((c) => /h\.?264/i.test(c)), `the recording holds the publisher's H.264: ${JSON.stringify(info.videoCodecs)}`);
    assert.match(info.raw, /width=\(int\)160/, 'at the publisher\'s size');
    const transcoding = rpc.events.map((e) => e.params.value)
      .filter((v) => v.type === 'MediaTranscodingStateChanged' && v.data.state === 'TRANSCODING' && [whip, whep, recorder].includes(v.object));
    assert.deepEqual(transcoding, [], 'nothing was re-encoded');
    value(await rpc.call('release', { object: pipeline }));
  });

  it('a session whose endpoint a client released frees its place', { timeout: 60000 }, async () => {
    const pipeline = await create('MediaPipeline');
    const whip = await create('WhipEndpoint', { mediaPipeline: pipeline });
    const url = value(await invoke(whip, 'getUrl'));
    for (const type of ['PeerConnected', 'PeerDisconnected']) value(await rpc.call('subscribe', { object: whip, type }));
    const peer = startWebrtcbinPeer();
    peers.push(peer);
    const offer = await peer.offer;
    const first = await http(url, { method: 'POST', headers: { 'Content-Type': 'application/sdp' }, body: offer });
    assert.equal(first.status, 201, first.text);
    assert.equal((await http(url, { method: 'POST', headers: { 'Content-Type': 'application/sdp' }, body: offer })).status, 409);
    const endpoint = events(whip, 'PeerConnected')[0].data.endpoint;
    value(await rpc.call('release', { object: endpoint }));
    const again = await http(url, { method: 'POST', headers: { 'Content-Type': 'application/sdp' }, body: offer });
    assert.equal(again.status, 201, `the released session no longer holds the publisher place: ${again.text}`);
    const left = events(whip, 'PeerDisconnected');
    assert.equal(left.length, 1);
    assert.equal(left[0].data.reason, 'released');
    assert.equal(left[0].data.endpoint, endpoint);
    value(await rpc.call('release', { object: pipeline }));
  });

  it('announces its STUN and TURN servers in Link headers', async () => {
    const pipeline = await create('MediaPipeline');
    const whep = await create('WhepEndpoint', {
      mediaPipeline: pipeline, token: TOKEN, stunServerAddress: '127.0.0.1', stunServerPort: 3479, turnUrl: 'alice:s3cret@127.0.0.1:3480',
    });
    const url = value(await invoke(whep, 'getUrl'));
    const anonymous = await http(url, { method: 'OPTIONS' });
    assert.equal(anonymous.status, 204);
    assert.equal(anonymous.headers.get('link'), null, 'no TURN credentials without the token');
    const options = await http(url, { method: 'OPTIONS', headers: { Authorization: `Bearer ${TOKEN}` } });
    const links = options.headers.get('link') || '';
    assert.match(links, /<stun:127\.0\.0\.1:3479>; rel="ice-server"/, links);
    assert.match(links, /<turn:127\.0\.0\.1:3480>; rel="ice-server"; username="alice"; credential="s3cret"; credential-type="password"/, links);
    const bad = await rpc.call('create', { type: 'WhipEndpoint', constructorParams: { mediaPipeline: pipeline, turnUrl: 'no-credentials' } });
    assert.ok(bad.error, 'a malformed turnUrl is refused');
    value(await rpc.call('release', { object: pipeline }));
  });

  it('plays a WHIP publisher to WHEP viewers, and refuses viewers past maxViewers with 503', { timeout: 90000 }, async () => {
    const pipeline = await create('MediaPipeline');
    const whip = await create('WhipEndpoint', { mediaPipeline: pipeline, token: TOKEN });
    const whep = await create('WhepEndpoint', { mediaPipeline: pipeline, token: TOKEN, maxViewers: 1 });
    value(await invoke(whip, 'connect', { sink: whep }));
    const whipUrl = value(await invoke(whip, 'getUrl'));
    const whepUrl = value(await invoke(whep, 'getUrl'));
    assert.match(whepUrl, /\/whep\/[A-Za-z0-9]{24}$/);
    assert.equal((await http(whepUrl.replace('/whep/', '/whip/'), { method: 'POST', headers: sdpHeaders(), body: PCMU_OFFER })).status, 404,
      'a WHEP key is not a WHIP resource');

    const publisher = startWebrtcbinPeer();
    peers.push(publisher);
    const pubOffer = await publisher.offer;
    const published = await http(whipUrl, { method: 'POST', headers: sdpHeaders(), body: pubOffer });
    assert.equal(published.status, 201, published.text);
    publisher.setAnswer(published.text);
    await trickleUntilConnected(publisher, pubOffer, new URL(published.headers.get('location'), whipUrl).toString(),
      published.headers.get('etag'));

    const viewer = startWebrtcbinPeer();
    peers.push(viewer);
    const viewOffer = await viewer.offer;
    const watched = await http(whepUrl, { method: 'POST', headers: sdpHeaders(), body: viewOffer });
    assert.equal(watched.status, 201, watched.text);
    assert.match(watched.text, /^a=sendonly/m, 'WHEP answers send-only');
    viewer.setAnswer(watched.text);
    await trickleUntilConnected(viewer, viewOffer, new URL(watched.headers.get('location'), whepUrl).toString(),
      watched.headers.get('etag'));
    const deadline = Date.now() + 20000;
    while (Date.now() < deadline && viewer.stats.videoPackets < 30) await sleep(200);
    assert.ok(viewer.stats.videoPackets >= 30, `the WHEP viewer receives video: ${JSON.stringify(viewer.stats)}`);

    const full = await http(whepUrl, { method: 'POST', headers: sdpHeaders(), body: viewOffer });
    assert.equal(full.status, 503, full.text);
    assert.equal(full.headers.get('retry-after'), '10');

    // A viewer that vanishes without DELETE: its session ends by itself and frees the place.
    value(await rpc.call('subscribe', { object: whep, type: 'PeerDisconnected' }));
    const started = Date.now();
    await viewer.stop();
    const gone = Date.now() + 60000;
    while (Date.now() < gone && value(await invoke(whep, 'getSessionCount')) > 0) await sleep(500);
    assert.equal(value(await invoke(whep, 'getSessionCount')), 0, 'the vanished viewer\'s session ended');
    const left = events(whep, 'PeerDisconnected');
    assert.equal(left.length, 1);
    assert.ok(['disconnected', 'ice-failed'].includes(left[0].data.reason), `reason ${left[0].data.reason}`);
    console.log(`# a vanished WHEP viewer was dropped after ${Date.now() - started} ms (${left[0].data.reason})`);
    value(await rpc.call('release', { object: pipeline }));
  });
});
