#include "RtpEndpoint.h"

#include "RtpCodecs.h"
#include "core/Bindings.h"
#include "media/SinkInput.h"
#include "pipewright/engine/Engine.h"

#include <QRandomGenerator>

#include <gst/video/video-event.h>

#include <atomic>

namespace pw {
namespace {

// rtpbin streaming thread: a new received stream (recv_rtp_src_<session>_<ssrc>_<pt>) →
// depayloader → the element's output tee for its kind; later streams of a kind are drained.
void onReceivedPad(GstElement* rtpbin, GstPad* pad, gpointer) {
  gchar* name = gst_pad_get_name(pad);
  const QString padName = QString::fromUtf8(name);
  g_free(name);
  if (!padName.startsWith(u"recv_rtp_src_")) return;
  CapsRef caps = CapsRef::adopt(gst_pad_get_current_caps(pad));
  if (!caps) caps = CapsRef::adopt(gst_pad_query_caps(pad, nullptr));
  const GstStructure* s = caps && !gst_caps_is_empty(caps.get()) ? gst_caps_get_structure(caps.get(), 0) : nullptr;
  const QString media = s ? QString::fromUtf8(gst_structure_get_string(s, "media")) : QString();
  const QString encoding = s ? QString::fromUtf8(gst_structure_get_string(s, "encoding-name")).toUpper() : QString();
  ElementRef bin = ElementRef::adopt(GST_ELEMENT(gst_element_get_parent(rtpbin)));
  if (!bin) return;
  ElementRef tee = ElementRef::adopt(gst_bin_get_by_name(GST_BIN(bin.get()), media == u"video" ? "out-video" : "out-audio"));
  PadRef teeSink = tee ? PadRef::adopt(gst_element_get_static_pad(tee.get(), "sink")) : PadRef();
  const QString depay = depayloaderFor(encoding);
  GstElement* chain = nullptr;
  const bool useIt = teeSink && !gst_pad_is_linked(teeSink.get()) && !depay.isEmpty();
  if (useIt) chain = gst_parse_bin_from_description(depay.toUtf8().constData(), TRUE, nullptr);
  if (!chain) chain = gst_element_factory_make("fakesink", nullptr);
  gst_bin_add(GST_BIN(bin.get()), chain);
  if (useIt) {
    PadRef src = PadRef::adopt(gst_element_get_static_pad(chain, "src"));
    gst_pad_link(src.get(), teeSink.get());
  }
  gst_element_sync_state_with_parent(chain);
  PadRef sink = PadRef::adopt(gst_element_get_static_pad(chain, "sink"));
  gst_pad_link(pad, sink.get());
}

QString attribute(const GstSDPMedia* media, const char* key, int payload) {
  const QString prefix = QString::number(payload) + u' ';
  for (guint i = 0; i < gst_sdp_media_attributes_len(media); ++i) {
    const GstSDPAttribute* a = gst_sdp_media_get_attribute(media, i);
    if (QLatin1String(a->key) == QLatin1String(key) && a->value && QString::fromUtf8(a->value).startsWith(prefix)) {
      return QString::fromUtf8(a->value).mid(prefix.size()).trimmed();
    }
  }
  return {};
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
  if (creation.params.contains(u"crypto")) {
    throw KurentoException(KurentoError::notImplemented(QStringLiteral("SDES-SRTP on RtpEndpoint (create it without 'crypto' for plain RTP)")));
  }
  const bool ipv6 = creation.params.value(u"useIpv6").toBool(false);
  const QStringList addresses = creation.engine.config().iceLocalAddresses;
  address_ = ipv6 ? QStringLiteral("::1") : QStringLiteral("127.0.0.1");
  for (const auto& a : addresses) {
    if (a.contains(u':') == ipv6) {
      address_ = a;
      break;
    }
  }
  rtpbin_ = makeElement("rtpbin", "rtpbin");
  if (!rtpbin_) throw KurentoException(ErrorCode::UnexpectedError, QStringLiteral("GStreamer's rtpbin is missing (gstreamer1.0-plugins-good)"));
  g_object_set(rtpbin_.get(), "latency", 100u, nullptr);
  addToBin({rtpbin_.get()});
  addOutput(MediaType::Video);
  addOutput(MediaType::Audio);
  g_signal_connect(rtpbin_.get(), "pad-added", G_CALLBACK(onReceivedPad), nullptr);
  start();
}

RtpEndpoint::~RtpEndpoint() = default;

void RtpEndpoint::buildStream(int session, Line& line) {
  const bool video = line.kind == u"video";
  const MediaType type = video ? MediaType::Video : MediaType::Audio;
  Stream st;
  // Receive sockets on free ports (bound when they reach READY).
  const QString clock = line.rtpmap.section(u'/', 1, 1);
  CapsRef caps = CapsRef::adopt(gst_caps_new_simple(
      "application/x-rtp", "media", G_TYPE_STRING, line.kind.toUtf8().constData(), "clock-rate", G_TYPE_INT, clock.toInt(),
      "encoding-name", G_TYPE_STRING, line.encoding.toUtf8().constData(), "payload", G_TYPE_INT, line.payload, nullptr));
  if (line.encoding == u"H264") gst_caps_set_simple(caps.get(), "packetization-mode", G_TYPE_STRING, "1", nullptr);
  st.rtpSrc = makeElement("udpsrc");
  st.rtcpSrc = makeElement("udpsrc");
  g_object_set(st.rtpSrc.get(), "address", address_.toUtf8().constData(), "port", 0, "caps", caps.get(), nullptr);
  CapsRef rtcpCaps = CapsRef::adopt(gst_caps_new_empty_simple("application/x-rtcp"));
  g_object_set(st.rtcpSrc.get(), "address", address_.toUtf8().constData(), "port", 0, "caps", rtcpCaps.get(), nullptr);
  for (auto* e : {st.rtpSrc.get(), st.rtcpSrc.get()}) {
    addToBin({e});
    if (gst_element_set_state(e, GST_STATE_READY) == GST_STATE_CHANGE_FAILURE) {
      throw KurentoException(ErrorCode::SdpEndPointProcessOfferError, QStringLiteral("Cannot open a UDP port on %1").arg(address_));
    }
  }
  g_object_get(st.rtpSrc.get(), "port", &line.localRtpPort, nullptr);
  g_object_get(st.rtcpSrc.get(), "port", &line.localRtcpPort, nullptr);
  const QByteArray n = QByteArray::number(session);
  gst_element_link_pads(st.rtpSrc.get(), "src", rtpbin_.get(), ("recv_rtp_sink_" + n).constData());
  gst_element_link_pads(st.rtcpSrc.get(), "src", rtpbin_.get(), ("recv_rtcp_sink_" + n).constData());
  // RTCP out, and RTP out when we send.
  st.rtcpSink = makeElement("udpsink");
  g_object_set(st.rtcpSink.get(), "sync", FALSE, "async", FALSE, nullptr);
  addToBin({st.rtcpSink.get()});
  gst_element_link_pads(rtpbin_.get(), ("send_rtcp_src_" + n).constData(), st.rtcpSink.get(), "sink");
  const bool send = line.direction == u"sendrecv" || line.direction == u"sendonly";
  if (send && !inputs_[pw::index(type)]) {
    GstElement* pay = gst_parse_bin_from_description(payloaderFor(line.encoding, line.payload, mtu, QString()).toUtf8().constData(), TRUE, nullptr);
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
    sdp += QStringLiteral("a=rtcp:%1\r\na=%2\r\n").arg(l.localRtcpPort).arg(l.direction);
  }
  return sdp;
}

void RtpEndpoint::processOffer(const QString& offer, std::shared_ptr<DeferredReply> reply) {
  if (!localSdp_.isEmpty() || !remoteSdp_.isEmpty()) {
    throw KurentoException(ErrorCode::SdpEndPointAlreadyNegotiated, QStringLiteral("This RtpEndpoint already negotiated; create a new one"));
  }
  GstSDPMessage* sdp = parseSdp(offer, "offer");
  QList<Line> lines;
  bool any = false;
  for (guint i = 0; i < gst_sdp_message_medias_len(sdp); ++i) {
    const GstSDPMedia* m = gst_sdp_message_get_media(sdp, i);
    Line line;
    line.kind = QString::fromUtf8(gst_sdp_media_get_media(m));
    line.proto = QString::fromUtf8(gst_sdp_media_get_proto(m));
    const bool media = (line.kind == u"audio" || line.kind == u"video") && gst_sdp_media_get_port(m) != 0 &&
                       line.proto.startsWith(u"RTP/AVP");
    if (media) {
      const Codec codec = chooseCodec(m, line.kind == u"video");
      if (codec.payload >= 0) {
        line.encoding = codec.encoding;
        line.payload = codec.payload;
        line.rtpmap = attribute(m, "rtpmap", codec.payload);
        line.fmtp = attribute(m, "fmtp", codec.payload);
        line.direction = reverse(direction(m));
        readRemote(sdp, m, line);
        line.active = !line.rtpmap.isEmpty() && !line.remoteHost.isEmpty();
      }
    }
    if (!line.active) line.payload = gst_sdp_media_formats_len(m) > 0 ? QString::fromUtf8(gst_sdp_media_get_format(m, 0)).toInt() : 0;
    any = any || line.active;
    lines.append(line);
  }
  gst_sdp_message_free(sdp);
  if (!any) {
    throw KurentoException(ErrorCode::SdpEndPointProcessOfferError,
                           QStringLiteral("No usable m-line: RtpEndpoint accepts RTP/AVP(F) with VP8, VP9, H.264 "
                                          "(packetization-mode=1) or Opus, with an rtpmap and a connection address"));
  }
  for (int i = 0; i < lines.size(); ++i) {
    if (lines[i].active) buildStream(i, lines[i]);
    else streams_.append(Stream{});
  }
  lines_ = lines;
  remoteSdp_ = offer;
  localSdp_ = describe(lines);
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
    l.proto = QStringLiteral("RTP/AVPF");
    l.encoding = video ? QStringLiteral("VP8") : QStringLiteral("OPUS");
    l.payload = video ? 96 : 111;
    l.rtpmap = video ? QStringLiteral("VP8/90000") : QStringLiteral("OPUS/48000/2");
    const bool receive = options.value(video ? u"offerToReceiveVideo" : u"offerToReceiveAudio").toBool(true);
    l.direction = receive ? QStringLiteral("sendrecv") : QStringLiteral("sendonly");
    l.active = true;
    lines.append(l);
  }
  for (int i = 0; i < lines.size(); ++i) buildStream(i, lines[i]);
  lines_ = lines;
  offerGenerated_ = true;
  localSdp_ = describe(lines);
  reply->resolve(localSdp_);
}

void RtpEndpoint::processAnswer(const QString& answer, std::shared_ptr<DeferredReply> reply) {
  if (!offerGenerated_) {
    throw KurentoException(ErrorCode::SdpEndPointNotOfferGenerated, QStringLiteral("processAnswer needs an offer from generateOffer first"));
  }
  if (!remoteSdp_.isEmpty()) {
    throw KurentoException(ErrorCode::SdpEndPointAnswerAlreadyProcessed, QStringLiteral("The answer was already processed"));
  }
  GstSDPMessage* sdp = parseSdp(answer, "answer");
  for (guint i = 0; i < gst_sdp_message_medias_len(sdp) && static_cast<int>(i) < lines_.size(); ++i) {
    const GstSDPMedia* m = gst_sdp_message_get_media(sdp, i);
    readRemote(sdp, m, lines_[i]);
    if (gst_sdp_media_get_port(m) != 0) connectRemote(static_cast<int>(i), lines_[i]);
  }
  gst_sdp_message_free(sdp);
  remoteSdp_ = answer;
  setConnectionState(LinkState::Connected);
  reply->resolve(localSdp_);
  raise(QStringLiteral("MediaSessionStarted"));
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
