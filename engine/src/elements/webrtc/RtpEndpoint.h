#pragma once

#include "BaseRtpEndpoint.h"
#include "Sdes.h"

#include <QList>

#include <gst/sdp/gstsdpmessage.h>

#include <memory>

namespace pw {

struct SrtpState;
struct RtpReceiveContext;

// RTP through rtpbin and UDP sockets, negotiated with SDP: processOffer from a sender such as
// gst-launch-1.0 or ffmpeg, or generateOffer/processAnswer. Plain (RTP/AVP, RTP/AVPF) or, when
// created with an SDES `crypto`, SRTP keyed in the SDP (RTP/SAVP, RTP/SAVPF with a=crypto):
// srtpenc/srtpdec per session, handed to rtpbin through its request-*-encoder/decoder signals.
// Received media stays encoded (VP8, VP9, H.264, Opus) like WebRTC's; sent media is payloaded
// from the connected source, adapted to the negotiated codec. A sender that restarts with a new
// SSRC is followed once its previous stream went silent (RtpStreamSelector).
class RtpEndpoint : public BaseRtpEndpoint {
 public:
  // One m-line as negotiated.
  struct Line {
    QString kind;        // "audio" / "video"
    QString proto = QStringLiteral("RTP/AVP");
    QString encoding;    // "VP8", "H264", "VP9", "OPUS"
    int payload = -1;
    QString rtpmap;      // "VP8/90000"
    QString fmtp;        // parameters after "a=fmtp:<pt> "
    int packetizationMode = 1;  // H.264: 0 single NAL unit, 1 non-interleaved (RFC 6184)
    QString direction;   // our direction
    bool active = false; // false: rejected (port 0)
    QString remoteHost;
    int remoteRtpPort = 0;
    int remoteRtcpPort = 0;
    int localRtpPort = 0;
    int localRtcpPort = 0;
    int cryptoTag = 1;   // SRTP: the tag of the a=crypto we answer (the offer's) or offer
    SrtpKey remoteKey;   // SRTP: the peer's key from its a=crypto
    bool remb = false;   // video: the peer's SDP has a=rtcp-fb goog-remb (AVPF)
  };

  explicit RtpEndpoint(const Creation& creation);
  ~RtpEndpoint() override;

  void processOffer(const QString& offer, std::shared_ptr<DeferredReply> reply) override;
  void generateOffer(const QJsonObject& options, std::shared_ptr<DeferredReply> reply) override;
  void processAnswer(const QString& answer, std::shared_ptr<DeferredReply> reply) override;
  void requestKeyframe() override;
  // getStats: element stats plus one inbound/outbound RTP entry per SSRC of rtpbin's sessions;
  // the media type is the m-line's, so the mediaType filter is exact.
  QJsonObject stats(std::optional<MediaType> type) const override;

 private:
  struct Stream {
    ElementRef rtpSrc, rtcpSrc, rtpSink, rtcpSink;
  };
  // Session `index`: sockets, receive caps and (when we send) the payloader path.
  void buildStream(int session, Line& line);
  void connectRemote(int index, const Line& line);
  QString describe(const QList<Line>& lines) const;
  // SRTP: checks an m-line's protocol and a=crypto against our crypto (or its absence) and
  // fills the peer's key. Returns why the line cannot be used, or an empty string.
  QString checkSecurity(const GstSDPMedia* m, Line& line, bool answer) const;
  void setRemoteKey(int session, const SrtpKey& key);
  // rtpbin's RTP profile from the negotiated m-lines (AVPF allows early RTCP feedback).
  void setProfile(const QList<Line>& lines);
  static bool rembNegotiated(const QList<Line>& lines);

  ElementRef rtpbin_;
  QString address_;  // the address we receive on and announce
  QList<Stream> streams_;
  QList<Line> lines_;
  bool offerGenerated_ = false;
  std::shared_ptr<SrtpState> srtp_;  // null: plain RTP
  std::shared_ptr<RtpReceiveContext> receive_;  // shared with rtpbin's pad-added handler

};

}  // namespace pw
