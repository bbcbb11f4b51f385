#pragma once

#include "HttpResource.h"
#include "media/MediaElement.h"
#include "pipewright/engine/HttpExchange.h"

#include <map>
#include <memory>

namespace pw {

class LeanWebRtcEndpoint;

// WhipEndpoint and WhepEndpoint (docs/whip-whep.md): an element whose WebRTC peers signal over
// HTTP on the control port instead of through a Kurento client. Each peer is a session: a
// WebRtcEndpoint (lean path) this element creates in its pipeline, owned by the element's
// session, that feeds this element (WHIP: a publisher, one at a time) or is fed by it (WHEP:
// viewers, each its own endpoint; the media is relayed as it arrives, re-encoded only for a
// viewer that cannot take its codec). The element itself passes media through unchanged, so
// it connects like any other (WHIP → recorder, player → WHEP...).
//
// HTTP resources: POST <url> with an SDP offer creates a session (201, Location, ETag, the
// answer with every local candidate); PATCH <session> with an SDP fragment adds the peer's
// trickled candidates; DELETE <session> ends it and releases its endpoint; OPTIONS answers
// CORS preflights. A bearer token is required when the element has one, else when the server
// has an access token.
class WebRtcHttpEndpoint : public MediaElement, public HttpResource {
 public:
  enum class Role { Whip, Whep };

  WebRtcHttpEndpoint(const Creation& creation, Role role);
  ~WebRtcHttpEndpoint() override;

  Role role() const { return role_; }
  // The resource a WHIP/WHEP client posts its offer to (absolute, on the control port).
  QString url() const;
  const QString& key() const { return key_; }
  int sessionCount() const { return static_cast<int>(sessions_.size()); }

  // A request for this element's resource (`sessionKey` empty) or one of its sessions.
  void handle(const HttpRequest& request, const QString& sessionKey, const HttpRespond& respond) override;

  void onRegistered() override;
  void onRelease() override;

  static constexpr int kDefaultMaxViewers = 100;
  static constexpr int kRetryAfterSec = 10;
  static constexpr int kAnswerTimeoutMs = 5000;
  // A session whose ICE stays disconnected this long (the peer vanished without DELETE) ends.
  static constexpr int kPeerGoneMs = 15000;
  // A session whose peer never connects (it posted and went away) ends after this long.
  static constexpr int kConnectTimeoutMs = 30000;

 private:
  struct Session {
    QString key;
    QString endpointId;
    QString etag;
    QString peer;
    QString iceState;
  };
  void post(const HttpRequest& request, const HttpRespond& respond);
  void patch(Session& session, const HttpRequest& request, const HttpRespond& respond);
  void endSession(const QString& key, const QString& reason);
  void onSessionIceState(const QString& key, const QString& state);
  // Ends the sessions whose endpoint was released by someone else (a client, the studio).
  void dropOrphanedSessions();
  // RFC 9725 Link headers for the ICE servers the sessions use (STUN, TURN with credentials).
  HttpHeaders iceServerLinks() const;
  bool authorized(const HttpRequest& request) const;
  QString sessionPath(const QString& sessionKey) const;
  QString kind() const { return role_ == Role::Whip ? QStringLiteral("WHIP") : QStringLiteral("WHEP"); }

  Role role_;
  QString key_;
  QString token_;
  int maxSessions_;
  QString stunServerAddress_;
  int stunServerPort_ = 3478;
  QString turnUrl_;  // "user:password@host:port" as WebRtcEndpoint.turnUrl
  std::map<QString, Session> sessions_;
};

// CORS headers every answer carries (browser pages publish and play from other origins).
HttpHeaders webRtcHttpCorsHeaders();

}  // namespace pw
