// Legacy and partial offers (issue 12, item 4), as a client sends them: exact SDP over the
// JSON-RPC WebSocket. RFC 3264: every m-line is answered, an unusable one with port 0 (same
// media type and protocol, one of the offered formats); the offer fails (40205) only when no
// m-line is usable. H.264 without fmtp is packetization-mode 0 (RFC 6184), answered as such;
// profile-level-id: the answer keeps the offered profile and level. Both WebRtcEndpoint paths
// (lean, webrtcbin) answer H.264 parameters the same way. No media flows here (see
// tests/clients/rtp-endpoint.test.mjs for an H.264 mode-0 stream).
import { describe, it, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { startServer, rpcClient } from '../lib/server.mjs';
import { rpcShortcuts } from '../lib/kms.mjs';

const sdp = (...lines) => ['v=0', 'o=- 0 0 IN IP4 127.0.0.1', 's=legacy', 'c=IN IP4 127.0.0.1', 't=0 0', ...lines, ''].join('\r\n');

// The offer of the issue: H.264 (no fmtp), MP4V-ES and H263-1998 on one video line.
const LEGACY = sdp('m=video 40000 RTP/AVP 96 97 98', 'a=rtpmap:96 H264/90000', 'a=rtpmap:97 MP4V-ES/90000',
  'a=rtpmap:98 H263-1998/90000');

const mLines = (answer) => answer.split('\r\n').filter((l) => l.startsWith('m='));
// The lines of the section that starts with m-line number `i`.
const section = (answer, i) => {
  const parts = answer.split(/\r\n(?=m=)/);
  return parts[i + 1].split('\r\n').filter(Boolean);
};

describe('RtpEndpoint: legacy and partial offers (RFC 3264)', () => {
  let server, rpc, value, create, invoke, pipeline;
  before(async () => {
    server = await startServer({ extraArgs: ['--ice-address', '127.0.0.1'] });
    rpc = await rpcClient(server.url);
    ({ value, create, invoke } = rpcShortcuts(rpc));
    pipeline = await create('MediaPipeline');
  });
  after(async () => {
    rpc?.close();
    await server?.stop();
  });

  const answerTo = async (offer) => {
    const rtp = await create('RtpEndpoint', { mediaPipeline: pipeline });
    return invoke(rtp, 'processOffer', { offer });
  };

  it('H.264 without fmtp, MP4V-ES, H263-1998: only H.264 is answered, in packetization-mode 0 (no fmtp)', async () => {
    const answer = value(await answerTo(LEGACY), 'processOffer');
    const m = mLines(answer);
    assert.equal(m.length, 1, answer);
    assert.match(m[0], /^m=video [1-9]\d* RTP\/AVP 96$/, answer);
    const lines = section(answer, 0);
    assert.ok(lines.includes('a=rtpmap:96 H264/90000'), answer);
    assert.ok(!lines.some((l) => l.startsWith('a=fmtp:')), `no fmtp: mode 0 as offered\n${answer}`);
    assert.ok(!/MP4V-ES|H263/.test(answer), answer);
    assert.ok(lines.includes('a=sendrecv'), answer);
    assert.match(answer, /^c=IN IP4 127\.0\.0\.1$/m);
  });

  it('65 m-lines, or 1000 formats on one: 40201, the offer is larger than any client sends', async () => {
    const many = sdp(...Array.from({ length: 65 }, (_, i) => [`m=video ${40000 + 2 * i} RTP/AVP 96`, 'a=rtpmap:96 VP8/90000']).flat());
    const rtp = await create('RtpEndpoint', { mediaPipeline: pipeline });
    const r = await invoke(rtp, 'processOffer', { offer: many });
    assert.equal(r.error?.code, 40201, JSON.stringify(r));
    assert.match(r.error.message, /65 m-lines/);
    const wide = sdp(`m=video 40000 RTP/AVP ${Array(1000).fill(97).join(' ')}`, 'a=rtpmap:97 VP8/90000');
    const r2 = await answerTo(wide);
    assert.equal(r2.error?.code, 40201, JSON.stringify(r2));
    assert.match(r2.error.message, /m-line 0 has 1000 formats/);
  });

  it('the same offer without H.264: 40205, nothing is usable', async () => {
    const r = await answerTo(sdp('m=video 40000 RTP/AVP 97 98', 'a=rtpmap:97 MP4V-ES/90000', 'a=rtpmap:98 H263-1998/90000'));
    assert.equal(r.error?.code, 40205, JSON.stringify(r));
    assert.match(r.error.message, /packetization-mode 0 or 1/);
  });

  it('audio (PCMU, PCMA) and video (VP8): audio rejected with port 0 and an offered format, video answered', async () => {
    const answer = value(await answerTo(sdp(
      'm=audio 40002 RTP/AVP 0 8', 'a=rtpmap:0 PCMU/8000', 'a=rtpmap:8 PCMA/8000', 'a=sendonly',
      'm=video 40000 RTP/AVP 100', 'a=rtpmap:100 VP8/90000', 'a=sendonly')), 'processOffer');
    const m = mLines(answer);
    assert.deepEqual(m.length, 2, answer);
    assert.equal(m[0], 'm=audio 0 RTP/AVP 0', answer);
    assert.ok(!section(answer, 0).some((l) => l.startsWith('a=rtpmap')), answer);
    assert.match(m[1], /^m=video [1-9]\d* RTP\/AVP 100$/);
    assert.ok(section(answer, 1).includes('a=rtpmap:100 VP8/90000'));
    assert.ok(section(answer, 1).includes('a=recvonly'));
  });

  it('audio (Opus) and the legacy video without H.264: audio answered, video rejected', async () => {
    const answer = value(await answerTo(sdp(
      'm=audio 40002 RTP/AVP 0 111', 'a=rtpmap:0 PCMU/8000', 'a=rtpmap:111 opus/48000/2', 'a=fmtp:111 useinbandfec=1',
      'm=video 40000 RTP/AVP 97 98', 'a=rtpmap:97 MP4V-ES/90000', 'a=fmtp:97 profile-level-id=3', 'a=rtpmap:98 H263-1998/90000')),
    'processOffer');
    const m = mLines(answer);
    assert.match(m[0], /^m=audio [1-9]\d* RTP\/AVP 111$/, answer);
    assert.ok(section(answer, 0).includes('a=rtpmap:111 opus/48000/2'), answer);
    assert.ok(section(answer, 0).includes('a=fmtp:111 useinbandfec=1'), answer);
    assert.equal(m[1], 'm=video 0 RTP/AVP 97', answer);
    assert.ok(!/MP4V-ES|H263|PCMU/.test(answer), answer);
  });

  it('nothing usable in any m-line (PCMU audio, MP4V-ES video, a text line): 40205', async () => {
    const r = await answerTo(sdp(
      'm=audio 40002 RTP/AVP 0', 'a=rtpmap:0 PCMU/8000',
      'm=video 40000 RTP/AVP 97', 'a=rtpmap:97 MP4V-ES/90000',
      'm=text 40004 RTP/AVP 98', 'a=rtpmap:98 t140/1000'));
    assert.equal(r.error?.code, 40205, JSON.stringify(r));
  });

  it('a text line beside usable video: answered with port 0, its media type and protocol kept', async () => {
    const answer = value(await answerTo(sdp(
      'm=text 40004 RTP/AVP 98', 'a=rtpmap:98 t140/1000',
      'm=video 40000 RTP/AVP 96', 'a=rtpmap:96 H264/90000', 'a=fmtp:96 packetization-mode=1;profile-level-id=42e01f')), 'processOffer');
    const m = mLines(answer);
    assert.equal(m[0], 'm=text 0 RTP/AVP 98', answer);
    assert.match(m[1], /^m=video [1-9]\d* RTP\/AVP 96$/);
    assert.ok(section(answer, 1).includes('a=fmtp:96 packetization-mode=1;profile-level-id=42e01f'), answer);
  });

  it('H.264 profile-level-id (RFC 6184): High and mode 2 are passed over, the answer keeps the offered profile and level', async () => {
    const answer = value(await answerTo(sdp(
      'm=video 40000 RTP/AVP 100 101 102', 'a=rtpmap:100 H264/90000', 'a=fmtp:100 packetization-mode=1;profile-level-id=640c1f',
      'a=rtpmap:101 H264/90000', 'a=fmtp:101 packetization-mode=2;profile-level-id=42e01f',
      'a=rtpmap:102 H264/90000',
      'a=fmtp:102 packetization-mode=0;profile-level-id=42E00D;sprop-parameter-sets=Z0LgH5ZUBQHsgA==,aM4NiA==;max-mbps=11880')),
    'processOffer');
    assert.match(mLines(answer)[0], /^m=video [1-9]\d* RTP\/AVP 102$/, answer);
    assert.ok(section(answer, 0).includes('a=fmtp:102 packetization-mode=0;profile-level-id=42e00d'), answer);
    assert.ok(!/sprop|max-mbps/.test(answer), `the offerer's own parameters are not repeated:\n${answer}`);
    const high = await answerTo(sdp('m=video 40000 RTP/AVP 100', 'a=rtpmap:100 H264/90000', 'a=fmtp:100 packetization-mode=1;profile-level-id=64001f'));
    assert.equal(high.error?.code, 40205, 'High profile only');
  });
});

// A browser-like offer: one BUNDLE transport, PCMU audio (unusable) and H.264 video.
function webrtcOffer(videoFormats) {
  const fp = `sha-256 ${Array.from({ length: 32 }, (_, i) => (i * 7 % 256).toString(16).padStart(2, '0').toUpperCase()).join(':')}`;
  const transport = ['c=IN IP4 0.0.0.0', 'a=rtcp:9 IN IP4 0.0.0.0', 'a=ice-ufrag:abcd', 'a=ice-pwd:abcdefghijklmnopqrstuvwx',
    `a=fingerprint:${fp}`, 'a=setup:actpass'];
  const pts = videoFormats.map((f) => f.pt);
  return ['v=0', 'o=- 1 2 IN IP4 127.0.0.1', 's=-', 't=0 0', 'a=group:BUNDLE 0 1', 'a=msid-semantic: WMS',
    'm=audio 9 UDP/TLS/RTP/SAVPF 0', ...transport, 'a=mid:0', 'a=sendrecv', 'a=rtcp-mux', 'a=rtpmap:0 PCMU/8000',
    `m=video 9 UDP/TLS/RTP/SAVPF ${pts.join(' ')}`, ...transport, 'a=mid:1', 'a=sendrecv', 'a=rtcp-mux',
    ...videoFormats.flatMap((f) => [`a=rtpmap:${f.pt} H264/90000`, ...(f.fmtp ? [`a=fmtp:${f.pt} ${f.fmtp}`] : []),
      `a=rtcp-fb:${f.pt} nack pli`]),
    ''].join('\r\n');
}

for (const transport of ['lean', 'webrtcbin']) {
  describe(`WebRtcEndpoint (${transport}): H.264 packetization modes and profile-level-id`, () => {
    let server, rpc, value, create, invoke, pipeline;
    before(async () => {
      server = await startServer({ config: { webrtcTransport: transport }, extraArgs: ['--ice-address', '127.0.0.1'] });
      rpc = await rpcClient(server.url);
      ({ value, create, invoke } = rpcShortcuts(rpc));
      pipeline = await create('MediaPipeline');
    });
    after(async () => {
      rpc?.close();
      await server?.stop();
    });

    const answerTo = async (offer) => {
      const ep = await create('WebRtcEndpoint', { mediaPipeline: pipeline });
      return invoke(ep, 'processOffer', { offer });
    };
    const videoSection = (answer) => {
      const i = mLines(answer).findIndex((l) => l.startsWith('m=video'));
      return section(answer, i);
    };

    it('H.264 without fmtp only (mode 0): answered in mode 0, without fmtp', async () => {
      const answer = value(await answerTo(webrtcOffer([{ pt: 100 }])), 'processOffer');
      const video = videoSection(answer);
      assert.match(video[0], /^m=video 9 UDP\/TLS\/RTP\/SAVPF 100$/, answer);
      assert.ok(video.includes('a=rtpmap:100 H264/90000'), answer);
      assert.ok(!video.some((l) => l.startsWith('a=fmtp:100')), answer);
      if (transport === 'lean') assert.equal(mLines(answer)[0], 'm=audio 0 UDP/TLS/RTP/SAVPF 0', answer);
    });

    it('modes 0 and 1 offered: mode 1, with the offered profile and level and nothing of the offerer\'s own stream', async () => {
      const answer = value(await answerTo(webrtcOffer([
        { pt: 100, fmtp: 'profile-level-id=42e01f;sprop-parameter-sets=Z0LgH5ZUBQHsgA==,aM4NiA==' },
        { pt: 101, fmtp: 'packetization-mode=1;profile-level-id=640c1f' },
        { pt: 102, fmtp: 'level-asymmetry-allowed=1;packetization-mode=1;profile-level-id=42e01f;sprop-parameter-sets=Z0LgH5ZUBQHsgA==,aM4NiA==' },
      ])), 'processOffer');
      const video = videoSection(answer);
      assert.match(video[0], /^m=video 9 UDP\/TLS\/RTP\/SAVPF 102$/, answer);
      assert.ok(video.includes('a=fmtp:102 level-asymmetry-allowed=1;packetization-mode=1;profile-level-id=42e01f'), answer);
      assert.ok(!/sprop-parameter-sets/.test(answer), answer);
    });

    it('mode 0 with a profile: the answer says packetization-mode=0 and the same profile-level-id', async () => {
      const answer = value(await answerTo(webrtcOffer([
        { pt: 100, fmtp: 'packetization-mode=0;profile-level-id=42001f;sprop-parameter-sets=Z0LgH5ZUBQHsgA==,aM4NiA==' },
      ])), 'processOffer');
      assert.ok(videoSection(answer).includes('a=fmtp:100 packetization-mode=0;profile-level-id=42001f'), answer);
    });

    // Reading such an offer took formats × attributes² string compares (a 27 kB one held the
    // engine thread for 1.2 s; webrtcbin reads offers the same way): refused before it is read.
    it('an offer of 1000 formats and 3000 attributes on one m-line: 40201 naming the bounds; another client is answered meanwhile', async () => {
      const offer = webrtcOffer(Array.from({ length: 1000 }, (_, i) => ({ pt: 96 + (i % 32) })))
        .replace('a=mid:1', ['a=mid:1', ...Array.from({ length: 1000 }, (_, i) => `a=rtcp-fb:96 nack${i}`)].join('\r\n'));
      const other = await rpcClient(server.url);
      try {
        const [r, ping] = await Promise.all([answerTo(offer), other.call('ping', { interval: 10000 })]);
        assert.equal(r.error?.code, 40201, JSON.stringify(r).slice(0, 300));
        assert.match(r.error.message, /m-line 1 has 1000 formats and \d+ attributes.*at most 64 m-lines, 128 formats and 1024 attributes per m-line/);
        assert.ok(ping.result, JSON.stringify(ping));
      } finally {
        other.close();
      }
      // A browser-sized offer still works on the same server.
      assert.match(value(await answerTo(webrtcOffer([{ pt: 100 }])), 'processOffer'), /^m=video 9 /m);
    });

    it('only High profile or mode 2 H.264 (and PCMU): 40205', async () => {
      const r = await answerTo(webrtcOffer([
        { pt: 100, fmtp: 'packetization-mode=1;profile-level-id=64001f' },
        { pt: 101, fmtp: 'packetization-mode=2;profile-level-id=42e01f' },
      ]));
      assert.equal(r.error?.code, 40205, JSON.stringify(r));
    });
  });
}
