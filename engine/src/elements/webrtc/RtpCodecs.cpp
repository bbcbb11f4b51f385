#include "RtpCodecs.h"

#include "media/Formats.h"
#include "pipewright/engine/KurentoError.h"

#include <QStringList>

namespace pw {


// Our preferred codec among an m-line's formats.
Codec chooseCodec(const GstSDPMedia* media, bool video) {
  const QStringList preference = video ? QStringList{"VP8", "H264", "VP9"} : QStringList{"OPUS"};
  Codec best;
  int bestRank = 1000;
  for (guint i = 0; i < gst_sdp_media_formats_len(media); ++i) {
    const int pt = QString::fromUtf8(gst_sdp_media_get_format(media, i)).toInt();
    GstCaps* caps = gst_sdp_media_get_caps_from_media(media, pt);
    if (!caps) continue;
    CapsRef owned = CapsRef::adopt(caps);
    GstStructure* s = gst_caps_get_structure(caps, 0);
    const QString enc = QString::fromUtf8(gst_structure_get_string(s, "encoding-name")).toUpper();
    const int rank = static_cast<int>(preference.indexOf(enc));
    if (rank < 0) continue;
    int score = rank * 10;
    if (enc == u"H264") {
      // What our encoder sends: constrained baseline (profile 42), packetization-mode 1.
      const char* mode = gst_structure_get_string(s, "packetization-mode");
      if (!mode || QLatin1String(mode) != u"1") continue;
      const QString plid = QString::fromUtf8(gst_structure_get_string(s, "profile-level-id")).toLower();
      if (!plid.isEmpty() && !plid.startsWith(u"42")) continue;
      if (!plid.startsWith(u"42e0")) score += 1;  // prefer constrained baseline, as Safari insists
    }
    if (score >= bestRank) continue;
    bestRank = score;
    best.encoding = enc;
    best.payload = pt;
    best.caps = owned;
  }
  return best;
}

QString wantedFormat(const QString& encoding) {
  if (encoding == u"VP8") return formats::kVp8;
  if (encoding == u"H264") return formats::kH264;
  if (encoding == u"VP9") return QStringLiteral("video/x-vp9");
  return formats::kOpus;
}

QString payloaderFor(const QString& encoding, int pt, int mtu, const QString& profileLevelId) {
  if (encoding == u"VP8") return QStringLiteral("rtpvp8pay pt=%1 mtu=%2 picture-id-mode=15-bit").arg(pt).arg(mtu);
  if (encoding == u"VP9") return QStringLiteral("rtpvp9pay pt=%1 mtu=%2 picture-id-mode=15-bit").arg(pt).arg(mtu);
  if (encoding == u"H264") {
    // Byte-stream input: the payloader then announces no profile-level-id of its own, so the
    // constrained-baseline stream fits the one negotiated in the SDP (a lower level decodes fine).
    Q_UNUSED(profileLevelId);
    return QStringLiteral("h264parse config-interval=-1 ! video/x-h264,stream-format=byte-stream,alignment=au ! "
                          "rtph264pay pt=%1 mtu=%2 config-interval=-1 aggregate-mode=zero-latency")
        .arg(pt).arg(mtu);
  }
  return QStringLiteral("rtpopuspay pt=%1 mtu=%2").arg(pt).arg(mtu);
}

QString depayloaderFor(const QString& encoding) {
  if (encoding == u"VP8") return QStringLiteral("rtpvp8depay wait-for-keyframe=true request-keyframe=true");
  if (encoding == u"VP9") return QStringLiteral("rtpvp9depay");
  if (encoding == u"H264") return QStringLiteral("rtph264depay request-keyframe=true ! h264parse config-interval=-1");
  if (encoding == u"OPUS") return QStringLiteral("rtpopusdepay");
  return {};
}

QString direction(const GstSDPMedia* media) {
  for (guint i = 0; i < gst_sdp_media_attributes_len(media); ++i) {
    const QLatin1String key(gst_sdp_media_get_attribute(media, i)->key);
    if (key == u"sendrecv" || key == u"sendonly" || key == u"recvonly" || key == u"inactive") return QString(key);
  }
  return QStringLiteral("sendrecv");
}

bool carriesMedia(const GstSDPMessage* sdp, const GstSDPMedia* media) {
  if (gst_sdp_media_get_port(media) != 0) return true;
  const char* mid = gst_sdp_media_get_attribute_val(media, "mid");
  bool bundleOnly = false;
  for (guint i = 0; i < gst_sdp_media_attributes_len(media); ++i) {
    bundleOnly = bundleOnly || g_strcmp0(gst_sdp_media_get_attribute(media, i)->key, "bundle-only") == 0;
  }
  if (!mid || !bundleOnly) return false;  // port 0 alone: a rejected or disabled section
  for (guint i = 0; i < gst_sdp_message_attributes_len(sdp); ++i) {
    const GstSDPAttribute* a = gst_sdp_message_get_attribute(sdp, i);
    if (g_strcmp0(a->key, "group") != 0 || !a->value) continue;
    const QStringList tags = QString::fromUtf8(a->value).split(u' ', Qt::SkipEmptyParts);
    if (!tags.isEmpty() && tags.first() == u"BUNDLE" && tags.mid(1).contains(QString::fromUtf8(mid))) return true;
  }
  return false;
}

// Parses an SDP; throws 40201 with `what` in the message.
SdpMessagePtr parseSdp(const QString& text, const char* what) {
  SdpMessagePtr sdp;
  gst_sdp_message_new(sdp.out());
  const QByteArray utf8 = text.toUtf8();
  if (utf8.trimmed().isEmpty() ||
      gst_sdp_message_parse_buffer(reinterpret_cast<const guint8*>(utf8.constData()), static_cast<guint>(utf8.size()), sdp.get()) != GST_SDP_OK ||
      !gst_sdp_message_get_version(sdp.get()) || gst_sdp_message_medias_len(sdp.get()) == 0) {
    throw KurentoException(ErrorCode::SdpParseError, QStringLiteral("The %1 is not a valid SDP with media (m=) lines").arg(QLatin1String(what)));
  }
  return sdp;
}

}  // namespace pw
