#pragma once

#include "BaseRtpEndpoint.h"

#include <QJsonArray>
#include <QJsonObject>

namespace pw {

// What a WebRtcEndpoint is to its clients (the schema's WebRtcEndpoint methods and properties),
// whichever transport carries its media: GStreamer's webrtcbin (WebRtcEndpoint) or the lean path
// (LeanWebRtcEndpoint: libnice, OpenSSL DTLS, libsrtp2 on the media threads). The config key
// `webrtcTransport` picks one; an endpoint created with `useDataChannels` always uses webrtcbin.
class WebRtcPeer : public BaseRtpEndpoint {
 public:
  using BaseRtpEndpoint::BaseRtpEndpoint;

  virtual void gatherCandidates() = 0;
  virtual void addIceCandidate(const QJsonObject& candidate) = 0;
  virtual QJsonArray iceConnectionState() const = 0;
  virtual QJsonArray candidatePairs() const = 0;
  virtual void createDataChannel(const QString& label, bool ordered, int maxPacketLifeTime, int maxRetransmits,
                                 const QString& protocol) = 0;
  virtual void closeDataChannel(int channelId) = 0;
  // getDtlsConnectionState: the bundled transport's DTLS connection, once it exists.
  QJsonArray dtlsConnectionState() const;

  QString stunServerAddress;
  int stunServerPort = 3478;
  QString turnUrl;
  QString networkInterfaces;
  bool iceTcp = false;
  QString externalIPv4;
  QString externalIPv6;

 protected:
  // The DTLS connection of the (single, bundled) transport changed state: NEW, CONNECTING,
  // CONNECTED, FAILED or CLOSED (Kurento's DtlsConnectionState). Raises DtlsConnectionStateChange
  // once per change (streamId "1", componentId "1", connectionId dtlsConnectionId()).
  void setDtlsState(const QString& state);
  QString dtlsConnectionId() const;
  // The negotiated session's connection ended for good (DTLS closed by the peer or failed, ICE
  // failed): MediaSessionTerminated, once, and only after MediaSessionStarted.
  void terminateMediaSession(bool sessionStarted);
  // IceCandidateFound for one local candidate line ("candidate:…"), named by BUNDLE mid/index.
  void raiseCandidate(int mline, const QString& mid, const QString& candidate);

 private:
  QString dtlsState_;  // empty until the DTLS connection exists
  bool sessionTerminated_ = false;
};

}  // namespace pw
