// What every Kurento tutorial page shares: the server's WebSocket URL (this page's host, path
// /kurento, the access token of the page's own URL), the status line, Start/Stop buttons, a
// callback-style kurento-client call turned into a promise that rejects on a server error, and
// the offer/answer + trickle ICE between a kurento-utils WebRtcPeer and a WebRtcEndpoint.
// Loaded after kurento-client.js and kurento-utils.js (globals kurentoClient, kurentoUtils).
'use strict';
const Tutorial = (() => {
  const params = new URLSearchParams(location.search);
  const statusLine = () => document.getElementById('status');

  function status(text, failed = false) {
    const line = statusLine();
    line.textContent = text;
    line.className = failed ? 'failed' : '';
  }

  // ws(s)://<this host:port>/<path>; ?ws=<path> when the server's WebSocket path is not /kurento;
  // ?access_token= is passed on to the WebSocket (docs/security.md).
  function webSocketUrl() {
    const scheme = location.protocol === 'https:' ? 'wss:' : 'ws:';
    const url = new URL(`${scheme}//${location.host}/${(params.get('ws') || 'kurento').replace(/^\/+/, '')}`);
    const token = params.get('access_token');
    if (token) url.searchParams.set('access_token', token);
    return url.toString();
  }

  // Links to other tutorials keep the page's ws and access_token parameters.
  function carry(href) {
    const url = new URL(href, location.href);
    for (const key of ['ws', 'access_token']) if (params.has(key)) url.searchParams.set(key, params.get(key));
    return url.toString();
  }

  // obj.method(...args, callback) as a promise; the server's error message becomes the rejection.
  function call(obj, method, ...args) {
    return new Promise((resolve, reject) => {
      obj[method](...args, (error, result) => (error ? reject(error) : resolve(result)));
    });
  }

  let client = null;
  async function connect() {
    if (typeof kurentoClient === 'undefined' || typeof kurentoUtils === 'undefined') {
      throw new Error('kurento-client.js or kurento-utils.js is missing: this server was built without the ' +
        'tutorial bundles (npm was not available at build time, see docs/tutorials.md)');
    }
    if (client) return client;
    status(`Connecting to ${webSocketUrl().replace(/access_token=[^&]*/, 'access_token=…')}…`);
    try {
      client = await call(kurentoClient, 'KurentoClient', webSocketUrl(), { failAfter: 2 });
      client.on('disconnect', () => { client = null; });
    } catch (error) {
      client = null;
      throw new Error(`cannot reach the server's WebSocket (${error.message || error}); is the server running, ` +
        'and does the page URL carry ?access_token= when the server wants one?');
    }
    return client;
  }

  // A kurento-utils peer: 'Sendrecv', 'Sendonly' or 'Recvonly'.
  function webRtcPeer(kind, options) {
    return new Promise((resolve, reject) => {
      const peer = kurentoUtils.WebRtcPeer[`WebRtcPeer${kind}`](options, (error) => {
        if (error) reject(new Error(`the browser refused the media (${error.message || error}); allow the camera and try again`));
        else resolve(peer);
      });
    });
  }

  // Offer from the browser, answer from the endpoint, candidates both ways. `peerCandidates`
  // collects what the peer found before the endpoint existed (the onicecandidate option).
  async function negotiate(peer, endpoint, peerCandidates) {
    endpoint.on('IceCandidateFound', (event) => peer.addIceCandidate(event.candidate));
    peerCandidates.send = (candidate) => call(endpoint, 'addIceCandidate',
      kurentoClient.getComplexType('IceCandidate')(candidate)).catch((e) => console.warn('addIceCandidate', e));
    for (const c of peerCandidates.splice(0)) peerCandidates.send(c);
    const offer = await call(peer, 'generateOffer');
    const answer = await call(endpoint, 'processOffer', offer);
    await call(peer, 'processAnswer', answer);
    await call(endpoint, 'gatherCandidates');
    peer.peerConnection.addEventListener('connectionstatechange', () => {
      const state = peer.peerConnection.connectionState;
      if (state === 'failed') status('The media connection failed: no ICE candidate pair works between this browser and the server (see the server log).', true);
    });
  }

  // The onicecandidate option of a WebRtcPeer and the queue negotiate() drains.
  function candidateQueue() {
    const queue = [];
    queue.send = null;
    queue.onicecandidate = (candidate) => (queue.send ? queue.send(candidate) : queue.push(candidate));
    return queue;
  }

  // Opens the camera into a send-receive peer showing `localVideo` and `remoteVideo` (disposed
  // on cleanup; window.tutorial.peer for the tests). Returns {peer, candidates} for negotiate().
  async function camera(onCleanup, localVideo, remoteVideo) {
    const candidates = candidateQueue();
    status('Opening the camera…');
    const peer = await webRtcPeer('Sendrecv', { localVideo, remoteVideo, onicecandidate: candidates.onicecandidate });
    onCleanup(() => peer.dispose());
    window.tutorial = { peer };
    return { peer, candidates };
  }

  // Resolves once `video` shows decoded frames.
  function playing(video, timeoutMs = 20000) {
    return new Promise((resolve, reject) => {
      const deadline = Date.now() + timeoutMs;
      const poll = () => {
        if (video.videoWidth > 0 && video.readyState >= 2) resolve();
        else if (Date.now() > deadline) reject(new Error('no video arrived; check the server log'));
        else setTimeout(poll, 100);
      };
      poll();
    });
  }

  // Wires the action buttons and #stop: `actions` maps a button id to an async function that
  // gets onCleanup(fn); Stop, an error, another action or leaving the page runs the cleanups.
  function page(actions) {
    const buttons = Object.keys(actions).map((id) => document.getElementById(id));
    const stopButton = document.getElementById('stop');
    let cleanup = null;
    const idle = (running) => {
      for (const b of buttons) b.disabled = running;
      stopButton.disabled = !running;
    };
    async function stop(text = 'Stopped.') {
      const c = cleanup;
      cleanup = null;
      stopButton.disabled = true;
      if (text) status(text);  // cleanups may say more (the recorder: where the file is)
      if (c) await c();
      idle(false);
    }
    for (const [id, action] of Object.entries(actions)) {
      document.getElementById(id).addEventListener('click', async (event) => {
        event.preventDefault();
        await stop(null);
        idle(true);
        const cleanups = [];
        cleanup = async () => {
          for (const c of cleanups.splice(0).reverse()) await Promise.resolve().then(c).catch((e) => console.warn('cleanup', e));
        };
        try {
          await action((c) => cleanups.push(c));
        } catch (error) {
          console.error(error);
          await stop(null);
          status(`Failed: ${error.message || error}`, true);
        }
      });
    }
    stopButton.addEventListener('click', () => stop());
    window.addEventListener('pagehide', () => { if (cleanup) cleanup(); });
    for (const a of document.querySelectorAll('a[data-tutorial]')) a.href = carry(a.getAttribute('href'));
    idle(false);
    // ?autostart=1 clicks #start, ?autostart=<id> that action's button.
    const auto = params.get('autostart');
    if (auto && actions[auto === '1' ? 'start' : auto]) document.getElementById(auto === '1' ? 'start' : auto).click();
    return { stop };
  }

  // Plays `uri` with a PlayerEndpoint into `video` through a receive-only WebRtcEndpoint.
  // Resolves {pipeline, player, peer} once the video shows frames; onEnd runs at EndOfStream.
  async function playUri(uri, video, onCleanup, onEnd = () => {}) {
    const candidates = candidateQueue();
    const peer = await webRtcPeer('Recvonly', { remoteVideo: video, onicecandidate: candidates.onicecandidate });
    onCleanup(() => peer.dispose());
    const p = await pipeline(onCleanup);
    let player;
    try {
      player = await call(p, 'create', 'PlayerEndpoint', { uri });
    } catch (error) {
      throw new Error(`the server refused the URI (${error.message || error})`);
    }
    const endpoint = await call(p, 'create', 'WebRtcEndpoint');
    await call(player, 'connect', endpoint);
    player.on('EndOfStream', onEnd);
    player.on('Error', (e) => status(`Failed: the player reports ${e.description || e.type || 'an error'}`, true));
    status('Negotiating…');
    await negotiate(peer, endpoint, candidates);
    await call(player, 'play');
    status(`Buffering ${uri}…`);
    await playing(video);
    return { pipeline: p, player, peer };
  }

  // Rooms: the page that owns a pipeline stands in for Kurento's application server. Other tabs
  // of this browser (same origin) send it their offer and ICE candidates over a BroadcastChannel;
  // it gives each one a WebRtcEndpoint in its pipeline (a pipeline belongs to the WebSocket
  // session that made it, docs/security.md), which `attach(endpoint)` connects.
  const channelOf = (room) => new BroadcastChannel(`pipewright-room-${room}`);

  // The host side; `changed(count)` after every join and leave; at most `max` guests.
  function hostRoom(room, pipeline, { attach, changed = () => {}, max = Infinity }, onCleanup) {
    const channel = channelOf(room);
    const guests = new Map();  // guest id -> { endpoint, candidates }
    const post = (message) => channel.postMessage(message);
    async function drop(guest) {
      const g = guests.get(guest);
      if (!guests.delete(guest)) return;
      for (const o of [...(g.extras || []), g.endpoint].filter(Boolean)) await call(o, 'release').catch(() => {});
      changed(guests.size);
    }
    channel.onmessage = async ({ data }) => {
      const { type, guest } = data;
      if (type === 'offer') {
        if (guests.size >= max) return post({ type: 'error', guest, message: 'this room is full' });
        const g = { endpoint: null, candidates: [], extras: [] };
        guests.set(guest, g);
        try {
          g.endpoint = await call(pipeline, 'create', 'WebRtcEndpoint');
          g.endpoint.on('IceCandidateFound', (e) => post({ type: 'candidate', guest, candidate: e.candidate }));
          // attach() may return more objects made for this guest (a HubPort): released with it.
          g.extras = (await attach(g.endpoint)) || [];
          for (const c of g.candidates.splice(0)) await call(g.endpoint, 'addIceCandidate', c);
          post({ type: 'answer', guest, sdp: await call(g.endpoint, 'processOffer', data.sdp) });
          await call(g.endpoint, 'gatherCandidates');
          changed(guests.size);
        } catch (error) {
          post({ type: 'error', guest, message: error.message || String(error) });
          await drop(guest);
        }
      } else if (type === 'candidate') {
        const g = guests.get(guest);
        const candidate = kurentoClient.getComplexType('IceCandidate')(data.candidate);
        if (g && g.endpoint) call(g.endpoint, 'addIceCandidate', candidate).catch(() => {});
        else if (g) g.candidates.push(candidate);
      } else if (type === 'leave') {
        await drop(guest);
      }
    };
    onCleanup(() => { post({ type: 'end' }); channel.close(); });
    changed(0);
    return guests;
  }

  // The guest side: `peer` (made with candidates.onicecandidate) offers to the room's host.
  // Resolves once the answer is applied; onEnd runs when the host stops.
  async function joinRoom(room, peer, candidates, onCleanup, onEnd) {
    const guest = crypto.randomUUID();
    const channel = channelOf(room);
    const post = (message) => channel.postMessage({ ...message, guest });
    onCleanup(() => { post({ type: 'leave' }); channel.close(); });
    candidates.send = (c) => post({ type: 'candidate', candidate: c.toJSON ? c.toJSON() : c });
    for (const c of candidates.splice(0)) candidates.send(c);
    const answered = new Promise((resolve, reject) => {
      channel.onmessage = ({ data }) => {
        if (data.type === 'end') onEnd();
        else if (data.guest !== guest) return;
        else if (data.type === 'answer') call(peer, 'processAnswer', data.sdp).then(resolve, reject);
        else if (data.type === 'candidate') peer.addIceCandidate(data.candidate);
        else if (data.type === 'error') reject(new Error(`the other page could not add you: ${data.message}`));
      };
      setTimeout(() => reject(new Error('nobody answered: open the link in the same browser as the page that ' +
        'showed it, while that page is running')), 10000);
    });
    status('Asking the other page…');
    post({ type: 'offer', sdp: await call(peer, 'generateOffer') });
    await answered;
  }

  // The MediaPipeline a cleanup releases (pipelines live on the server until released), named
  // after the tutorial (the studio's sessions list shows the name), with an "Open in studio"
  // button beside the page's buttons.
  async function pipeline(onCleanup) {
    const c = await connect();
    const p = await call(c, 'create', 'MediaPipeline');
    onCleanup(() => call(p, 'release'));
    await call(p, 'setName', 'Tutorial: ' + document.title.replace(/^Pipewright — /, ''));
    studioButton(p, onCleanup);
    return p;
  }

  // The camera through a filter and back (magic mirror, chroma): WebRtcEndpoint → filter → the
  // same WebRtcEndpoint, shown in #remote beside the camera in #local. `makeFilter(pipeline)`
  // creates and sets up the filter.
  async function filterLoopback(onCleanup, makeFilter) {
    const remote = document.getElementById('remote');
    const { peer, candidates } = await camera(onCleanup, document.getElementById('local'), remote);
    const p = await pipeline(onCleanup);
    const endpoint = await call(p, 'create', 'WebRtcEndpoint');
    const filter = await makeFilter(p);
    await call(endpoint, 'connect', filter);
    await call(filter, 'connect', endpoint);
    status('Negotiating…');
    await negotiate(peer, endpoint, candidates);
    await playing(remote);
  }

  // Sets a filter's image from a URI the server fetches (`setImage()`); a refusal says what a
  // server listening beyond loopback needs.
  async function remoteImage(what, setImage) {
    try {
      await setImage();
    } catch (error) {
      throw new Error(`the server cannot use that ${what} (${error.message || error}). A server listening ` +
        'beyond loopback refuses http URIs to its own networks: use a file:// URI in a media folder, or list the host ' +
        'in remoteUriAllowedHosts');
    }
  }

  // "Open in studio": adds the tag the server passes to its desktop studio, which then shows
  // this pipeline live on its canvas (a headless server has no studio: nothing happens there).
  const kOpenInStudioTag = 'pipewright.openInStudio';
  function studioButton(p, onCleanup) {
    let button = document.getElementById('openInStudio');
    if (!button) {
      button = document.createElement('button');
      button.type = 'button';
      button.id = 'openInStudio';
      button.textContent = 'Open in studio';
      button.title = 'Shows this pipeline, live, on the canvas of the Pipewright studio that runs this server';
      (document.getElementById('form') || document.querySelector('form') || document.body).append(button);
    }
    button.hidden = false;
    button.onclick = async () => {
      try {
        await call(p, 'addTag', kOpenInStudioTag, String(Date.now()));
        status('Sent to the studio: if this server is the Pipewright studio, its window now shows this pipeline ' +
          '(a headless server has no window).');
      } catch (error) {
        status(`Could not reach the studio: ${error.message || error}`, true);
      }
    };
    onCleanup(() => { button.hidden = true; button.onclick = null; });
  }

  return { params, status, webSocketUrl, carry, call, connect, webRtcPeer, camera, negotiate, candidateQueue, playing, page, pipeline, filterLoopback, remoteImage, playUri, hostRoom, joinRoom };
})();
