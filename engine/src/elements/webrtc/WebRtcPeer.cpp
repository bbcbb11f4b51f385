#include "WebRtcPeer.h"

#include "core/Bindings.h"
#include "pipewright/engine/Engine.h"
#include "pipewright/engine/Schema.h"

namespace pw {

std::shared_ptr<MediaObject> makeWebrtcbinEndpoint(const Creation& creation);
std::shared_ptr<MediaObject> makeLeanEndpoint(const Creation& creation);

void WebRtcPeer::raiseCandidate(int mline, const QString& mid, const QString& candidate) {
  QString line = candidate;
  if (line.startsWith(u"a=")) line = line.mid(2);
  raise(QStringLiteral("IceCandidateFound"),
        QJsonObject{{QStringLiteral("candidate"),
                     Schema::complex(QStringLiteral("IceCandidate"), QJsonObject{{QStringLiteral("candidate"), line},
                                                                                  {QStringLiteral("sdpMid"), mid},
                                                                                  {QStringLiteral("sdpMLineIndex"), mline}})}});
}

QString WebRtcPeer::dtlsConnectionId() const {
  // Stable per endpoint: the start of its UUID ("<pipeline>/<uuid>_kurento.WebRtcEndpoint").
  return QStringLiteral("dtls-") + id().section(u'/', -1).left(8);
}

void WebRtcPeer::setDtlsState(const QString& state) {
  if (state == dtlsState_) return;
  dtlsState_ = state;
  raise(QStringLiteral("DtlsConnectionStateChange"), QJsonObject{{QStringLiteral("streamId"), QStringLiteral("1")},
                                                                 {QStringLiteral("componentId"), QStringLiteral("1")},
                                                                 {QStringLiteral("connectionId"), dtlsConnectionId()},
                                                                 {QStringLiteral("state"), state}});
}

QJsonArray WebRtcPeer::dtlsConnectionState() const {
  if (dtlsState_.isEmpty()) return {};
  return QJsonArray{Schema::complex(QStringLiteral("DtlsConnection"), QJsonObject{{QStringLiteral("streamId"), QStringLiteral("1")},
                                                                                  {QStringLiteral("componentId"), QStringLiteral("1")},
                                                                                  {QStringLiteral("connectionId"), dtlsConnectionId()},
                                                                                  {QStringLiteral("state"), dtlsState_}})};
}

void WebRtcPeer::terminateMediaSession(bool sessionStarted) {
  if (!sessionStarted || sessionTerminated_) return;
  sessionTerminated_ = true;
  raise(QStringLiteral("MediaSessionTerminated"));
}

void bindBaseRtpEndpoint(Bindings& b);

void bindWebRtcEndpoint(Bindings& b) {
  bindBaseRtpEndpoint(b);
  const QString c = QStringLiteral("WebRtcEndpoint");
  b.addFactory(c, [](const Creation& creation) -> std::shared_ptr<MediaObject> {
    // The lean path carries audio and video; an endpoint that asks for data channels keeps
    // webrtcbin's SCTP (docs/media.md).
    const bool dataChannels = creation.params.value(u"useDataChannels").toBool(false);
    if (creation.engine.config().webrtcTransport == u"lean" && !dataChannels) return makeLeanEndpoint(creation);
    return makeWebrtcbinEndpoint(creation);
  });
  auto stringProp = [&](const QString& prop, QString WebRtcPeer::*member) {
    b.add(c, Schema::getterName(prop), [member](Invocation& call) { return QJsonValue(call.as<WebRtcPeer>().*member); });
    b.add(c, Schema::setterName(prop), [member, prop](Invocation& call) {
      call.as<WebRtcPeer>().*member = call.string(prop);
      return QJsonValue();
    });
  };
  stringProp(QStringLiteral("stunServerAddress"), &WebRtcPeer::stunServerAddress);
  stringProp(QStringLiteral("turnUrl"), &WebRtcPeer::turnUrl);
  stringProp(QStringLiteral("networkInterfaces"), &WebRtcPeer::networkInterfaces);
  stringProp(QStringLiteral("externalIPv4"), &WebRtcPeer::externalIPv4);
  stringProp(QStringLiteral("externalIPv6"), &WebRtcPeer::externalIPv6);
  b.add(c, QStringLiteral("getStunServerPort"), [](Invocation& call) { return QJsonValue(call.as<WebRtcPeer>().stunServerPort); });
  b.add(c, QStringLiteral("setStunServerPort"), [](Invocation& call) {
    const qint64 port = call.integer(QStringLiteral("stunServerPort"));
    if (port <= 0 || port > 65535) throw KurentoException(KurentoError::illegalParam(QStringLiteral("'stunServerPort' must be 1-65535")));
    call.as<WebRtcPeer>().stunServerPort = static_cast<int>(port);
    return QJsonValue();
  });
  b.add(c, QStringLiteral("getIceTcp"), [](Invocation& call) { return QJsonValue(call.as<WebRtcPeer>().iceTcp); });
  b.add(c, QStringLiteral("setIceTcp"), [](Invocation& call) {
    call.as<WebRtcPeer>().iceTcp = call.boolean(QStringLiteral("iceTcp"));
    return QJsonValue();
  });
  b.add(c, QStringLiteral("getICECandidatePairs"), [](Invocation& call) { return QJsonValue(call.as<WebRtcPeer>().candidatePairs()); });
  b.add(c, QStringLiteral("getIceConnectionState"), [](Invocation& call) { return QJsonValue(call.as<WebRtcPeer>().iceConnectionState()); });
  b.add(c, QStringLiteral("getDtlsConnectionState"), [](Invocation& call) { return QJsonValue(call.as<WebRtcPeer>().dtlsConnectionState()); });
  b.add(c, QStringLiteral("gatherCandidates"), [](Invocation& call) {
    call.as<WebRtcPeer>().gatherCandidates();
    return QJsonValue();
  });
  b.add(c, QStringLiteral("addIceCandidate"), [](Invocation& call) {
    call.as<WebRtcPeer>().addIceCandidate(call.params().value(u"candidate").toObject());
    return QJsonValue();
  });
  b.add(c, QStringLiteral("createDataChannel"), [](Invocation& call) {
    call.as<WebRtcPeer>().createDataChannel(call.string(QStringLiteral("label")), call.boolean(QStringLiteral("ordered")),
                                                static_cast<int>(call.integer(QStringLiteral("maxPacketLifeTime"))),
                                                static_cast<int>(call.integer(QStringLiteral("maxRetransmits"))),
                                                call.string(QStringLiteral("protocol")));
    return QJsonValue();
  });
  b.add(c, QStringLiteral("closeDataChannel"), [](Invocation& call) {
    call.as<WebRtcPeer>().closeDataChannel(static_cast<int>(call.integer(QStringLiteral("channelId"))));
    return QJsonValue();
  });
}

}  // namespace pw
