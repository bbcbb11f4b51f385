#include "Bindings.h"

#include "ObjectRegistry.h"
#include "pipewright/engine/Engine.h"
#include "pipewright/engine/Schema.h"
#include "pipewright/engine/Log.h"

#include <QThread>

namespace pw {

// Each class family registers itself (see the bind* functions next to the classes).
void bindMediaObject(Bindings& b);
void bindServerManager(Bindings& b);
void bindMediaPipeline(Bindings& b);
void bindMediaElement(Bindings& b);
void bindPassThrough(Bindings& b);
void bindPlayerEndpoint(Bindings& b);
void bindRecorderEndpoint(Bindings& b);
void bindGStreamerFilter(Bindings& b);
void bindFaceOverlayFilter(Bindings& b);
void bindImageOverlayFilter(Bindings& b);
void bindZBarFilter(Bindings& b);
void bindChromaFilter(Bindings& b);
void bindWebRtcEndpoint(Bindings& b);
void bindRtpEndpoint(Bindings& b);
void bindHubPort(Bindings& b);
void bindDispatchers(Bindings& b);
void bindComposite(Bindings& b);
void bindWebRtcHttpEndpoints(Bindings& b);
void bindHttpPostEndpoint(Bindings& b);

const Bindings& Bindings::builtin() {
  static const Bindings bindings = [] {
    Bindings b;
    bindMediaObject(b);
    bindServerManager(b);
    bindMediaPipeline(b);
    bindMediaElement(b);
    bindPassThrough(b);
    bindPlayerEndpoint(b);
    bindRecorderEndpoint(b);
    bindGStreamerFilter(b);
    bindFaceOverlayFilter(b);
    bindImageOverlayFilter(b);
    bindZBarFilter(b);
    bindChromaFilter(b);
    bindWebRtcEndpoint(b);
    bindRtpEndpoint(b);
    bindHubPort(b);
    bindDispatchers(b);
    bindComposite(b);
    bindWebRtcHttpEndpoints(b);
    bindHttpPostEndpoint(b);
    return b;
  }();
  return bindings;
}

void Bindings::addFactory(const QString& className, Factory factory) { factories_.insert(className, std::move(factory)); }

void Bindings::add(const QString& className, const QString& operation, Handler handler) {
  handlers_[className].insert(operation, std::move(handler));
}

const Factory* Bindings::factory(const QString& className) const {
  auto it = factories_.constFind(className);
  return it == factories_.constEnd() ? nullptr : &it.value();
}

const Handler* Bindings::handler(const QString& className, const QString& operation) const {
  const Schema& schema = Schema::builtin();
  QStringList chain{className};
  chain += schema.ancestors(className);
  for (const auto& c : chain) {
    auto it = handlers_.constFind(c);
    if (it == handlers_.constEnd()) continue;
    auto h = it->constFind(operation);
    if (h != it->constEnd()) return &h.value();
  }
  return nullptr;
}

QStringList Bindings::boundOperations() const {
  QStringList out;
  for (auto it = handlers_.begin(); it != handlers_.end(); ++it) {
    for (auto h = it->begin(); h != it->end(); ++h) out.append(it.key() + u'.' + h.key());
  }
  out.sort();
  return out;
}

std::shared_ptr<MediaObject> Invocation::objectParam(const QString& name) const {
  const QString id = string(name);
  auto obj = engine_.registry().findFor(id, caller_);
  if (!obj) throw KurentoException(KurentoError::objectNotFound(id));
  return obj;
}

DeferredReply::DeferredReply(Engine& engine, Done done) : engine_(&engine), done_(std::move(done)) {}

DeferredReply::~DeferredReply() {
  Done done = take();
  if (!done || !engine_) return;
  auto answer = [done = std::move(done)]() {
    const KurentoError error{ErrorCode::UnexpectedError,
                             QStringLiteral("The operation was abandoned before it finished (its object was released, "
                                            "or the server is stopping); try again")};
    done(QJsonValue::Null, &error);
  };
  try {
    if (QThread::currentThread() == engine_->thread()) {
      answer();
    } else {
      engine_->post(std::move(answer));
    }
  } catch (...) {
    qCWarning(lcRpc, "could not answer an abandoned request");
  }
}

std::shared_ptr<DeferredReply> Invocation::defer() {
  if (!deferred_) {
    deferred_ = std::make_shared<DeferredReply>(engine_, deferredDone_);
    engine_.trackPendingRequest(deferred_);
  }
  return deferred_;
}

}  // namespace pw
