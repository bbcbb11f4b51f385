#include "LeanSdp.h"

#include "RtpCodecs.h"
#include "gst/SdpMessagePtr.h"
#include "pipewright/engine/KurentoError.h"

#include <QRandomGenerator>

#include <gst/sdp/sdp.h>

#include <memory>

namespace pw {

namespace {

constexpr auto kTransportCcUri = "http://www.ietf.org/id/draft-holmer-rmcat-transport-wide-cc-extensions-01";
constexpr int kOfferedTransportCcExtension = 3;


QString attr(const GstSDPMessage* sdp, const GstSDPMedia* m, const char* key) {
  if (const char* v = gst_sdp_media_get_attribute_val(m, key)) return QString::fromUtf8(v);
  if (const char* v = gst_sdp_message_get_attribute_val(sdp, key)) return QString::fromUtf8(v);
  return {};
}

bool hasAttr(const GstSDPMedia* m, const char* key) {
  for (guint i = 0; i < gst_sdp_media_attributes_len(m); ++i) {
    if (g_strcmp0(gst_sdp_media_get_attribute(m, i)->key, key) == 0) return true;
  }
  return false;
}

QStringList bundleMids(const GstSDPMessage* sdp) {
  for (guint i = 0; i < gst_sdp_message_attributes_len(sdp); ++i) {
    const GstSDPAttribute* a = gst_sdp_message_get_attribute(sdp, i);
    if (g_strcmp0(a->key, "group") != 0 || !a->value) continue;
    QStringList tags = QString::fromUtf8(a->value).split(u' ', Qt::SkipEmptyParts);
    if (!tags.isEmpty() && tags.takeFirst() == u"BUNDLE") return tags;
  }
  return {};
}

// rtpmap "<pt> <enc>/<clock>[/<channels>]", fmtp and rtcp-fb of one payload type.
void readFormat(const GstSDPMedia* m, LeanMedia* line) {
  const QString pt = QString::number(line->payload);
  for (guint i = 0; i < gst_sdp_media_attributes_len(m); ++i) {
    const GstSDPAttribute* a = gst_sdp_media_get_attribute(m, i);
    const QString value = QString::fromUtf8(a->value ? a->value : "");
    const QString head = value.section(u' ', 0, 0);
    const QString rest = value.section(u' ', 1).trimmed();
    if (g_strcmp0(a->key, "rtpmap") == 0 && head == pt) {
      const QStringList parts = rest.split(u'/');
      if (parts.size() >= 2) line->clockRate = parts[1].toInt();
      if (parts.size() >= 3) line->channels = parts[2].toInt();
    } else if (g_strcmp0(a->key, "fmtp") == 0 && head == pt) {
      line->fmtp = rest;
    } else if (g_strcmp0(a->key, "rtcp-fb") == 0 && (head == pt || head == u"*")) {
      if (rest == u"nack") line->nack = true;
      else if (rest == u"nack pli") line->pli = true;
      else if (rest == u"ccm fir") line->fir = true;
      else if (rest == u"goog-remb") line->remb = true;
      else if (rest == u"transport-cc") line->transportCc = true;
    } else if (g_strcmp0(a->key, "extmap") == 0 && rest == QLatin1String(kTransportCcUri)) {
      bool ok = false;
      const int id = head.section(u'/', 0, 0).toInt(&ok);  // "<id>[/<direction>]"
      if (ok && id >= 1 && id <= 14) line->transportCcExtension = id;  // one-byte ids: what browsers use
    } else if (g_strcmp0(a->key, "ssrc") == 0) {
      bool ok = false;
      const quint32 ssrc = head.toUInt(&ok);
      if (ok && !line->remoteSsrcs.contains(ssrc)) line->remoteSsrcs.append(ssrc);
    }
  }
  line->rtcpRsize = hasAttr(m, "rtcp-rsize");
  if (!line->transportCc || line->transportCcExtension == 0) {
    line->transportCc = false;
    line->transportCcExtension = 0;
  }
}

LeanRemoteTransport readTransport(const GstSDPMessage* sdp, const GstSDPMedia* m) {
  LeanRemoteTransport t;
  t.ufrag = attr(sdp, m, "ice-ufrag");
  t.password = attr(sdp, m, "ice-pwd");
  const QString fp = attr(sdp, m, "fingerprint");
  t.fingerprintAlgorithm = fp.section(u' ', 0, 0).toLower();
  t.fingerprint = fp.section(u' ', 1).trimmed();
  t.setup = attr(sdp, m, "setup");
  for (guint i = 0; i < gst_sdp_media_attributes_len(m); ++i) {
    const GstSDPAttribute* a = gst_sdp_media_get_attribute(m, i);
    if (g_strcmp0(a->key, "candidate") == 0 && a->value) t.candidates.append(QStringLiteral("candidate:") + QString::fromUtf8(a->value));
  }
  return t;
}

SdpMessagePtr parse(const QString& text, const char* what) { return parseSdp(text, what); }

QString answerDirection(const QString& remote, bool recvOnly, bool sendOnly, bool* send, bool* receive) {
  bool s = remote == u"sendrecv" || remote == u"recvonly";
  bool r = remote == u"sendrecv" || remote == u"sendonly";
  if (recvOnly) s = false;
  if (sendOnly) r = false;
  *send = s;
  *receive = r;
  if (s && r) return QStringLiteral("sendrecv");
  if (s) return QStringLiteral("sendonly");
  if (r) return QStringLiteral("recvonly");
  return QStringLiteral("inactive");
}

quint32 newSsrc() { return QRandomGenerator::system()->generate() | 1u; }

void appendTransport(QStringList& out, const LeanLocalTransport& local) {
  out << QStringLiteral("a=ice-ufrag:") + local.ufrag << QStringLiteral("a=ice-pwd:") + local.password
      << QStringLiteral("a=ice-options:trickle") << QStringLiteral("a=fingerprint:sha-256 ") + local.fingerprintSha256
      << QStringLiteral("a=setup:") + local.setup;
}

void appendMediaLine(QStringList& out, const LeanMedia& m, const LeanLocalTransport& local, const QString& dir) {
  out << QStringLiteral("m=%1 9 %2 %3").arg(m.kind, m.protocol).arg(m.payload) << QStringLiteral("c=IN IP4 0.0.0.0");
  const int kbps = m.type == MediaType::Video ? local.videoKbps : local.audioKbps;
  if (kbps > 0) out << QStringLiteral("b=AS:%1").arg(kbps);
  out << QStringLiteral("a=rtcp:9 IN IP4 0.0.0.0");
  appendTransport(out, local);
  out << QStringLiteral("a=mid:") + m.mid << QStringLiteral("a=") + dir << QStringLiteral("a=rtcp-mux");
  if (m.rtcpRsize) out << QStringLiteral("a=rtcp-rsize");
  out << (m.channels > 0 ? QStringLiteral("a=rtpmap:%1 %2/%3/%4").arg(m.payload).arg(m.encoding == u"OPUS" ? QStringLiteral("opus") : m.encoding).arg(m.clockRate).arg(m.channels)
                         : QStringLiteral("a=rtpmap:%1 %2/%3").arg(m.payload).arg(m.encoding).arg(m.clockRate));
  if (m.nack) out << QStringLiteral("a=rtcp-fb:%1 nack").arg(m.payload);
  if (m.pli) out << QStringLiteral("a=rtcp-fb:%1 nack pli").arg(m.payload);
  if (m.fir) out << QStringLiteral("a=rtcp-fb:%1 ccm fir").arg(m.payload);
  if (m.remb) out << QStringLiteral("a=rtcp-fb:%1 goog-remb").arg(m.payload);
  if (m.transportCc) {
    out << QStringLiteral("a=rtcp-fb:%1 transport-cc").arg(m.payload)
        << QStringLiteral("a=extmap:%1 %2").arg(m.transportCcExtension).arg(QLatin1String(kTransportCcUri));
  }
  if (!m.fmtp.isEmpty()) out << QStringLiteral("a=fmtp:%1 %2").arg(m.payload).arg(m.fmtp);
  if (m.send) {
    const QString track = local.streamId + u'-' + (m.type == MediaType::Video ? u'v' : u'a');
    out << QStringLiteral("a=msid:%1 %2").arg(local.streamId, track)
        << QStringLiteral("a=ssrc:%1 cname:%2").arg(m.localSsrc).arg(local.cname)
        << QStringLiteral("a=ssrc:%1 msid:%2 %3").arg(m.localSsrc).arg(local.streamId, track);
  }
}

QStringList sessionHeader(const QStringList& mids, const LeanLocalTransport& local) {
  QStringList out;
  out << QStringLiteral("v=0")
      << QStringLiteral("o=- %1 2 IN IP4 127.0.0.1").arg(QRandomGenerator::system()->generate64() >> 2)
      << QStringLiteral("s=Pipewright") << QStringLiteral("t=0 0");
  if (!mids.isEmpty()) out << QStringLiteral("a=group:BUNDLE ") + mids.join(u' ');
  out << QStringLiteral("a=msid-semantic: WMS ") + local.streamId;
  return out;
}

}  // namespace

LeanNegotiation LeanSdp::parseOffer(const QString& offer, bool recvOnly, bool sendOnly) {
  SdpMessagePtr sdp = parse(offer, "offer");
  LeanNegotiation n;
  const QStringList bundle = bundleMids(sdp.get());
  bool haveAudio = false, haveVideo = false;
  for (guint i = 0; i < gst_sdp_message_medias_len(sdp.get()); ++i) {
    const GstSDPMedia* m = gst_sdp_message_get_media(sdp.get(), i);
    LeanMedia line;
    line.mline = static_cast<int>(i);
    line.kind = QString::fromUtf8(gst_sdp_media_get_media(m));
    line.protocol = QString::fromUtf8(gst_sdp_media_get_proto(m));
    line.firstFormat = gst_sdp_media_formats_len(m) ? QString::fromUtf8(gst_sdp_media_get_format(m, 0)) : QStringLiteral("0");
    if (const char* mid = gst_sdp_media_get_attribute_val(m, "mid")) line.mid = QString::fromUtf8(mid);
    else line.mid = QString::number(i);
    const bool video = line.kind == u"video";
    const bool usable = (video || line.kind == u"audio") && carriesMedia(sdp.get(), m) &&
                        // One transport: the BUNDLE group's lines, or the first usable line alone.
                        (bundle.isEmpty() ? n.bundleMid.isEmpty() : bundle.contains(line.mid)) &&
                        line.protocol.contains(u"SAVPF") && !(video ? haveVideo : haveAudio);
    if (usable) {
      const Codec codec = chooseCodec(m, video);
      if (codec.payload >= 0) {
        line.accepted = true;
        line.type = video ? MediaType::Video : MediaType::Audio;
        line.encoding = codec.encoding;
        line.payload = codec.payload;
        line.clockRate = video ? 90000 : 48000;
        readFormat(m, &line);
        line.fmtp = codec.fmtp;  // for H.264, what RFC 6184 lets us answer (not the offer's sprop-*)
        line.packetizationMode = codec.packetizationMode;
        if (!video) line.nack = line.pli = line.fir = line.remb = false;
        answerDirection(direction(m), recvOnly, sendOnly, &line.send, &line.receive);
        if (line.send) line.localSsrc = newSsrc();
        (video ? haveVideo : haveAudio) = true;
        if (n.bundleMid.isEmpty()) {
          n.bundleMid = line.mid;
          n.bundleMLine = line.mline;
          n.remote = readTransport(sdp.get(), m);
          if (!hasAttr(m, "rtcp-mux")) {
            throw KurentoException(ErrorCode::SdpEndPointProcessOfferError,
                                   QStringLiteral("The offer's media must use rtcp-mux (RFC 5761), as every browser does"));
          }
        }
      }
    }
    n.media.append(line);
  }
  if (n.bundleMid.isEmpty()) {
    throw KurentoException(ErrorCode::SdpEndPointProcessOfferError,
                           QStringLiteral("No common codec: Pipewright accepts VP8, VP9 or H.264 (Constrained Baseline or "
                                          "Baseline, packetization-mode 0 or 1) video and Opus audio over UDP/TLS/RTP/SAVPF"));
  }
  if (n.remote.ufrag.isEmpty() || n.remote.password.isEmpty() || n.remote.fingerprint.isEmpty()) {
    throw KurentoException(ErrorCode::SdpEndPointProcessOfferError,
                           QStringLiteral("The offer lacks ICE credentials or a DTLS fingerprint (a=ice-ufrag, a=ice-pwd, a=fingerprint)"));
  }
  return n;
}

QString LeanSdp::answer(const LeanNegotiation& n, const LeanLocalTransport& local) {
  QStringList mids;
  for (const auto& m : n.media) {
    if (m.accepted) mids << m.mid;
  }
  QStringList out = sessionHeader(mids, local);
  for (const auto& m : n.media) {
    if (!m.accepted) {
      out << QStringLiteral("m=%1 0 %2 %3").arg(m.kind, m.protocol, m.firstFormat) << QStringLiteral("c=IN IP4 0.0.0.0")
          << QStringLiteral("a=mid:") + m.mid << QStringLiteral("a=inactive");
      continue;
    }
    const QString dir = m.send && m.receive ? QStringLiteral("sendrecv")
                        : m.send            ? QStringLiteral("sendonly")
                        : m.receive         ? QStringLiteral("recvonly")
                                            : QStringLiteral("inactive");
    appendMediaLine(out, m, local, dir);
  }
  return out.join(QStringLiteral("\r\n")) + QStringLiteral("\r\n");
}

QString LeanSdp::offer(LeanNegotiation* n, const LeanLocalTransport& local, bool send, bool receiveAudio, bool receiveVideo) {
  n->media.clear();
  int mline = 0;
  for (MediaType type : {MediaType::Audio, MediaType::Video}) {
    const bool video = type == MediaType::Video;
    const bool receive = video ? receiveVideo : receiveAudio;
    if (!send && !receive) continue;
    LeanMedia m;
    m.mline = mline;
    m.mid = QString::number(mline++);
    m.kind = video ? QStringLiteral("video") : QStringLiteral("audio");
    m.protocol = QStringLiteral("UDP/TLS/RTP/SAVPF");
    m.accepted = true;
    m.type = type;
    m.encoding = video ? QStringLiteral("VP8") : QStringLiteral("OPUS");
    m.payload = video ? 96 : 111;
    m.clockRate = video ? 90000 : 48000;
    m.channels = video ? 0 : 2;
    m.fmtp = video ? QString() : QStringLiteral("minptime=10;useinbandfec=1");
    m.send = send;
    m.receive = receive;
    m.nack = m.pli = m.fir = m.remb = video;
    m.transportCc = true;
    m.transportCcExtension = kOfferedTransportCcExtension;
    if (send) m.localSsrc = newSsrc();
    n->media.append(m);
  }
  n->bundleMid = n->media.isEmpty() ? QString() : n->media.first().mid;
  n->bundleMLine = 0;
  QStringList mids;
  for (const auto& m : n->media) mids << m.mid;
  QStringList out = sessionHeader(mids, local);
  for (const auto& m : n->media) {
    appendMediaLine(out, m, local, m.send && m.receive ? QStringLiteral("sendrecv") : m.send ? QStringLiteral("sendonly") : QStringLiteral("recvonly"));
  }
  return out.join(QStringLiteral("\r\n")) + QStringLiteral("\r\n");
}

void LeanSdp::parseAnswer(const QString& answer, LeanNegotiation* n) {
  SdpMessagePtr sdp = parse(answer, "answer");
  const guint count = gst_sdp_message_medias_len(sdp.get());
  bool any = false;
  for (auto& line : n->media) {
    if (static_cast<guint>(line.mline) >= count) {
      line.accepted = false;
      continue;
    }
    const GstSDPMedia* m = gst_sdp_message_get_media(sdp.get(), static_cast<guint>(line.mline));
    if (gst_sdp_media_get_port(m) == 0 && !carriesMedia(sdp.get(), m)) {
      line.accepted = false;
      continue;
    }
    const Codec codec = chooseCodec(m, line.type == MediaType::Video);
    if (codec.payload < 0) {
      line.accepted = false;
      continue;
    }
    line.encoding = codec.encoding;
    line.payload = codec.payload;
    line.packetizationMode = codec.packetizationMode;
    const bool offeredSend = line.send, offeredReceive = line.receive;
    line.nack = line.pli = line.fir = line.remb = line.transportCc = false;
    line.transportCcExtension = 0;
    line.remoteSsrcs.clear();
    readFormat(m, &line);
    if (line.type == MediaType::Audio) line.nack = line.pli = line.fir = line.remb = false;
    const QString dir = direction(m);
    line.send = offeredSend && (dir == u"sendrecv" || dir == u"recvonly");
    line.receive = offeredReceive && (dir == u"sendrecv" || dir == u"sendonly");
    if (!any) {
      any = true;
      n->bundleMid = line.mid;
      n->bundleMLine = line.mline;
      n->remote = readTransport(sdp.get(), m);
    }
  }
  if (!any) {
    throw KurentoException(ErrorCode::SdpEndPointProcessAnswerError, QStringLiteral("The answer accepts none of the offered media"));
  }
  if (n->remote.ufrag.isEmpty() || n->remote.fingerprint.isEmpty()) {
    throw KurentoException(ErrorCode::SdpEndPointProcessAnswerError,
                           QStringLiteral("The answer lacks ICE credentials or a DTLS fingerprint"));
  }
}

QString LeanSdp::withCandidates(const QString& sdp, int mline, const QStringList& candidates, bool complete) {
  if (candidates.isEmpty() && !complete) return sdp;
  QStringList lines = sdp.split(QStringLiteral("\r\n"));
  if (!lines.isEmpty() && lines.last().isEmpty()) lines.removeLast();
  int section = -1;
  int insertAt = -1;
  for (int i = 0; i < lines.size(); ++i) {
    if (lines[i].startsWith(u"m=")) {
      ++section;
      if (section == mline + 1) {
        insertAt = i;
        break;
      }
    }
  }
  if (insertAt < 0) insertAt = static_cast<int>(lines.size());
  QStringList added;
  for (const auto& c : candidates) added << (c.startsWith(u"a=") ? c : QStringLiteral("a=") + c);
  if (complete) added << QStringLiteral("a=end-of-candidates");
  for (int i = 0; i < added.size(); ++i) lines.insert(insertAt + i, added[i]);
  return lines.join(QStringLiteral("\r\n")) + QStringLiteral("\r\n");
}

}  // namespace pw
