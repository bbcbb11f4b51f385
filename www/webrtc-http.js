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
    return {
      pc,
      url: session,
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

  return { publish, play };
})();
