#pragma once

// Codec choices shared by the SDP endpoints (WebRtcEndpoint, RtpEndpoint): which offered codec
// we take, what our inputs ask for, and the (de)payloaders that carry it.

#include "gst/GstRef.h"
#include "gst/SdpMessagePtr.h"

#include <QString>

#include <gst/sdp/sdp.h>

namespace pw {

struct Codec {
  QString encoding;  // "VP8", "H264", "VP9", "OPUS"
  int payload = -1;
  CapsRef caps;      // application/x-rtp caps from the SDP for that payload
};

// Our preferred codec among an m-line's formats: VP8 > H.264 (constrained baseline,
// packetization-mode 1) > VP9 for video, Opus for audio. payload < 0 when none fits.
Codec chooseCodec(const GstSDPMedia* media, bool video);
// The format an input asks its source for, to send `encoding`.
QString wantedFormat(const QString& encoding);
// gst-launch descriptions of the payloader and depayloader of `encoding`.
QString payloaderFor(const QString& encoding, int pt, int mtu, const QString& profileLevelId);
QString depayloaderFor(const QString& encoding);
// Parses an SDP with at least one m-line; throws 40201 naming `what` ("offer", "answer").
SdpMessagePtr parseSdp(const QString& text, const char* what);
// The m-line's direction attribute ("sendrecv" when absent).
QString direction(const GstSDPMedia* media);
// Whether an m-line of `sdp` is in use: a port other than 0, or port 0 with `a=bundle-only` and a
// mid listed in an `a=group:BUNDLE` line. RFC 8843 (§6, §7.2): such a section is not rejected, it
// shares the BUNDLE transport (what webrtcbin and other max-bundle clients offer).
bool carriesMedia(const GstSDPMessage* sdp, const GstSDPMedia* media);

}  // namespace pw
