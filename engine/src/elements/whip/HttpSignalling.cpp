#include "HttpSignalling.h"

#include "WebRtcHttpEndpoint.h"
#include "pipewright/engine/Engine.h"

#include <QRandomGenerator>

namespace pw {

HttpSignalling& HttpSignalling::of(Engine& engine) {
  static const QString name = QStringLiteral("pipewright-http-signalling");
  auto* self = engine.findChild<HttpSignalling*>(name, Qt::FindDirectChildrenOnly);
  if (!self) {
    self = new HttpSignalling(engine);
    self->setObjectName(name);
  }
  return *self;
}

QString HttpSignalling::randomKey(int length) {
  static constexpr char kChars[] = "abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789";
  QString out;
  for (int i = 0; i < length; ++i) out.append(QLatin1Char(kChars[QRandomGenerator::system()->bounded(62)]));
  return out;
}

HttpSignalling::HttpSignalling(Engine& engine) : QObject(&engine) {}

void HttpSignalling::add(const QString& prefix, const QString& key, const std::shared_ptr<HttpResource>& resource) {
  resources_.insert(key, Entry{prefix, resource});
}

void HttpSignalling::remove(const QString& key) { resources_.remove(key); }

std::shared_ptr<HttpResource> HttpSignalling::find(const QString& path, QString* subKey) const {
  // /<prefix>/<key>[/<sub>]
  const QStringList parts = path.split(u'/', Qt::SkipEmptyParts);
  if (parts.size() != 2 && parts.size() != 3) return nullptr;
  const auto it = resources_.constFind(parts[1]);
  if (it == resources_.constEnd() || it->prefix != parts[0]) return nullptr;
  *subKey = parts.size() == 3 ? parts[2] : QString();
  return it->resource.lock();
}

bool HttpSignalling::acceptsLargeBody(const QByteArray& method, const QString& path) const {
  QString subKey;
  auto resource = find(path, &subKey);
  return resource && resource->acceptsLargeBody(method, subKey);
}

void HttpSignalling::handle(const HttpRequest& request, const HttpRespond& respond) {
  QString subKey;
  std::shared_ptr<HttpResource> resource = find(request.path, &subKey);
  if (!resource) {
    HttpResponse r = HttpResponse::text(404, QStringLiteral("No such resource: WHIP and WHEP URLs are the 'url' property of a "
                                                            "WhipEndpoint or WhepEndpoint, HTTP POST URLs what an HttpPostEndpoint's "
                                                            "getUrl() returns (released elements have none)"));
    r.headers += webRtcHttpCorsHeaders();
    respond(std::move(r));
    return;
  }
  resource->handle(request, subKey, respond);
}

}  // namespace pw
