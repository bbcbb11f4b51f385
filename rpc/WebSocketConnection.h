#pragma once

#include "pipewright/engine/Connection.h"
#include "pipewright/engine/Log.h"

#include <QMetaObject>
#include <QPointer>
#include <QWebSocket>

namespace pw {

// One client socket as the engine sees it. Answers and events that the client does not read
// pile up in the socket's buffer: past `maxQueuedBytes` the client is dropped (close code 1008)
// instead of growing the server without bound and delaying everyone else.
class WebSocketConnection : public Connection {
 public:
  WebSocketConnection(QWebSocket* socket, bool administrator, qint64 maxQueuedBytes)
      : socket_(socket), administrator_(administrator), maxQueuedBytes_(maxQueuedBytes) {}

  void sendMessage(const QByteArray& json) override {
    if (!socket_ || dropped_) return;
    if (queuedBytes_ + json.size() > maxQueuedBytes_) {
      drop();
      return;
    }
    queuedBytes_ += json.size();
    socket_->sendTextMessage(QString::fromUtf8(json));
  }
  // The socket wrote `bytes` (frames, headers included) to the network.
  void written(qint64 bytes) { queuedBytes_ = std::max<qint64>(0, queuedBytes_ - bytes); }
  qint64 queuedBytes() const { return queuedBytes_; }

  QString peer() const override {
    return socket_ ? QStringLiteral("%1:%2").arg(socket_->peerAddress().toString()).arg(socket_->peerPort()) : QString();
  }
  bool isAdministrator() const override { return administrator_; }

 private:
  void drop() {
    dropped_ = true;
    qCWarning(lcRpc, "dropping client %s: %lld bytes of answers and events unread (limit 'maxSendQueueBytes' %lld)",
              qUtf8Printable(peer()), static_cast<long long>(queuedBytes_), static_cast<long long>(maxQueuedBytes_));
    // Not from inside the engine's send: the socket goes once the current call has returned.
    QMetaObject::invokeMethod(
        socket_,
        [socket = socket_]() {
          if (!socket) return;
          socket->close(QWebSocketProtocol::CloseCodePolicyViolated, QStringLiteral("Send queue full: the client does not read"));
          socket->abort();
        },
        Qt::QueuedConnection);
  }

  QPointer<QWebSocket> socket_;
  bool administrator_ = false;
  qint64 maxQueuedBytes_;
  qint64 queuedBytes_ = 0;
  bool dropped_ = false;
};

}  // namespace pw
