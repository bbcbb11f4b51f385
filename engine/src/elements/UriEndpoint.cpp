#include "UriEndpoint.h"

#include "core/Bindings.h"

namespace pw {

UriEndpoint::UriEndpoint(const Creation& creation, const QString& type, QString uri)
    : MediaElement(creation, type), uri_(std::move(uri)) {}

QString UriEndpoint::stateName(State s) {
  switch (s) {
    case State::Stop: return QStringLiteral("STOP");
    case State::Start: return QStringLiteral("START");
    case State::Pause: return QStringLiteral("PAUSE");
  }
  return {};
}

void UriEndpoint::setState(State s) {
  if (s == state_) return;
  state_ = s;
  raise(QStringLiteral("UriEndpointStateChanged"), QJsonObject{{QStringLiteral("state"), stateName(s)}});
}

void bindUriEndpoint(Bindings& b) {
  const QString c = QStringLiteral("UriEndpoint");
  b.add(c, QStringLiteral("getUri"), [](Invocation& call) { return QJsonValue(call.as<UriEndpoint>().uri()); });
  b.add(c, QStringLiteral("getState"),
        [](Invocation& call) { return QJsonValue(UriEndpoint::stateName(call.as<UriEndpoint>().state())); });
  b.add(c, QStringLiteral("pause"), [](Invocation& call) {
    call.as<UriEndpoint>().pause();
    return QJsonValue();
  });
  b.add(c, QStringLiteral("stop"), [](Invocation& call) {
    call.as<UriEndpoint>().stop();
    return QJsonValue();
  });
}

}  // namespace pw
