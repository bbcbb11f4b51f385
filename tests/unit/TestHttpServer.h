#pragma once

// A minimal HTTP/1.0 server on 127.0.0.1 for unit tests that make the engine fetch something:
// each path answers with a fixed status, Content-Type and body (or never answers), and every
// request is counted. One request per connection; the connection closes after the answer.

#include <QByteArray>
#include <QHash>
#include <QHostAddress>
#include <QString>
#include <QTcpServer>
#include <QTcpSocket>

class TestHttpServer : public QObject {
 public:
  struct Answer {
    int status = 200;
    QByteArray contentType;
    QByteArray body;
    QByteArray extraHeaders;  // "Name: value\r\n" lines
    bool never = false;       // read the request, then say nothing
  };

  TestHttpServer() {
    server_.listen(QHostAddress::LocalHost, 0);
    connect(&server_, &QTcpServer::newConnection, this, [this] {
      while (QTcpSocket* socket = server_.nextPendingConnection()) {
        connect(socket, &QTcpSocket::readyRead, socket, [this, socket] { onRead(socket); });
        connect(socket, &QTcpSocket::disconnected, socket, &QObject::deleteLater);
      }
    });
  }
  QString url(const QString& path) const { return QStringLiteral("http://127.0.0.1:%1%2").arg(server_.serverPort()).arg(path); }
  void set(const QString& path, Answer answer) { answers_.insert(path, std::move(answer)); }
  int requests(const QString& path) const { return requests_.value(path); }

 private:
  void onRead(QTcpSocket* socket) {
    QByteArray& head = heads_[socket];
    head += socket->readAll();
    if (!head.contains("\r\n\r\n")) return;
    const QString path = QString::fromLatin1(head.split(' ').value(1));
    heads_.remove(socket);
    ++requests_[path];
    const auto it = answers_.constFind(path);
    const Answer a = it == answers_.constEnd() ? Answer{404, "text/plain", "not found\n"} : *it;
    if (a.never) return;
    QByteArray reply = "HTTP/1.0 " + QByteArray::number(a.status) + " X\r\n";
    if (!a.contentType.isEmpty()) reply += "Content-Type: " + a.contentType + "\r\n";
    reply += "Content-Length: " + QByteArray::number(a.body.size()) + "\r\n" + a.extraHeaders + "Connection: close\r\n\r\n";
    socket->write(reply + a.body);
    socket->disconnectFromHost();
  }

  QTcpServer server_;
  QHash<QString, Answer> answers_;
  QHash<QString, int> requests_;
  QHash<QTcpSocket*, QByteArray> heads_;
};
