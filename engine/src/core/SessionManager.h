#pragma once

// Sessions as spec §3 describes them: ids, socket↔session binding, object references,
// event subscriptions routed to the bound socket, and garbage collection of vanished sessions.

#include "pipewright/engine/Connection.h"

#include <QHash>
#include <QJsonObject>
#include <QObject>
#include <QSet>
#include <QString>
#include <QTimer>

#include <functional>
#include <memory>

namespace pw {

class Engine;

class SessionManager : public QObject {
  Q_OBJECT

 public:
  struct Session {
    QString id;
    bool inUse = true;
    std::weak_ptr<Connection> connection;
    QSet<QString> refs;     // object ids referenced by this session
    QSet<QString> created;  // live objects this session created (maxObjectsPerSession)
    bool administrator = false;  // an administrator connection used it: it gets every session's events
    int subscriptions = 0;       // live subscriptions (maxSubscriptionsPerSession)
    QList<qint64> dotCallTimesMs;  // getGstreamerDot calls in the last second
  };
  struct Subscription {
    QString sessionId;
    QString objectId;
    QString type;
  };
  // Sees every event of every object (the studio's monitor subscription).
  using EventTap = std::function<void(const QString& objectId, const QString& type, const QJsonObject& data)>;

  explicit SessionManager(Engine& engine, int gcPeriodSec);

  Session* find(const QString& id);
  // Returns the session, creating it when unknown (implicit creation, spec §3.3).
  Session& obtain(const QString& id);
  QString createSession();
  QStringList sessionIds() const;
  int count() const { return static_cast<int>(sessions_.size()); }

  void bind(const std::shared_ptr<Connection>& connection, const QString& sessionId);
  QString boundSession(const Connection* connection) const;
  void connectionClosed(const Connection* connection);
  int connectionCount() const { return static_cast<int>(bindings_.size()); }

  void touch(const QString& sessionId);
  // References `objectId` (and its ancestors) from the session.
  void addRef(const QString& sessionId, const QString& objectId);
  void removeRef(const QString& sessionId, const QString& objectId);
  bool isReferencedElsewhere(const QString& objectId, const QString& exceptSession) const;

  // Throws 40009 past maxSubscriptionsPerSession.
  QString subscribe(const QString& sessionId, const QString& objectId, const QString& type);
  // Counts one getGstreamerDot call; throws 40009 past dotCallsPerSecond.
  void countDotCall(const QString& sessionId);
  // Removes one of the session's subscriptions (other sessions' ids are ignored).
  void unsubscribe(const QString& sessionId, const QString& subscriptionId);

  // `audience` (when set) limits delivery to that session and administrator sessions.
  void deliverEvent(const QString& objectId, const QString& type, const QJsonObject& data,
                    const QString& audience = {});
  void setEventTap(EventTap tap) { tap_ = std::move(tap); }

  // Drops references and subscriptions of a released object.
  void objectReleased(const QString& objectId);
  // Removes a session; with `releaseObjects` its objects go unless another session holds them.
  void closeSession(const QString& sessionId, bool releaseObjects);

  // One garbage-collection pass (normally run by the timer every period).
  void collectGarbage();

 private:
  void dropSubscription(const Subscription& subscription);

  Engine& engine_;
  QHash<QString, Session> sessions_;
  QHash<const Connection*, QString> bindings_;  // connection → session
  QHash<QString, std::weak_ptr<Connection>> connections_;
  QHash<QString, Subscription> subscriptions_;
  EventTap tap_;
  QTimer gcTimer_;
};

}  // namespace pw
