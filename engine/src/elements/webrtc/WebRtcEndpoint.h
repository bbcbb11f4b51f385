#pragma once

#include "WebRtcPeer.h"
#include "gst/GObjectPtr.h"
#include "gst/SignalConnection.h"

#include <gst/webrtc/webrtc.h>

#include <functional>
#include <vector>

#include <QJsonArray>
#include <QList>
#include <QMap>
#include <QPair>
#include <QStringList>

namespace pw {

// A browser peer through webrtcbin (libnice ICE, DTLS-SRTP). Received media leaves depayloaded
// but still encoded (VP8/VP9/H.264/Opus), so a consumer of the same codec relays it without
// decoding; sent media is payloaded from whatever the connected source provides, adapted to
// the negotiated codec by the source's output (design §3). Keyframe requests travel both ways:
// a PLI/FIR from the browser reaches our input as an upstream force-key-unit event and is passed
// on to the source; our own requests become PLIs towards the browser.
class WebRtcEndpoint : public WebRtcPeer {
 public:
  explicit WebRtcEndpoint(const Creation& creation);
  ~WebRtcEndpoint() override;

  // Connects webrtcbin's signals (needs a shared owner).
  void attachSignals();

  void processOffer(const QString& offer, std::shared_ptr<DeferredReply> reply) override;
  void generateOffer(const QJsonObject& options, std::shared_ptr<DeferredReply> reply) override;
  void processAnswer(const QString& answer, std::shared_ptr<DeferredReply> reply) override;
  void requestKeyframe() override;

  // getStats: element stats plus inbound/outbound RTP stats from webrtcbin (api-surface §5.3).
  void statsAsync(std::optional<MediaType> type, std::shared_ptr<DeferredReply> reply) override;

  // Data channels (the DATA media type): messages received are relayed to DATA sinks.
  void createDataChannel(const QString& label, bool ordered, int maxPacketLifeTime, int maxRetransmits, const QString& protocol) override;
  void closeDataChannel(int channelId) override;
  void sendData(const QString& label, const QByteArray& data, bool isText);
  void adoptChannel(GstWebRTCDataChannel* channel);  // engine thread; takes a new reference

  void gatherCandidates() override;
  void addIceCandidate(const QJsonObject& candidate) override;
  QJsonArray iceConnectionState() const override;
  QJsonArray candidatePairs() const override { return candidatePairs_; }

  void onRelease() override;

  struct Callbacks;

 private:
  void applyIceServers();
  void onLocalCandidate(int mline, const QString& candidate);
  void onGatheringState(int state);
  void onIceState(int state);
  void onConnectionState(int state);
  // DTLS: watches the bundled transport's state once negotiated (DtlsConnectionStateChange).
  void watchDtls();
  void onDtlsState(int state);
  void reportSelectedPair();
  void raiseCandidate(int mline, const QString& candidate);
  void applyRemoteCandidate(int mline, const QString& candidate);
  void finishNegotiation(const QString& localSdp, const std::shared_ptr<DeferredReply>& reply);
  // create-offer / create-answer, then set-local-description; `done` gets the SDP text.
  void createLocalDescription(GstWebRTCSDPType type, std::function<void(WebRtcEndpoint&, const QString&)> done,
                              std::function<void(WebRtcEndpoint&, const QString&)> fail);
  // One m-line's transceiver: a send path (input → payloader → sink pad) or receive-only.
  // `packetizationMode`: H.264's (RFC 6184), for the payloader.
  void addStream(MediaType type, const QString& encoding, int payload, GstCaps* prefs, bool send, bool receive,
                 int packetizationMode = 1);

  ElementRef webrtc_;
  std::shared_ptr<Callbacks> callbacks_;
  bool recvOnly_ = false;
  bool sendOnly_ = false;
  bool negotiating_ = false;
  bool offerGenerated_ = false;
  bool remoteSet_ = false;
  bool gatherRequested_ = false;
  bool gatheringDone_ = false;
  bool gatheringDoneRaised_ = false;
  QStringList mids_;  // by m-line index, from the remote description
  QMap<int, QPair<int, QString>> answerH264Fmtp_;  // m-line → H.264 payload type and our answer's fmtp
  QString dtlsFingerprint_;  // SHA-256 of the shared DTLS certificate (announced in our SDP)
  QList<QPair<int, QString>> localCandidates_;   // held until gatherCandidates()
  QList<QPair<int, QString>> remoteCandidates_;  // held until the remote description is set
  QString iceState_ = QStringLiteral("DISCONNECTED");
  QJsonArray candidatePairs_;
  std::vector<SignalConnection> handlers_;  // webrtcbin signal handlers, disconnected on release
  QList<GObjectRef<GstWebRTCDataChannel>> channels_;
  bool useDataChannels_ = false;
  bool dtlsWatched_ = false;
};

}  // namespace pw
