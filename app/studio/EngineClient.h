#pragma once

// The studio's in-process transport (design §1): the studio is a client of the engine like any
// remote one. It sends the same JSON-RPC text a WebSocket client sends, the engine answers on its
// own thread, and replies and events come back queued to the GUI thread. Nothing here knows
// about media.

#include <QHash>
#include <QJsonObject>
#include <QJsonValue>
#include <QObject>
#include <QString>
#include <QtQml/qqmlregistration.h>

#include <functional>
#include <memory>

namespace pw {
class Engine;
}

namespace pw::studio {

class EngineClient : public QObject {
  Q_OBJECT
  QML_ELEMENT
  QML_UNCREATABLE("The application creates the engine client")
  Q_PROPERTY(int pendingCalls READ pendingCalls NOTIFY pendingCallsChanged)
  Q_PROPERTY(QString sessionId READ sessionId NOTIFY sessionIdChanged)

 public:
  struct Reply {
    QJsonValue value;   // result.value (or the whole result when it has no value)
    int errorCode = 0;  // Kurento error code; 0 when the call succeeded
    QString errorMessage;
    bool ok() const { return errorCode == 0; }
  };
  using Callback = std::function<void(const Reply&)>;

  // `engine` may live on another thread: every call is posted to it.
  explicit EngineClient(Engine& engine, QObject* parent = nullptr);
  ~EngineClient() override;

  void call(const QString& method, const QJsonObject& params, Callback done = {});
  void create(const QString& type, const QJsonObject& constructorParams, Callback done);
  void invoke(const QString& object, const QString& operation, const QJsonObject& operationParams = {},
              Callback done = {});
  void release(const QString& object, Callback done = {});
  void subscribe(const QString& object, const QString& eventType, Callback done = {});
  // In-process only, outside the protocol (the wire tooltips): Engine::connectionCaps, asked
  // on the engine thread; `done` gets the caps text ("" when none) on this client's thread.
  void connectionCaps(const QString& sourceId, const QString& sinkId, const QString& mediaType,
                      std::function<void(const QString&)> done);

  int pendingCalls() const { return static_cast<int>(pending_.size()); }
  QString sessionId() const { return sessionId_; }

 Q_SIGNALS:
  void eventReceived(const QString& type, const QString& object, const QJsonObject& data);
  void pendingCallsChanged();
  void sessionIdChanged();

 private:
  class Link;
  void onMessage(const QByteArray& json);

  Engine& engine_;
  std::shared_ptr<Link> link_;
  QHash<int, Callback> pending_;
  int nextId_ = 1;
  QString sessionId_;
};

}  // namespace pw::studio
