// libFuzzer target: a peer's SDP offer or answer as the RTP endpoints read it. Input: the SDP
// text. Runs parseSdp (gst_sdp_message_parse_buffer plus our checks), then per m-line what
// WebRtcEndpoint::processOffer and RtpEndpoint::processOffer/processAnswer decide from it:
// chooseCodec for video and audio, direction, the (de)payloader descriptions of the chosen
// codec, and every a=crypto line through parseCryptoAttribute (SDES), with its round trip
// through cryptoAttribute.

#include "FuzzSupport.h"
#include "elements/webrtc/RtpCodecs.h"
#include "elements/webrtc/Sdes.h"
#include "pipewright/engine/KurentoError.h"

#include <QString>

#include <cstdint>
#include <cstdio>
#include <cstdlib>

namespace {

void check(bool ok, const char* what) {
  if (!ok) {
    std::fprintf(stderr, "fuzz_sdp: invariant broken: %s\n", what);
    std::abort();
  }
}

void checkCodec(const GstSDPMedia* m, bool video) {
  const pw::Codec codec = pw::chooseCodec(m, video);
  if (codec.payload < 0) return;
  check(bool(codec.caps), "a chosen codec has caps");
  const QStringList allowed = video ? QStringList{"VP8", "H264", "VP9"} : QStringList{"OPUS"};
  check(allowed.contains(codec.encoding), "only codecs we relay are chosen");
  check(!pw::depayloaderFor(codec.encoding).isEmpty(), "a chosen codec has a depayloader");
  check(codec.encoding == "H264" ? (codec.packetizationMode == 0 || codec.packetizationMode == 1) : codec.packetizationMode == 1,
        "H.264 in packetization-mode 0 or 1 only");
  if (codec.encoding == "H264") check(pw::parseH264Fmtp(codec.fmtp).problem.isEmpty(), "our H.264 answer fmtp is usable");
  (void)pw::payloaderFor(codec.encoding, codec.payload, 1200, codec.packetizationMode);
  (void)pw::wantedFormat(codec.encoding);
  gchar* caps = gst_caps_to_string(codec.caps.get());
  g_free(caps);
}

// FormatCaps (linear) gives, for every payload type of the m-line, the caps GStreamer's
// gst_sdp_media_get_caps_from_media (quadratic in the attributes) gives on the whole m-line.
void checkFormatCaps(const GstSDPMedia* m) {
  if (gst_sdp_media_attributes_len(m) > 256) return;  // keep the reference cheap
  const pw::FormatCaps linear(m);
  for (guint i = 0; i < gst_sdp_media_formats_len(m); ++i) {
    bool ok = false;
    const int pt = QString::fromUtf8(gst_sdp_media_get_format(m, i)).toInt(&ok);
    if (!ok || pt < 0 || pt > 127) continue;
    GstCaps* ours = linear.caps(pt);
    GstCaps* reference = gst_sdp_media_get_caps_from_media(m, pt);
    check(!ours == !reference, "FormatCaps finds caps exactly when GStreamer does");
    if (ours && reference && !gst_caps_is_strictly_equal(ours, reference)) {
      gchar* a = gst_caps_to_string(ours);
      gchar* b = gst_caps_to_string(reference);
      std::fprintf(stderr, "fuzz_sdp: payload %d: FormatCaps %s, GStreamer %s\n", pt, a, b);
      g_free(a);
      g_free(b);
      check(false, "FormatCaps gives GStreamer's caps");
    }
    if (ours) gst_caps_unref(ours);
    if (reference) gst_caps_unref(reference);
  }
}

void checkCrypto(const QString& value) {
  const pw::CryptoLine line = pw::parseCryptoAttribute(value);
  if (!line.problem.isEmpty()) return;
  check(line.key.valid(), "a usable a=crypto has a key of its suite's length");
  check(line.tag >= 0, "a usable a=crypto has a tag");
  // What we would answer with the same key reads back as the same key.
  const pw::CryptoLine again = pw::parseCryptoAttribute(pw::cryptoAttribute(line.tag, line.key));
  check(again.problem.isEmpty() && again.key.suite == line.key.suite && again.key.key == line.key.key &&
            again.tag == line.tag,
        "cryptoAttribute round trip");
}

}  // namespace

extern "C" int LLVMFuzzerInitialize(int*, char***) {
  pw::fuzz::quietLogs();
  pw::fuzz::initGStreamerOrDie();
  return 0;
}

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  if (size > 16384) return -1;
  const QString text = QString::fromUtf8(reinterpret_cast<const char*>(data), static_cast<qsizetype>(size));
  GstSDPMessage* sdp = nullptr;
  try {
    sdp = pw::parseSdp(text, "offer").release();
  } catch (const pw::KurentoException& e) {
    check(e.error().code == pw::ErrorCode::SdpParseError, "parseSdp refuses with 40201 only");
    return 0;
  }
  check(gst_sdp_message_medias_len(sdp) > 0, "parseSdp returns SDP with media");
  for (guint i = 0; i < gst_sdp_message_medias_len(sdp); ++i) {
    const GstSDPMedia* m = gst_sdp_message_get_media(sdp, i);
    (void)QString::fromUtf8(gst_sdp_media_get_media(m));
    (void)QString::fromUtf8(gst_sdp_media_get_proto(m));
    (void)gst_sdp_media_get_attribute_val(m, "mid");
    (void)gst_sdp_media_get_attribute_val(m, "rtcp");
    const QString dir = pw::direction(m);
    check(dir == u"sendrecv" || dir == u"sendonly" || dir == u"recvonly" || dir == u"inactive", "direction");
    checkFormatCaps(m);
    checkCodec(m, true);
    checkCodec(m, false);
    for (guint a = 0; a < gst_sdp_media_attributes_len(m); ++a) {
      const GstSDPAttribute* attr = gst_sdp_media_get_attribute(m, a);
      if (attr->key && qstrcmp(attr->key, "crypto") == 0 && attr->value) checkCrypto(QString::fromUtf8(attr->value));
    }
  }
  // The text form (what webrtcbin sends back after our changes) parses again.
  gchar* again = gst_sdp_message_as_text(sdp);
  GstSDPMessage* reparsed = nullptr;
  gst_sdp_message_new(&reparsed);
  gst_sdp_message_parse_buffer(reinterpret_cast<const guint8*>(again), static_cast<guint>(strlen(again)), reparsed);
  gst_sdp_message_free(reparsed);
  g_free(again);
  gst_sdp_message_free(sdp);
  return 0;
}
