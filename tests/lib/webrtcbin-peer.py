#!/usr/bin/python3
"""A GStreamer webrtcbin peer for the tests, driven over stdin/stdout (one JSON object a line).

It offers live VP8 video (H.264 constrained baseline with PW_PEER_VIDEO=h264, as OBS sends) and Opus audio with bundle-policy max-bundle, so its offer has exactly
what RFC 8843 clients send: the first m-line carries the transport, the second (audio) has
`port 0` and `a=bundle-only`. It counts the RTP packets that come back per media type.

Out (stdout):  {"offer": sdp} once, then {"candidate": {"sdpMLineIndex": n, "candidate": text}}
               for each local candidate, {"connected": true}, and every 250 ms
               {"stats": {"audioPackets": n, "videoPackets": n, "audioSent": n, "videoSent": n}}.
In (stdin):    {"answer": sdp}, {"candidate": {"sdpMLineIndex": n, "candidate": text}}.
               End of input ends the peer.
Traffic stays on 127.0.0.1: only that address takes part in ICE and UPnP is off.
"""
import ctypes
import json
import os
import sys
import threading

import gi

gi.require_version('Gst', '1.0')
gi.require_version('GstWebRTC', '1.0')
gi.require_version('GstSdp', '1.0')
from gi.repository import GLib, Gst, GstSdp, GstWebRTC  # noqa: E402

VIDEO = os.environ.get('PW_PEER_VIDEO', 'vp8')
if VIDEO == 'h264':
    VIDEO_CAPS = 'application/x-rtp,media=video,encoding-name=H264,payload=102,clock-rate=90000'
    VIDEO_ENCODE = ('x264enc tune=zerolatency speed-preset=ultrafast key-int-max=15 ! '
                    'video/x-h264,profile=constrained-baseline ! rtph264pay name=vpay pt=102 mtu=1200 config-interval=-1')
else:
    VIDEO_CAPS = 'application/x-rtp,media=video,encoding-name=VP8,payload=96,clock-rate=90000'
    VIDEO_ENCODE = 'vp8enc deadline=1 keyframe-max-dist=15 ! rtpvp8pay name=vpay pt=96 mtu=1200'
AUDIO_CAPS = 'application/x-rtp,media=audio,encoding-name=OPUS,payload=111,clock-rate=48000'

out_lock = threading.Lock()


def emit(obj):
    with out_lock:
        sys.stdout.write(json.dumps(obj) + '\n')
        sys.stdout.flush()


class Peer:
    def __init__(self, loop):
        self.loop = loop
        self.counts = {'audioPackets': 0, 'videoPackets': 0, 'audioSent': 0, 'videoSent': 0}
        self.lock = threading.Lock()
        self.pipe = Gst.parse_launch(
            'webrtcbin name=w bundle-policy=max-bundle '
            'videotestsrc is-live=true pattern=ball ! video/x-raw,width=160,height=120,framerate=15/1 ! '
            f'{VIDEO_ENCODE} ! '
            f'{VIDEO_CAPS} ! queue ! w.sink_0 '
            'audiotestsrc is-live=true wave=sine ! audio/x-raw,rate=48000,channels=1 ! opusenc ! '
            f'rtpopuspay name=apay pt=111 mtu=1200 ! {AUDIO_CAPS} ! queue ! w.sink_1')
        self.webrtc = self.pipe.get_by_name('w')
        for name, key in (('vpay', 'videoSent'), ('apay', 'audioSent')):
            self.pipe.get_by_name(name).get_static_pad('src').add_probe(
                Gst.PadProbeType.BUFFER | Gst.PadProbeType.BUFFER_LIST, self._count, key)
        ice = self.webrtc.get_property('ice-agent')
        # PyGObject leaves the agent one reference short when read from Python (see bench/driver.py).
        if ice.__grefcount__ < 2:
            capsule = ctypes.pythonapi.PyCapsule_GetPointer
            capsule.restype, capsule.argtypes = ctypes.c_void_p, [ctypes.py_object, ctypes.c_char_p]
            gobject = ctypes.CDLL('libgobject-2.0.so.0')
            gobject.g_object_ref.argtypes = [ctypes.c_void_p]
            gobject.g_object_ref(capsule(ice.__gpointer__, None))
        ice.emit('add-local-ip-address', '127.0.0.1')
        ice.get_property('agent').set_property('upnp', False)
        for i in range(2):
            self.webrtc.emit('get-transceiver', i).set_property(
                'direction', GstWebRTC.WebRTCRTPTransceiverDirection.SENDRECV)
        self.negotiated = False
        self.webrtc.connect('on-negotiation-needed', self._on_negotiation_needed)
        self.webrtc.connect('on-ice-candidate', lambda _w, m, c: emit(
            {'candidate': {'sdpMLineIndex': m, 'candidate': c}}))
        self.webrtc.connect('notify::connection-state', self._on_connection_state)
        self.webrtc.connect('pad-added', self._on_pad_added)

    def _count(self, _pad, info, key):
        packets = info.get_buffer_list().length() if info.type & Gst.PadProbeType.BUFFER_LIST else 1
        with self.lock:
            self.counts[key] += packets
        return Gst.PadProbeReturn.OK

    def _on_negotiation_needed(self, webrtc):
        if self.negotiated:
            return
        self.negotiated = True
        webrtc.emit('create-offer', None, Gst.Promise.new_with_change_func(self._on_offer, None))

    def _on_offer(self, promise, _data):
        reply = promise.get_reply()  # keep the reply alive while its offer is used
        offer = reply.get_value('offer')
        text = offer.sdp.as_text()
        self.webrtc.emit('set-local-description', offer, Gst.Promise.new())
        emit({'offer': text})

    def _on_connection_state(self, webrtc, _pspec):
        if webrtc.get_property('connection-state') == GstWebRTC.WebRTCPeerConnectionState.CONNECTED:
            emit({'connected': True})

    def _on_pad_added(self, _webrtc, pad):
        if pad.get_direction() != Gst.PadDirection.SRC:
            return
        caps = pad.get_current_caps() or pad.query_caps(None)
        key = 'videoPackets' if caps.get_structure(0).get_string('media') == 'video' else 'audioPackets'
        sink = Gst.ElementFactory.make('fakesink')
        sink.set_property('sync', False)
        sink.set_property('async', False)
        self.pipe.add(sink)
        sink.sync_state_with_parent()
        pad.link(sink.get_static_pad('sink'))
        pad.add_probe(Gst.PadProbeType.BUFFER, self._count, key)

    def set_answer(self, text):
        ok, sdp = GstSdp.SDPMessage.new_from_text(text)
        answer = GstWebRTC.WebRTCSessionDescription.new(GstWebRTC.WebRTCSDPType.ANSWER, sdp)
        self.webrtc.emit('set-remote-description', answer, Gst.Promise.new())

    def add_candidate(self, c):
        if c.get('candidate'):
            self.webrtc.emit('add-ice-candidate', int(c.get('sdpMLineIndex') or 0), c['candidate'])

    def report(self):
        with self.lock:
            emit({'stats': dict(self.counts)})
        return True


def main():
    Gst.init(None)
    loop = GLib.MainLoop()
    peer = Peer(loop)

    def on_line(line):
        msg = json.loads(line)
        if 'answer' in msg:
            peer.set_answer(msg['answer'])
        elif 'candidate' in msg:
            peer.add_candidate(msg['candidate'])
        return False

    def read_input():
        for line in sys.stdin:
            if line.strip():
                GLib.idle_add(on_line, line)
        GLib.idle_add(loop.quit)

    threading.Thread(target=read_input, daemon=True).start()
    GLib.timeout_add(250, peer.report)
    peer.pipe.set_state(Gst.State.PLAYING)
    loop.run()
    peer.pipe.set_state(Gst.State.NULL)


if __name__ == '__main__':
    main()
