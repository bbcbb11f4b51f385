#pragma once

// The engine's HTTP resources (WHIP and WHEP, docs/whip-whep.md; HTTP POST uploads,
// docs/http-post.md): which element answers which path. `/<prefix>/<key>` names an element by
// a random key of its own (not its object id: a resource URL reveals nothing else and cannot be
// guessed), `/<prefix>/<key>/<sub>` something below it (a WHIP session). The prefix is the
// element's kind ("whip", "whep", "httppost"): a key answers only under its own prefix. Lives on
// the engine thread, a child of the Engine.

#include "HttpResource.h"
#include "pipewright/engine/HttpExchange.h"

#include <QHash>
#include <QObject>

#include <memory>

namespace pw {

class Engine;

class HttpSignalling : public QObject {
  Q_OBJECT

 public:
  static HttpSignalling& of(Engine& engine);
  // `length` random letters and digits from the system's generator: resource keys (24), WHIP
  // session keys and ETags.
  static QString randomKey(int length);

  void add(const QString& prefix, const QString& key, const std::shared_ptr<HttpResource>& resource);
  void remove(const QString& key);
  void handle(const HttpRequest& request, const HttpRespond& respond);
  // Whether the resource at `path` takes a large body with `method` (HttpResource::acceptsLargeBody).
  bool acceptsLargeBody(const QByteArray& method, const QString& path) const;

 private:
  // The resource `path` names, and the part below it ("" for the resource itself).
  std::shared_ptr<HttpResource> find(const QString& path, QString* subKey) const;
  struct Entry {
    QString prefix;
    std::weak_ptr<HttpResource> resource;
  };
  explicit HttpSignalling(Engine& engine);
  QHash<QString, Entry> resources_;
};

}  // namespace pw
