#!/usr/bin/python3
"""Pipewright WebRTC loopback benchmark: load driver.

Runs N concurrent WebRTC loopback sessions against Pipewright (WebRtcEndpoint connected to
itself) and against Janus's EchoTest plugin, in the same run, with the same client:
GStreamer's webrtcbin sending a pre-encoded VP8 + Opus file (no encoder in the driver) and
counting the frames that come back (depayloaded, never decoded).

It measures the server process only (/proc/<pid>): CPU over a steady window, threads, FDs and
RSS over an idle baseline, time to the first echoed video frame, and signalling latency.
Everything talks to 127.0.0.1; bench/run.sh runs this script inside `unshare -n`.

Use /usr/bin/python3 (Debian's python3-gi); see bench/README.md.
"""

import argparse
import asyncio
import collections
import ctypes
import datetime
import itertools
import json
import os
import platform
import random
import re
import shutil
import socket
import subprocess
import sys
import tempfile
import time

import gi

gi.require_version('Gst', '1.0')
gi.require_version('GstWebRTC', '1.0')
gi.require_version('GstSdp', '1.0')
from gi.repository import Gst, GstSdp, GstWebRTC  # noqa: E402

import websockets  # noqa: E402  (Debian python3-websockets, asyncio API)

CLK_TCK = os.sysconf('SC_CLK_TCK')
VIDEO_CAPS = ('application/x-rtp,media=video,encoding-name=VP8,payload=96,clock-rate=90000,'
              'rtcp-fb-nack=(boolean)true,rtcp-fb-nack-pli=(boolean)true,rtcp-fb-ccm-fir=(boolean)true')
AUDIO_CAPS = ('application/x-rtp,media=audio,encoding-name=OPUS,payload=111,clock-rate=48000,'
              'encoding-params=(string)2')
TRANSCODER_RE = re.compile(r'(vp8dec|vp8enc|vp9dec|vp9enc|opusdec|opusenc|avdec_|x264enc|openh264)')


def log(*a):
    print(f'[{time.strftime("%H:%M:%S")}]', *a, file=sys.stderr, flush=True)


# --------------------------------------------------------------------------------------------
# Pre-encoded media

def ensure_media(path, seconds):
    """Encode a VP8 + Opus WebM once (640x480, 30 fps, ~600 kbit/s, a keyframe every 0.5 s)."""
    if os.path.exists(path):
        return path
    frames = int(seconds * 30)
    tmp = path + '.part'
    cmd = ['gst-launch-1.0', '-q',
           'videotestsrc', 'pattern=smpte', 'horizontal-speed=4', f'num-buffers={frames}', '!',
           'video/x-raw,width=640,height=480,framerate=30/1', '!',
           'vp8enc', 'deadline=1', 'cpu-used=4', 'end-usage=cbr', 'target-bitrate=600000',
           'keyframe-max-dist=15', '!', 'queue', '!', 'webmmux', 'name=m', '!', 'filesink', f'location={tmp}',
           'audiotestsrc', 'wave=ticks', 'samplesperbuffer=960', f'num-buffers={int(seconds * 50)}', '!',
           'audio/x-raw,rate=48000,channels=2', '!', 'opusenc', 'bitrate=32000', '!', 'queue', '!', 'm.']
    log(f'encoding {seconds} s of VP8 + Opus once into {path}')
    subprocess.run(cmd, check=True)
    os.replace(tmp, path)
    return path


# --------------------------------------------------------------------------------------------
# /proc sampling

def proc_cpu_ticks(pid):
    with open(f'/proc/{pid}/stat') as f:
        fields = f.read().rsplit(')', 1)[1].split()
    return int(fields[11]) + int(fields[12])  # utime + stime (fields 14 and 15)


def proc_sample(pid):
    threads = len(os.listdir(f'/proc/{pid}/task'))
    fds = len(os.listdir(f'/proc/{pid}/fd'))
    rss_kb = 0
    with open(f'/proc/{pid}/status') as f:
        for line in f:
            if line.startswith('VmRSS:'):
                rss_kb = int(line.split()[1])
    return {'threads': threads, 'fds': fds, 'rss_kb': rss_kb, 'ticks': proc_cpu_ticks(pid),
            't': time.monotonic()}


def proc_inventory(pid):
    """Thread names and FD kinds (socket, eventfd, pipe, ...) of a process, as counters."""
    threads, fds = {}, {}
    for tid in os.listdir(f'/proc/{pid}/task'):
        try:
            with open(f'/proc/{pid}/task/{tid}/comm') as f:
                name = re.sub(r'\d+', '#', f.read().strip())
        except OSError:
            continue
        threads[name] = threads.get(name, 0) + 1
    sockets = socket_kinds(pid)
    for fd in os.listdir(f'/proc/{pid}/fd'):
        try:
            target = os.readlink(f'/proc/{pid}/fd/{fd}')
        except OSError:
            continue
        m = re.match(r'socket:\[(\d+)\]', target)
        if m:
            kind = 'socket ' + sockets.get(m.group(1), 'other')
            fds[kind] = fds.get(kind, 0) + 1
            continue
        kind = re.sub(r'[:\[].*', '', target) if not target.startswith('anon_inode:') else target
        kind = '/dev/*' if kind.startswith('/dev/') else ('file' if kind.startswith('/') else kind)
        fds[kind] = fds.get(kind, 0) + 1
    return {'threads': threads, 'fds': fds}


def socket_kinds(pid):
    """socket inode -> 'udp 127.0.0.1', 'tcp-listen 127.0.0.1', 'unix', 'netlink', ..."""
    kinds = {}
    for proto in ('udp', 'tcp', 'udp6', 'tcp6'):
        try:
            with open(f'/proc/{pid}/net/{proto}') as f:
                next(f)
                for line in f:
                    cols = line.split()
                    addr_hex = cols[1].split(':')[0]
                    if len(addr_hex) == 8:
                        addr = socket.inet_ntop(socket.AF_INET, bytes.fromhex(addr_hex)[::-1])
                    else:
                        addr = 'ipv6'
                    state = ''
                    if proto.startswith('tcp'):
                        state = '-listen' if cols[3] == '0A' else '-conn'
                    kinds[cols[9]] = f'{proto}{state} {addr}'
        except OSError:
            pass
    for proto in ('unix', 'netlink'):
        try:
            with open(f'/proc/{pid}/net/{proto}') as f:
                next(f)
                for line in f:
                    cols = line.split()
                    inode = cols[6] if proto == 'unix' else cols[-1]
                    kinds.setdefault(inode, proto)
        except OSError:
            pass
    return kinds


def inventory_delta(before, after, n):
    """Per-session difference of two proc_inventory() results, largest first."""
    out = {}
    for key in ('threads', 'fds'):
        names = set(before[key]) | set(after[key])
        diff = {k: round((after[key].get(k, 0) - before[key].get(k, 0)) / n, 2) for k in names}
        out[key] = dict(sorted(((k, v) for k, v in diff.items() if v), key=lambda kv: -abs(kv[1])))
    return out


def pct(values, p):
    """Nearest-rank percentile (p in 0..100); None for no values."""
    if not values:
        return None
    s = sorted(values)
    k = max(0, min(len(s) - 1, int(-(-p * len(s) // 100)) - 1))
    return s[k]


def median(values):
    return pct(values, 50)


# --------------------------------------------------------------------------------------------
# GStreamer peer: webrtcbin sending the file, counting what comes back

_gobject = ctypes.CDLL('libgobject-2.0.so.0')
_gobject.g_object_ref.argtypes = [ctypes.c_void_p]
_gobject.g_object_ref.restype = ctypes.c_void_p
ctypes.pythonapi.PyCapsule_GetPointer.argtypes = [ctypes.py_object, ctypes.c_char_p]
ctypes.pythonapi.PyCapsule_GetPointer.restype = ctypes.c_void_p


def _add_missing_ref(obj):
    """Reading webrtcbin's `ice-agent` through PyGObject (1.22 / pygobject 3.42) leaves the agent
    one reference short: the Python wrapper ends up owning webrtcbin's reference, and dropping it
    frees the agent under webrtcbin (segfault). One extra reference restores the balance."""
    if obj.is_floating() or obj.__grefcount__ < 2:
        _gobject.g_object_ref(ctypes.pythonapi.PyCapsule_GetPointer(obj.__gpointer__, None))

class Peer:
    def __init__(self, name, media_path, loop):
        self.loop = loop
        self.name = name
        self.offer_future = loop.create_future()
        self.candidates = asyncio.Queue()
        self.gathering_done = asyncio.Event()
        self.connected = asyncio.Event()
        self.first_video = loop.create_future()
        self.video_frames = 0
        # Echo delay: the servers relay VP8 frames unchanged, so a frame's bytes identify it on
        # the way back. sent: frame key -> send time (last ~10 s); delays: (receive time, delay).
        self.sent = collections.OrderedDict()
        self.delays = []
        self.first_delay = None  # echo delay of the first frame that came back
        self.audio_packets = 0
        self.mids = {}
        self.errors = []
        # Fixed SSRCs, announced in the offer (a=ssrc): Janus demultiplexes BUNDLE by SSRC, and
        # webrtcbin only writes a=ssrc for a stream whose caps carry one when the offer is made.
        vssrc, assrc = random.getrandbits(31) | 1, random.getrandbits(31) | 2
        self.caps = (f'{VIDEO_CAPS},ssrc=(uint){vssrc}', f'{AUDIO_CAPS},ssrc=(uint){assrc}')
        desc = (
            f'webrtcbin name=w bundle-policy=max-bundle latency=50 '
            f'filesrc location="{media_path}" ! matroskademux name=d '
            f'd.video_0 ! queue max-size-time=2000000000 ! clocksync ! rtpvp8pay name=vpay pt=96 mtu=1200 ssrc={vssrc} ! '
            f'{VIDEO_CAPS.split(",rtcp")[0]},ssrc=(uint){vssrc} ! queue ! w.sink_0 '
            f'd.audio_0 ! queue max-size-time=2000000000 ! clocksync ! rtpopuspay pt=111 mtu=1200 ssrc={assrc} ! '
            f'{AUDIO_CAPS},ssrc=(uint){assrc} ! queue ! w.sink_1')
        self.pipe = Gst.parse_launch(desc)
        self.pipe.set_name(name)
        self.webrtc = self.pipe.get_by_name('w')
        self.pipe.get_by_name('vpay').get_static_pad('sink').add_probe(Gst.PadProbeType.BUFFER, self._frame_sent)
        ice = self.webrtc.get_property('ice-agent')
        _add_missing_ref(ice)
        ice.emit('add-local-ip-address', '127.0.0.1')  # libnice skips loopback otherwise
        # libnice's UPnP port mapping (on by default) would multicast SSDP: off, loopback only.
        ice.get_property('agent').set_property('upnp', False)
        for i, caps in enumerate(self.caps):
            tr = self.webrtc.emit('get-transceiver', i)
            tr.set_property('direction', GstWebRTC.WebRTCRTPTransceiverDirection.SENDRECV)
            tr.set_property('codec-preferences', Gst.Caps.from_string(caps))
        self.webrtc.connect('on-negotiation-needed', self._on_negotiation_needed)
        self.webrtc.connect('on-ice-candidate', self._on_ice_candidate)
        self.webrtc.connect('notify::ice-gathering-state', self._on_gathering_state)
        self.webrtc.connect('notify::connection-state', self._on_connection_state)
        self.webrtc.connect('notify::ice-connection-state', self._on_ice_connection_state)
        # Phase marks (time.monotonic()) for the per-phase breakdown: answer applied, first server
        # candidate known (in the answer or trickled), ICE connected.
        self.t_answer = self.t_remote_candidate = self.t_ice_connected = None
        self.webrtc.connect('pad-added', self._on_pad_added)
        self._negotiated = False

    # -- called from GStreamer threads: hand over to asyncio
    def _later(self, fn, *args):
        self.loop.call_soon_threadsafe(fn, *args)

    def _on_negotiation_needed(self, webrtc):
        if self._negotiated:
            return
        self._negotiated = True
        promise = Gst.Promise.new_with_change_func(self._on_offer_created, None)
        webrtc.emit('create-offer', None, promise)

    def _on_offer_created(self, promise, _data):
        reply = promise.get_reply()
        offer = reply.get_value('offer')
        self.webrtc.emit('set-local-description', offer, Gst.Promise.new())
        text = offer.sdp.as_text()
        mline, mids = -1, {}
        for line in text.splitlines():
            if line.startswith('m='):
                mline += 1
            elif line.startswith('a=mid:'):
                mids[mline] = line[6:].strip()
        self.mids = mids

        def done():
            if not self.offer_future.done():
                self.offer_future.set_result(text)
        self._later(done)

    def _check_loopback(self, where, candidate):
        # Network rule: every candidate, ours and the server's, must be on 127.0.0.1.
        if candidate and ' 127.0.0.1 ' not in candidate:
            self.errors.append(f'non-loopback {where} candidate: {candidate}')

    def _on_ice_candidate(self, _webrtc, mline, candidate):
        self._check_loopback('local', candidate)
        self._later(self.candidates.put_nowait, (mline, candidate))

    def _on_gathering_state(self, webrtc, _pspec):
        if webrtc.get_property('ice-gathering-state') == GstWebRTC.WebRTCICEGatheringState.COMPLETE:
            self._later(self.gathering_done.set)

    def _on_ice_connection_state(self, webrtc, _pspec):
        state = webrtc.get_property('ice-connection-state')
        if state in (GstWebRTC.WebRTCICEConnectionState.CONNECTED, GstWebRTC.WebRTCICEConnectionState.COMPLETED):
            now = time.monotonic()

            def done():
                if self.t_ice_connected is None:
                    self.t_ice_connected = now
            self._later(done)

    def _on_connection_state(self, webrtc, _pspec):
        if webrtc.get_property('connection-state') == GstWebRTC.WebRTCPeerConnectionState.CONNECTED:
            now = time.monotonic()

            def done():
                if not self.connected.is_set():
                    self.t_connected = now
                    self.connected.set()
            self._later(done)

    def _on_pad_added(self, _webrtc, pad):
        if pad.get_direction() != Gst.PadDirection.SRC:
            return
        caps = pad.get_current_caps() or pad.query_caps(None)
        media = caps.get_structure(0).get_string('media')
        if media == 'video':
            chain = 'rtpvp8depay name=depay wait-for-keyframe=true request-keyframe=true ! fakesink sync=false async=false'
        else:
            chain = 'rtpopusdepay name=depay ! fakesink sync=false async=false'
        bin_ = Gst.parse_bin_from_description(f'queue ! {chain}', True)
        self.pipe.add(bin_)
        bin_.sync_state_with_parent()
        pad.link(bin_.get_static_pad('sink'))
        depay = bin_.get_by_name('depay')
        depay.get_static_pad('src').add_probe(
            Gst.PadProbeType.BUFFER, self._count_video if media == 'video' else self._count_audio)

    @staticmethod
    def _frame_key(info):
        buf = info.get_buffer()
        data = buf.extract_dup(0, buf.get_size())
        return (len(data), hash(data))

    def _frame_sent(self, _pad, info):
        self.sent[self._frame_key(info)] = time.monotonic()
        while len(self.sent) > 300:
            self.sent.popitem(last=False)
        return Gst.PadProbeReturn.OK

    def _count_video(self, _pad, info):
        t_sent = self.sent.pop(self._frame_key(info), None)
        if t_sent is not None:
            now = time.monotonic()
            self.delays.append((now, now - t_sent))
            if self.first_delay is None:
                self.first_delay = now - t_sent
        self.video_frames += 1
        if self.video_frames == 1:
            now = time.monotonic()
            self._later(lambda: self.first_video.done() or self.first_video.set_result(now))
        return Gst.PadProbeReturn.OK

    def _count_audio(self, _pad, _info):
        self.audio_packets += 1
        return Gst.PadProbeReturn.OK

    # -- asyncio side
    def start(self):
        self.pipe.set_state(Gst.State.PLAYING)

    def set_answer(self, sdp_text):
        res, msg = GstSdp.SDPMessage.new_from_text(sdp_text)
        if res != GstSdp.SDPResult.OK:
            raise RuntimeError('unparsable SDP answer')
        self.t_answer = time.monotonic()
        for line in sdp_text.splitlines():
            if line.startswith('a=candidate:'):
                self._check_loopback('remote', line[2:])
                if self.t_remote_candidate is None:
                    self.t_remote_candidate = self.t_answer
        answer = GstWebRTC.WebRTCSessionDescription.new(GstWebRTC.WebRTCSDPType.ANSWER, msg)
        self.webrtc.emit('set-remote-description', answer, Gst.Promise.new())

    def add_remote_candidate(self, mline, candidate):
        self._check_loopback('remote', candidate)
        if self.t_remote_candidate is None:
            self.t_remote_candidate = time.monotonic()
        self.webrtc.emit('add-ice-candidate', mline, candidate)

    def poll_bus(self):
        bus = self.pipe.get_bus()
        while True:
            msg = bus.pop_filtered(Gst.MessageType.ERROR)
            if not msg:
                break
            err, dbg = msg.parse_error()
            self.errors.append(f'{msg.src.get_name()}: {err.message}')

    def stop(self):
        self.pipe.set_state(Gst.State.NULL)


# --------------------------------------------------------------------------------------------
# Signalling clients

class Timer:
    """Collects request latencies by operation name."""
    def __init__(self):
        self.samples = {}

    def add(self, op, seconds):
        self.samples.setdefault(op, []).append(seconds * 1000.0)


class KurentoClient:
    def __init__(self, ws, timer):
        self.ws = ws
        self.timer = timer
        self.ids = itertools.count(1)
        self.pending = {}
        self.session_id = None
        self.events = []
        self.event_queue = asyncio.Queue()
        self.reader = asyncio.ensure_future(self._read())

    async def _read(self):
        try:
            async for raw in self.ws:
                msg = json.loads(raw)
                if 'id' in msg and msg['id'] in self.pending:
                    fut = self.pending.pop(msg['id'])
                    if not fut.done():
                        fut.set_result(msg)
                elif msg.get('method') == 'onEvent':
                    self.events.append(msg['params']['value'])
                    self.event_queue.put_nowait(msg['params']['value'])
        except websockets.ConnectionClosed:
            pass

    async def call(self, method, params, timed=None):
        rid = next(self.ids)
        if self.session_id:
            params = dict(params, sessionId=self.session_id)
        fut = asyncio.get_running_loop().create_future()
        self.pending[rid] = fut
        t = time.monotonic()
        await self.ws.send(json.dumps({'jsonrpc': '2.0', 'id': rid, 'method': method, 'params': params}))
        msg = await asyncio.wait_for(fut, 30)
        if timed:
            self.timer.add(timed, time.monotonic() - t)
        if 'error' in msg:
            raise RuntimeError(f'{method} {params.get("operation", params.get("type", ""))}: {msg["error"]}')
        result = msg.get('result', {})
        if result.get('sessionId'):
            self.session_id = result['sessionId']
        return result.get('value')


class JanusClient:
    def __init__(self, ws, timer):
        self.ws = ws
        self.timer = timer
        self.ids = itertools.count(1)
        self.pending = {}
        self.session_id = None
        self.handle_id = None
        self.events = asyncio.Queue()
        self.reader = asyncio.ensure_future(self._read())

    async def _read(self):
        try:
            async for raw in self.ws:
                msg = json.loads(raw)
                tx = msg.get('transaction')
                kind = msg.get('janus')
                if tx in self.pending and kind != 'ack':
                    fut = self.pending.pop(tx)
                    if not fut.done():
                        fut.set_result(msg)
                elif tx in self.pending and kind == 'ack' and not self.pending[tx].wait_event:
                    fut = self.pending.pop(tx)
                    if not fut.done():
                        fut.set_result(msg)
                elif kind != 'ack':
                    self.events.put_nowait(msg)
        except websockets.ConnectionClosed:
            pass

    async def request(self, kind, body=None, timed=None, wait_event=False, sent=None):
        """Send a Janus request; resolve on success/error, or (wait_event) on the plugin event.
        `sent` (an asyncio.Event) is set once the request is on the socket."""
        tx = f't{next(self.ids)}'
        msg = {'janus': kind, 'transaction': tx}
        if self.session_id:
            msg['session_id'] = self.session_id
        if self.handle_id and kind not in ('create', 'destroy', 'keepalive'):
            msg['handle_id'] = self.handle_id
        msg.update(body or {})
        fut = asyncio.get_running_loop().create_future()
        fut.wait_event = wait_event
        self.pending[tx] = fut
        t = time.monotonic()
        await self.ws.send(json.dumps(msg))
        if sent:
            sent.set()
        reply = await asyncio.wait_for(fut, 30)
        if timed:
            self.timer.add(timed, time.monotonic() - t)
        if reply.get('janus') == 'error':
            raise RuntimeError(f'janus {kind}: {reply.get("error")}')
        return reply


# --------------------------------------------------------------------------------------------
# Servers

class Server:
    name = ''
    pid = None

    def __init__(self, workdir):
        self.workdir = workdir
        self.proc = None

    async def stop(self):
        if self.proc and self.proc.returncode is None:
            self.proc.terminate()
            try:
                await asyncio.wait_for(self.proc.wait(), 10)
            except asyncio.TimeoutError:
                self.proc.kill()
                await self.proc.wait()


class PipewrightServer(Server):
    name = 'Pipewright'

    def __init__(self, workdir, binary, extra_config=None):
        super().__init__(workdir)
        self.binary = binary
        self.extra_config = extra_config or {}

    async def start(self):
        cfg = os.path.join(self.workdir, 'pipewright.json')
        with open(cfg, 'w') as f:
            json.dump({'listen': '127.0.0.1', 'port': 0, 'path': 'kurento', 'mediaFolders': [],
                       **self.extra_config}, f)
        env = dict(os.environ, XDG_RUNTIME_DIR=self.workdir)
        self.err = open(os.path.join(self.workdir, 'pipewright.log'), 'wb')
        self.proc = await asyncio.create_subprocess_exec(
            self.binary, '--headless', '--listen', '127.0.0.1', '--port', '0', '--config', cfg,
            '--ice-address', '127.0.0.1', stdout=asyncio.subprocess.PIPE, stderr=self.err, env=env)
        self.pid = self.proc.pid
        deadline = time.monotonic() + 20
        while time.monotonic() < deadline:
            line = await asyncio.wait_for(self.proc.stdout.readline(), 20)
            if not line:
                break
            m = re.search(rb'listening on (ws://\S+)', line)
            if m:
                self.url = m.group(1).decode()
                asyncio.ensure_future(self._drain())
                return
        raise RuntimeError(f'Pipewright did not start (see {self.err.name})')

    async def _drain(self):
        while await self.proc.stdout.readline():
            pass

    async def session(self, peer, timer, rec):
        """One loopback: MediaPipeline + WebRtcEndpoint connected to itself, in the order of
        kurento-tutorial-node's hello-world: the browser's candidates queued until the endpoint
        exists, `connect`, the event listeners, then `processOffer` and `gatherCandidates` sent
        back to back (the tutorial does not wait for the answer before asking to gather)."""
        ws = await websockets.connect(self.url, max_size=None, ping_interval=None)
        c = KurentoClient(ws, timer)
        rec['t0'] = time.monotonic()
        try:
            pipeline = await c.call('create', {'type': 'MediaPipeline', 'constructorParams': {},
                                               'properties': {}}, timed='create')
            ep = await c.call('create', {'type': 'WebRtcEndpoint',
                                         'constructorParams': {'mediaPipeline': pipeline},
                                         'properties': {}}, timed='create')
            rec['release'] = lambda: c.call('release', {'object': pipeline})
            rec['pipeline'] = pipeline
            rec['client'] = c

            async def local_candidates():
                while True:
                    mline, cand = await peer.candidates.get()
                    await c.call('invoke', {'object': ep, 'operation': 'addIceCandidate', 'operationParams': {
                        'candidate': {'__module__': 'kurento', '__type__': 'IceCandidate', 'candidate': cand,
                                      'sdpMid': peer.mids.get(mline, str(mline)), 'sdpMLineIndex': mline}}})
            rec['tasks'].append(asyncio.ensure_future(local_candidates()))

            await c.call('invoke', {'object': ep, 'operation': 'connect',
                                    'operationParams': {'sink': ep}}, timed='connect')
            # kurento-client sends each subscribe as `on()` is called, without waiting.
            await asyncio.gather(*(c.call('subscribe', {'object': ep, 'type': ev})
                                   for ev in ('IceCandidateFound', 'IceGatheringDone', 'MediaTranscodingStateChanged')))

            async def remote_candidates():
                while True:
                    ev = await c.event_queue.get()
                    if ev['type'] == 'IceCandidateFound':
                        cand = ev['data']['candidate']
                        peer.add_remote_candidate(int(cand['sdpMLineIndex']), cand['candidate'])
            rec['tasks'].append(asyncio.ensure_future(remote_candidates()))

            offer = await asyncio.wait_for(peer.offer_future, 20)
            rec['t_offer'] = time.monotonic()

            async def offer_answer():
                peer.set_answer(await c.call('invoke', {'object': ep, 'operation': 'processOffer',
                                                        'operationParams': {'offer': offer}}, timed='processOffer'))
            await asyncio.gather(offer_answer(), c.call('invoke', {'object': ep, 'operation': 'gatherCandidates'}))
        except Exception:
            rec['close'] = ws.close
            raise
        rec['close'] = ws.close

    async def transcoding_report(self, recs):
        """Pipeline graph of the first session: any decoder/encoder? plus transcoding events."""
        out = {}
        for rec in recs:
            c = rec.get('client')
            if not c:
                continue
            dot = await c.call('invoke', {'object': rec['pipeline'], 'operation': 'getGstreamerDot'})
            found = sorted(set(TRANSCODER_RE.findall(dot or '')))
            events = [e['data'].get('state') for e in c.events if e['type'] == 'MediaTranscodingStateChanged']
            out = {'codec_elements_in_pipeline': found, 'transcoding_events': events,
                   'dot_bytes': len(dot or '')}
            with open(os.path.join(self.workdir, 'pipeline.dot'), 'w') as f:
                f.write(dot or '')
            break
        return out


class JanusServer(Server):
    name = 'Janus'

    def __init__(self, workdir, bench_dir, janus_bin):
        super().__init__(workdir)
        self.bench_dir = bench_dir
        self.janus_bin = janus_bin

    async def start(self):
        d = self.workdir
        for sub in ('conf', 'plugins', 'transports', 'none'):
            os.makedirs(os.path.join(d, sub), exist_ok=True)
        with socket.socket() as s:
            s.bind(('127.0.0.1', 0))
            port = s.getsockname()[1]
        src = os.path.join(self.bench_dir, 'janus')
        with open(os.path.join(src, 'janus.jcfg.in')) as f:
            text = f.read().replace('@DIR@', d)
        with open(os.path.join(d, 'conf', 'janus.jcfg'), 'w') as f:
            f.write(text)
        with open(os.path.join(src, 'janus.transport.websockets.jcfg')) as f:
            text = f.read().replace('@WSPORT@', str(port))
        with open(os.path.join(d, 'conf', 'janus.transport.websockets.jcfg'), 'w') as f:
            f.write(text)
        shutil.copy(os.path.join(src, 'janus.plugin.echotest.jcfg'), os.path.join(d, 'conf'))
        libdir = '/usr/lib/x86_64-linux-gnu/janus'
        for sub, lib in (('plugins', 'libjanus_echotest.so'), ('transports', 'libjanus_websockets.so')):
            link = os.path.join(d, sub, lib)
            if not os.path.exists(link):
                os.symlink(os.path.join(libdir, sub, lib), link)
        self.err = open(os.path.join(d, 'janus.log'), 'wb')
        self.proc = await asyncio.create_subprocess_exec(
            self.janus_bin, '-C', os.path.join(d, 'conf', 'janus.jcfg'), '-F', os.path.join(d, 'conf'),
            stdout=self.err, stderr=self.err)
        self.pid = self.proc.pid
        self.url = f'ws://127.0.0.1:{port}/'
        deadline = time.monotonic() + 20
        while time.monotonic() < deadline:
            try:
                ws = await websockets.connect(self.url, subprotocols=['janus-protocol'])
                await ws.close()
                return
            except OSError:
                await asyncio.sleep(0.1)
        raise RuntimeError(f'Janus did not start (see {self.err.name})')

    async def session(self, peer, timer, rec):
        ws = await websockets.connect(self.url, subprotocols=['janus-protocol'], max_size=None,
                                      ping_interval=None)
        c = JanusClient(ws, timer)
        rec['t0'] = time.monotonic()
        try:
            r = await c.request('create', timed='create')
            c.session_id = r['data']['id']
            r = await c.request('attach', {'plugin': 'janus.plugin.echotest'}, timed='create')
            c.handle_id = r['data']['id']

            async def release():
                await c.request('detach')
                await c.request('destroy')
            rec['release'] = release

            async def keepalive():
                while True:
                    await asyncio.sleep(25)
                    await c.request('keepalive')
            rec['tasks'].append(asyncio.ensure_future(keepalive()))

            async def events():
                while True:
                    ev = await c.events.get()
                    kind = ev.get('janus')
                    if kind == 'trickle':
                        cand = ev.get('candidate', {})
                        if cand.get('candidate'):
                            peer.add_remote_candidate(int(cand.get('sdpMLineIndex', 0)), cand['candidate'])
                    elif kind == 'hangup':
                        peer.errors.append(f'janus hangup: {ev.get("reason")}')
            rec['tasks'].append(asyncio.ensure_future(events()))

            async def local_candidates():
                sent_done = False
                while True:
                    get = asyncio.ensure_future(peer.candidates.get())
                    done_wait = asyncio.ensure_future(peer.gathering_done.wait())
                    finished, _ = await asyncio.wait({get, done_wait}, return_when=asyncio.FIRST_COMPLETED)
                    if get in finished:
                        done_wait.cancel()
                        mline, cand = get.result()
                        await c.request('trickle', {'candidate': {
                            'candidate': cand, 'sdpMid': peer.mids.get(mline, str(mline)), 'sdpMLineIndex': mline}})
                    else:
                        get.cancel()
                        if peer.candidates.empty() and not sent_done:
                            sent_done = True
                            await c.request('trickle', {'candidate': {'completed': True}})
                            return

            offer = await asyncio.wait_for(peer.offer_future, 20)
            rec['t_offer'] = time.monotonic()
            # As janus.js does: the offer goes out, then each candidate as it is found (Janus
            # queues those that come before its answer).
            sent = asyncio.Event()
            message = asyncio.ensure_future(c.request('message', {'body': {'audio': True, 'video': True},
                                                                  'jsep': {'type': 'offer', 'sdp': offer}},
                                                      timed='processOffer', wait_event=True, sent=sent))
            sent_wait = asyncio.ensure_future(sent.wait())
            await asyncio.wait({message, sent_wait}, return_when=asyncio.FIRST_COMPLETED)
            sent_wait.cancel()
            rec['tasks'].append(asyncio.ensure_future(local_candidates()))
            r = await message
            jsep = r.get('jsep')
            if not jsep:
                raise RuntimeError(f'janus echotest: no answer in {r}')
            peer.set_answer(jsep['sdp'])
        except Exception:
            rec['close'] = ws.close
            raise
        rec['close'] = ws.close

    async def transcoding_report(self, recs):
        return {'note': 'EchoTest relays RTP without decoding (by design)'}


# --------------------------------------------------------------------------------------------
# One measurement: N sessions against one server

async def run_target(server, n, seconds, media, settle, warmup):
    loop = asyncio.get_running_loop()
    await server.start()
    pid = server.pid
    log(f'{server.name}: started (pid {pid}) at {server.url}')

    async def one_session(i, timer, recs):
        peer = Peer(f'{server.name}-{i}', media, loop)
        rec = {'peer': peer, 'tasks': [], 'error': None}
        recs.append(rec)
        peer.start()
        try:
            await server.session(peer, timer, rec)
            first = await asyncio.wait_for(peer.first_video, 30)
            rec['ttff'] = first - rec['t0']
            rec['ttff_offer'] = first - rec['t_offer']
            if peer.connected.is_set():
                rec['ttc'] = peer.t_connected - rec['t0']
            for key, mark in (('offer', rec.get('t_offer')), ('answer', peer.t_answer),
                              ('remote_candidate', peer.t_remote_candidate), ('ice_connected', peer.t_ice_connected)):
                if mark is not None:
                    rec['phase_' + key] = mark - rec['t0']
        except Exception as e:  # noqa: BLE001 - reported, the run goes on
            w = peer.webrtc
            rec['error'] = (f'{type(e).__name__}: {e} [offer {peer.offer_future.done()}, '
                            f'ice {w.get_property("ice-connection-state").value_nick}, '
                            f'pc {w.get_property("connection-state").value_nick}, '
                            f'video frames {peer.video_frames}, audio packets {peer.audio_packets}]')
            log(f'{server.name} session {i}: {rec["error"]}')

    async def teardown(recs):
        for rec in recs:
            for t in rec['tasks']:
                t.cancel()
            try:
                if rec.get('release'):
                    await asyncio.wait_for(rec['release'](), 10)
            except Exception as e:  # noqa: BLE001
                log(f'{server.name}: release failed: {e}')
            if rec.get('close'):
                await rec['close']()
            rec['peer'].stop()

    # Warm-up: one complete session (not measured), so lazy one-time set-up is not billed to N.
    if warmup:
        wrecs = []
        await one_session('warmup', Timer(), wrecs)
        await asyncio.sleep(1)
        await teardown(wrecs)
        await asyncio.sleep(2)

    # Idle baseline: 3 s, reported on its own (one clock tick is 10 ms, so 1 s would be too coarse).
    base = proc_sample(pid)
    await asyncio.sleep(3)
    base2 = proc_sample(pid)
    base_inv = proc_inventory(pid)
    idle_cpu = (base2['ticks'] - base['ticks']) / CLK_TCK / (base2['t'] - base['t']) * 100

    timer = Timer()
    recs = []
    await asyncio.gather(*(one_session(i, timer, recs) for i in range(n)))
    ok = [r for r in recs if not r['error']]
    await asyncio.sleep(settle)

    # Steady window
    w0 = proc_sample(pid)
    self_t0 = proc_cpu_ticks(os.getpid())
    frames0 = [(r['peer'].video_frames, r['peer'].audio_packets) for r in recs]
    samples = []
    end = w0['t'] + seconds
    while time.monotonic() < end:
        await asyncio.sleep(min(1.0, max(0.0, end - time.monotonic())))
        samples.append(proc_sample(pid))
        for r in recs:
            r['peer'].poll_bus()
    w1 = samples[-1]
    window = w1['t'] - w0['t']
    self_cpu = (proc_cpu_ticks(os.getpid()) - self_t0) / CLK_TCK / window * 100
    cpu = (w1['ticks'] - w0['ticks']) / CLK_TCK / window * 100
    fps = [(r['peer'].video_frames - f[0]) / window for r, f in zip(recs, frames0)]
    delays = [d for r in recs for (t, d) in r['peer'].delays if w0['t'] <= t <= w1['t']]
    frames_in_window = sum(r['peer'].video_frames - f[0] for r, f in zip(recs, frames0))
    aps = [(r['peer'].audio_packets - f[1]) / window for r, f in zip(recs, frames0)]
    # A session is only OK when it echoes both media: no echoed audio (or video) in the window
    # counts as a failed session.
    for r, a, f in zip(recs, aps, fps):
        if not r['error'] and (a <= 0 or f <= 0):
            r['error'] = f'nothing echoed in the window (audio {a:.1f} packets/s, video {f:.1f} frames/s)'
    ok = [r for r in recs if not r['error']]
    steady_inv = proc_inventory(pid)
    transcoding = await server.transcoding_report(recs)

    await teardown(recs)
    await asyncio.sleep(3)
    after = proc_sample(pid)
    await server.stop()

    med = lambda key: median([s[key] for s in samples])  # noqa: E731
    res = {
        'server': server.name, 'sessions': n, 'ok_sessions': len(ok),
        'errors': [r['error'] for r in recs if r['error']] + [e for r in recs for e in r['peer'].errors],
        'window_s': round(window, 2),
        'idle_cpu_pct': round(idle_cpu, 2),
        'cpu_pct_total': round(cpu, 2),
        'cpu_pct_per_session': round(cpu / n, 2),
        'baseline': {k: base2[k] for k in ('threads', 'fds', 'rss_kb')},
        'steady': {'threads': med('threads'), 'fds': med('fds'), 'rss_kb': med('rss_kb')},
        'after_release': {k: after[k] for k in ('threads', 'fds', 'rss_kb')},
        'threads_per_session': round((med('threads') - base2['threads']) / n, 2),
        'fds_per_session': round((med('fds') - base2['fds']) / n, 2),
        'rss_mb_per_session': round((med('rss_kb') - base2['rss_kb']) / n / 1024, 2),
        'threads_left_after_release': after['threads'] - base2['threads'],
        'fds_left_after_release': after['fds'] - base2['fds'],
        'ttff_ms_p50': ms(pct([r['ttff'] for r in ok], 50)),
        'ttff_ms_p95': ms(pct([r['ttff'] for r in ok], 95)),
        'ttff_after_offer_ms_p50': ms(pct([r['ttff_offer'] for r in ok], 50)),
        'connected_ms_p50': ms(pct([r['ttc'] for r in ok if 'ttc' in r], 50)),
        # From the session's first request to each phase (p50 over the sessions).
        'phase_ms_p50': {key: ms(pct([r['phase_' + key] for r in ok if 'phase_' + key in r], 50))
                         for key in ('offer', 'answer', 'remote_candidate', 'ice_connected')},
        'echo_video_fps_mean': round(sum(fps) / len(fps), 1) if fps else None,
        'first_frame_echo_delay_ms_p50': ms(pct([r['peer'].first_delay for r in ok
                                                 if r['peer'].first_delay is not None], 50)),
        'echo_delay_ms_p50': ms(pct(delays, 50)),
        'echo_delay_ms_p95': ms(pct(delays, 95)),
        'echo_delay_matched_frames': f'{len(delays)}/{frames_in_window}',
        'echo_delay_ms_by_session': [
            {'p50': ms(pct(ds, 50)), 'p95': ms(pct(ds, 95)), 'max': ms(max(ds) if ds else None)}
            for ds in ([d for (t, d) in r['peer'].delays if w0['t'] <= t <= w1['t']] for r in recs)],
        'echo_video_fps_min': round(min(fps), 1) if fps else None,
        'echo_audio_pps_mean': round(sum(aps) / len(aps), 1) if aps else None,
        'driver_cpu_pct': round(self_cpu, 1),
        'rpc_ms': {op: {'count': len(v), 'p50': round(pct(v, 50), 2), 'p99': round(pct(v, 99), 2)}
                   for op, v in timer.samples.items()},
        'transcoding': transcoding,
        'per_session_breakdown': inventory_delta(base_inv, steady_inv, n),
    }
    log(f'{server.name} N={n}: cpu {res["cpu_pct_total"]} %, ok {len(ok)}/{n}, '
        f'fps {res["echo_video_fps_mean"]}, ttff p50 {res["ttff_ms_p50"]} ms')
    return res


def ms(seconds):
    return None if seconds is None else round(seconds * 1000, 1)


# --------------------------------------------------------------------------------------------
# Report

ROWS = [
    ('server CPU per session (% of one core)', lambda r: r['cpu_pct_per_session']),
    ('server CPU total (% of one core)', lambda r: r['cpu_pct_total']),
    ('server CPU idle, before the sessions (% of one core)', lambda r: r['idle_cpu_pct']),
    ('threads per endpoint', lambda r: r['threads_per_session']),
    ('FDs per endpoint', lambda r: r['fds_per_session']),
    ('RSS per session (MiB)', lambda r: r['rss_mb_per_session']),
    ('ICE + DTLS connected p50 (ms)', lambda r: r['connected_ms_p50']),
    ('first echoed frame p50 (ms)', lambda r: r['ttff_ms_p50']),
    ('first echoed frame p95 (ms)', lambda r: r['ttff_ms_p95']),
    ('create p50 (ms)', lambda r: r['rpc_ms'].get('create', {}).get('p50')),
    ('create p99 (ms)', lambda r: r['rpc_ms'].get('create', {}).get('p99')),
    ('processOffer p50 (ms)', lambda r: r['rpc_ms'].get('processOffer', {}).get('p50')),
    ('processOffer p99 (ms)', lambda r: r['rpc_ms'].get('processOffer', {}).get('p99')),
    ('connect p50 (ms)', lambda r: r['rpc_ms'].get('connect', {}).get('p50')),
    ('connect p99 (ms)', lambda r: r['rpc_ms'].get('connect', {}).get('p99')),
    ('echoed video fps per session (mean)', lambda r: r['echo_video_fps_mean']),
    ('echoed audio packets/s per session (mean)', lambda r: r['echo_audio_pps_mean']),
    ('echo delay p50, frame sent → back (ms)', lambda r: r['echo_delay_ms_p50']),
    ('echo delay p95 (ms)', lambda r: r['echo_delay_ms_p95']),
    ('echoed frames identical to a sent frame', lambda r: r['echo_delay_matched_frames']),
    ('threads / FDs left after release', lambda r: f'{r["threads_left_after_release"]} / {r["fds_left_after_release"]}'),
    ('sessions OK', lambda r: f'{r["ok_sessions"]}/{r["sessions"]}'),
    ('driver CPU (% of one core)', lambda r: r['driver_cpu_pct']),
]


def fmt(v):
    if v is None:
        return 'n/a'
    if isinstance(v, float):
        return f'{v:.2f}' if abs(v) < 10 else f'{v:.1f}'
    return str(v)


def median_of(values):
    nums = [v for v in values if isinstance(v, (int, float))]
    if len(nums) != len(values) or not nums:
        return None
    nums = sorted(nums)
    mid = len(nums) // 2
    return nums[mid] if len(nums) % 2 else (nums[mid - 1] + nums[mid]) / 2


def table(pairs):
    """One table per N. With --repeat K, each cell is the median of the K runs and the last
    column lists the ratio of every run (Pipewright and Janus of the same repetition)."""
    lines = []
    for n, pws, jns in pairs:
        k = len(pws)
        lines.append(f'\n### N = {n} concurrent loopback sessions' + (f' (median of {k} runs)' if k > 1 else '') + '\n')
        lines.append('| metric | Pipewright | Janus EchoTest | Pipewright / Janus |' + (' per run |' if k > 1 else ''))
        lines.append('|---|---:|---:|---:|' + ('---|' if k > 1 else ''))
        for label, get in ROWS:
            av, bv = [get(r) for r in pws], [get(r) for r in jns]
            a, b = median_of(av), median_of(bv)
            if a is None:
                a = ', '.join(fmt(v) for v in av)
            if b is None:
                b = ', '.join(fmt(v) for v in bv)
            ratio = 'n/a'
            if isinstance(a, (int, float)) and isinstance(b, (int, float)) and b:
                ratio = f'{a / b:.2f}'
            runs = ''
            if k > 1:
                per = [f'{x / y:.2f}' if isinstance(x, (int, float)) and isinstance(y, (int, float)) and y else 'n/a'
                       for x, y in zip(av, bv)]
                runs = f' {", ".join(per)} |'
            lines.append(f'| {label} | {fmt(a)} | {fmt(b)} | {ratio} |{runs}')
    return '\n'.join(lines)


async def main():
    ap = argparse.ArgumentParser(description=__doc__.split('\n')[0])
    ap.add_argument('--sessions', default='1,4,8', help='comma-separated session counts (default 1,4,8)')
    ap.add_argument('--seconds', type=float, default=20, help='steady measurement window (default 20 s)')
    ap.add_argument('--settle', type=float, default=3,
                    help='wait after the last session is up, before the window (default 3 s)')
    ap.add_argument('--server', required=True, help='pipewright binary')
    ap.add_argument('--janus', default=shutil.which('janus') or '/usr/bin/janus', help='janus binary')
    ap.add_argument('--targets', default='pipewright,janus', help='servers to measure, in this order')
    ap.add_argument('--media', default=None, help='pre-encoded WebM (made once if missing)')
    ap.add_argument('--out', default=None, help='results as JSON (default: <workdir>/results.json)')
    ap.add_argument('--pipewright-config', default='{}',
                    help='JSON object of extra Pipewright config keys, e.g. \'{"jitterBufferLatencyMs": 100}\'')
    ap.add_argument('--no-warmup', action='store_true', help='skip the unmeasured warm-up session')
    ap.add_argument('--repeat', type=int, default=1,
                    help='runs per N and server, alternating which server goes first; the tables give '
                         'medians and every run\'s ratio (default 1)')
    args = ap.parse_args()
    Gst.init(None)
    bench_dir = os.path.dirname(os.path.abspath(__file__))
    counts = [int(x) for x in args.sessions.split(',') if x]
    media_seconds = int(args.seconds + args.settle + 40)
    media = args.media or os.path.join(tempfile.gettempdir(), f'pw-bench-media-{media_seconds}s.webm')
    ensure_media(media, media_seconds)
    work = tempfile.mkdtemp(prefix='pw-bench-')
    out = args.out or os.path.join(work, 'results.json')
    results = []
    pairs = []
    targets = args.targets.split(',')
    # The driver's own first peer loads GStreamer's plugins and makes webrtcbin's certificate:
    # paid here, before any server is measured, so that neither server's first session carries it.
    loop = asyncio.get_running_loop()
    warm = Peer('driver-warm-up', media, loop)
    warm.start()
    await asyncio.wait_for(warm.offer_future, 20)
    warm.stop()
    for n in counts:
        by = {t: [] for t in targets}
        for rep in range(args.repeat):
            # Alternate the order, so that neither server always runs on a machine just warmed
            # (or just loaded) by the other.
            for target in (targets if rep % 2 == 0 else list(reversed(targets))):
                d = os.path.join(work, f'{target}-{n}' + (f'-{rep + 1}' if args.repeat > 1 else ''))
                os.makedirs(d)
                srv = PipewrightServer(d, args.server, json.loads(args.pipewright_config)) if target == 'pipewright' else JanusServer(d, bench_dir, args.janus)
                try:
                    r = await run_target(srv, n, args.seconds, media, args.settle, not args.no_warmup)
                finally:
                    await srv.stop()
                r['run'] = rep + 1
                results.append(r)
                by[target].append(r)
        if by.get('pipewright') and by.get('janus'):
            pairs.append((n, by['pipewright'], by['janus']))
    meta = {'date': datetime.datetime.now(datetime.timezone.utc).strftime('%Y-%m-%d %H:%M UTC'),
            'cpus': os.cpu_count(), 'kernel': platform.release(), 'seconds': args.seconds,
            'gstreamer': Gst.version_string(), 'media': media, 'workdir': work, 'repeat': args.repeat}
    print(f'Pipewright vs Janus EchoTest - {meta["date"]}, {meta["cpus"]} CPUs, '
          f'{args.seconds:g} s steady window, {meta["gstreamer"]}')
    print(table(pairs))
    for r in results:
        print(f'\n{r["server"]} N={r["sessions"]} run {r["run"]}: transcoding check {json.dumps(r["transcoding"])}'
              + (f'; errors: {r["errors"]}' if r['errors'] else ''))
        b = r['per_session_breakdown']
        print(f'  per session: threads {json.dumps(b["threads"])}; FDs {json.dumps(b["fds"])}')
        print('  echo delay by session (ms, p50/p95/max): ' + ', '.join(
            f'{d["p50"]}/{d["p95"]}/{d["max"]}' for d in r['echo_delay_ms_by_session']))
    with open(out, 'w') as f:
        json.dump({'meta': meta, 'results': results}, f, indent=2)
    print(f'\nJSON: {out} (server logs and the Pipewright pipeline graph: {work})')


if __name__ == '__main__':
    asyncio.run(main())
