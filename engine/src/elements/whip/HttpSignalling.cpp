#include "HttpSignalling.h"

#include "WebRtcHttpEndpoint.h"
#include "pipewright/engine/Engine.h"

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

HttpSignalling::HttpSignalling(Engine& engine) : QObject(&engine) {}

void HttpSignalling::add(const QString& key, const std::shared_ptr<WebRtcHttpEndpoint>& element) {
  elements_.insert(key, element);
}

void HttpSignalling::remove(const QString& key) { elements_.remove(key); }

void HttpSignalling::handle(const HttpRequest& request, const HttpRespond& respond) {
  // /whip/<key>[/<session>] or /whep/<key>[/<session>]
  const QStringList parts = request.path.split(u'/', Qt::SkipEmptyParts);
  const bool known = (parts.size() == 2 || parts.size() == 3) && (parts[0] == u"whip" || parts[0] == u"whep");
  std::shared_ptr<WebRtcHttpEndpoint> element = known ? elements_.value(parts[1]).lock() : nullptr;
  if (element && (parts[0] == u"whip") != (element->role() == WebRtcHttpEndpoint::Role::Whip)) element.reset();
  if (!element) {
    HttpResponse r = HttpResponse::text(404, QStringLiteral("No such resource: WHIP and WHEP URLs are the 'url' property of a "
                                                            "WhipEndpoint or WhepEndpoint (released elements have none)"));
    r.headers += webRtcHttpCorsHeaders();
    respond(std::move(r));
    return;
  }
  element->handle(request, parts.size() == 3 ? parts[2] : QString(), respond);
}

}  // namespace pw
