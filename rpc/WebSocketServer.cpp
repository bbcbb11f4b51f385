#include "WebSocketServer.h"

#include "WebSocketConnection.h"
#include "pipewright/engine/Engine.h"

#include <QUrlQuery>
#include <QWebSocket>

namespace pw {

WebSocketServer::WebSocketServer(Engine& engine, const Config& config, QObject* parent)
    : QObject(parent),
      engine_(engine),
      config_(config),
      server_(QStringLiteral("Pipewright"), QWebSocketServer::NonSecureMode) {
  connect(&server_, &QWebSocketServer::newConnection, this, &WebSocketServer::onNewConnection);
}

WebSocketServer::~WebSocketServer() {
  server_.close();
  for (auto& [socket, connection] : connections_) {
    socket->disconnect(this);
    socket->abort();
    socket->deleteLater();
  }
}

bool WebSocketServer::listen(QString* error) {
  QHostAddress address;
  if (config_.listen == u"localhost") address = QHostAddress::LocalHost;
  else if (config_.listen == u"*" || config_.listen == u"0.0.0.0") address = QHostAddress::Any;
  else if (!address.setAddress(config_.listen)) {
    if (error) *error = QStringLiteral("'%1' is not an IP address to listen on (use e.g. 127.0.0.1 or 0.0.0.0)").arg(config_.listen);
    return false;
  }
  if (!server_.listen(address, static_cast<quint16>(config_.port))) {
    if (error) {
      *error = QStringLiteral("cannot listen on %1:%2: %3 (another server running? choose one with --port)")
                   .arg(config_.listen)
                   .arg(config_.port)
                   .arg(server_.errorString());
    }
    return false;
  }
  return true;
}

quint16 WebSocketServer::port() const { return server_.serverPort(); }

QString WebSocketServer::url() const {
  QString host = server_.serverAddress().toString();
  if (server_.serverAddress().protocol() == QAbstractSocket::IPv6Protocol) host = u'[' + host + u']';
  return QStringLiteral("ws://%1:%2/%3").arg(host).arg(port()).arg(config_.path);
}

void WebSocketServer::onNewConnection() {
  while (QWebSocket* socket = server_.nextPendingConnection()) {
    const QUrl url = socket->requestUrl();
    QString path = url.path();
    while (path.startsWith(u'/')) path.remove(0, 1);
    if (path != config_.path) {
      socket->close(QWebSocketProtocol::CloseCodeProtocolError, QStringLiteral("Invalid path"));
      socket->deleteLater();
      continue;
    }
    if (!config_.accessToken.isEmpty() &&
        QUrlQuery(url).queryItemValue(QStringLiteral("access_token")) != config_.accessToken) {
      socket->close(QWebSocketProtocol::CloseCodePolicyViolated, QStringLiteral("Invalid access token"));
      socket->deleteLater();
      continue;
    }
    socket->setMaxAllowedIncomingMessageSize(static_cast<quint64>(config_.maxMessageBytes));
    socket->setMaxAllowedIncomingFrameSize(static_cast<quint64>(config_.maxMessageBytes));
    auto connection = std::make_shared<WebSocketConnection>(socket);
    connections_.emplace(socket, connection);
    connect(socket, &QWebSocket::textMessageReceived, this, [this, socket](const QString& text) {
      auto it = connections_.find(socket);
      if (it != connections_.end()) engine_.handleMessage(it->second, text.toUtf8());
    });
    connect(socket, &QWebSocket::binaryMessageReceived, this, [this, socket](const QByteArray& data) {
      // The protocol uses text frames; a binary frame is treated as its UTF-8 text.
      auto it = connections_.find(socket);
      if (it != connections_.end()) engine_.handleMessage(it->second, data);
    });
    connect(socket, &QWebSocket::disconnected, this, [this, socket]() { onDisconnected(socket); });
    Q_EMIT connectionCountChanged(connectionCount());
  }
}

void WebSocketServer::onDisconnected(QWebSocket* socket) {
  auto it = connections_.find(socket);
  if (it == connections_.end()) return;
  engine_.connectionClosed(it->second);
  connections_.erase(it);
  socket->deleteLater();
  Q_EMIT connectionCountChanged(connectionCount());
}

}  // namespace pw
