#pragma once

#include "LeanSdp.h"
#include "WebRtcPeer.h"

#include <array>
#include <functional>
#include <utility>
#include <vector>
#include <future>
#include <memory>

namespace pw {

struct Config;

namespace transport {
class DtlsContext;
class WebRtcTransport;
class MediaLoop;
}  // namespace transport

// A WebRtcEndpoint on the lean media path (design §4, docs/architecture.md). Its media lives in
// a transport::WebRtcTransport on the pipeline's media thread: ICE, DTLS-SRTP and RTCP there,
// no GStreamer. Connected to another lean endpoint with the same codec, packets are relayed
// between the two transports directly. Only a link to or from a GStreamer element (recorder,
// player, filters, hubs, another codec) opens a junction: appsrc → jitter buffer → depayloader →
// the output tee for what the peer sends, input appsrc → payloader → appsink for what we send.
// The engine thread owns this object; everything on the transport is posted to its thread, and
// what the transport reports comes back as queued calls.
class LeanWebRtcEndpoint : public WebRtcPeer {
 public:
  QString resourceClass() const override;
  explicit LeanWebRtcEndpoint(const Creation& creation);
  ~LeanWebRtcEndpoint() override;

  void processOffer(const QString& offer, std::shared_ptr<DeferredReply> reply) override;
  void generateOffer(const QJsonObject& options, std::shared_ptr<DeferredReply> reply) override;
  void processAnswer(const QString& answer, std::shared_ptr<DeferredReply> reply) override;
  void requestKeyframe() override;
  void statsAsync(std::optional<MediaType> type, std::shared_ptr<DeferredReply> reply) override;

  void gatherCandidates() override;
  void addIceCandidate(const QJsonObject& candidate) override;
  QJsonArray iceConnectionState() const override;
  QJsonArray candidatePairs() const override { return candidatePairs_; }
  void createDataChannel(const QString&, bool, int, int, const QString&) override;
  void closeDataChannel(int channelId) override;

  void onRelease() override;
  void bandwidthChanged() override;

  // Runs `done` on the engine thread once every local candidate is known (at once if they
  // are): WHIP and WHEP answer with a complete description. Starts gathering.
  void whenGatheringDone(std::function<void()> done);
  // Called on the engine thread with each new ICE state name ("CONNECTED", "FAILED"…): the
  // element that created this endpoint for an HTTP session ends it when its peer is gone.
  // ICE restart asked by the peer (WHIP/WHEP PATCH): its new credentials; returns ours, new too.
  // The local candidates stay (localCandidates()). Throws 40208-style errors before negotiation.
  std::pair<QString, QString> restartIce(const QString& remoteUfrag, const QString& remotePassword);
  const QStringList& localCandidates() const { return gathered_; }
  const QString& remoteIceUfrag() const { return negotiation_.remote.ufrag; }
  const QString& bundleMid() const { return negotiation_.bundleMid; }
  void setIceStateObserver(std::function<void(const QString& state)> observer) { iceObserver_ = std::move(observer); }

  struct Bridge;

 protected:
  bool connectDirect(const std::shared_ptr<MediaElement>& sink, MediaType type) override;
  void disconnectDirect(const std::shared_ptr<MediaElement>& sink, MediaType type) override;
  void prepareOutput(MediaType type) override;
  void outputFormatChanged(MediaType type) override;
  void prepareInput(MediaType type) override;
  std::optional<qint64> inputActivityUs(MediaType type) const override;
  std::optional<qint64> outputActivityUs(MediaType type) const override;
  std::optional<quint64> receivedBytes(MediaType type) const override;
  CapsRef inputCapsFrom(const QString& sourceId, MediaType type) const override;

 private:
  const LeanMedia* line(MediaType type, bool sending) const;
  void createTransport(bool controlling);
  void startTransport();
  void maybeGather();
  void finishNegotiation();
  // Decides a link from this endpoint to a lean sink: direct relay when both are negotiated
  // with the same codec, GStreamer ports otherwise.
  void refreshLink(const std::shared_ptr<LeanWebRtcEndpoint>& sink, MediaType type);
  void refreshLinks();
  void post(std::function<void(transport::WebRtcTransport&)> task) const;
  void onIceState(int state, const QString& name);
  void onConnected();
  void onFailed(const QString& reason);

  std::shared_ptr<Bridge> bridge_;
  std::shared_ptr<transport::DtlsContext> dtlsContext_;
  std::shared_ptr<transport::WebRtcTransport> transport_;
  transport::MediaLoop* loop_ = nullptr;
  LeanNegotiation negotiation_;
  bool recvOnly_ = false;
  bool sendOnly_ = false;
  bool offerGenerated_ = false;
  bool negotiated_ = false;
  bool gatherRequested_ = false;
  bool gatherStarted_ = false;
  bool gatheringDone_ = false;
  bool gatheringDoneRaised_ = false;
  QStringList localCandidates_;   // held until gatherCandidates()
  QStringList gathered_;          // every local candidate, for the local description
  QString baseLocalSdp_;          // our description without candidates
  void updateLocalDescription();
  QStringList remoteCandidates_;  // held until the remote description is known
  std::vector<std::function<void()>> gatheringWaiters_;
  std::function<void(const QString&)> iceObserver_;
  QString iceState_ = QStringLiteral("DISCONNECTED");
  QJsonArray candidatePairs_;
  QString cname_;
  // Lean sinks this endpoint feeds, and whether each link is relayed (else through ports).
  struct DirectLink {
    std::weak_ptr<LeanWebRtcEndpoint> sink;
    bool relayed = false;
    bool ported = false;
  };
  std::array<QList<DirectLink>, 3> directSinks_;
  std::array<bool, 2> junctionOut_{};  // appsrc → depayloader → tee built
  std::array<bool, 2> outputWanted_{};  // a GStreamer consumer asked before the negotiation
  std::array<bool, 2> junctionIn_{};   // input → payloader → appsink built
};

// Startup (webrtcTransport "lean"): the media threads, the DTLS certificate, the GStreamer plugins
// an endpoint loads and one in-memory DTLS/SRTP exchange, on a media thread, so that the first
// session costs what any later one does. The future is ready when it is over (or was dropped).
std::future<void> warmUpLeanWebRtc(const Config& config);

}  // namespace pw
