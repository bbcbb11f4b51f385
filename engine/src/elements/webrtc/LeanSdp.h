#pragma once

// SDP offer/answer for the lean WebRTC path (RFC 8829 as browsers speak it, RFC 8843 BUNDLE,
// RFC 5761 rtcp-mux, RFC 8842 DTLS roles): what the remote description asks for, and our own
// description from what we decided. One BUNDLE transport, one codec per m-line, one header
// extension: the transport-wide sequence number, when the peer asks for transport-cc feedback.

#include "core/MediaType.h"

#include <QList>
#include <QString>
#include <QStringList>

#include <optional>

namespace pw {

struct LeanMedia {
  int mline = 0;
  QString mid;
  QString kind;            // "audio", "video", "application", …
  QString protocol;        // the remote's m-line protocol
  QString firstFormat;     // for a rejected line
  bool accepted = false;   // we use this line (an audio/video line with a codec we relay)
  MediaType type = MediaType::Video;
  QString encoding;        // "VP8", "VP9", "H264", "OPUS"
  int payload = -1;
  int clockRate = 90000;
  int channels = 0;
  QString fmtp;            // our a=fmtp for `payload`: the remote's, or for H.264 what RFC 6184 allows
  int packetizationMode = 1;  // H.264 (RFC 6184): 0 single NAL unit, 1 non-interleaved
  bool send = false;       // we send on this line
  bool receive = false;    // we receive on this line
  bool nack = false, pli = false, fir = false, remb = false, rtcpRsize = false;
  // transport-cc: a=rtcp-fb transport-cc and the transport-wide sequence number extension's id
  // (both needed; then the answer keeps them and we send the feedback).
  bool transportCc = false;
  int transportCcExtension = 0;
  QList<quint32> remoteSsrcs;
  quint32 localSsrc = 0;
};

struct LeanRemoteTransport {
  QString ufrag, password;
  QString fingerprintAlgorithm, fingerprint;
  QString setup;              // "actpass", "active", "passive"
  QStringList candidates;     // in the description itself (non-trickle peers)
};

struct LeanNegotiation {
  QList<LeanMedia> media;
  LeanRemoteTransport remote;
  QString bundleMid;          // the mid that names the BUNDLE transport (candidates' sdpMid)
  int bundleMLine = 0;
};

struct LeanLocalTransport {
  QString ufrag, password, fingerprintSha256;
  QString setup;              // what we put in a=setup
  QString cname, streamId;
  int audioKbps = 0, videoKbps = 0;  // b=AS (maxAudio/VideoRecvBandwidth), 0 = none
};

class LeanSdp {
 public:
  // Parses an offer and decides every line. Throws KurentoException (40201 parse, 40206 no
  // codec or no BUNDLE/rtcp-mux transport we can use).
  static LeanNegotiation parseOffer(const QString& offer, bool recvOnly, bool sendOnly);
  // Our answer to `n` (lines in the offer's order; unused ones rejected with port 0).
  static QString answer(const LeanNegotiation& n, const LeanLocalTransport& local);
  // Our offer: Opus audio and VP8 video, as receiving/sending allows; `n` gets what we offered.
  static QString offer(LeanNegotiation* n, const LeanLocalTransport& local, bool sendAudioVideo, bool receiveAudio,
                       bool receiveVideo);
  // Applies the remote answer to what we offered (`n`): codecs, directions, transport. Throws
  // KurentoException (40201, 40207) when it does not fit.
  static void parseAnswer(const QString& answer, LeanNegotiation* n);
  // `sdp` with our gathered candidates in the m-line `mline` (the BUNDLE transport's), and
  // a=end-of-candidates once gathering is complete: getLocalSessionDescriptor for peers that do
  // not trickle (they read the description after IceGatheringDone).
  static QString withCandidates(const QString& sdp, int mline, const QStringList& candidates, bool complete);
};

}  // namespace pw
