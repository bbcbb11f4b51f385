#pragma once

// An in-process client of the engine for unit tests: collects every message the engine sends.

#include "pipewright/engine/Connection.h"
#include "pipewright/engine/Engine.h"

#include <QCoreApplication>
#include <QDeadlineTimer>
#include <QJsonArray>
#include <QJsonDocument>
#include <QJsonObject>
#include <QList>

#include <memory>

class TestConnection : public pw::Connection {
 public:
  explicit TestConnection(bool administrator = false) : administrator_(administrator) {}
  void sendMessage(const QByteArray& json) override { messages.append(QJsonDocument::fromJson(json).object()); }
  QString peer() const override { return QStringLiteral("unit-test"); }
  // An administrator sees every session's objects (as the adminToken does).
  bool isAdministrator() const override { return administrator_; }
  QList<QJsonObject> messages;

 private:
  bool administrator_ = false;
};

// Sends a request and waits (running the event loop) for the response with its id.
inline QJsonObject call(pw::Engine& engine, const std::shared_ptr<TestConnection>& c, const QString& method,
                        const QJsonObject& params = {}, int timeoutMs = 10000) {
  static int nextId = 1000;
  const int id = nextId++;
  QJsonObject req{{"jsonrpc", "2.0"}, {"id", id}, {"method", method}};
  if (!params.isEmpty()) req.insert("params", params);
  engine.handleMessage(c, QJsonDocument(req).toJson(QJsonDocument::Compact));
  QDeadlineTimer deadline(timeoutMs);
  while (!deadline.hasExpired()) {
    for (int i = 0; i < c->messages.size(); ++i) {
      if (c->messages[i].value("id").toInt(-1) == id) return c->messages.takeAt(i);
    }
    QCoreApplication::processEvents(QEventLoop::AllEvents, 20);
  }
  return {};
}

// Waits for an onEvent of `type` (on `object` when given); returns its data or {}.
inline QJsonObject waitEvent(const std::shared_ptr<TestConnection>& c, const QString& type, const QString& object = {},
                             int timeoutMs = 15000) {
  QDeadlineTimer deadline(timeoutMs);
  while (!deadline.hasExpired()) {
    for (int i = 0; i < c->messages.size(); ++i) {
      const auto v = c->messages[i].value("params").toObject().value("value").toObject();
      if (c->messages[i].value("method") == "onEvent" && v.value("type") == type &&
          (object.isEmpty() || v.value("object") == object)) {
        c->messages.removeAt(i);
        return v.value("data").toObject();
      }
    }
    QCoreApplication::processEvents(QEventLoop::AllEvents, 20);
  }
  return {};
}
