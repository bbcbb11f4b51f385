#include "EngineClient.h"

#include "pipewright/engine/Connection.h"
#include "pipewright/engine/Engine.h"
#include "pipewright/engine/Log.h"

#include <QJsonDocument>
#include <QMetaObject>
#include <QPointer>

#include <mutex>

namespace pw::studio {

// The engine-side end of the link. The engine calls sendMessage on its own thread; the text is
// queued to the client's thread. detach() makes late messages vanish once the client is gone.
class EngineClient::Link : public Connection {
 public:
  explicit Link(EngineClient* client) : client_(client) {}

  void sendMessage(const QByteArray& json) override {
    deliver([json](EngineClient& client) { client.onMessage(json); });
  }
  // Runs `fn` on the client's thread, unless the client is gone by then.
  void deliver(std::function<void(EngineClient&)> fn) {
    std::lock_guard lock(mutex_);
    if (!client_) return;
    QMetaObject::invokeMethod(
        client_, [client = client_, fn = std::move(fn)]() {
          if (client) fn(*client);
        },
        Qt::QueuedConnection);
  }
  QString peer() const override { return QStringLiteral("studio"); }
  // The in-process studio sees and drives every session's pipelines (design §6).
  bool isAdministrator() const override { return true; }

  void detach() {
    std::lock_guard lock(mutex_);
    client_ = nullptr;
  }

 private:
  std::mutex mutex_;
  QPointer<EngineClient> client_;
};

EngineClient::EngineClient(Engine& engine, QObject* parent)
    : QObject(parent), engine_(engine), link_(std::make_shared<Link>(this)) {}

EngineClient::~EngineClient() {
  link_->detach();
  engine_.post([engine = &engine_, link = link_]() { engine->connectionClosed(link); });
}

void EngineClient::call(const QString& method, const QJsonObject& params, Callback done) {
  const int id = nextId_++;
  QJsonObject request{{QStringLiteral("jsonrpc"), QStringLiteral("2.0")},
                      {QStringLiteral("id"), id},
                      {QStringLiteral("method"), method}};
  QJsonObject p = params;
  if (!sessionId_.isEmpty() && !p.contains(u"sessionId")) p.insert(QStringLiteral("sessionId"), sessionId_);
  if (!p.isEmpty()) request.insert(QStringLiteral("params"), p);
  pending_.insert(id, std::move(done));
  Q_EMIT pendingCallsChanged();
  const QByteArray text = QJsonDocument(request).toJson(QJsonDocument::Compact);
  engine_.post([engine = &engine_, link = link_, text]() { engine->handleMessage(link, text); });
}

void EngineClient::create(const QString& type, const QJsonObject& constructorParams, Callback done) {
  call(QStringLiteral("create"),
       {{QStringLiteral("type"), type}, {QStringLiteral("constructorParams"), constructorParams}}, std::move(done));
}

void EngineClient::invoke(const QString& object, const QString& operation, const QJsonObject& operationParams,
                          Callback done) {
  QJsonObject params{{QStringLiteral("object"), object}, {QStringLiteral("operation"), operation}};
  if (!operationParams.isEmpty()) params.insert(QStringLiteral("operationParams"), operationParams);
  call(QStringLiteral("invoke"), params, std::move(done));
}

void EngineClient::release(const QString& object, Callback done) {
  call(QStringLiteral("release"), {{QStringLiteral("object"), object}}, std::move(done));
}

void EngineClient::subscribe(const QString& object, const QString& eventType, Callback done) {
  call(QStringLiteral("subscribe"), {{QStringLiteral("object"), object}, {QStringLiteral("type"), eventType}},
       std::move(done));
}

void EngineClient::connectionCaps(const QString& sourceId, const QString& sinkId, const QString& mediaType,
                                  std::function<void(const QString&)> done) {
  engine_.post([engine = &engine_, link = link_, sourceId, sinkId, mediaType, done = std::move(done)]() {
    const QString caps = engine->connectionCaps(sourceId, sinkId, mediaType);
    link->deliver([caps, done](EngineClient&) { done(caps); });
  });
}

void EngineClient::onMessage(const QByteArray& json) {
  const QJsonObject message = QJsonDocument::fromJson(json).object();
  if (message.value(u"method").toString() == u"onEvent") {
    const QJsonObject value = message.value(u"params").toObject().value(u"value").toObject();
    Q_EMIT eventReceived(value.value(u"type").toString(), value.value(u"object").toString(),
                         value.value(u"data").toObject());
    return;
  }
  const int id = message.value(u"id").toInt(-1);
  auto it = pending_.find(id);
  if (it == pending_.end()) return;
  Callback done = std::move(*it);
  pending_.erase(it);
  Reply reply;
  if (message.contains(u"error")) {
    const QJsonObject error = message.value(u"error").toObject();
    reply.errorCode = error.value(u"code").toInt(-1);
    if (reply.errorCode == 0) reply.errorCode = -1;
    reply.errorMessage = error.value(u"message").toString();
  } else {
    const QJsonObject result = message.value(u"result").toObject();
    const QString session = result.value(u"sessionId").toString();
    if (!session.isEmpty() && session != sessionId_) {
      sessionId_ = session;
      Q_EMIT sessionIdChanged();
    }
    reply.value = result.contains(u"value") ? result.value(u"value") : QJsonValue(result);
  }
  Q_EMIT pendingCallsChanged();
  if (done) {
    try {
      done(reply);
    } catch (const std::exception& e) {
      qCWarning(lcStudio, "reply handler failed: %s", e.what());
    }
  }
}

}  // namespace pw::studio
