#pragma once

#include "pipewright/engine/Connection.h"

#include <QPointer>
#include <QWebSocket>

namespace pw {

// One client socket as the engine sees it.
class WebSocketConnection : public Connection {
 public:
  WebSocketConnection(QWebSocket* socket, bool administrator) : socket_(socket), administrator_(administrator) {}
  void sendMessage(const QByteArray& json) override {
    if (socket_) socket_->sendTextMessage(QString::fromUtf8(json));
  }
  QString peer() const override {
    return socket_ ? QStringLiteral("%1:%2").arg(socket_->peerAddress().toString()).arg(socket_->peerPort()) : QString();
  }
  bool isAdministrator() const override { return administrator_; }

 private:
  QPointer<QWebSocket> socket_;
  bool administrator_ = false;
};

}  // namespace pw
