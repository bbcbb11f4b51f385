#include "RtpEndpoint.h"

#include "Remb.h"
#include "RtpCodecs.h"
#include "RtpStreamSelector.h"
#include "core/Bindings.h"
#include "gst/GCharPtr.h"
#include "gst/GObjectPtr.h"
#include "gst/StructurePtr.h"
#include "media/SinkInput.h"
#include "pipewright/engine/Engine.h"
#include "pipewright/engine/Schema.h"

#include <QDateTime>
#include <QRandomGenerator>

#include <gst/video/video-event.h>

#include <array>
#include <atomic>
#include <functional>
#include <map>
#include <mutex>
#include <vector>

namespace pw {

// SRTP state shared with rtpbin's request-*-encoder/decoder handlers and srtpdec's
// request-key handler (streaming threads, or the engine thread while pads are requested).
struct SrtpState {
  SrtpKey local;                          // ours: what srtpenc encrypts with (our a=crypto)
  std::mutex mutex;
  std::map<guint, SrtpKey> remote;        // rtpbin session → the peer's key (its a=crypto)
  std::map<guint, ElementRef> encoders;   // one srtpenc per session, for RTP and RTCP
  std::map<guint, ElementRef> decoders;   // one srtpdec per session, for RTP and RTCP
  std::map<guint, MediaType> kinds;       // session → media type, for OnKeySoftLimit
  std::function<void(MediaType)> softLimit;  // posts OnKeySoftLimit to the engine thread

  // A key of `session` nears its usage limit (streaming thread).
  void keySoftLimit(guint session) {
    std::function<void(MediaType)> notify;
    MediaType type = MediaType::Video;
    {
      std::lock_guard lock(mutex);
      auto it = kinds.find(session);
      if (it == kinds.end() || !softLimit) return;
      type = it->second;
      notify = softLimit;
    }
    notify(type);
  }
};

// What rtpbin's pad-added handler and the received streams' probes (streaming threads) share
// with the endpoint: one selector per media type, REMB, and the way back to the engine thread.
struct RtpReceiveContext {
  std::weak_ptr<Remb> remb;
  std::array<std::shared_ptr<RtpStreamSelector>, 2> selectors{std::make_shared<RtpStreamSelector>(),
                                                              std::make_shared<RtpStreamSelector>()};  // audio, video
  Engine* engine = nullptr;
  std::weak_ptr<MediaObject> owner;  // set on the engine thread before any socket is open

  // A new stream took over (streaming thread): video asks its sender for a keyframe at once,
  // so that decoders downstream recover from the change.
  void switched(guint32 ssrc, bool video) {
    qInfo("pipewright: RtpEndpoint: the %s stream is now SSRC %u (the previous one went silent)", video ? "video" : "audio", ssrc);
    if (!video || !engine) return;
    engine->post([weak = owner]() {
      if (auto self = std::static_pointer_cast<BaseRtpEndpoint>(weak.lock())) self->requestKeyframe();
    });
  }
};

namespace {

// rtpbin's request-rtp-encoder / request-rtcp-encoder: the session's srtpenc (one reference
// per request: rtpbin releases one per request when the session goes). rtpbin looks up the
// encoder's rtp(c)_sink_<session> and rtp(c)_src_<session> as existing pads, so they are
// requested here, when the encoder is made.
struct KeyRequest {
  std::weak_ptr<SrtpState> state;
  guint session;
};

void deleteKeyRequest(gpointer u, GClosure*) { delete static_cast<KeyRequest*>(u); }

GstElement* onRequestEncoder(GstElement*, guint session, gpointer user) {
  const auto& state = *static_cast<std::shared_ptr<SrtpState>*>(user);
  std::lock_guard lock(state->mutex);
  ElementRef& enc = state->encoders[session];
  if (!enc) {
    enc = makeElement("srtpenc");
    if (!enc) return nullptr;
    configureSrtpEncoder(enc.get(), state->local);
    // Our key nears libsrtp's usage limit: OnKeySoftLimit (a new endpoint means a new key).
    g_signal_connect_data(enc.get(), "soft-limit", G_CALLBACK(+[](GstElement*, gpointer u) {
                            const auto* r = static_cast<KeyRequest*>(u);
                            if (auto st = r->state.lock()) st->keySoftLimit(r->session);
                          }),
                          new KeyRequest{state, session}, deleteKeyRequest, GConnectFlags(0));
    for (const char* name : {"rtp_sink_%1", "rtcp_sink_%1"}) {
      PadRef pad = PadRef::adopt(gst_element_request_pad_simple(enc.get(), QString::fromLatin1(name).arg(session).toLatin1().constData()));
    }
  }
  return GST_ELEMENT(gst_object_ref(enc.get()));
}

// srtpdec's request-key (streaming thread, srtpdec's object lock held): the peer's key for this
// session, or none yet (generateOffer before processAnswer), in which case the packet is dropped
// and the next one asks again.
GstCaps* onRequestKey(GstElement*, guint, gpointer user) {
  const auto* request = static_cast<KeyRequest*>(user);
  auto state = request->state.lock();
  if (!state) return nullptr;
  std::lock_guard lock(state->mutex);
  auto it = state->remote.find(request->session);
  if (it == state->remote.end() || !it->second.valid()) return nullptr;
  return srtpDecoderCaps(it->second);
}

// rtpbin's request-rtp-decoder / request-rtcp-decoder: the session's srtpdec.
GstElement* onRequestDecoder(GstElement*, guint session, gpointer user) {
  const auto& state = *static_cast<std::shared_ptr<SrtpState>*>(user);
  std::lock_guard lock(state->mutex);
  ElementRef& dec = state->decoders[session];
  if (!dec) {
    dec = makeElement("srtpdec");
    if (!dec) return nullptr;
    g_signal_connect_data(dec.get(), "request-key", G_CALLBACK(onRequestKey), new KeyRequest{state, session}, deleteKeyRequest,
                          GConnectFlags(0));
    // The peer's key nears its limit: report it, and keep the key (the peer must renew it).
    g_signal_connect_data(dec.get(), "soft-limit", G_CALLBACK(+[](GstElement* e, guint ssrc, gpointer u) -> GstCaps* {
                            const auto* r = static_cast<KeyRequest*>(u);
                            if (auto st = r->state.lock()) st->keySoftLimit(r->session);
                            return onRequestKey(e, ssrc, u);
                          }),
                          new KeyRequest{state, session}, deleteKeyRequest, GConnectFlags(0));
  }
  return GST_ELEMENT(gst_object_ref(dec.get()));
}

void connectSrtp(GstElement* rtpbin, const std::shared_ptr<SrtpState>& state) {
  auto connect = [&](const char* signal, GCallback cb) {
    g_signal_connect_data(rtpbin, signal, cb, new std::shared_ptr<SrtpState>(state),
                          [](gpointer u, GClosure*) { delete static_cast<std::shared_ptr<SrtpState>*>(u); }, GConnectFlags(0));
  };
  connect("request-rtp-encoder", G_CALLBACK(onRequestEncoder));
  connect("request-rtcp-encoder", G_CALLBACK(onRequestEncoder));
  connect("request-rtp-decoder", G_CALLBACK(onRequestDecoder));
  connect("request-rtcp-decoder", G_CALLBACK(onRequestDecoder));
}

// True when the m-line offers or accepts goog-remb for `payload` (or for every payload, "*").
bool hasGoogRemb(const GstSDPMedia* media, int payload) {
  for (guint i = 0; i < gst_sdp_media_attributes_len(media); ++i) {
    const GstSDPAttribute* a = gst_sdp_media_get_attribute(media, i);
    if (QLatin1String(a->key) != u"rtcp-fb" || !a->value) continue;
    const QStringList parts = QString::fromUtf8(a->value).simplified().split(u' ');
    if (parts.size() >= 2 && parts[1] == u"goog-remb" && (parts[0] == u"*" || parts[0].toInt() == payload)) return true;
  }
  return false;
}

// The a=crypto values of an m-line.
QStringList cryptoAttributes(const GstSDPMedia* media) {
  QStringList out;
  for (guint i = 0; i < gst_sdp_media_attributes_len(media); ++i) {
    const GstSDPAttribute* a = gst_sdp_media_get_attribute(media, i);
    if (QLatin1String(a->key) == u"crypto" && a->value) out.append(QString::fromUtf8(a->value));
  }
  return out;
}

// rtpbin streaming thread: a new received stream (recv_rtp_src_<session>_<ssrc>_<pt>) →
// depayloader → a sink pad of the element's recv-<kind> funnel, which feeds the out-<kind> tee.
// Every stream gets its own depayloader (a restarted sender's new SSRC starts afresh); a probe
// on the stream's pad lets through only the packets of the stream the kind's selector passes
// on (RtpStreamSelector), and when a new one takes over it asks for a keyframe.
void onReceivedPad(GstElement* rtpbin, GstPad* pad, gpointer user) {
  const QString padName = QString::fromUtf8(GCharPtr::adopt(gst_pad_get_name(pad)).get());
  if (!padName.startsWith(u"recv_rtp_src_")) return;
  const auto& receive = *static_cast<std::shared_ptr<RtpReceiveContext>*>(user);
  const guint32 ssrc = padName.section(u'_', 4, 4).toUInt();
  const int payloadType = padName.section(u'_', 5, 5).toInt();
  CapsRef caps = CapsRef::adopt(gst_pad_get_current_caps(pad));
  if (!caps) caps = CapsRef::adopt(gst_pad_query_caps(pad, nullptr));
  const GstStructure* s = caps && !gst_caps_is_empty(caps.get()) ? gst_caps_get_structure(caps.get(), 0) : nullptr;
  const QString media = s ? QString::fromUtf8(gst_structure_get_string(s, "media")) : QString();
  const QString encoding = s ? QString::fromUtf8(gst_structure_get_string(s, "encoding-name")).toUpper() : QString();
  const bool video = media == u"video";
  if (video) {
    if (auto remb = receive->remb.lock()) remb->addVideoSsrc(ssrc);  // what our REMBs are about
  }
  ElementRef bin = ElementRef::adopt(GST_ELEMENT(gst_element_get_parent(rtpbin)));
  if (!bin) return;
  ElementRef funnel = ElementRef::adopt(gst_bin_get_by_name(GST_BIN(bin.get()), video ? "recv-video" : "recv-audio"));
  PadRef funnelSink = funnel ? PadRef::adopt(gst_element_request_pad_simple(funnel.get(), "sink_%u")) : PadRef();
  const QString depay = depayloaderFor(encoding);
  GstElement* chain = nullptr;
  const bool useIt = funnelSink && !depay.isEmpty();
  if (useIt) chain = gst_parse_bin_from_description(depay.toUtf8().constData(), TRUE, nullptr);
  if (!chain) {
    chain = gst_element_factory_make("fakesink", nullptr);
    if (funnelSink) gst_element_release_request_pad(funnel.get(), funnelSink.get());
  }
  gst_bin_add(GST_BIN(bin.get()), chain);
  if (useIt) {
    PadRef src = PadRef::adopt(gst_element_get_static_pad(chain, "src"));
    gst_pad_link(src.get(), funnelSink.get());
    struct ProbeData {
      std::shared_ptr<RtpReceiveContext> receive;
      std::shared_ptr<RtpStreamSelector> selector;
      uint64_t key;
      guint32 ssrc;
      bool video;
    };
    gst_pad_add_probe(
        pad, static_cast<GstPadProbeType>(GST_PAD_PROBE_TYPE_BUFFER | GST_PAD_PROBE_TYPE_BUFFER_LIST),
        [](GstPad*, GstPadProbeInfo*, gpointer u) -> GstPadProbeReturn {
          const auto* d = static_cast<ProbeData*>(u);
          switch (d->selector->onPacket(d->key, g_get_monotonic_time())) {
            case RtpStreamSelector::Verdict::Pass:
              return GST_PAD_PROBE_OK;
            case RtpStreamSelector::Verdict::Drop:
              return GST_PAD_PROBE_DROP;  // OK upstream: the other stream's jitter buffer goes on
            case RtpStreamSelector::Verdict::SwitchTo:
              d->receive->switched(d->ssrc, d->video);
              return GST_PAD_PROBE_OK;
          }
          return GST_PAD_PROBE_OK;
        },
        new ProbeData{receive, receive->selectors[video ? 1 : 0], RtpStreamSelector::key(ssrc, payloadType), ssrc, video},
        [](gpointer u) { delete static_cast<ProbeData*>(u); });
  }
  gst_element_sync_state_with_parent(chain);
  PadRef sink = PadRef::adopt(gst_element_get_static_pad(chain, "sink"));
  gst_pad_link(pad, sink.get());
}

QString reverse(const QString& direction) {
  if (direction == u"sendonly") return QStringLiteral("recvonly");
  if (direction == u"recvonly") return QStringLiteral("sendonly");
  return direction;
}

// Remote address and ports of an m-line (c= of the media or the session; a=rtcp or port+1).
void readRemote(const GstSDPMessage* sdp, const GstSDPMedia* m, RtpEndpoint::Line& line) {
  const GstSDPConnection* c = gst_sdp_media_connections_len(m) > 0 ? gst_sdp_media_get_connection(m, 0) : gst_sdp_message_get_connection(sdp);
  line.remoteHost = c && c->address ? QString::fromUtf8(c->address) : QString();
  line.remoteRtpPort = static_cast<int>(gst_sdp_media_get_port(m));
  const char* rtcp = gst_sdp_media_get_attribute_val(m, "rtcp");
  line.remoteRtcpPort = rtcp ? QString::fromUtf8(rtcp).section(u' ', 0, 0).toInt() : line.remoteRtpPort + 1;
}

}  // namespace

RtpEndpoint::RtpEndpoint(const Creation& creation) : BaseRtpEndpoint(creation, QStringLiteral("RtpEndpoint")) {
  const SrtpKey local = sdesFromParams(creation.params.value(u"crypto").toObject());
  if (local.valid()) {
    for (const char* factory : {"srtpenc", "srtpdec"}) {
      if (GstRef<GstElementFactory> f = GstRef<GstElementFactory>::adopt(gst_element_factory_find(factory)); !f) {
        throw KurentoException(ErrorCode::UnexpectedError,
                               QStringLiteral("SDES-SRTP needs GStreamer's %1 (Debian: gstreamer1.0-plugins-bad)").arg(QLatin1String(factory)));
      }
    }
    srtp_ = std::make_shared<SrtpState>();
    srtp_->local = local;
  }
  const bool ipv6 = creation.params.value(u"useIpv6").toBool(false);
  const QStringList addresses = creation.engine.config().iceAddresses();
  address_ = ipv6 ? QStringLiteral("::1") : QStringLiteral("127.0.0.1");
  for (const auto& a : addresses) {
    if (a.contains(u':') == ipv6) {
      address_ = a;
      break;
    }
  }
  rtpbin_ = makeElement("rtpbin", "rtpbin");
  if (!rtpbin_) throw KurentoException(ErrorCode::UnexpectedError, QStringLiteral("GStreamer's rtpbin is missing (gstreamer1.0-plugins-good)"));
  g_object_set(rtpbin_.get(), "latency", static_cast<guint>(creation.engine.config().jitterBufferLatencyMs), nullptr);
  addToBin({rtpbin_.get()});
  // Received streams meet in a funnel per media type before the output tee (onReceivedPad).
  for (MediaType type : {MediaType::Video, MediaType::Audio}) {
    GstElement* tee = addOutput(type);
    ElementRef funnel = makeElement("funnel", type == MediaType::Video ? "recv-video" : "recv-audio");
    if (!funnel) throw KurentoException(ErrorCode::UnexpectedError, QStringLiteral("GStreamer's funnel is missing (libgstreamer1.0-0: its core elements)"));
    addToBin({funnel.get()});
    linkChain({funnel.get(), tee});
  }
  if (srtp_) connectSrtp(rtpbin_.get(), srtp_);
  setUpRemb();
  receive_ = std::make_shared<RtpReceiveContext>();
  receive_->remb = remb_;
  receive_->engine = &creation.engine;
  g_signal_connect_data(rtpbin_.get(), "pad-added", G_CALLBACK(onReceivedPad), new std::shared_ptr<RtpReceiveContext>(receive_),
                        [](gpointer u, GClosure*) { delete static_cast<std::shared_ptr<RtpReceiveContext>*>(u); }, GConnectFlags(0));
  start();
}

RtpEndpoint::~RtpEndpoint() = default;

void RtpEndpoint::buildStream(int session, Line& line) {
  if (receive_->owner.expired()) receive_->owner = weak_from_this();  // before the first socket opens
  const bool video = line.kind == u"video";
  const MediaType type = video ? MediaType::Video : MediaType::Audio;
  Stream st;
  // Receive sockets on free ports (bound when they reach READY).
  const QString clock = line.rtpmap.section(u'/', 1, 1);
  // SRTP: srtpdec takes application/x-srtp and hands rtpbin's session application/x-rtp.
  CapsRef caps = CapsRef::adopt(gst_caps_new_simple(
      srtp_ ? "application/x-srtp" : "application/x-rtp", "media", G_TYPE_STRING, line.kind.toUtf8().constData(), "clock-rate", G_TYPE_INT, clock.toInt(),
      "encoding-name", G_TYPE_STRING, line.encoding.toUtf8().constData(), "payload", G_TYPE_INT, line.payload, nullptr));
  if (line.encoding == u"H264") {
    gst_caps_set_simple(caps.get(), "packetization-mode", G_TYPE_STRING, QByteArray::number(line.packetizationMode).constData(), nullptr);
  }
  st.rtpSrc = makeElement("udpsrc");
  st.rtcpSrc = makeElement("udpsrc");
  g_object_set(st.rtpSrc.get(), "address", address_.toUtf8().constData(), "port", 0, "caps", caps.get(), nullptr);
  CapsRef rtcpCaps = CapsRef::adopt(gst_caps_new_empty_simple(srtp_ ? "application/x-srtcp" : "application/x-rtcp"));
  g_object_set(st.rtcpSrc.get(), "address", address_.toUtf8().constData(), "port", 0, "caps", rtcpCaps.get(), nullptr);
  // Without the sender's address on each packet, rtpsession does not take a sender restarted
  // with the same SSRC from a new port for a third-party SSRC collision (and drop it until the
  // old source times out): the same stream goes on, its jitter buffer resyncing to the new
  // sequence numbers and timestamps.
  for (const auto& src : {st.rtpSrc, st.rtcpSrc}) g_object_set(src.get(), "retrieve-sender-address", FALSE, nullptr);
  for (auto* e : {st.rtpSrc.get(), st.rtcpSrc.get()}) {
    addToBin({e});
    if (gst_element_set_state(e, GST_STATE_READY) == GST_STATE_CHANGE_FAILURE) {
      throw KurentoException(ErrorCode::SdpEndPointProcessOfferError, QStringLiteral("Cannot open a UDP port on %1").arg(address_));
    }
  }
  g_object_get(st.rtpSrc.get(), "port", &line.localRtpPort, nullptr);
  g_object_get(st.rtcpSrc.get(), "port", &line.localRtcpPort, nullptr);
  const QByteArray n = QByteArray::number(session);
  if (srtp_) {
    setRemoteKey(session, line.remoteKey);  // before rtpbin asks for the decoder
    std::lock_guard lock(srtp_->mutex);
    srtp_->kinds[static_cast<guint>(session)] = type;
    if (!srtp_->softLimit) {
      srtp_->softLimit = [engine = &engine(), weak = weak_from_this()](MediaType t) {
        engine->post([weak, t]() {
          if (auto self = std::static_pointer_cast<RtpEndpoint>(weak.lock())) {
            self->raise(QStringLiteral("OnKeySoftLimit"), QJsonObject{{QStringLiteral("mediaType"), mediaTypeName(t)}});
          }
        });
      };
    }
  }
  gst_element_link_pads(st.rtpSrc.get(), "src", rtpbin_.get(), ("recv_rtp_sink_" + n).constData());
  gst_element_link_pads(st.rtcpSrc.get(), "src", rtpbin_.get(), ("recv_rtcp_sink_" + n).constData());
  // RTCP out, and RTP out when we send.
  st.rtcpSink = makeElement("udpsink");
  g_object_set(st.rtcpSink.get(), "sync", FALSE, "async", FALSE, nullptr);
  addToBin({st.rtcpSink.get()});
  gst_element_link_pads(rtpbin_.get(), ("send_rtcp_src_" + n).constData(), st.rtcpSink.get(), "sink");
  const bool send = line.direction == u"sendrecv" || line.direction == u"sendonly";
  if (send && !inputs_[pw::index(type)]) {
    // H.264 mode 0: whole NAL units in single packets, however large (UDP carries up to 64 KiB).
    const int packetSize = line.encoding == u"H264" && line.packetizationMode == 0 ? kSingleNalUnitMtu : mtu;
    GstElement* pay = gst_parse_bin_from_description(
        payloaderFor(line.encoding, line.payload, packetSize, line.packetizationMode).toUtf8().constData(), TRUE, nullptr);
    if (!pay) throw KurentoException(ErrorCode::SdpEndPointProcessOfferError, QStringLiteral("Cannot send %1: payloader missing").arg(line.encoding));
    GstElement* in = addInput(type, wantedFormat(line.encoding));
    addToBin({pay});
    linkChain({in, pay});
    gst_element_link_pads(pay, "src", rtpbin_.get(), ("send_rtp_sink_" + n).constData());
    st.rtpSink = makeElement("udpsink");
    g_object_set(st.rtpSink.get(), "sync", FALSE, "async", FALSE, nullptr);
    addToBin({st.rtpSink.get()});
    gst_element_link_pads(rtpbin_.get(), ("send_rtp_src_" + n).constData(), st.rtpSink.get(), "sink");
    for (auto* e : {pay, in}) gst_element_sync_state_with_parent(e);
    attachExistingSource(type);
  }
  streams_.append(st);
  connectRemote(static_cast<int>(streams_.size()) - 1, line);
  for (const auto& e : {st.rtpSrc, st.rtcpSrc, st.rtcpSink, st.rtpSink}) {
    if (e) gst_element_sync_state_with_parent(e.get());
  }
}

void RtpEndpoint::connectRemote(int index, const Line& line) {
  if (index < 0 || index >= streams_.size() || line.remoteHost.isEmpty() || line.remoteRtpPort <= 0) return;
  const Stream& st = streams_[index];
  if (st.rtpSink) g_object_set(st.rtpSink.get(), "host", line.remoteHost.toUtf8().constData(), "port", line.remoteRtpPort, nullptr);
  if (st.rtcpSink) g_object_set(st.rtcpSink.get(), "host", line.remoteHost.toUtf8().constData(), "port", line.remoteRtcpPort, nullptr);
}

QString RtpEndpoint::describe(const QList<Line>& lines) const {
  const QString ipv = address_.contains(u':') ? QStringLiteral("IP6") : QStringLiteral("IP4");
  QString sdp = QStringLiteral("v=0\r\no=- %1 1 IN %2 %3\r\ns=Pipewright\r\nc=IN %2 %3\r\nt=0 0\r\n")
                    .arg(QRandomGenerator::global()->bounded(1000000000)).arg(ipv, address_);
  for (const auto& l : lines) {
    if (!l.active) {
      sdp += QStringLiteral("m=%1 0 %2 %3\r\n").arg(l.kind, l.proto).arg(std::max(0, l.payload));
      continue;
    }
    sdp += QStringLiteral("m=%1 %2 %3 %4\r\n").arg(l.kind).arg(l.localRtpPort).arg(l.proto).arg(l.payload);
    sdp += QStringLiteral("a=rtpmap:%1 %2\r\n").arg(l.payload).arg(l.rtpmap);
    if (!l.fmtp.isEmpty()) sdp += QStringLiteral("a=fmtp:%1 %2\r\n").arg(l.payload).arg(l.fmtp);
    if (l.kind == u"video" && l.proto.contains(u"AVPF")) {
      sdp += QStringLiteral("a=rtcp-fb:%1 nack\r\na=rtcp-fb:%1 nack pli\r\na=rtcp-fb:%1 ccm fir\r\na=rtcp-fb:%1 goog-remb\r\n").arg(l.payload);
    }
    if (srtp_) sdp += QStringLiteral("a=crypto:%1\r\n").arg(cryptoAttribute(l.cryptoTag, srtp_->local));
    sdp += QStringLiteral("a=rtcp:%1\r\na=%2\r\n").arg(l.localRtcpPort).arg(l.direction);
  }
  return sdp;
}

void RtpEndpoint::setProfile(const QList<Line>& lines) {
  for (const auto& l : lines) {
    if (!l.active) continue;
    const bool secure = l.proto.startsWith(u"RTP/SAVP");
    const bool feedback = l.proto.endsWith(u"AVPF");
    // GstRTPProfile: AVP 1, SAVP 2, AVPF 3, SAVPF 4.
    g_object_set(rtpbin_.get(), "rtp-profile", feedback ? (secure ? 4 : 3) : (secure ? 2 : 1), nullptr);
    return;
  }
}

bool RtpEndpoint::rembNegotiated(const QList<Line>& lines) {
  return std::any_of(lines.begin(), lines.end(), [](const Line& l) { return l.active && l.remb; });
}

void RtpEndpoint::setRemoteKey(int session, const SrtpKey& key) {
  std::lock_guard lock(srtp_->mutex);
  srtp_->remote[static_cast<guint>(session)] = key;
}

QString RtpEndpoint::checkSecurity(const GstSDPMedia* m, Line& line, bool answer) const {
  const bool secure = line.proto.startsWith(u"RTP/SAVP");
  const QStringList cryptos = cryptoAttributes(m);
  if (!srtp_) {
    if (secure || !cryptos.isEmpty()) {
      return QStringLiteral("%1 asks for SRTP (%2 with a=crypto), but this RtpEndpoint was created without 'crypto'")
          .arg(line.kind, line.proto);
    }
    return {};
  }
  const SrtpSuite* ours = srtp_->local.suite;
  if (!secure) {
    return QStringLiteral("%1 is %2 without encryption, but this RtpEndpoint was created with 'crypto' %3: it needs RTP/SAVP "
                          "or RTP/SAVPF with a=crypto:<tag> %4 inline:<key>")
        .arg(line.kind, line.proto, QLatin1String(ours->apiName), QLatin1String(ours->sdpName));
  }
  QStringList problems;
  for (const auto& value : cryptos) {
    const CryptoLine c = parseCryptoAttribute(value);
    if (!c.problem.isEmpty()) {
      problems.append(c.problem);
      continue;
    }
    if (c.key.suite != ours) {
      problems.append(QStringLiteral("suite %1 is not ours (%2)").arg(c.suiteName, QLatin1String(ours->sdpName)));
      continue;
    }
    if (answer && c.tag != line.cryptoTag) {
      problems.append(QStringLiteral("tag %1 is not the offered %2").arg(c.tag).arg(line.cryptoTag));
      continue;
    }
    line.cryptoTag = c.tag;
    line.remoteKey = c.key;
    return {};
  }
  if (cryptos.isEmpty()) return QStringLiteral("%1 (%2) has no a=crypto line with the peer's key").arg(line.kind, line.proto);
  return QStringLiteral("%1: no usable a=crypto (%2)").arg(line.kind, problems.join(QStringLiteral("; ")));
}

void RtpEndpoint::processOffer(const QString& offer, std::shared_ptr<DeferredReply> reply) {
  if (!localSdp_.isEmpty() || !remoteSdp_.isEmpty()) {
    throw KurentoException(ErrorCode::SdpEndPointAlreadyNegotiated, QStringLiteral("This RtpEndpoint already negotiated; create a new one"));
  }
  SdpMessagePtr sdp = parseSdp(offer, "offer");
  QList<Line> lines;
  QStringList securityProblems;
  bool any = false;
  for (guint i = 0; i < gst_sdp_message_medias_len(sdp.get()); ++i) {
    const GstSDPMedia* m = gst_sdp_message_get_media(sdp.get(), i);
    Line line;
    line.kind = QString::fromUtf8(gst_sdp_media_get_media(m));
    line.proto = QString::fromUtf8(gst_sdp_media_get_proto(m));
    const bool media = (line.kind == u"audio" || line.kind == u"video") && gst_sdp_media_get_port(m) != 0 &&
                       (line.proto.startsWith(u"RTP/AVP") || line.proto.startsWith(u"RTP/SAVP"));
    if (media) {
      const QString problem = checkSecurity(m, line, false);
      const Codec codec = problem.isEmpty() ? chooseCodec(m, line.kind == u"video") : Codec{};
      if (!problem.isEmpty()) securityProblems.append(problem);
      if (codec.payload >= 0) {
        line.encoding = codec.encoding;
        line.payload = codec.payload;
        line.rtpmap = formatAttribute(m, "rtpmap", codec.payload);
        line.fmtp = codec.fmtp;
        line.packetizationMode = codec.packetizationMode;
        line.direction = reverse(direction(m));
        line.remb = line.kind == u"video" && line.proto.endsWith(u"AVPF") && hasGoogRemb(m, codec.payload);
        readRemote(sdp.get(), m, line);
        line.active = !line.rtpmap.isEmpty() && !line.remoteHost.isEmpty();
      }
    }
    if (!line.active) line.payload = gst_sdp_media_formats_len(m) > 0 ? QString::fromUtf8(gst_sdp_media_get_format(m, 0)).toInt() : 0;
    any = any || line.active;
    lines.append(line);
  }
  sdp.reset();
  if (!any) {
    if (!securityProblems.isEmpty()) {
      throw KurentoException(ErrorCode::SdpEndPointProcessOfferError,
                             QStringLiteral("No usable m-line: %1").arg(securityProblems.join(QStringLiteral("; "))));
    }
    throw KurentoException(ErrorCode::SdpEndPointProcessOfferError,
                           QStringLiteral("No usable m-line: RtpEndpoint accepts %1 with VP8, VP9, H.264 (Constrained "
                                          "Baseline or Baseline, packetization-mode 0 or 1) or Opus, with an rtpmap and a "
                                          "connection address")
                               .arg(srtp_ ? QStringLiteral("RTP/SAVP(F) with a=crypto") : QStringLiteral("RTP/AVP(F)")));
  }
  setProfile(lines);
  for (int i = 0; i < lines.size(); ++i) {
    if (lines[i].active) buildStream(i, lines[i]);
    else streams_.append(Stream{});
  }
  lines_ = lines;
  remoteSdp_ = offer;
  localSdp_ = describe(lines);
  startRemb(rembNegotiated(lines));
  setConnectionState(LinkState::Connected);
  reply->resolve(localSdp_);
  raise(QStringLiteral("MediaSessionStarted"));
}

void RtpEndpoint::generateOffer(const QJsonObject& options, std::shared_ptr<DeferredReply> reply) {
  if (!localSdp_.isEmpty() || !remoteSdp_.isEmpty()) {
    throw KurentoException(ErrorCode::SdpEndPointAlreadyNegotiated, QStringLiteral("This RtpEndpoint already negotiated; create a new one"));
  }
  QList<Line> lines;
  for (bool video : {false, true}) {
    Line l;
    l.kind = video ? QStringLiteral("video") : QStringLiteral("audio");
    l.proto = srtp_ ? QStringLiteral("RTP/SAVPF") : QStringLiteral("RTP/AVPF");
    l.encoding = video ? QStringLiteral("VP8") : QStringLiteral("OPUS");
    l.payload = video ? 96 : 111;
    l.rtpmap = video ? QStringLiteral("VP8/90000") : QStringLiteral("OPUS/48000/2");
    const bool receive = options.value(video ? u"offerToReceiveVideo" : u"offerToReceiveAudio").toBool(true);
    l.direction = receive ? QStringLiteral("sendrecv") : QStringLiteral("sendonly");
    l.active = true;
    lines.append(l);
  }
  setProfile(lines);
  for (int i = 0; i < lines.size(); ++i) buildStream(i, lines[i]);
  lines_ = lines;
  offerGenerated_ = true;
  localSdp_ = describe(lines);
  startRemb(false);  // until the answer accepts goog-remb
  reply->resolve(localSdp_);
}

void RtpEndpoint::processAnswer(const QString& answer, std::shared_ptr<DeferredReply> reply) {
  if (!offerGenerated_) {
    throw KurentoException(ErrorCode::SdpEndPointNotOfferGenerated, QStringLiteral("processAnswer needs an offer from generateOffer first"));
  }
  if (!remoteSdp_.isEmpty()) {
    throw KurentoException(ErrorCode::SdpEndPointAnswerAlreadyProcessed, QStringLiteral("The answer was already processed"));
  }
  SdpMessagePtr sdp = parseSdp(answer, "answer");
  // Check every section before applying any, so a refused answer changes nothing.
  QList<Line> lines = lines_;
  QStringList problems;
  const guint count = std::min(gst_sdp_message_medias_len(sdp.get()), static_cast<guint>(lines.size()));
  for (guint i = 0; i < count; ++i) {
    const GstSDPMedia* m = gst_sdp_message_get_media(sdp.get(), i);
    if (gst_sdp_media_get_port(m) == 0) continue;
    Line probe = lines[i];
    probe.proto = QString::fromUtf8(gst_sdp_media_get_proto(m));
    const QString problem = checkSecurity(m, probe, true);
    if (!problem.isEmpty()) problems.append(problem);
    else lines[i].remoteKey = probe.remoteKey;
    lines[i].remb = lines[i].kind == u"video" && lines[i].proto.endsWith(u"AVPF") && hasGoogRemb(m, lines[i].payload);
    readRemote(sdp.get(), m, lines[i]);
  }
  if (!problems.isEmpty()) {
    throw KurentoException(ErrorCode::SdpEndPointProcessAnswerError, QStringLiteral("Unusable answer: %1").arg(problems.join(QStringLiteral("; "))));
  }
  for (guint i = 0; i < count; ++i) {
    if (gst_sdp_media_get_port(gst_sdp_message_get_media(sdp.get(), i)) == 0) continue;
    if (srtp_) setRemoteKey(static_cast<int>(i), lines[i].remoteKey);
    connectRemote(static_cast<int>(i), lines[i]);
  }
  sdp.reset();
  lines_ = lines;
  remoteSdp_ = answer;
  startRemb(rembNegotiated(lines));
  setConnectionState(LinkState::Connected);
  reply->resolve(localSdp_);
  raise(QStringLiteral("MediaSessionStarted"));
}

QJsonObject RtpEndpoint::stats(std::optional<MediaType> type) const {
  QJsonObject out = MediaElement::stats(type);
  const qint64 now = QDateTime::currentMSecsSinceEpoch();
  for (int i = 0; i < lines_.size(); ++i) {
    const Line& line = lines_[i];
    const bool video = line.kind == u"video";
    if (!line.active || (type && *type != (video ? MediaType::Video : MediaType::Audio))) continue;
    GObjectRef<GObject> session;  // the signal returns a new reference
    g_signal_emit_by_name(rtpbin_.get(), "get-internal-session", static_cast<guint>(i), session.out());
    if (!session) continue;
    StructurePtr st;  // a copy of the boxed property
    g_object_get(session.get(), "stats", st.out(), nullptr);
    session.reset();
    if (!st) continue;
    const GValue* list = gst_structure_get_value(st.get(), "source-stats");
    const int clockRate = std::max(1, line.rtpmap.section(u'/', 1, 1).toInt());
    std::vector<const GstStructure*> sources;
    G_GNUC_BEGIN_IGNORE_DEPRECATIONS  // rtpsession's source-stats is a GValueArray
    auto* array = list && G_VALUE_HOLDS(list, g_value_array_get_type()) ? static_cast<GValueArray*>(g_value_get_boxed(list)) : nullptr;
    for (guint k = 0; array && k < array->n_values; ++k) sources.push_back(gst_value_get_structure(g_value_array_get_nth(array, k)));
    G_GNUC_END_IGNORE_DEPRECATIONS
    for (const GstStructure* src : sources) {
      gboolean internal = FALSE, sender = FALSE;
      guint ssrc = 0;
      gst_structure_get(src, "internal", G_TYPE_BOOLEAN, &internal, "is-sender", G_TYPE_BOOLEAN, &sender, "ssrc", G_TYPE_UINT, &ssrc, nullptr);
      if (!sender) continue;  // receivers only report; they carry no media of their own
      const bool inbound = !internal;
      const QString id = QStringLiteral("%1-%2-%3").arg(inbound ? u"inbound" : u"outbound").arg(line.kind).arg(ssrc);
      QJsonObject f{{QStringLiteral("id"), id},
                    {QStringLiteral("type"), inbound ? QStringLiteral("inboundrtp") : QStringLiteral("outboundrtp")},
                    {QStringLiteral("timestampMillis"), now},
                    {QStringLiteral("ssrc"), QString::number(ssrc)},
                    {QStringLiteral("associateStatsId"), QString()},
                    {QStringLiteral("isRemote"), false},
                    {QStringLiteral("mediaTrackId"), QString()},
                    {QStringLiteral("transportId"), QString()},
                    {QStringLiteral("codecId"), line.encoding},
                    // The requests we sent about an inbound stream, those we received about ours.
                    {QStringLiteral("firCount"), static_cast<qint64>(statNumber(src, inbound ? "sent-fir-count" : "recv-fir-count"))},
                    {QStringLiteral("pliCount"), static_cast<qint64>(statNumber(src, inbound ? "sent-pli-count" : "recv-pli-count"))},
                    {QStringLiteral("nackCount"), static_cast<qint64>(statNumber(src, inbound ? "sent-nack-count" : "recv-nack-count"))},
                    {QStringLiteral("sliCount"), 0},
                    {QStringLiteral("remb"), static_cast<qint64>(video ? (inbound ? forwardedRemb() : receivedRemb()) : 0)}};
      if (inbound) {
        f.insert(QStringLiteral("packetsLost"), static_cast<qint64>(statNumber(src, "packets-lost")));
        f.insert(QStringLiteral("fractionLost"), 0.0);
        f.insert(QStringLiteral("packetsReceived"), static_cast<qint64>(statNumber(src, "packets-received")));
        f.insert(QStringLiteral("bytesReceived"), static_cast<qint64>(statNumber(src, "octets-received")));
        f.insert(QStringLiteral("jitter"), statNumber(src, "jitter") / clockRate);  // RTP clock units → seconds
      } else {
        // What the peer's receiver reports say about our stream.
        f.insert(QStringLiteral("packetsLost"), static_cast<qint64>(statNumber(src, "rb-packetslost")));
        f.insert(QStringLiteral("fractionLost"), statNumber(src, "rb-fractionlost") / 256.0);
        f.insert(QStringLiteral("packetsSent"), static_cast<qint64>(statNumber(src, "packets-sent")));
        f.insert(QStringLiteral("bytesSent"), static_cast<qint64>(statNumber(src, "octets-sent")));
        f.insert(QStringLiteral("targetBitrate"), 0.0);
        f.insert(QStringLiteral("roundTripTime"), statNumber(src, "rb-round-trip") / 65536.0);  // 1/65536 s units
      }
      out.insert(id, Schema::complex(inbound ? QStringLiteral("RTCInboundRTPStreamStats") : QStringLiteral("RTCOutboundRTPStreamStats"), f));
    }
  }
  return out;
}

void RtpEndpoint::requestKeyframe() {
  if (ElementRef tee = ElementRef::adopt(gst_bin_get_by_name(bin(), "out-video"))) {
    PadRef sink = PadRef::adopt(gst_element_get_static_pad(tee.get(), "sink"));
    gst_pad_push_event(sink.get(), gst_video_event_new_upstream_force_key_unit(GST_CLOCK_TIME_NONE, TRUE, 0));
  }
}

void bindRtpEndpoint(Bindings& b) {
  b.addFactory(QStringLiteral("RtpEndpoint"), [](const Creation& c) { return std::make_shared<RtpEndpoint>(c); });
}

}  // namespace pw
