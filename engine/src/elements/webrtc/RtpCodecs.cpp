#include "RtpCodecs.h"

#include "media/Formats.h"
#include "pipewright/engine/KurentoError.h"

#include "gst/SdpMessagePtr.h"

#include <QByteArray>
#include <QStringList>

#include <algorithm>
#include <array>
#include <bitset>
#include <cstdlib>
#include <iterator>
#include <vector>

namespace pw {


namespace {

// RFC 6184 Table 5: profile_idc and the profile-iop bits that must be set (`ones`) and clear
// (`zeros`); the other bits are free ("x").
struct ProfilePattern {
  int idc;
  int ones;
  int zeros;
  H264Profile profile;
};
constexpr ProfilePattern kProfilePatterns[] = {
    {0x42, 0x40, 0x0f, H264Profile::ConstrainedBaseline},  // 42 x1xx0000
    {0x4d, 0x80, 0x0f, H264Profile::ConstrainedBaseline},  // 4D 1xxx0000
    {0x58, 0xc0, 0x0f, H264Profile::ConstrainedBaseline},  // 58 11xx0000
    {0x42, 0x00, 0x4f, H264Profile::Baseline},             // 42 x0xx0000
    {0x58, 0x80, 0x4f, H264Profile::Baseline},             // 58 10xx0000
    {0x58, 0x00, 0x8f, H264Profile::Extended},             // 58 0xxx0000
    {0x4d, 0x00, 0xaf, H264Profile::Main},                 // 4D 0x0x0000
    {0x64, 0x0c, 0xf3, H264Profile::ConstrainedHigh},      // 64 00001100
    {0x64, 0x00, 0xff, H264Profile::High},                 // 64 00000000
};

H264Profile classify(int idc, int iop) {
  for (const auto& p : kProfilePatterns) {
    if (p.idc == idc && (iop & p.ones) == p.ones && (iop & p.zeros) == 0) return p.profile;
  }
  return H264Profile::Unknown;
}

}  // namespace

QString profileName(H264Profile profile) {
  switch (profile) {
    case H264Profile::ConstrainedBaseline: return QStringLiteral("Constrained Baseline");
    case H264Profile::Baseline: return QStringLiteral("Baseline");
    case H264Profile::Main: return QStringLiteral("Main");
    case H264Profile::Extended: return QStringLiteral("Extended");
    case H264Profile::High: return QStringLiteral("High");
    case H264Profile::ConstrainedHigh: return QStringLiteral("Constrained High");
    case H264Profile::Unknown: break;
  }
  return QStringLiteral("unknown");
}

H264Params parseH264Fmtp(const QString& fmtp) {
  H264Params p;
  QString mode;
  bool modeSeen = false;
  for (const QString& item : fmtp.split(u';', Qt::SkipEmptyParts)) {
    const QString key = item.section(u'=', 0, 0).trimmed().toLower();
    const QString value = item.section(u'=', 1).trimmed();
    if (key == u"packetization-mode") {
      mode = value;
      modeSeen = true;
    } else if (key == u"profile-level-id") {
      p.profileLevelId = value.toLower();
    } else if (key == u"level-asymmetry-allowed") {
      p.levelAsymmetryAllowed = value == u"1";
    }
  }
  if (modeSeen) {
    if (mode == u"0" || mode == u"1") {
      p.packetizationMode = mode.toInt();
      p.packetizationModeStated = true;
    } else {
      p.problem = QStringLiteral("packetization-mode=%1 (Pipewright sends and receives modes 0 and 1)").arg(mode);
      return p;
    }
  }
  if (p.profileLevelId.isEmpty()) return p;  // RFC 6184 §8.1: Baseline, level 1
  bool ok = p.profileLevelId.size() == 6;
  const uint value = ok ? p.profileLevelId.toUInt(&ok, 16) : 0;
  if (!ok) {
    p.problem = QStringLiteral("profile-level-id=%1 is not 6 hexadecimal digits").arg(p.profileLevelId);
    return p;
  }
  p.profile = classify(static_cast<int>(value >> 16), static_cast<int>((value >> 8) & 0xff));
  p.levelIdc = static_cast<int>(value & 0xff);
  if (p.profile != H264Profile::ConstrainedBaseline && p.profile != H264Profile::Baseline) {
    p.problem = QStringLiteral("profile-level-id=%1 is %2 profile (Pipewright sends Constrained Baseline, so it takes "
                               "Constrained Baseline or Baseline)")
                    .arg(p.profileLevelId, profileName(p.profile));
  }
  return p;
}

QString h264AnswerFmtp(const H264Params& offered) {
  QStringList out;
  if (offered.levelAsymmetryAllowed) out << QStringLiteral("level-asymmetry-allowed=1");
  // An absent packetization-mode means mode 0: the answer says it the way the offer did.
  if (offered.packetizationModeStated) out << QStringLiteral("packetization-mode=%1").arg(offered.packetizationMode);
  if (!offered.profileLevelId.isEmpty()) out << QStringLiteral("profile-level-id=") + offered.profileLevelId;
  return out.join(u';');
}

QString formatAttribute(const GstSDPMedia* media, const char* key, int payload) {
  const QString prefix = QString::number(payload) + u' ';
  for (guint i = 0; i < gst_sdp_media_attributes_len(media); ++i) {
    const GstSDPAttribute* a = gst_sdp_media_get_attribute(media, i);
    if (QLatin1String(a->key) == QLatin1String(key) && a->value && QString::fromUtf8(a->value).startsWith(prefix)) {
      return QString::fromUtf8(a->value).mid(prefix.size()).trimmed();
    }
  }
  return {};
}

namespace {

constexpr int kAnyPayloadType = -2;

// The payload type GStreamer reads at the start of an `a=rtpmap|fmtp` value, or -1:
// sscanf("%d "), which is (int) strtol in glibc. An rtcp-fb value whose first word is not plainly
// a payload type ("*", the wildcard, or anything odd) may apply to any: kAnyPayloadType. Being
// generous is safe: GStreamer matches again on the media of one payload type, so its caps come
// out exactly as from the whole m-line (fuzz_sdp compares them).
int payloadTypeOf(const char* value, bool rtcpFb) {
  if (!value) return -1;
  char* end = nullptr;
  const long pt = std::strtol(value, &end, 10);
  if (rtcpFb) {
    const bool plain = end != value && *end == ' ' && value[0] >= '0' && value[0] <= '9' && pt <= 127;
    return plain ? static_cast<int>(pt) : kAnyPayloadType;
  }
  if (end == value) return -1;  // sscanf read no number
  const int truncated = static_cast<int>(pt);
  return truncated >= 0 && truncated <= 127 ? truncated : -1;
}

}  // namespace

FormatCaps::FormatCaps(const GstSDPMedia* media) : media_(media) {
  bool framesizeSeen = false;
  for (guint i = 0; i < gst_sdp_media_attributes_len(media); ++i) {
    const GstSDPAttribute* a = gst_sdp_media_get_attribute(media, i);
    if (g_strcmp0(a->key, "framesize") == 0) {
      // GStreamer reads only the m-line's first a=framesize, whatever payload type it names, and
      // takes the payload type up to its first space with atoi (" 126 1280-720" names 0): that
      // one goes with every payload type, the others with none.
      if (!framesizeSeen) anyPayloadType_.push_back(i);
      framesizeSeen = true;
      continue;
    }
    const bool rtcpFb = g_strcmp0(a->key, "rtcp-fb") == 0;
    if (!rtcpFb && g_strcmp0(a->key, "rtpmap") != 0 && g_strcmp0(a->key, "fmtp") != 0) continue;
    const int pt = payloadTypeOf(a->value, rtcpFb);
    if (pt >= 0) byPayloadType_[static_cast<size_t>(pt)].push_back(i);
    if (pt == kAnyPayloadType) anyPayloadType_.push_back(i);
  }
}

GstCaps* FormatCaps::caps(int pt) const {
  if (pt < 0 || pt > 127) return nullptr;
  SdpMediaPtr one;
  gst_sdp_media_new(one.out());
  gst_sdp_media_set_media(one.get(), gst_sdp_media_get_media(media_));
  if (const char* proto = gst_sdp_media_get_proto(media_)) gst_sdp_media_set_proto(one.get(), proto);
  gst_sdp_media_add_format(one.get(), QByteArray::number(pt).constData());
  // pt's own attributes and those that may apply to any, in the m-line's order.
  const auto& own = byPayloadType_[static_cast<size_t>(pt)];
  std::vector<guint> indices;
  indices.reserve(own.size() + anyPayloadType_.size());
  std::merge(own.begin(), own.end(), anyPayloadType_.begin(), anyPayloadType_.end(), std::back_inserter(indices));
  for (const guint i : indices) {
    const GstSDPAttribute* a = gst_sdp_media_get_attribute(media_, i);
    gst_sdp_media_add_attribute(one.get(), a->key, a->value);
  }
  return gst_sdp_media_get_caps_from_media(one.get(), pt);
}

// Our preferred codec among an m-line's formats.
Codec chooseCodec(const GstSDPMedia* media, bool video) {
  const QStringList preference = video ? QStringList{"VP8", "H264", "VP9"} : QStringList{"OPUS"};
  Codec best;
  int bestRank = 1000;
  const FormatCaps formatCaps(media);
  std::bitset<128> seen;
  for (guint i = 0; i < gst_sdp_media_formats_len(media); ++i) {
    bool ok = false;
    const int pt = QString::fromUtf8(gst_sdp_media_get_format(media, i)).toInt(&ok);
    if (!ok || pt < 0 || pt > 127 || seen[static_cast<size_t>(pt)]) continue;  // RTP payload types are 7 bits
    seen[static_cast<size_t>(pt)] = true;
    GstCaps* caps = formatCaps.caps(pt);
    if (!caps) continue;
    CapsRef owned = CapsRef::adopt(caps);
    GstStructure* s = gst_caps_get_structure(caps, 0);
    const QString enc = QString::fromUtf8(gst_structure_get_string(s, "encoding-name")).toUpper();
    const int rank = static_cast<int>(preference.indexOf(enc));
    if (rank < 0) continue;
    int score = rank * 10;
    QString fmtp = formatAttribute(media, "fmtp", pt);
    int mode = 1;
    if (enc == u"H264") {
      // What our encoder sends is Constrained Baseline; modes 0 and 1 are both payloaded.
      const H264Params h264 = parseH264Fmtp(fmtp);
      if (!h264.problem.isEmpty()) continue;
      mode = h264.packetizationMode;
      if (mode == 0) score += 2;  // mode 1 carries large NAL units in MTU-sized packets
      if (h264.profile != H264Profile::ConstrainedBaseline) score += 1;  // as Safari insists
      fmtp = h264AnswerFmtp(h264);
    }
    if (score >= bestRank) continue;
    bestRank = score;
    best.encoding = enc;
    best.payload = pt;
    best.caps = owned;
    best.fmtp = fmtp;
    best.packetizationMode = mode;
  }
  return best;
}

QString wantedFormat(const QString& encoding) {
  if (encoding == u"VP8") return formats::kVp8;
  if (encoding == u"H264") return formats::kH264;
  if (encoding == u"VP9") return QStringLiteral("video/x-vp9");
  return formats::kOpus;
}

QString payloaderFor(const QString& encoding, int pt, int mtu, int packetizationMode) {
  if (encoding == u"VP8") return QStringLiteral("rtpvp8pay pt=%1 mtu=%2 picture-id-mode=15-bit").arg(pt).arg(mtu);
  if (encoding == u"VP9") return QStringLiteral("rtpvp9pay pt=%1 mtu=%2 picture-id-mode=15-bit").arg(pt).arg(mtu);
  if (encoding == u"H264") {
    // Byte-stream input: the payloader then announces no profile-level-id of its own, so the
    // constrained-baseline stream fits the one negotiated in the SDP. rtph264pay has no mode
    // switch: it cuts a NAL unit larger than `mtu` into FU-A packets and, unless aggregate-mode
    // is none, bundles small ones (SPS, PPS) into STAP-A. Mode 0 (RFC 6184 §6.2) allows neither,
    // so there every NAL unit goes whole into its own packet, up to `mtu` (the caller passes
    // kSingleNalUnitMtu where the transport carries packets that large).
    return QStringLiteral("h264parse config-interval=-1 ! video/x-h264,stream-format=byte-stream,alignment=au ! "
                          "rtph264pay pt=%1 mtu=%2 config-interval=-1 aggregate-mode=%3")
        .arg(pt).arg(mtu).arg(packetizationMode == 0 ? QStringLiteral("none") : QStringLiteral("zero-latency"));
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

namespace {

// What no client sends and what would make reading an SDP costly (see FormatCaps; webrtcbin
// reads an offer the same way): refused before anything looks at the m-lines.
void checkSdpSize(const GstSDPMessage* sdp, const char* what) {
  const guint medias = gst_sdp_message_medias_len(sdp);
  guint attributes = gst_sdp_message_attributes_len(sdp);
  const auto refuse = [what](const QString& detail) {
    throw KurentoException(ErrorCode::SdpParseError,
                           QStringLiteral("The %1 is larger than any client sends: %2. Pipewright reads at most %3 m-lines, %4 "
                                          "formats and %5 attributes per m-line (formats × attributes at most %6), %7 "
                                          "attributes in all")
                               .arg(QLatin1String(what), detail)
                               .arg(kSdpMaxMedia)
                               .arg(kSdpMaxFormatsPerMedia)
                               .arg(kSdpMaxAttributesPerMedia)
                               .arg(kSdpMaxFormatAttributeProduct)
                               .arg(kSdpMaxAttributes));
  };
  if (medias > kSdpMaxMedia) refuse(QStringLiteral("%1 m-lines").arg(medias));
  for (guint i = 0; i < medias; ++i) {
    const GstSDPMedia* m = gst_sdp_message_get_media(sdp, i);
    const guint formats = gst_sdp_media_formats_len(m), own = gst_sdp_media_attributes_len(m);
    if (formats > kSdpMaxFormatsPerMedia || own > kSdpMaxAttributesPerMedia ||
        static_cast<quint64>(formats) * own > kSdpMaxFormatAttributeProduct) {
      refuse(QStringLiteral("m-line %1 has %2 formats and %3 attributes").arg(i).arg(formats).arg(own));
    }
    attributes += own;
  }
  if (attributes > kSdpMaxAttributes) refuse(QStringLiteral("%1 attributes").arg(attributes));
}

}  // namespace

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
  checkSdpSize(sdp.get(), what);
  return sdp;
}

}  // namespace pw
