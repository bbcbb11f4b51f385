#include "SessionManager.h"

#include "MediaObject.h"
#include "ObjectRegistry.h"
#include "pipewright/engine/Engine.h"

#include "pipewright/engine/KurentoError.h"
#include "pipewright/engine/Log.h"

#include <QDateTime>
#include <QJsonDocument>

namespace pw {

SessionManager::SessionManager(Engine& engine, int gcPeriodSec) : engine_(engine) {
  gcTimer_.setInterval(std::max(1, gcPeriodSec) * 1000);
  connect(&gcTimer_, &QTimer::timeout, this, &SessionManager::collectGarbage);
  gcTimer_.start();
}

SessionManager::Session* SessionManager::find(const QString& id) {
  auto it = sessions_.find(id);
  return it == sessions_.end() ? nullptr : &it.value();
}

SessionManager::Session& SessionManager::obtain(const QString& id) {
  auto it = sessions_.find(id);
  if (it == sessions_.end()) {
    it = sessions_.insert(id, Session{id});
    Q_EMIT engine_.countsChanged();
  }
  return it.value();
}

QString SessionManager::createSession() {
  const QString id = ObjectRegistry::newUuid();
  obtain(id);
  return id;
}

QStringList SessionManager::sessionIds() const {
  QStringList ids = sessions_.keys();
  ids.sort();
  return ids;
}

void SessionManager::bind(const std::shared_ptr<Connection>& connection, const QString& sessionId) {
  if (!connection) return;
  Session& s = obtain(sessionId);
  s.inUse = true;
  // The newest socket using a session gets its events (spec §3.4).
  s.connection = connection;
  if (connection->isAdministrator()) s.administrator = true;
  bindings_.insert(connection.get(), sessionId);
}

QString SessionManager::boundSession(const Connection* connection) const { return bindings_.value(connection); }

void SessionManager::connectionClosed(const Connection* connection) {
  bindings_.remove(connection);
  Q_EMIT engine_.countsChanged();
}

void SessionManager::touch(const QString& sessionId) {
  if (Session* s = find(sessionId)) s->inUse = true;
}

void SessionManager::addRef(const QString& sessionId, const QString& objectId) {
  Session& s = obtain(sessionId);
  for (auto obj = engine_.registry().find(objectId); obj; obj = obj->parent()) s.refs.insert(obj->id());
}

void SessionManager::removeRef(const QString& sessionId, const QString& objectId) {
  if (Session* s = find(sessionId)) s->refs.remove(objectId);
}

bool SessionManager::isReferencedElsewhere(const QString& objectId, const QString& exceptSession) const {
  for (const auto& s : sessions_) {
    if (s.id != exceptSession && s.refs.contains(objectId)) return true;
  }
  return false;
}

QString SessionManager::subscribe(const QString& sessionId, const QString& objectId, const QString& type) {
  Session& s = obtain(sessionId);
  const int limit = engine_.config().maxSubscriptionsPerSession;
  if (s.subscriptions >= limit) {
    throw KurentoException(ErrorCode::NotEnoughResources,
                           QStringLiteral("Too many subscriptions in this session (limit %1, 'maxSubscriptionsPerSession'); "
                                          "unsubscribe or release objects first").arg(limit));
  }
  const QString id = ObjectRegistry::newUuid();
  subscriptions_.insert(id, Subscription{sessionId, objectId, type});
  ++s.subscriptions;
  return id;
}

void SessionManager::countDotCall(const QString& sessionId) {
  Session& s = obtain(sessionId);
  const qint64 now = QDateTime::currentMSecsSinceEpoch();
  s.dotCallTimesMs.removeIf([now](qint64 t) { return now - t >= 1000; });
  const int limit = engine_.config().dotCallsPerSecond;
  if (s.dotCallTimesMs.size() >= limit) {
    throw KurentoException(ErrorCode::NotEnoughResources,
                           QStringLiteral("Too many GStreamer graph requests (limit %1 a second, 'dotCallsPerSecond'); "
                                          "wait a moment").arg(limit));
  }
  s.dotCallTimesMs.append(now);
}

void SessionManager::dropSubscription(const Subscription& subscription) {
  if (Session* s = find(subscription.sessionId)) --s->subscriptions;
}

void SessionManager::unsubscribe(const QString& sessionId, const QString& subscriptionId) {
  auto it = subscriptions_.find(subscriptionId);
  if (it != subscriptions_.end() && it->sessionId == sessionId) {
    dropSubscription(*it);
    subscriptions_.erase(it);
  }
}

void SessionManager::deliverEvent(const QString& objectId, const QString& type, const QJsonObject& data,
                                  const QString& audience) {
  if (tap_) tap_(objectId, type, data);
  // One delivery per session however many subscriptions it holds for (object, type).
  QSet<QString> targets;
  for (const auto& sub : subscriptions_) {
    if (sub.objectId == objectId && sub.type == type) targets.insert(sub.sessionId);
  }
  if (targets.isEmpty()) return;
  const QJsonObject message{
      {QStringLiteral("jsonrpc"), QStringLiteral("2.0")},
      {QStringLiteral("method"), QStringLiteral("onEvent")},
      {QStringLiteral("params"),
       QJsonObject{{QStringLiteral("value"), QJsonObject{{QStringLiteral("object"), objectId},
                                                        {QStringLiteral("type"), type},
                                                        {QStringLiteral("data"), data}}}}}};
  const QByteArray text = QJsonDocument(message).toJson(QJsonDocument::Compact);
  for (const auto& sessionId : targets) {
    Session* s = find(sessionId);
    if (!s || (!audience.isEmpty() && s->id != audience && !s->administrator)) continue;
    if (auto c = s->connection.lock()) c->sendMessage(text);
  }
}

void SessionManager::objectReleased(const QString& objectId) {
  for (auto& s : sessions_) {
    s.refs.remove(objectId);
    s.created.remove(objectId);
  }
  subscriptions_.removeIf([&](const auto& it) {
    if (it.value().objectId != objectId) return false;
    dropSubscription(it.value());
    return true;
  });
}

void SessionManager::closeSession(const QString& sessionId, bool releaseObjects) {
  Session* s = find(sessionId);
  if (!s) return;
  const QSet<QString> refs = s->refs;
  sessions_.remove(sessionId);
  subscriptions_.removeIf([&](const auto& it) { return it.value().sessionId == sessionId; });
  bindings_.removeIf([&](const auto& it) { return it.value() == sessionId; });
  // Objects nobody else references are released (pipelines cascade to their elements).
  for (const auto& id : refs) {
    if (!engine_.registry().contains(id) || id == u"manager_ServerManager") continue;
    // Without `releaseObjects` this is an unref: objects other sessions hold stay.
    if (!releaseObjects && isReferencedElsewhere(id, sessionId)) continue;
    engine_.registry().release(id);
  }
  Q_EMIT engine_.countsChanged();
}

void SessionManager::collectGarbage() {
  QStringList dead;
  for (auto& s : sessions_) {
    // A socket still bound to the session keeps it alive (KMS's background keep-alive).
    const bool connected = !s.connection.expired() && bindings_.contains(s.connection.lock().get());
    if (connected) s.inUse = true;
    if (!s.inUse) dead.append(s.id);
    s.inUse = false;
  }
  for (const auto& id : dead) {
    qCInfo(lcRpc, "%s collecting the session (no client for a whole garbage-collector period)", qUtf8Printable(log::subject(id)));
    closeSession(id, false);
  }
}

}  // namespace pw
