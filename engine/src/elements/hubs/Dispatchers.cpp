#include "Dispatchers.h"

#include "HubPort.h"
#include "core/Bindings.h"

namespace pw {

DispatcherOneToMany::DispatcherOneToMany(const Creation& creation) : Hub(creation, QStringLiteral("DispatcherOneToMany")) {
  startBin();
}

void DispatcherOneToMany::setSource(const std::shared_ptr<HubPort>& source) {
  source_ = source;
  for (const auto& port : ports()) {
    for (MediaType t : {MediaType::Audio, MediaType::Video}) {
      if (port == source) unroute(*port, t);  // the source does not hear itself
      else route(source, port, t);
    }
  }
}

void DispatcherOneToMany::removeSource() {
  source_.reset();
  for (const auto& port : ports()) {
    for (MediaType t : {MediaType::Audio, MediaType::Video}) unroute(*port, t);
  }
}

void DispatcherOneToMany::onPortAdded(const std::shared_ptr<HubPort>& port) {
  if (auto source = source_.lock(); source && source != port) {
    for (MediaType t : {MediaType::Audio, MediaType::Video}) route(source, port, t);
  }
}

void DispatcherOneToMany::onPortRemoved(HubPort& port) {
  if (source_.lock().get() == &port) source_.reset();
}

Dispatcher::Dispatcher(const Creation& creation, const QString& type) : Hub(creation, type) { startBin(); }

void Dispatcher::connectPorts(const std::shared_ptr<HubPort>& source, const std::shared_ptr<HubPort>& sink,
                              std::optional<MediaType> type) {
  for (MediaType t : {MediaType::Audio, MediaType::Video}) {
    if (!type || *type == t) route(source, sink, t);
  }
}

void Dispatcher::disconnectPorts(const std::shared_ptr<HubPort>& source, const std::shared_ptr<HubPort>& sink,
                                 std::optional<MediaType> type) {
  for (MediaType t : {MediaType::Audio, MediaType::Video}) {
    if ((!type || *type == t) && routeSource(*sink, t) == source) unroute(*sink, t);
  }
}

void bindDispatchers(Bindings& b) {
  b.addFactory(QStringLiteral("DispatcherOneToMany"),
               [](const Creation& c) { return std::make_shared<DispatcherOneToMany>(c); });
  b.add(QStringLiteral("DispatcherOneToMany"), QStringLiteral("setSource"), [](Invocation& call) {
    auto& hub = call.as<DispatcherOneToMany>();
    hub.setSource(Hub::portParam(call, QStringLiteral("source"), hub));
    return QJsonValue();
  });
  b.add(QStringLiteral("DispatcherOneToMany"), QStringLiteral("removeSource"), [](Invocation& call) {
    call.as<DispatcherOneToMany>().removeSource();
    return QJsonValue();
  });

  b.addFactory(QStringLiteral("Dispatcher"),
               [](const Creation& c) { return std::make_shared<Dispatcher>(c, QStringLiteral("Dispatcher")); });
  b.add(QStringLiteral("Dispatcher"), QStringLiteral("connect"), [](Invocation& call) {
    auto& hub = call.as<Dispatcher>();
    hub.connectPorts(Hub::portParam(call, QStringLiteral("source"), hub), Hub::portParam(call, QStringLiteral("sink"), hub),
                     std::nullopt);
    return QJsonValue();
  });

  b.addFactory(QStringLiteral("Mixer"), [](const Creation& c) { return std::make_shared<Dispatcher>(c, QStringLiteral("Mixer")); });
  for (const QString& op : {QStringLiteral("connect"), QStringLiteral("disconnect")}) {
    b.add(QStringLiteral("Mixer"), op, [op](Invocation& call) {
      auto& hub = call.as<Dispatcher>();
      const auto source = Hub::portParam(call, QStringLiteral("source"), hub);
      const auto sink = Hub::portParam(call, QStringLiteral("sink"), hub);
      const auto type = parseMediaType(call.string(QStringLiteral("media")));
      if (op == u"connect") hub.connectPorts(source, sink, type);
      else hub.disconnectPorts(source, sink, type);
      return QJsonValue();
    });
  }
}

}  // namespace pw
