#include "WebRtcHttpEndpoint.h"

#include "HttpSignalling.h"
#include "core/Bindings.h"
#include "core/Caller.h"
#include "core/Dispatcher.h"
#include "core/Invocation.h"
#include "core/ObjectRegistry.h"
#include "elements/webrtc/LeanWebRtcEndpoint.h"
#include "media/Formats.h"
#include "pipewright/engine/Engine.h"
#include "pipewright/engine/KurentoError.h"
#include "pipewright/engine/SecretCompare.h"

#include <QJsonObject>
#include <QTimer>

#include <optional>

namespace pw {
namespace {

HttpResponse withCors(HttpResponse response) {
  response.headers += webRtcHttpCorsHeaders();
  return response;
}

HttpResponse textAnswer(int status, const QString& message) { return withCors(HttpResponse::text(status, message)); }

// Answers once: a session that ends before its answer (its element released, the engine
// shutting down) still gets one, from the destructor.
struct PendingAnswer {
  HttpRespond respond;
  explicit PendingAnswer(HttpRespond r) : respond(std::move(r)) {}
  ~PendingAnswer() {
    if (respond) respond(textAnswer(503, QStringLiteral("The session ended before its answer was ready; post the offer again")));
  }
  void answer(HttpResponse response) {
    if (auto r = std::exchange(respond, nullptr)) r(std::move(response));
  }
};

}  // namespace

HttpHeaders webRtcHttpCorsHeaders() {
  return {{"Access-Control-Allow-Origin", "*"},
          {"Access-Control-Allow-Methods", "POST, PATCH, DELETE, OPTIONS"},
          {"Access-Control-Allow-Headers", "Authorization, Content-Type, If-Match"},
          {"Access-Control-Expose-Headers", "Location, ETag, Link"}};
}

WebRtcHttpEndpoint::WebRtcHttpEndpoint(const Creation& creation, Role role)
    : MediaElement(creation, role == Role::Whip ? QStringLiteral("WhipEndpoint") : QStringLiteral("WhepEndpoint")),
      role_(role),
      key_(HttpSignalling::randomKey(24)),
      token_(creation.params.value(u"token").toString()),
      maxSessions_(role == Role::Whip ? 1 : creation.params.value(u"maxViewers").toInt(kDefaultMaxViewers)),
      stunServerAddress_(creation.params.value(u"stunServerAddress").toString()),
      stunServerPort_(creation.params.value(u"stunServerPort").toInt(3478)),
      turnUrl_(creation.params.value(u"turnUrl").toString()) {
  if (stunServerPort_ < 1 || stunServerPort_ > 65535) {
    throw KurentoException(KurentoError::illegalParam(QStringLiteral("'stunServerPort' must be 1-65535")));
  }
  if (!turnUrl_.isEmpty() && (!turnUrl_.contains(u'@') || !turnUrl_.section(u'@', 0, 0).contains(u':'))) {
    throw KurentoException(KurentoError::illegalParam(QStringLiteral("'turnUrl' must look like user:password@host:port")));
  }
  if (maxSessions_ < 1) {
    throw KurentoException(KurentoError::illegalParam(QStringLiteral("'maxViewers' must be at least 1")));
  }
  for (MediaType t : {MediaType::Audio, MediaType::Video}) {
    GstElement* in = addInput(t, formats::kAny);
    GstElement* out = addOutput(t);
    linkChain({in, out});
  }
  start();
}

WebRtcHttpEndpoint::~WebRtcHttpEndpoint() = default;

QString WebRtcHttpEndpoint::url() const {
  return engine().httpBaseUrl() + (role_ == Role::Whip ? QStringLiteral("/whip/") : QStringLiteral("/whep/")) + key_;
}

QString WebRtcHttpEndpoint::sessionPath(const QString& sessionKey) const {
  return (role_ == Role::Whip ? QStringLiteral("/whip/") : QStringLiteral("/whep/")) + key_ + u'/' + sessionKey;
}

void WebRtcHttpEndpoint::onRegistered() {
  MediaElement::onRegistered();
  HttpSignalling::of(engine()).add(role_ == Role::Whip ? QStringLiteral("whip") : QStringLiteral("whep"), key_,
                                   std::static_pointer_cast<WebRtcHttpEndpoint>(shared_from_this()));
}

void WebRtcHttpEndpoint::onRelease() {
  HttpSignalling::of(engine()).remove(key_);
  QStringList keys;
  for (const auto& [key, session] : sessions_) keys.append(key);
  for (const QString& key : keys) endSession(key, QStringLiteral("released"));
  MediaElement::onRelease();
}

bool WebRtcHttpEndpoint::authorized(const HttpRequest& request) const {
  const QString& expected = !token_.isEmpty() ? token_ : engine().config().accessToken;
  const QByteArray header = request.header("authorization");
  const QByteArray given = header.startsWith("Bearer ") ? header.mid(7).trimmed() : QByteArray();
  if (sameSecret(given, engine().config().adminToken)) return true;
  return expected.isEmpty() || sameSecret(given, expected);
}

void WebRtcHttpEndpoint::handle(const HttpRequest& request, const QString& sessionKey, const HttpRespond& respond) {
  dropOrphanedSessions();
  if (request.method == "OPTIONS") {
    HttpResponse r = withCors(HttpResponse{204, {}, {}});
    if (sessionKey.isEmpty()) {
      r.header("Accept-Post", "application/sdp");
      // TURN credentials only to a client that may use them.
      if (authorized(request)) r.headers += iceServerLinks();
    }
    respond(std::move(r));
    return;
  }
  if (!authorized(request)) {
    HttpResponse r = textAnswer(401, QStringLiteral("Missing or wrong bearer token: send 'Authorization: Bearer <token>' with the "
                                                    "element's token (or the server's access token)"));
    r.header("WWW-Authenticate", "Bearer");
    respond(std::move(r));
    return;
  }
  if (sessionKey.isEmpty()) {
    if (request.method != "POST") {
      HttpResponse r = textAnswer(405, QStringLiteral("POST an SDP offer (Content-Type: application/sdp) to this URL"));
      r.header("Allow", "POST, OPTIONS");
      respond(std::move(r));
      return;
    }
    post(request, respond);
    return;
  }
  auto it = sessions_.find(sessionKey);
  if (it == sessions_.end()) {
    respond(textAnswer(404, QStringLiteral("No such %1 session (it was deleted or its element released)").arg(kind())));
    return;
  }
  if (request.method == "DELETE") {
    endSession(sessionKey, QStringLiteral("deleted"));
    respond(withCors(HttpResponse{200, {}, {}}));
    return;
  }
  if (request.method == "PATCH") {
    patch(it->second, request, respond);
    return;
  }
  HttpResponse r = textAnswer(405, QStringLiteral("A session resource takes PATCH (trickle ICE) and DELETE"));
  r.header("Allow", "PATCH, DELETE, OPTIONS");
  respond(std::move(r));
}

void WebRtcHttpEndpoint::post(const HttpRequest& request, const HttpRespond& respond) {
  if (!request.header("content-type").trimmed().toLower().startsWith("application/sdp")) {
    respond(textAnswer(415, QStringLiteral("The offer must be sent as Content-Type: application/sdp")));
    return;
  }
  if (static_cast<int>(sessions_.size()) >= maxSessions_) {
    if (role_ == Role::Whip) {
      respond(textAnswer(409, QStringLiteral("A publisher is already connected to this WhipEndpoint: DELETE its session first, "
                                             "or create another WhipEndpoint")));
    } else {
      HttpResponse r = textAnswer(503, QStringLiteral("This WhepEndpoint already serves %1 viewers (its 'maxViewers')").arg(maxSessions_));
      r.header("Retry-After", QByteArray::number(kRetryAfterSec));
      respond(std::move(r));
    }
    return;
  }
  // The session's endpoint is created as the element's owner would create it: the same
  // limits and guards, the same ObjectCreated event, visible in the studio.
  QString endpointId;
  try {
    const QJsonObject params{
        {QStringLiteral("type"), QStringLiteral("WebRtcEndpoint")},
        {QStringLiteral("constructorParams"),
         QJsonObject{{QStringLiteral("mediaPipeline"), pipelineId()},
                     {role_ == Role::Whip ? QStringLiteral("recvonly") : QStringLiteral("sendonly"), true}}}};
    endpointId = engine().dispatcher().createFor(Caller{ownerSession(), true}, params);
  } catch (const KurentoException& e) {
    const bool exhausted = e.error().code == ErrorCode::NotEnoughResources;
    HttpResponse r = textAnswer(exhausted ? 503 : 500, QStringLiteral("Cannot create the session's WebRtcEndpoint: %1").arg(e.error().message));
    if (exhausted) r.header("Retry-After", QByteArray::number(kRetryAfterSec));
    respond(std::move(r));
    return;
  }
  auto endpoint = std::dynamic_pointer_cast<LeanWebRtcEndpoint>(engine().registry().find(endpointId));
  if (!endpoint) {
    engine().registry().release(endpointId);
    respond(textAnswer(503, QStringLiteral("%1 needs the lean WebRTC transport (config 'webrtcTransport': \"lean\")").arg(kind())));
    return;
  }
  endpoint->stunServerAddress = stunServerAddress_;
  endpoint->stunServerPort = stunServerPort_;
  endpoint->turnUrl = turnUrl_;
  auto self = std::static_pointer_cast<MediaElement>(shared_from_this());
  try {
    auto offered = std::make_shared<DeferredReply>(engine(), [](const QJsonValue&, const KurentoError*) {});
    endpoint->processOffer(QString::fromUtf8(request.body), offered);
    if (role_ == Role::Whip) endpoint->connectTo(self, std::nullopt, QStringLiteral("default"), QStringLiteral("default"));
    else connectTo(endpoint, std::nullopt, QStringLiteral("default"), QStringLiteral("default"));
  } catch (const KurentoException& e) {
    engine().registry().release(endpointId);
    const bool noCodec = e.error().message.startsWith(u"No common codec");
    respond(textAnswer(noCodec ? 406 : 400, QStringLiteral("The offer was refused: %1").arg(e.error().message)));
    return;
  }
  Session session{HttpSignalling::randomKey(24), endpointId, HttpSignalling::randomKey(12), request.peer};
  const QString key = session.key;
  sessions_.emplace(key, session);
  std::weak_ptr<WebRtcHttpEndpoint> weakSelf = std::static_pointer_cast<WebRtcHttpEndpoint>(shared_from_this());
  endpoint->setIceStateObserver([weakSelf, key](const QString& state) {
    // Queued: the endpoint is in the middle of its own call.
    QTimer::singleShot(0, [weakSelf, key, state] {
      if (auto self = weakSelf.lock()) self->onSessionIceState(key, state);
    });
  });
  raise(QStringLiteral("PeerConnected"), QJsonObject{{QStringLiteral("session"), key},
                                                     {QStringLiteral("endpoint"), endpointId},
                                                     {QStringLiteral("remoteAddress"), request.peer}});
  // The answer carries every local candidate: WHIP/WHEP clients need not trickle.
  auto pending = std::make_shared<PendingAnswer>(respond);
  std::weak_ptr<LeanWebRtcEndpoint> weakEndpoint = endpoint;
  QTimer::singleShot(kConnectTimeoutMs, &engine(), [weakSelf, key] {
    auto self = weakSelf.lock();
    if (!self) return;
    auto it = self->sessions_.find(key);
    if (it != self->sessions_.end() && it->second.iceState != u"CONNECTED" && it->second.iceState != u"READY") {
      self->endSession(key, QStringLiteral("timeout"));
    }
  });
  auto answer = [pending, weakEndpoint, weakOwner = weakSelf, location = sessionPath(key), etag = session.etag] {
    auto e = weakEndpoint.lock();
    if (!e) return;  // released: PendingAnswer answers
    HttpResponse r{201,
                   {{"Content-Type", "application/sdp"},
                    {"Location", location.toUtf8()},
                    {"ETag", '"' + etag.toUtf8() + '"'}},
                   e->localDescription().toUtf8()};
    if (auto owner = weakOwner.lock()) r.headers += owner->iceServerLinks();
    pending->answer(withCors(std::move(r)));
  };
  QTimer::singleShot(kAnswerTimeoutMs, &engine(), answer);  // at worst, without every candidate
  endpoint->whenGatheringDone(answer);
}

void WebRtcHttpEndpoint::patch(Session& session, const HttpRequest& request, const HttpRespond& respond) {
  if (!request.header("content-type").trimmed().toLower().startsWith("application/trickle-ice-sdpfrag")) {
    respond(textAnswer(415, QStringLiteral("Trickle candidates as Content-Type: application/trickle-ice-sdpfrag")));
    return;
  }
  const QByteArray ifMatch = request.header("if-match").trimmed();
  if (!ifMatch.isEmpty() && ifMatch != "*" && ifMatch != '"' + session.etag.toUtf8() + '"') {
    respond(textAnswer(412, QStringLiteral("The ETag does not match this session (If-Match)")));
    return;
  }
  auto endpoint = std::dynamic_pointer_cast<LeanWebRtcEndpoint>(engine().registry().find(session.endpointId));
  if (!endpoint) {
    respond(textAnswer(404, QStringLiteral("The session's WebRtcEndpoint was released")));
    return;
  }
  QString mid;
  QString ufrag;
  QString password;
  QStringList candidates;
  for (const QString& raw : QString::fromUtf8(request.body).split(u'\n')) {
    const QString line = raw.trimmed();
    if (line.startsWith(u"a=ice-ufrag:")) ufrag = line.mid(12);
    if (line.startsWith(u"a=ice-pwd:")) password = line.mid(10);
    if (line.startsWith(u"a=mid:") && mid.isEmpty()) mid = line.mid(6);
    if (line.startsWith(u"a=candidate:")) candidates.append(line.mid(2));
  }
  // New credentials from the client: an ICE restart (RFC 9725 §4.4.2), answered with ours.
  std::optional<HttpResponse> restarted;
  if (!ufrag.isEmpty() && ufrag != endpoint->remoteIceUfrag()) {
    try {
      const auto [localUfrag, localPassword] = endpoint->restartIce(ufrag, password);
      session.etag = HttpSignalling::randomKey(12);
      QString frag = QStringLiteral("a=ice-ufrag:%1\r\na=ice-pwd:%2\r\nm=audio 9 UDP/TLS/RTP/SAVPF 0\r\na=mid:%3\r\n")
                         .arg(localUfrag, localPassword, endpoint->bundleMid());
      for (const QString& c : endpoint->localCandidates()) frag += QStringLiteral("a=") + c + QStringLiteral("\r\n");
      frag += QStringLiteral("a=end-of-candidates\r\n");
      restarted = withCors(HttpResponse{200,
                                        {{"Content-Type", "application/trickle-ice-sdpfrag"}, {"ETag", '"' + session.etag.toUtf8() + '"'}},
                                        frag.toUtf8()});
    } catch (const KurentoException& e) {
      respond(textAnswer(400, QStringLiteral("The ICE restart was refused: %1").arg(e.error().message)));
      return;
    }
  }
  try {
    for (const QString& c : candidates) {
      endpoint->addIceCandidate(QJsonObject{{QStringLiteral("candidate"), c},
                                            {QStringLiteral("sdpMid"), mid.isEmpty() ? endpoint->bundleMid() : mid},
                                            {QStringLiteral("sdpMLineIndex"), 0}});
    }
  } catch (const KurentoException& e) {
    // After a restart the client must learn our new credentials whatever its candidates were.
    if (!restarted) {
      respond(textAnswer(400, QStringLiteral("Bad candidate: %1").arg(e.error().message)));
      return;
    }
  }
  if (restarted) {
    respond(std::move(*restarted));
    return;
  }
  respond(withCors(HttpResponse{204, {}, {}}));
}

void WebRtcHttpEndpoint::endSession(const QString& key, const QString& reason) {
  auto it = sessions_.find(key);
  if (it == sessions_.end()) return;
  const Session session = it->second;
  sessions_.erase(it);
  if (engine().registry().find(session.endpointId)) {
    engine().registry().release(session.endpointId);
    Q_EMIT engine().countsChanged();
  }
  raise(QStringLiteral("PeerDisconnected"), QJsonObject{{QStringLiteral("session"), key},
                                                        {QStringLiteral("endpoint"), session.endpointId},
                                                        {QStringLiteral("remoteAddress"), session.peer},
                                                        {QStringLiteral("reason"), reason}});
}

void WebRtcHttpEndpoint::dropOrphanedSessions() {
  QStringList gone;
  for (const auto& [key, session] : sessions_) {
    if (!engine().registry().find(session.endpointId)) gone.append(key);
  }
  for (const QString& key : gone) endSession(key, QStringLiteral("released"));
}

void WebRtcHttpEndpoint::onSessionIceState(const QString& key, const QString& state) {
  auto it = sessions_.find(key);
  if (it == sessions_.end()) return;
  it->second.iceState = state;
  if (state == u"FAILED") {
    endSession(key, QStringLiteral("ice-failed"));
    return;
  }
  if (state != u"DISCONNECTED") return;
  std::weak_ptr<WebRtcHttpEndpoint> weakSelf = std::static_pointer_cast<WebRtcHttpEndpoint>(shared_from_this());
  QTimer::singleShot(kPeerGoneMs, &engine(), [weakSelf, key] {
    auto self = weakSelf.lock();
    if (!self) return;
    auto session = self->sessions_.find(key);
    if (session != self->sessions_.end() && session->second.iceState == u"DISCONNECTED") self->endSession(key, QStringLiteral("disconnected"));
  });
}

HttpHeaders WebRtcHttpEndpoint::iceServerLinks() const {
  HttpHeaders links;
  if (!stunServerAddress_.isEmpty()) {
    links.append(qMakePair(QByteArray("Link"), QStringLiteral("<stun:%1:%2>; rel=\"ice-server\"").arg(stunServerAddress_).arg(stunServerPort_).toUtf8()));
  }
  if (!turnUrl_.isEmpty()) {
    const QString credentials = turnUrl_.section(u'@', 0, 0);
    const QString hostPort = turnUrl_.section(u'@', 1);
    links.append(qMakePair(QByteArray("Link"),
                           QStringLiteral("<turn:%1>; rel=\"ice-server\"; username=\"%2\"; credential=\"%3\"; credential-type=\"password\"")
                               .arg(hostPort, credentials.section(u':', 0, 0), credentials.section(u':', 1))
                               .toUtf8()));
  }
  return links;
}

void bindWebRtcHttpEndpoints(Bindings& b) {
  b.addFactory(QStringLiteral("WhipEndpoint"),
               [](const Creation& c) { return std::make_shared<WebRtcHttpEndpoint>(c, WebRtcHttpEndpoint::Role::Whip); });
  b.addFactory(QStringLiteral("WhepEndpoint"),
               [](const Creation& c) { return std::make_shared<WebRtcHttpEndpoint>(c, WebRtcHttpEndpoint::Role::Whep); });
  for (const QString& c : {QStringLiteral("WhipEndpoint"), QStringLiteral("WhepEndpoint")}) {
    b.add(c, QStringLiteral("getUrl"), [](Invocation& call) { return QJsonValue(call.as<WebRtcHttpEndpoint>().url()); });
    b.add(c, QStringLiteral("getSessionCount"),
          [](Invocation& call) { return QJsonValue(call.as<WebRtcHttpEndpoint>().sessionCount()); });
  }
}

}  // namespace pw
