#pragma once

// One call of a remote operation as a handler sees it: validated params (defaults filled),
// typed accessors, and an optional deferred reply for operations that finish later.

#include "Caller.h"
#include "MediaObject.h"
#include "pipewright/engine/KurentoError.h"

#include <QJsonObject>
#include <QJsonValue>
#include <QPointer>

#include <functional>
#include <memory>
#include <mutex>

namespace pw {

class Engine;

// Completion of a deferred operation; exactly one of resolve/reject is honoured. A reply that
// is dropped unfinished (its object released mid-call, a task that threw, a callback GStreamer
// never calls and frees) answers 40003 from its destructor, on the engine thread: every request
// gets exactly one answer.
class DeferredReply {
 public:
  using Done = std::function<void(const QJsonValue& value, const KurentoError* error)>;
  DeferredReply(Engine& engine, Done done);
  ~DeferredReply();
  DeferredReply(const DeferredReply&) = delete;
  DeferredReply& operator=(const DeferredReply&) = delete;
  // Any thread; the first of resolve/reject (or the engine's abandonPendingRequests()) wins.
  void resolve(const QJsonValue& value = QJsonValue::Null) { finish(value, nullptr); }
  void reject(const KurentoError& error) { finish(QJsonValue::Null, &error); }
  bool finished() const {
    std::lock_guard lock(mutex_);
    return !done_;
  }
  // The dispatcher answers itself (the handler threw after deferring): no answer from here.
  void cancel() { take(); }

 private:
  Done take() {
    std::lock_guard lock(mutex_);
    return std::exchange(done_, nullptr);
  }
  void finish(const QJsonValue& value, const KurentoError* error) {
    if (auto d = take()) d(value, error);
  }
  // Guarded: a reply can outlive the engine (a pending timer's functor is destroyed with the
  // application, after the engine); then nobody is left to answer.
  QPointer<Engine> engine_;
  mutable std::mutex mutex_;  // the engine thread may abandon a reply a streaming thread resolves
  Done done_;
};

class Invocation {
 public:
  Invocation(Engine& engine, MediaObject* object, QJsonObject params, Caller caller)
      : engine_(engine), object_(object), params_(std::move(params)), caller_(std::move(caller)) {}

  Engine& engine() const { return engine_; }
  MediaObject& object() const { return *object_; }
  template <typename T>
  T& as() const {
    return static_cast<T&>(*object_);
  }
  const QJsonObject& params() const { return params_; }
  const QString& sessionId() const { return caller_.sessionId; }
  const Caller& caller() const { return caller_; }

  bool has(const QString& name) const { return params_.contains(name) && !params_.value(name).isNull(); }
  QString string(const QString& name) const { return params_.value(name).toString(); }
  qint64 integer(const QString& name) const { return static_cast<qint64>(params_.value(name).toDouble()); }
  double number(const QString& name) const { return params_.value(name).toDouble(); }
  bool boolean(const QString& name) const { return params_.value(name).toBool(); }
  // The remote object a param names; throws 40101 when unknown or another session's.
  std::shared_ptr<MediaObject> objectParam(const QString& name) const;

  // Marks the operation asynchronous: the handler's return value is ignored and the reply
  // goes out when the returned DeferredReply is resolved or rejected.
  std::shared_ptr<DeferredReply> defer();
  std::shared_ptr<DeferredReply> deferred() const { return deferred_; }
  void setDeferredDone(DeferredReply::Done done) { deferredDone_ = std::move(done); }

 private:
  Engine& engine_;
  MediaObject* object_;
  QJsonObject params_;
  Caller caller_;
  std::shared_ptr<DeferredReply> deferred_;
  DeferredReply::Done deferredDone_;
};

}  // namespace pw
