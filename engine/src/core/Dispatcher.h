#pragma once

// The Kurento JSON-RPC protocol (spec §2–§5): validates envelopes, resolves sessions, runs
// methods, and turns every KurentoException into a JSON-RPC error in one place.

#include "Caller.h"
#include "ResourceGuard.h"
#include "ResponseCache.h"
#include "pipewright/engine/Connection.h"

#include <QHash>
#include <QJsonArray>
#include <QJsonObject>
#include <QJsonValue>
#include <QString>

#include <functional>
#include <memory>

namespace pw {

class Engine;
class MediaObject;
struct KurentoError;

class Dispatcher {
 public:
  using Reply = std::function<void(const QJsonObject& response)>;

  explicit Dispatcher(Engine& engine);

  // Parses one text frame and answers it through the connection (maybe later, for
  // operations that complete asynchronously). Notifications get no answer.
  void handleText(const std::shared_ptr<Connection>& connection, const QByteArray& text);

  // Executes one request object; `reply` receives the whole response object.
  void execute(const QJsonObject& request, const std::shared_ptr<Connection>& connection, bool inTransaction,
               Reply reply);

  // Creates an object for `caller` as a `create` request would (same checks, limits and
  // events), for the engine's own use (a WhipEndpoint's sessions). Throws KurentoException.
  QString createFor(const Caller& caller, const QJsonObject& params) {
    return create(params, caller, false).toObject().value(QStringLiteral("value")).toString();
  }

  static QJsonObject errorResponse(const QJsonValue& id, const KurentoError& error);
  static QJsonObject resultResponse(const QJsonValue& id, const QJsonValue& result);

 private:
  using Params = QJsonObject;
  QJsonValue run(const QString& method, const Params& params, const Caller& caller, bool inTransaction,
                 const std::function<void(const QJsonValue&, const KurentoError*)>& deferredDone, bool* deferred);
  QJsonValue create(const Params& params, const Caller& caller, bool inTransaction);
  QJsonValue describe(const Params& params, const Caller& caller, bool inTransaction);
  QJsonValue invoke(const Params& params, const Caller& caller, bool inTransaction,
                    const std::function<void(const QJsonValue&, const KurentoError*)>& deferredDone, bool* deferred);
  QJsonValue subscribe(const Params& params, const Caller& caller, bool inTransaction);
  // The object `params.object` names, as the caller may see it; throws 40101 otherwise.
  std::shared_ptr<MediaObject> requireObject(const Params& params, const Caller& caller, bool inTransaction);
  void transaction(const QJsonValue& id, const Params& params, const QString& sessionId,
                   const std::shared_ptr<Connection>& connection, Reply reply);

  struct TransactionRunner {
    Dispatcher* dispatcher;
    QJsonArray ops;
    QJsonArray responses;
    int index;
    QJsonValue id;
    QString sessionId;
    std::shared_ptr<Connection> connection;
    Reply reply;
    void next(const std::shared_ptr<TransactionRunner>& self);
  };

  static constexpr qint64 kResponseCacheMs = 20000;

  Engine& engine_;
  ResponseCache responseCache_;
  ResourceGuard resourceGuard_;  // file descriptors and threads, checked by create
};

}  // namespace pw
