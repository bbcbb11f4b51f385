#include "Dispatcher.h"

#include "Bindings.h"
#include "MediaObject.h"
#include "ObjectRegistry.h"
#include "SessionManager.h"
#include "pipewright/engine/Engine.h"
#include "pipewright/engine/KurentoError.h"
#include "pipewright/engine/Log.h"
#include "pipewright/engine/Schema.h"

#include <QCryptographicHash>
#include <QDateTime>
#include <QJsonArray>
#include <QJsonDocument>

namespace pw {
namespace {

constexpr auto kNewRef = u"newref:";

// Top-level string params: -32000 with KMS's wording when missing or ill-typed.
QString requireString(const QJsonObject& params, const QString& name) {
  const auto v = params.value(name);
  if (v.isUndefined() || v.isNull()) {
    throw KurentoException(ErrorCode::ServerError, QStringLiteral("'%1' parameter is required").arg(name));
  }
  if (!v.isString()) {
    throw KurentoException(ErrorCode::ServerError, QStringLiteral("'%1' parameter should be a string").arg(name));
  }
  return v.toString();
}

QJsonObject optionalObject(const QJsonObject& params, const QString& name) {
  const auto v = params.value(name);
  if (v.isUndefined() || v.isNull()) return {};
  if (!v.isObject()) throw KurentoException(KurentoError::marshall(name, QStringLiteral("object")));
  return v.toObject();
}

// A `newref:` placeholder outside a transaction (spec §4) → 40109.
void rejectNewRefs(const QJsonValue& v) {
  if (v.isString() && v.toString().startsWith(kNewRef)) {
    throw KurentoException(ErrorCode::MediaObjectNotFoundTransactionNoCommit,
                           QStringLiteral("'%1' can only be used inside a transaction").arg(v.toString()));
  }
  if (v.isArray()) {
    for (const auto& e : v.toArray()) rejectNewRefs(e);
  } else if (v.isObject()) {
    const auto o = v.toObject();
    for (auto it = o.begin(); it != o.end(); ++it) rejectNewRefs(it.value());
  }
}

// Replaces every "newref:<k>" string by the value of response k (spec §5.9).
QJsonValue substituteNewRefs(const QJsonValue& v, const QJsonArray& responses) {
  if (v.isString() && v.toString().startsWith(kNewRef)) {
    bool ok = false;
    const int k = v.toString().mid(7).toInt(&ok);
    if (!ok || k < 0 || k >= responses.size() || !responses.at(k).toObject().contains(u"result")) {
      throw KurentoException(ErrorCode::MalformedTransaction,
                             QStringLiteral("'%1' does not name an earlier successful operation").arg(v.toString()));
    }
    return responses.at(k).toObject().value(u"result").toObject().value(u"value");
  }
  if (v.isArray()) {
    QJsonArray out;
    for (const auto& e : v.toArray()) out.append(substituteNewRefs(e, responses));
    return out;
  }
  if (v.isObject()) {
    QJsonObject out;
    const auto o = v.toObject();
    for (auto it = o.begin(); it != o.end(); ++it) out.insert(it.key(), substituteNewRefs(it.value(), responses));
    return out;
  }
  return v;
}

// What a request's log lines say about it (every value a client's, clipped when written).
QString idText(const QJsonValue& id) {
  if (id.isUndefined()) return {};
  if (id.isString()) return id.toString();  // cut when written (log::field)
  return QString::fromUtf8(QJsonDocument(QJsonArray{id}).toJson(QJsonDocument::Compact)).mid(1).chopped(1);
}

struct RequestLog {
  QString session;
  QString method;
  QJsonValue id;
  QString object;
  QString operation;
  bool inTransaction = false;

  QString describe() const {
    QString out = log::field(u"session", session);
    out += u' ' + log::field(u"method", method);
    if (!id.isUndefined()) out += u' ' + log::field(u"id", idText(id));
    if (!object.isEmpty()) out += u' ' + log::field(u"object", object);
    if (!operation.isEmpty()) out += u' ' + log::field(u"operation", operation);
    if (inTransaction) out += QStringLiteral(" in=transaction");
    return out;
  }
};

// The one line every refused request logs: who, what, and the error it got. Errors that point
// at the server (internal errors, exhausted resources) are warnings, a client's mistakes info.
void logRefusal(const RequestLog& request, const QJsonObject& error) {
  const int code = error.value(u"code").toInt();
  const QString type = error.value(u"data").toObject().value(u"type").toString();
  const QString line = QStringLiteral("refused %1: %2%3 %4")
                           .arg(request.describe())
                           .arg(code)
                           .arg(type.isEmpty() ? QString() : u' ' + type, log::clip(error.value(u"message").toString(), 400));
  if (code == static_cast<int>(ErrorCode::InternalError) || code == static_cast<int>(ErrorCode::UnexpectedError) ||
      code == static_cast<int>(ErrorCode::NotEnoughResources)) {
    qCWarning(lcRpc, "%s", qUtf8Printable(line));
  } else {
    qCInfo(lcRpc, "%s", qUtf8Printable(line));
  }
}

bool needsObjectSession(const QString& method) {
  return method == u"create" || method == u"describe" || method == u"invoke" || method == u"subscribe" ||
         method == u"unsubscribe" || method == u"release" || method == u"transaction" || method == u"ref" ||
         method == u"unref";
}

}  // namespace

Dispatcher::Dispatcher(Engine& engine)
    : engine_(engine), responseCache_(kResponseCacheMs, engine.config().responseCacheBytes) {
}

QJsonObject Dispatcher::errorResponse(const QJsonValue& id, const KurentoError& error) {
  return QJsonObject{{QStringLiteral("jsonrpc"), QStringLiteral("2.0")},
                     {QStringLiteral("id"), id.isUndefined() ? QJsonValue(QJsonValue::Null) : id},
                     {QStringLiteral("error"), error.toJson()}};
}

QJsonObject Dispatcher::resultResponse(const QJsonValue& id, const QJsonValue& result) {
  return QJsonObject{{QStringLiteral("jsonrpc"), QStringLiteral("2.0")},
                     {QStringLiteral("id"), id},
                     {QStringLiteral("result"), result}};
}

void Dispatcher::handleText(const std::shared_ptr<Connection>& connection, const QByteArray& text) {
  auto send = [this, connection](const QJsonObject& response) {
    if (response.contains(u"error")) {
      // A message that is not a request at all (execute() logs the others).
      RequestLog about;
      if (connection) about.session = engine_.sessions().boundSession(connection.get());
      logRefusal(about, response.value(u"error").toObject());
    }
    connection->sendMessage(QJsonDocument(response).toJson(QJsonDocument::Compact));
  };
  QJsonParseError pe;
  const auto doc = QJsonDocument::fromJson(text, &pe);
  if (pe.error != QJsonParseError::NoError) {
    // Qt only parses objects and arrays at the top level: a valid scalar is a bad request, not bad JSON.
    const bool validScalar = QJsonDocument::fromJson("[" + text + "]").isArray();
    if (validScalar) {
      send(errorResponse(QJsonValue::Null,
                         {ErrorCode::InvalidRequest, QStringLiteral("Invalid request: a JSON object was expected.")}));
    } else {
      send(errorResponse(QJsonValue::Null, {ErrorCode::ParseError, QStringLiteral("Parse error.")}));
    }
    return;
  }
  if (!doc.isObject()) {
    send(errorResponse(QJsonValue::Null,
                       {ErrorCode::InvalidRequest, QStringLiteral("Invalid request: a JSON object was expected.")}));
    return;
  }
  execute(doc.object(), connection, false, [connection](const QJsonObject& response) {
    connection->sendMessage(QJsonDocument(response).toJson(QJsonDocument::Compact));
  });
}

void Dispatcher::execute(const QJsonObject& request, const std::shared_ptr<Connection>& connection,
                         bool inTransaction, Reply reply) {
  const QJsonValue id = request.value(u"id");
  const bool isNotification = id.isUndefined();
  // Every error answer of this request, whichever check produced it, logs one line here.
  auto about = std::make_shared<RequestLog>();
  about->inTransaction = inTransaction;
  about->id = id;
  if (connection) about->session = engine_.sessions().boundSession(connection.get());
  reply = [about, reply = std::move(reply)](const QJsonObject& response) {
    if (response.contains(u"error")) logRefusal(*about, response.value(u"error").toObject());
    reply(response);
  };
  auto answer = [&](const QJsonObject& response) {
    if (!isNotification) reply(response);
  };
  if (id.isArray() || id.isObject()) {
    reply(errorResponse(QJsonValue::Null, {ErrorCode::InvalidRequest, QStringLiteral("Invalid request: bad 'id'.")}));
    return;
  }
  if (request.value(u"jsonrpc").toString() != u"2.0") {
    reply(errorResponse(QJsonValue::Null,
                        {ErrorCode::InvalidRequest, QStringLiteral("Invalid request: 'jsonrpc' must be \"2.0\".")}));
    return;
  }
  const QJsonValue methodValue = request.value(u"method");
  if (!methodValue.isString()) {
    answer(errorResponse(id, {ErrorCode::InvalidRequest, QStringLiteral("Invalid request: 'method' is required.")}));
    return;
  }
  const QString method = methodValue.toString();
  about->method = method;
  const QJsonValue paramsValue = request.value(u"params");
  if (!paramsValue.isUndefined() && !paramsValue.isNull() && !paramsValue.isObject()) {
    answer(errorResponse(id, {ErrorCode::InvalidParams, QStringLiteral("'params' should be an object")}));
    return;
  }
  const QJsonObject params = paramsValue.toObject();
  if (isNotification) return;  // notifications are not answered and change nothing
  if (const QJsonValue v = params.value(u"object"); v.isString()) about->object = v.toString();
  if (const QJsonValue v = params.value(u"operation"); v.isString()) about->operation = v.toString();

  static const QStringList known{QStringLiteral("ping"),      QStringLiteral("connect"),  QStringLiteral("create"),
                                 QStringLiteral("describe"),  QStringLiteral("invoke"),   QStringLiteral("subscribe"),
                                 QStringLiteral("unsubscribe"), QStringLiteral("release"), QStringLiteral("transaction"),
                                 QStringLiteral("keepAlive"), QStringLiteral("ref"),      QStringLiteral("unref"),
                                 QStringLiteral("closeSession")};
  if (!known.contains(method)) {
    reply(errorResponse(id, {ErrorCode::MethodNotFound, QStringLiteral("Method not found.")}));
    return;
  }
  if (paramsValue.isUndefined() && method != u"ping" && method != u"connect" && method != u"keepAlive" &&
      method != u"closeSession") {
    reply(errorResponse(id, {ErrorCode::InvalidParams, QStringLiteral("'params' is required")}));
    return;
  }

  // Session: explicit, else the one bound to this socket (injection, spec §3.4).
  QString sessionId;
  const QJsonValue sessionValue = params.value(u"sessionId");
  const bool explicitSession = sessionValue.isString() && !sessionValue.toString().isEmpty();
  if (explicitSession) sessionId = sessionValue.toString();
  else if (connection) sessionId = engine_.sessions().boundSession(connection.get());
  about->session = sessionId;
  qCDebug(lcRpc, "request %s", qUtf8Printable(about->describe()));
  if (explicitSession && sessionId.toUtf8().size() > engine_.config().maxSessionIdBytes) {
    // Ids are stored, logged and used as keys: a multi-megabyte one is refused before any of that.
    reply(errorResponse(id, {ErrorCode::InvalidSession,
                             QStringLiteral("Invalid session: a sessionId has at most %1 bytes ('maxSessionIdBytes')")
                                 .arg(engine_.config().maxSessionIdBytes)}));
    return;
  }

  // A request re-sent with the same (session, id) within 20 s — a client retrying after a
  // reconnect — gets the first answer again instead of running twice (spec §9).
  if (!inTransaction && method != u"ping" && !sessionId.isEmpty()) {
    const QString key = sessionId + u'#' + QString::fromUtf8(QJsonDocument(QJsonArray{id}).toJson(QJsonDocument::Compact));
    const QByteArray digest =
        QCryptographicHash::hash(QJsonDocument(params).toJson(QJsonDocument::Compact), QCryptographicHash::Sha256);
    QJsonObject cached;
    switch (responseCache_.lookup(key, method, digest, QDateTime::currentMSecsSinceEpoch(), &cached)) {
      case ResponseCache::Lookup::Hit: reply(cached); return;
      case ResponseCache::Lookup::Pending: return;  // the first request answers
      case ResponseCache::Lookup::Miss: break;
    }
    reply = [this, key, reply](const QJsonObject& response) {
      responseCache_.store(key, response);
      reply(response);
    };
  }

  SessionManager& sessions = engine_.sessions();
  try {
    if (method == u"ping") {
      QJsonObject result{{QStringLiteral("value"), QStringLiteral("pong")}};
      if (!sessionId.isEmpty()) {
        result.insert(QStringLiteral("sessionId"), sessionId);
        sessions.touch(sessionId);
      }
      reply(resultResponse(id, result));
      return;
    }
    if (method == u"connect") {
      if (explicitSession) {
        if (!sessions.find(sessionId)) throw KurentoException(ErrorCode::InvalidSession, QStringLiteral("Invalid session"));
      } else {
        if (sessions.count() >= engine_.config().maxSessions) {
          throw KurentoException(ErrorCode::NotEnoughResources,
                                 QStringLiteral("Too many sessions (limit %1, 'maxSessions' in the config)").arg(engine_.config().maxSessions));
        }
        sessionId = sessions.createSession();
      }
      sessions.bind(connection, sessionId);
      reply(resultResponse(id, QJsonObject{{QStringLiteral("sessionId"), sessionId},
                                           {QStringLiteral("serverId"), engine_.serverId()}}));
      return;
    }
    if (method == u"keepAlive") {
      if (sessionId.isEmpty() || !sessions.find(sessionId)) {
        throw KurentoException(ErrorCode::InvalidSession, QStringLiteral("Invalid session"));
      }
      sessions.touch(sessionId);
      sessions.bind(connection, sessionId);
      reply(resultResponse(id, QJsonObject{{QStringLiteral("sessionId"), sessionId}}));
      return;
    }
    if (method == u"closeSession") {
      if (!sessionId.isEmpty()) sessions.closeSession(sessionId, params.value(u"release").toBool(false));
      reply(resultResponse(id, QJsonValue::Null));
      return;
    }

    Q_ASSERT(needsObjectSession(method));
    if ((sessionId.isEmpty() || !sessions.find(sessionId)) && sessions.count() >= engine_.config().maxSessions) {
      throw KurentoException(ErrorCode::NotEnoughResources,
                             QStringLiteral("Too many sessions (limit %1, 'maxSessions' in the config)").arg(engine_.config().maxSessions));
    }
    if (sessionId.isEmpty()) sessionId = sessions.createSession();
    about->session = sessionId;
    sessions.obtain(sessionId);
    sessions.touch(sessionId);
    if (connection && !inTransaction) sessions.bind(connection, sessionId);

    if (method == u"transaction") {
      transaction(id, params, sessionId, connection, reply);
      return;
    }
    auto withSession = [&](QJsonObject result) {
      result.insert(QStringLiteral("sessionId"), sessionId);
      return result;
    };
    bool deferred = false;
    auto deferredDone = [reply, id, sessionId](const QJsonValue& value, const KurentoError* error) {
      if (error) reply(errorResponse(id, *error));
      else reply(resultResponse(id, QJsonObject{{QStringLiteral("value"), value}, {QStringLiteral("sessionId"), sessionId}}));
    };
    const Caller caller{sessionId, connection && connection->isAdministrator()};
    const QJsonValue result = run(method, params, caller, inTransaction, deferredDone, &deferred);
    if (deferred) return;
    reply(resultResponse(id, withSession(result.toObject())));
  } catch (const KurentoException& e) {
    reply(errorResponse(id, e.error()));
  } catch (const std::exception& e) {
    reply(errorResponse(id, {ErrorCode::InternalError, QStringLiteral("Internal error: %1").arg(QString::fromUtf8(e.what()))}));
  }
}

std::shared_ptr<MediaObject> Dispatcher::requireObject(const Params& params, const Caller& caller, bool inTransaction) {
  const QString objectId = requireString(params, QStringLiteral("object"));
  if (!inTransaction) rejectNewRefs(objectId);
  auto object = engine_.registry().findFor(objectId, caller);
  if (!object) throw KurentoException(KurentoError::objectNotFound(objectId));
  return object;
}

QJsonValue Dispatcher::run(const QString& method, const Params& params, const Caller& caller, bool inTransaction,
                           const std::function<void(const QJsonValue&, const KurentoError*)>& deferredDone,
                           bool* deferred) {
  SessionManager& sessions = engine_.sessions();
  const QString& sessionId = caller.sessionId;
  if (method == u"create") return create(params, caller, inTransaction);
  if (method == u"describe") return describe(params, caller, inTransaction);
  if (method == u"invoke") return invoke(params, caller, inTransaction, deferredDone, deferred);
  if (method == u"subscribe") return subscribe(params, caller, inTransaction);
  if (method == u"unsubscribe") {
    requireString(params, QStringLiteral("object"));
    sessions.unsubscribe(sessionId, requireString(params, QStringLiteral("subscription")));
    return QJsonObject{};
  }
  auto object = requireObject(params, caller, inTransaction);
  const QString objectId = object->id();
  if (method == u"release") {
    if (object->type() == u"ServerManager") {
      throw KurentoException(ErrorCode::MediaObjectOperationNotSupported,
                             QStringLiteral("The ServerManager cannot be released"));
    }
    engine_.registry().release(objectId);
    Q_EMIT engine_.countsChanged();
    return QJsonObject{};
  }
  if (method == u"ref") {
    sessions.addRef(sessionId, objectId);
    return QJsonObject{};
  }
  // unref: the last reference releases the object.
  sessions.removeRef(sessionId, objectId);
  if (object->type() != u"ServerManager" && !sessions.isReferencedElsewhere(objectId, QString())) {
    engine_.registry().release(objectId);
    Q_EMIT engine_.countsChanged();
  }
  return QJsonObject{};
}

QJsonValue Dispatcher::create(const Params& params, const Caller& caller, bool inTransaction) {
  const QString& sessionId = caller.sessionId;
  const Schema& schema = engine_.schema();
  QString type = requireString(params, QStringLiteral("type"));
  if (type.startsWith(u"kurento.")) type = type.mid(8);
  const SchemaClass* cls = schema.findClass(type);
  if (!cls) {
    throw KurentoException(ErrorCode::MediaObjectTypeNotFound, QStringLiteral("Type '%1' not found").arg(type));
  }
  if (cls->isAbstract || !cls->hasConstructor) {
    throw KurentoException(ErrorCode::MediaObjectTypeNotFound,
                           QStringLiteral("Type '%1' is abstract and cannot be created").arg(type));
  }
  const QJsonObject given = optionalObject(params, QStringLiteral("constructorParams"));
  if (!inTransaction) rejectNewRefs(given);
  const QJsonObject ctorParams = schema.checkParams(cls->constructorParams, given);
  const Factory* factory = engine_.bindings().factory(type);
  if (!factory) throw KurentoException(KurentoError::notImplemented(QStringLiteral("'%1'").arg(type)));

  // The parent is the pipeline or hub the constructor names.
  std::shared_ptr<MediaObject> parent;
  for (const auto& p : cls->constructorParams) {
    if (p.type != u"MediaPipeline" && p.type != u"Hub") continue;
    const QString parentId = ctorParams.value(p.name).toString();
    parent = engine_.registry().findFor(parentId, caller);
    if (!parent) throw KurentoException(KurentoError::objectNotFound(parentId));
    if (!schema.isA(parent->type(), p.type)) throw KurentoException(KurentoError::marshall(p.name, p.type));
    break;
  }
  if (SessionManager::Session* s = engine_.sessions().find(sessionId);
      s && s->created.size() >= engine_.config().maxObjectsPerSession) {
    throw KurentoException(ErrorCode::NotEnoughResources,
                           QStringLiteral("Too many objects in this session (limit %1)").arg(engine_.config().maxObjectsPerSession));
  }
  // Out of descriptors GLib aborts, out of threads GStreamer hangs: refuse with 40009 before that.
  // A WebRtcEndpoint costs what its media path holds: lean unless configured otherwise or asked for
  // data channels (the same choice its factory makes).
  const bool leanWebRtc = type == u"WebRtcEndpoint" && engine_.config().webrtcTransport == u"lean" &&
                          !ctorParams.value(u"useDataChannels").toBool(false);
  resourceGuard_.check(type, leanWebRtc ? QString::fromLatin1(ResourceGuard::kLeanWebRtcClass) : type, engine_.registry());
  const QString id = ObjectRegistry::makeId(type, parent ? parent->id() : QString());
  std::shared_ptr<MediaObject> object = (*factory)(Creation{engine_, id, parent, ctorParams});
  // A pipeline belongs to the session that creates it; its elements belong to the pipeline's session.
  object->setOwnerSession(parent ? parent->ownerSession() : sessionId);
  engine_.registry().add(object);
  engine_.sessions().addRef(sessionId, id);
  engine_.sessions().obtain(sessionId).created.insert(id);
  if (auto manager = engine_.registry().find(QStringLiteral("manager_ServerManager"))) {
    manager->raise(QStringLiteral("ObjectCreated"), QJsonObject{{QStringLiteral("object"), id}}, object->ownerSession());
  }
  Q_EMIT engine_.countsChanged();
  return QJsonObject{{QStringLiteral("value"), id}};
}

QJsonValue Dispatcher::describe(const Params& params, const Caller& caller, bool inTransaction) {
  auto object = requireObject(params, caller, inTransaction);
  engine_.sessions().addRef(caller.sessionId, object->id());
  const Schema& schema = engine_.schema();
  QJsonArray hierarchy;
  for (const auto& a : schema.ancestors(object->type())) hierarchy.append(schema.qualifiedName(a));
  return QJsonObject{{QStringLiteral("type"), object->type()},
                     {QStringLiteral("qualifiedType"), schema.qualifiedName(object->type())},
                     {QStringLiteral("hierarchy"), hierarchy}};
}

QJsonValue Dispatcher::invoke(const Params& params, const Caller& caller, bool inTransaction,
                              const std::function<void(const QJsonValue&, const KurentoError*)>& deferredDone,
                              bool* deferred) {
  const QString operation = requireString(params, QStringLiteral("operation"));
  auto object = requireObject(params, caller, inTransaction);
  const QJsonObject given = optionalObject(params, QStringLiteral("operationParams"));
  if (!inTransaction) rejectNewRefs(given);
  const Schema& schema = engine_.schema();
  const auto op = schema.findOperation(object->type(), operation);
  if (!op) {
    throw KurentoException(ErrorCode::MalformedTransaction,
                           QStringLiteral("Method '%1' with %2 parameters not found").arg(operation).arg(given.size()));
  }
  const QJsonObject checked = schema.checkParams(op->params, given);
  const Handler* handler = engine_.bindings().handler(object->type(), operation);
  if (!handler) {
    throw KurentoException(KurentoError::notImplemented(QStringLiteral("'%1.%2'").arg(object->type(), operation)));
  }
  engine_.sessions().addRef(caller.sessionId, object->id());
  Invocation call(engine_, object.get(), checked, caller);
  call.setDeferredDone(deferredDone);
  QJsonValue value;
  try {
    value = (*handler)(call);
  } catch (...) {
    if (auto d = call.deferred()) d->cancel();  // execute() answers the exception, once
    throw;
  }
  if (call.deferred()) {
    *deferred = true;
    return {};
  }
  return QJsonObject{{QStringLiteral("value"), value.isUndefined() ? QJsonValue(QJsonValue::Null) : value}};
}

QJsonValue Dispatcher::subscribe(const Params& params, const Caller& caller, bool inTransaction) {
  const QString& sessionId = caller.sessionId;
  const QString type = requireString(params, QStringLiteral("type"));
  auto object = requireObject(params, caller, inTransaction);
  const QString objectId = object->id();
  if (!engine_.schema().supportsEvent(object->type(), type)) {
    throw KurentoException(ErrorCode::MediaObjectEventNotSupported, QStringLiteral("Event '%1' not supported").arg(type));
  }
  engine_.sessions().addRef(sessionId, objectId);
  return QJsonObject{{QStringLiteral("value"), engine_.sessions().subscribe(sessionId, objectId, type)}};
}

void Dispatcher::transaction(const QJsonValue& id, const Params& params, const QString& sessionId,
                             const std::shared_ptr<Connection>& connection, Reply reply) {
  const QJsonValue opsValue = params.value(u"operations");
  if (!opsValue.isArray()) {
    throw KurentoException(ErrorCode::ServerError, QStringLiteral("'operations' parameter is required"));
  }
  const QJsonArray ops = opsValue.toArray();
  // Sub-requests that finish at once run recursively: bound the depth.
  constexpr int kMaxOperations = 1000;
  if (ops.size() > kMaxOperations) {
    throw KurentoException(ErrorCode::MalformedTransaction,
                           QStringLiteral("A transaction may hold at most %1 operations (this one has %2)").arg(kMaxOperations).arg(ops.size()));
  }
  for (int i = 0; i < ops.size(); ++i) {
    const QJsonValue subId = ops.at(i).toObject().value(u"id");
    if (!ops.at(i).isObject() || !subId.isDouble() || subId.toDouble() != i) {
      throw KurentoException(ErrorCode::MalformedTransaction, QStringLiteral("Id of request '%1' should be '%1'").arg(i));
    }
  }
  // Sub-requests run one after the other (some finish asynchronously); stop at the first error.
  auto runner = std::make_shared<TransactionRunner>(TransactionRunner{this, ops, {}, 0, id, sessionId, connection, reply});
  runner->next(runner);
}

void Dispatcher::TransactionRunner::next(const std::shared_ptr<TransactionRunner>& self) {
  if (index >= ops.size()) {
    reply(resultResponse(id, QJsonObject{{QStringLiteral("value"), responses}, {QStringLiteral("sessionId"), sessionId}}));
    return;
  }
  QJsonObject sub = ops.at(index).toObject();
  const QJsonValue subId = sub.value(u"id");
  ++index;
  auto stopWith = [&](const KurentoError& error) {
    RequestLog about{sessionId, sub.value(u"method").toString(), subId, {}, {}, true};
    logRefusal(about, error.toJson());
    responses.append(errorResponse(subId, error));
    index = static_cast<int>(ops.size());
    next(self);
  };
  if (sub.value(u"method").toString() == u"transaction") {
    stopWith({ErrorCode::MalformedTransaction, QStringLiteral("Transactions cannot be nested")});
    return;
  }
  try {
    QJsonObject subParams = substituteNewRefs(sub.value(u"params"), responses).toObject();
    subParams.insert(QStringLiteral("sessionId"), sessionId);
    sub.insert(QStringLiteral("params"), subParams);
  } catch (const KurentoException& e) {
    stopWith(e.error());
    return;
  }
  dispatcher->execute(sub, connection, true, [self](const QJsonObject& response) {
    self->responses.append(response);
    if (response.contains(u"error")) self->index = static_cast<int>(self->ops.size());
    self->next(self);
  });
}

}  // namespace pw
