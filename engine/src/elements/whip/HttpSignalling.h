#pragma once

// The engine's HTTP resources (WHIP and WHEP, docs/whip-whep.md): which element answers which
// path. `/whip/<key>` and `/whep/<key>` name an element by a random key of its own (not its
// object id: a resource URL reveals nothing else and cannot be guessed), `/whip/<key>/<session>`
// one of its sessions. Lives on the engine thread, a child of the Engine.

#include "pipewright/engine/HttpExchange.h"

#include <QHash>
#include <QObject>

#include <memory>

namespace pw {

class Engine;
class WebRtcHttpEndpoint;

class HttpSignalling : public QObject {
  Q_OBJECT

 public:
  static HttpSignalling& of(Engine& engine);

  void add(const QString& key, const std::shared_ptr<WebRtcHttpEndpoint>& element);
  void remove(const QString& key);
  void handle(const HttpRequest& request, const HttpRespond& respond);

 private:
  explicit HttpSignalling(Engine& engine);
  QHash<QString, std::weak_ptr<WebRtcHttpEndpoint>> elements_;
};

}  // namespace pw
