#pragma once

// The HTTP side of the control port (QtHttpServer parses; ControlPort hands the sockets over).
// It answers the start page and the plain-HTTP request on the WebSocket path (426), and turns
// every other request into a pw::HttpRequest for the engine (WHIP and WHEP resources), whose
// answer may come later: it is written only if the connection is still there.

#include "pipewright/engine/Config.h"
#include "pipewright/engine/HttpExchange.h"

#include <QAbstractHttpServer>
#include <QTcpServer>

namespace pw {

class Engine;

class HttpService : public QAbstractHttpServer {
  Q_OBJECT

 public:
  HttpService(Engine& engine, const Config& config, QObject* parent = nullptr);
  ~HttpService() override;

  // Takes a connection whose request head is unread.
  void take(QTcpSocket* socket);
  // Where pages point clients to ("ws://127.0.0.1:8888/kurento").
  void setWebSocketUrl(const QString& url) { webSocketUrl_ = url; }

 protected:
  bool handleRequest(const QHttpServerRequest& request, QTcpSocket* socket) override;
  void missingHandler(const QHttpServerRequest& request, QTcpSocket* socket) override;

 private:
  // QtHttpServer takes connections from a QTcpServer's pending queue: this one never listens,
  // ControlPort fills its queue.
  class Inbox : public QTcpServer {
   public:
    using QTcpServer::QTcpServer;
    void put(QTcpSocket* socket);
    bool hasPendingConnections() const override { return !queue_.isEmpty(); }
    QTcpSocket* nextPendingConnection() override { return queue_.isEmpty() ? nullptr : queue_.takeFirst(); }

   private:
    QList<QTcpSocket*> queue_;
  };

  QByteArray startPage() const;
  // GET /tutorials/<name>: a page from the first of webRoots_ that has it (plain names only, no
  // links followed).
  HttpResponse tutorialFile(const QString& name) const;
  static QStringList findWebRoots();

  Engine& engine_;
  Config config_;
  QString webSocketUrl_;
  QStringList webRoots_;  // installed: share/pipewright/www; build tree: sources, then generated; empty: no pages
  Inbox* inbox_;
};

}  // namespace pw
