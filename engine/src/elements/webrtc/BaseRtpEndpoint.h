#pragma once

#include "media/MediaElement.h"

#include <QJsonObject>

#include <memory>

namespace pw {

class DeferredReply;
class Remb;

// Shared state of SDP endpoints (SdpEndpoint + BaseRtpEndpoint members of the schema):
// session descriptions, bandwidth limits, media and connection state.
class BaseRtpEndpoint : public MediaElement {
 public:
  enum class LinkState { Disconnected, Connected };

  BaseRtpEndpoint(const Creation& creation, const QString& type);

  // SDP negotiation; replies through `reply` once the description is ready.
  virtual void processOffer(const QString& offer, std::shared_ptr<DeferredReply> reply) = 0;
  virtual void generateOffer(const QJsonObject& options, std::shared_ptr<DeferredReply> reply) = 0;
  virtual void processAnswer(const QString& answer, std::shared_ptr<DeferredReply> reply) = 0;
  virtual void requestKeyframe() = 0;

  const QString& localDescription() const { return localSdp_; }
  const QString& remoteDescription() const { return remoteSdp_; }
  LinkState mediaState() const { return mediaState_; }
  LinkState connectionState() const { return connectionState_; }
  static QString linkStateName(LinkState s);

  // kbps, as the schema says; 0 = unlimited.
  int maxAudioRecvBandwidth = 0;
  int maxVideoRecvBandwidth = 0;
  int minVideoRecvBandwidth = 0;
  int minVideoSendBandwidth = 0;
  int maxVideoSendBandwidth = 0;
  int mtu = 1200;
  QJsonObject rembParams;

  // After a bandwidth property changed: the send limits go to REMB handling at once.
  virtual void bandwidthChanged();
  // The last REMB the peer sent (bps, 0 = none) and what this endpoint asks its sender (bps).
  int receivedRemb() const;
  int forwardedRemb() const;

 protected:
  // A numeric field of a GStreamer stats structure whatever its GType (guint, guint64, gint64,
  // double...); 0 when absent.
  static double statNumber(const GstStructure* s, const char* field);
  void setMediaState(LinkState s);
  void setConnectionState(LinkState s);
  // Call at the end of the subclass constructor, once the out-video tee exists.
  void setUpRemb();
  // Call once the negotiation made the video input (if any); `negotiated`: goog-remb agreed.
  void startRemb(bool negotiated);

  std::shared_ptr<Remb> remb_;

  QString localSdp_;
  QString remoteSdp_;

 private:
  LinkState mediaState_ = LinkState::Disconnected;
  LinkState connectionState_ = LinkState::Disconnected;
};

}  // namespace pw
