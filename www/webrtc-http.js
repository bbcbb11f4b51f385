// WHIP and WHEP in the browser, without libraries: one RTCPeerConnection, the offer posted once
// ICE gathering is complete (so no trickle is needed), the answer applied, DELETE to stop.
'use strict';
const WebRtcHttp = (() => {
  function gathered(pc) {
    if (pc.iceGatheringState === 'complete') return Promise.resolve();
    return new Promise((resolve) => {
      const done = () => { if (pc.iceGatheringState === 'complete') resolve(); };
      pc.addEventListener('icegatheringstatechange', done);
      setTimeout(resolve, 3000);  // post what we have
    });
  }

  async function negotiate(pc, url, token, report) {
    await pc.setLocalDescription(await pc.createOffer());
    report('Gathering candidates…');
    await gathered(pc);
    report('Posting the offer…');
    const headers = { 'Content-Type': 'application/sdp' };
    if (token) headers.Authorization = `Bearer ${token}`;
    const response = await fetch(url, { method: 'POST', headers, body: pc.localDescription.sdp });
    const body = await response.text();
    if (response.status !== 201) throw new Error(`${response.status} ${body.trim()}`);
    await pc.setRemoteDescription({ type: 'answer', sdp: body });
    const session = new URL(response.headers.get('Location'), url).toString();
    pc.addEventListener('connectionstatechange', () => report(`Connection ${pc.connectionState}.`));
    report('Connecting…');
    let etag = response.headers.get('ETag');
    return {
      pc,
      url: session,
      // ICE restart (RFC 9725 §4.4.2): new credentials both ways over PATCH, DTLS goes on.
      async restartIce() {
        pc.restartIce();
        await pc.setLocalDescription(await pc.createOffer());
        await gathered(pc);
        const sdp = pc.localDescription.sdp;
        const line = (name, text) => (new RegExp(`^a=${name}:(.*)$`, 'm').exec(text) || [])[1];
        const mid = line('mid', sdp);
        const candidates = sdp.split(/\r?\n/).filter((l) => l.startsWith('a=candidate:'));
        const frag = [`a=ice-ufrag:${line('ice-ufrag', sdp)}`, `a=ice-pwd:${line('ice-pwd', sdp)}`,
          'm=audio 9 UDP/TLS/RTP/SAVPF 0', `a=mid:${mid}`, ...candidates, 'a=end-of-candidates', ''].join('\r\n');
        const patchHeaders = { 'Content-Type': 'application/trickle-ice-sdpfrag', 'If-Match': '*' };
        if (token) patchHeaders.Authorization = `Bearer ${token}`;
        const answer = await fetch(session, { method: 'PATCH', headers: patchHeaders, body: frag });
        const text = await answer.text();
        if (answer.status !== 200) throw new Error(`ICE restart: ${answer.status} ${text.trim()}`);
        etag = answer.headers.get('ETag');
        let remote = pc.currentRemoteDescription.sdp
          .replace(/^a=ice-ufrag:.*$/gm, `a=ice-ufrag:${line('ice-ufrag', text)}`)
          .replace(/^a=ice-pwd:.*$/gm, `a=ice-pwd:${line('ice-pwd', text)}`)
          .replace(/^a=candidate:.*\r?\n/gm, '').replace(/^a=end-of-candidates\r?\n/gm, '');
        const serverCandidates = text.split(/\r?\n/).filter((l) => l.startsWith('a=candidate:'));
        remote = remote.replace(/(a=mid:.*\r?\n)/, `$1${serverCandidates.map((c) => `${c}\r\n`).join('')}`);
        await pc.setRemoteDescription({ type: 'answer', sdp: remote });
        report('ICE restarted.');
      },
      get etag() { return etag; },
      async stop() {
        pc.close();
        await fetch(session, { method: 'DELETE', headers: token ? { Authorization: `Bearer ${token}` } : {} }).catch(() => {});
      },
    };
  }

  async function publish(url, token, stream, report) {
    const pc = new RTCPeerConnection({ bundlePolicy: 'max-bundle' });
    for (const track of stream.getTracks()) pc.addTransceiver(track, { direction: 'sendonly', streams: [stream] });
    return negotiate(pc, url, token, report);
  }

  async function play(url, token, video, report) {
    const pc = new RTCPeerConnection({ bundlePolicy: 'max-bundle' });
    pc.addTransceiver('video', { direction: 'recvonly' });
    pc.addTransceiver('audio', { direction: 'recvonly' });
    const stream = new MediaStream();
    pc.addEventListener('track', (event) => {
      stream.addTrack(event.track);
      video.srcObject = stream;
    });
    return negotiate(pc, url, token, report);
  }

  // Wires a tutorial page: the url and token fields (filled from ?url=&token=), Start (runs
  // `begin(url, token, report)`, which returns a session), Stop, Restart ICE when the page has
  // it, and ?autostart=1.
  function page(begin) {
    const $ = (id) => document.getElementById(id);
    const params = new URLSearchParams(location.search);
    const report = (text) => { $('status').textContent = text; };
    const buttons = (running) => {
      $('start').disabled = running;
      $('stop').disabled = !running;
      if ($('restart')) $('restart').disabled = !running;
    };
    $('url').value = params.get('url') || '';
    $('token').value = params.get('token') || '';
    let session = null;
    $('form').addEventListener('submit', async (event) => {
      event.preventDefault();
      $('start').disabled = true;
      try {
        session = await begin($('url').value, $('token').value, report);
        window.session = session;  // for the browser console (and the tests)
        buttons(true);
      } catch (error) {
        report(`Failed: ${error.message}`);
        buttons(false);
      }
    });
    $('stop').addEventListener('click', async () => {
      await session?.stop();
      session = null;
      buttons(false);
      report('Stopped (the session was deleted).');
    });
    $('restart')?.addEventListener('click', async () => {
      try {
        await session?.restartIce();
      } catch (error) {
        report(`Failed: ${error.message}`);
      }
    });
    // Only for this server's own resources: a link must not send the camera elsewhere.
    let sameOrigin = false;
    try { sameOrigin = new URL($('url').value, location.href).origin === location.origin; } catch (error) { /* not a URL */ }
    if (params.get('autostart') && sameOrigin) $('start').click();
  }

  return { publish, play, page };
})();
