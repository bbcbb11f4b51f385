#pragma once

// Codec choices shared by the SDP endpoints (WebRtcEndpoint, RtpEndpoint): which offered codec
// we take, what our inputs ask for, and the (de)payloaders that carry it.

#include "gst/GstRef.h"
#include "gst/SdpMessagePtr.h"

#include <QString>

#include <array>
#include <vector>

#include <gst/sdp/sdp.h>

namespace pw {

struct Codec {
  QString encoding;  // "VP8", "H264", "VP9", "OPUS"
  int payload = -1;
  CapsRef caps;      // application/x-rtp caps from the SDP for that payload
  QString fmtp;      // what our answer's a=fmtp says for `payload` (empty: no a=fmtp line)
  int packetizationMode = 1;  // H.264 (RFC 6184 §6): 0 single NAL unit, 1 non-interleaved
};

// H.264 payload format parameters (RFC 6184 §8.1) of one payload type, as an offer states them.
enum class H264Profile { ConstrainedBaseline, Baseline, Main, Extended, High, ConstrainedHigh, Unknown };
struct H264Params {
  int packetizationMode = 0;       // absent: 0 (single NAL unit mode)
  bool packetizationModeStated = false;
  QString profileLevelId;          // as offered, lower case; empty when absent (Baseline, level 1)
  H264Profile profile = H264Profile::Baseline;
  int levelIdc = 10;               // level_idc (level × 10; 11 with constraint_set3 is level 1b)
  bool levelAsymmetryAllowed = false;
  QString problem;                 // why we cannot use it; empty when we can
};
// Reads an a=fmtp value ("packetization-mode=1;profile-level-id=42e01f;..."); `problem` says
// why Pipewright cannot use it: packetization-mode 2 (interleaved) or other, a profile-level-id
// that is not 6 hex digits, or a profile other than Constrained Baseline / Baseline (what our
// encoder sends and what we relay), classified by profile_idc and profile-iop (RFC 6184 Table 5).
H264Params parseH264Fmtp(const QString& fmtp);
// Our answer's a=fmtp for an offered H.264 payload type (RFC 6184 §8.2.2): the same
// packetization-mode (left out when the offer left it out: mode 0 either way), the same profile
// and level (an answer may not raise the level; we keep it), level-asymmetry-allowed=1 when
// offered. The offerer's sprop-* (its own stream) and max-* (its receiver) are not repeated.
QString h264AnswerFmtp(const H264Params& offered);
QString profileName(H264Profile profile);

// gst_sdp_media_get_caps_from_media() for each payload type of one m-line, in linear time. GStreamer
// finds each attribute of a format by rescanning the whole m-line: formats x attributes^2 string
// compares (a 27 kB offer held the engine thread for 1.2 s). This sorts the rtpmap, fmtp,
// framesize and rtcp-fb attributes by payload type once; caps(pt) asks GStreamer about a media
// holding only pt's, which gives the same caps (fuzz_sdp checks it). `media` must outlive this.
class FormatCaps {
 public:
  explicit FormatCaps(const GstSDPMedia* media);
  GstCaps* caps(int pt) const;  // transfer full; null like GStreamer's, or for pt outside 0..127

 private:
  const GstSDPMedia* media_;
  std::array<std::vector<guint>, 128> byPayloadType_;  // attribute indices, ascending
  std::vector<guint> anyPayloadType_;                   // rtcp-fb:* and the like, the first framesize
};

// Our preferred codec among an m-line's formats: VP8 > H.264 > VP9 for video, Opus for audio.
// H.264 (Constrained Baseline or Baseline, any level): packetization-mode 1 before 0, and
// Constrained Baseline before Baseline. payload < 0 when none fits.
Codec chooseCodec(const GstSDPMedia* media, bool video);
// The value of `a=<key>:<payload> <value>` in an m-line (rtpmap, fmtp); empty when absent.
QString formatAttribute(const GstSDPMedia* media, const char* key, int payload);
// The format an input asks its source for, to send `encoding`.
QString wantedFormat(const QString& encoding);
// gst-launch descriptions of the payloader and depayloader of `encoding`. H.264 in
// packetization-mode 0 sends every NAL unit whole in its own packet (no STAP-A, no FU-A):
// the packet size limit is then kSingleNalUnitMtu instead of `mtu`.
inline constexpr int kSingleNalUnitMtu = 65000;
QString payloaderFor(const QString& encoding, int pt, int mtu, int packetizationMode = 1);
QString depayloaderFor(const QString& encoding);
// Parses an SDP with at least one m-line; throws 40201 naming `what` ("offer", "answer"), also
// for an SDP beyond these bounds (Chromium's video m-line: 23 formats, 121 attributes):
inline constexpr unsigned kSdpMaxMedia = 64;
inline constexpr unsigned kSdpMaxFormatsPerMedia = 128;  // RTP has 128 payload types
inline constexpr unsigned kSdpMaxAttributesPerMedia = 1024;
inline constexpr unsigned kSdpMaxFormatAttributeProduct = 32768;
inline constexpr unsigned kSdpMaxAttributes = 4096;
SdpMessagePtr parseSdp(const QString& text, const char* what);
// The m-line's direction attribute ("sendrecv" when absent).
QString direction(const GstSDPMedia* media);
// Whether an m-line of `sdp` is in use: a port other than 0, or port 0 with `a=bundle-only` and a
// mid listed in an `a=group:BUNDLE` line. RFC 8843 (§6, §7.2): such a section is not rejected, it
// shares the BUNDLE transport (what webrtcbin and other max-bundle clients offer).
bool carriesMedia(const GstSDPMessage* sdp, const GstSDPMedia* media);

}  // namespace pw
