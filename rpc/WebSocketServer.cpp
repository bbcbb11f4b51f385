#include "WebSocketServer.h"

#include "ControlPort.h"
#include "HttpService.h"
#include "WebSocketConnection.h"
#include "pipewright/engine/Engine.h"
#include "pipewright/engine/HttpExchange.h"
#include "pipewright/engine/SecretCompare.h"
#include "pipewright/engine/Log.h"

#include <QEventLoop>
#include <QFile>
#include <QHostInfo>
#include <QList>
#include <QNetworkInterface>
#include <QPointer>
#include <QSslCertificate>
#include <QSslConfiguration>
#include <QSslKey>
#include <QTimer>
#include <QUrlQuery>
#include <QWebSocket>
#include <QWebSocketCorsAuthenticator>


namespace pw {
namespace {

bool isLoopbackHost(const QString& host) {
  if (host == u"localhost" || host.endsWith(u".localhost")) return true;
  const QHostAddress address(host);
  return !address.isNull() && address.isLoopback();
}

}  // namespace

bool WebSocketServer::originAllowed(const QString& origin, const QStringList& allowedOrigins) {
  if (origin.isEmpty()) return true;  // not a browser page: programs send no Origin
  if (allowedOrigins.contains(QStringLiteral("*"))) return true;
  QString normalized = origin.toLower();
  while (normalized.endsWith(u'/')) normalized.chop(1);
  for (const auto& allowed : allowedOrigins) {
    QString a = allowed.toLower();
    while (a.endsWith(u'/')) a.chop(1);
    if (a == normalized) return true;
  }
  const QUrl url(origin);
  return (url.scheme() == u"http" || url.scheme() == u"https") && isLoopbackHost(url.host());
}

QStringList WebSocketServer::ownOrigins() const {
  if (config_.listensOnLoopbackOnly()) return {};  // loopback pages pass anyway
  const quint16 listenPort = port();
  const QString scheme = port_->secure() ? QStringLiteral("https") : QStringLiteral("http");
  const bool defaultPort = listenPort == (port_->secure() ? 443 : 80);
  QStringList hosts;
  const QHostAddress listening = port_->address();
  const bool wildcard = listening == QHostAddress::Any || listening == QHostAddress::AnyIPv4 || listening == QHostAddress::AnyIPv6;
  for (const QHostAddress& address : wildcard ? QNetworkInterface::allAddresses() : QList<QHostAddress>{listening}) {
    if (address.isLoopback() || !address.scopeId().isEmpty()) continue;
    hosts.append(address.protocol() == QAbstractSocket::IPv6Protocol ? u'[' + address.toString() + u']' : address.toString());
  }
  const QString name = QHostInfo::localHostName().toLower();
  if (!name.isEmpty()) {
    hosts.append(name);
    const QString domain = QHostInfo::localDomainName().toLower();
    if (!domain.isEmpty()) hosts.append(name + u'.' + domain);
  }
  QStringList origins;
  for (const QString& host : hosts) {
    origins.append(QStringLiteral("%1://%2:%3").arg(scheme, host).arg(listenPort));
    if (defaultPort) origins.append(QStringLiteral("%1://%2").arg(scheme, host));
  }
  return origins;
}

WebSocketServer::WebSocketServer(Engine& engine, const Config& config, QObject* parent)
    : QObject(parent),
      engine_(engine),
      config_(config),
      server_(QStringLiteral("Pipewright"),
              config.tlsCertificate.isEmpty() ? QWebSocketServer::NonSecureMode : QWebSocketServer::SecureMode) {
  connect(&server_, &QWebSocketServer::newConnection, this, &WebSocketServer::onNewConnection);
  // Emitted during the handshake: a refused page gets HTTP 403 before any JSON-RPC.
  connect(&server_, &QWebSocketServer::originAuthenticationRequired, this,
          [this](QWebSocketCorsAuthenticator* authenticator) {
            // The server's own origins are looked up (interfaces, host name) only for a page
            // that the allow-list refuses.
            const bool allowed = originAllowed(authenticator->origin(), config_.allowedOrigins) ||
                                 originAllowed(authenticator->origin(), ownOrigins());
            if (!allowed) qCInfo(lcRpc, "refused a connection from origin %s (not in 'allowedOrigins')", qUtf8Printable(log::clip(authenticator->origin())));
            authenticator->setAllowed(allowed);
          }, Qt::DirectConnection);
  http_ = std::make_unique<HttpService>(engine_, config_);
  port_ = std::make_unique<ControlPort>([this](QTcpSocket* socket) { server_.handleConnection(socket); },
                                        [this](QTcpSocket* socket) { http_->take(socket); });
  port_->allowLargeBodies([this](const QByteArray& method, const QByteArray& path) {
    return engine_.acceptsLargeHttpBody(method, QString::fromUtf8(QByteArray::fromPercentEncoding(path)));
  }, config_.maxUploadBytes, "maxUploadBytes");
}

WebSocketServer::~WebSocketServer() {
  port_->close();
  for (auto& [socket, connection] : connections_) {
    socket->disconnect(this);
    socket->abort();
    socket->deleteLater();
  }
}

void WebSocketServer::stop(int graceMs) {
  if (stopping_) return;
  stopping_ = true;
  port_->close();
  // Answers go out before the close frame: a socket writes its frames in order.
  engine_.abandonPendingRequests();
  if (connections_.empty()) return;
  qCInfo(lcRpc, "stopping: closing %d client connection(s)", connectionCount());
  // close() may disconnect at once, and onDisconnected() then erases from connections_.
  QList<QPointer<QWebSocket>> sockets;
  for (const auto& [socket, connection] : connections_) sockets.append(socket);
  for (const QPointer<QWebSocket>& socket : sockets) {
    if (socket) socket->close(QWebSocketProtocol::CloseCodeGoingAway, QStringLiteral("The server is stopping"));
  }
  if (connections_.empty()) return;
  QEventLoop wait;
  connect(this, &WebSocketServer::connectionCountChanged, &wait, [&wait](int count) {
    if (count == 0) wait.quit();
  });
  QTimer::singleShot(graceMs, &wait, &QEventLoop::quit);
  wait.exec();
}

bool WebSocketServer::setUpTls(QString* error) {
  if (config_.tlsCertificate.isEmpty() != config_.tlsKey.isEmpty()) {
    *error = QStringLiteral("wss:// needs both 'tlsCertificate' and 'tlsKey' in the config");
    return false;
  }
  if (config_.tlsCertificate.isEmpty()) return true;
  QFile certFile(config_.tlsCertificate);
  QFile keyFile(config_.tlsKey);
  if (!certFile.open(QIODevice::ReadOnly) || !keyFile.open(QIODevice::ReadOnly)) {
    *error = QStringLiteral("cannot read the TLS certificate %1 or key %2 (check 'tlsCertificate'/'tlsKey' and file permissions)")
                 .arg(config_.tlsCertificate, config_.tlsKey);
    return false;
  }
  const QList<QSslCertificate> chain = QSslCertificate::fromData(certFile.readAll(), QSsl::Pem);
  const QByteArray keyPem = keyFile.readAll();
  QSslKey key(keyPem, QSsl::Ec, QSsl::Pem);
  if (key.isNull()) key = QSslKey(keyPem, QSsl::Rsa, QSsl::Pem);
  if (chain.isEmpty() || key.isNull()) {
    *error = QStringLiteral("%1 must hold a PEM certificate and %2 its PEM private key (RSA or EC, unencrypted)")
                 .arg(config_.tlsCertificate, config_.tlsKey);
    return false;
  }
  QSslConfiguration tls = QSslConfiguration::defaultConfiguration();
  tls.setLocalCertificateChain(chain);
  tls.setPrivateKey(key);
  tls.setPeerVerifyMode(QSslSocket::VerifyNone);  // clients authenticate with the access token
  tls_ = tls;
  return true;
}

bool WebSocketServer::listen(QString* error) {
  QString ignored;
  if (!error) error = &ignored;
  if (!config_.listensOnLoopbackOnly() && config_.accessToken.isEmpty() && !config_.insecure) {
    *error = QStringLiteral("refusing to listen on %1 without an access token: anyone who can reach that address could "
                            "drive this server. Set 'accessToken' in the config (clients add ?access_token=...), or "
                            "pass --insecure (config 'insecure': true) to accept that risk")
                 .arg(config_.listen);
    return false;
  }
  if (!setUpTls(error)) return false;
  QHostAddress address;
  if (config_.listen == u"localhost") address = QHostAddress::LocalHost;
  else if (config_.listen == u"*" || config_.listen == u"0.0.0.0") address = QHostAddress::Any;
  else if (!address.setAddress(config_.listen)) {
    if (error) *error = QStringLiteral("'%1' is not an IP address to listen on (use e.g. 127.0.0.1 or 0.0.0.0)").arg(config_.listen);
    return false;
  }
  QString reason;
  if (!port_->listen(address, static_cast<quint16>(config_.port), tls_, &reason)) {
    *error = QStringLiteral("cannot listen on %1:%2: %3 (another server running? choose one with --port)")
                 .arg(config_.listen)
                 .arg(config_.port)
                 .arg(reason);
    return false;
  }
  http_->setWebSocketUrl(url());
  engine_.setHttpBaseUrl((port_->secure() ? QStringLiteral("https://") : QStringLiteral("http://")) + hostAndPort());
  return true;
}

quint16 WebSocketServer::port() const { return port_->port(); }

QString WebSocketServer::hostAndPort() const {
  QString host = port_->address().toString();
  if (port_->address().protocol() == QAbstractSocket::IPv6Protocol) host = u'[' + host + u']';
  return QStringLiteral("%1:%2").arg(host).arg(port());
}

QString WebSocketServer::url() const {
  return (port_->secure() ? QStringLiteral("wss://") : QStringLiteral("ws://")) + hostAndPort() + u'/' + config_.path;
}

void WebSocketServer::onNewConnection() {
  while (QWebSocket* socket = server_.nextPendingConnection()) {
    const QUrl url = socket->requestUrl();
    QString path = url.path();
    while (path.startsWith(u'/')) path.remove(0, 1);
    const QString peer = QStringLiteral("%1:%2").arg(socket->peerAddress().toString()).arg(socket->peerPort());
    if (path != config_.path) {
      qCInfo(lcRpc, "refused a WebSocket from %s: invalid path %s", qUtf8Printable(peer), qUtf8Printable(log::field(u"path", path)));
      socket->close(QWebSocketProtocol::CloseCodeProtocolError, QStringLiteral("Invalid path"));
      socket->deleteLater();
      continue;
    }
    const QString token = QUrlQuery(url).queryItemValue(QStringLiteral("access_token"), QUrl::FullyDecoded);
    const bool administrator = sameSecret(token.toUtf8(), config_.adminToken);
    if (!config_.accessToken.isEmpty() && !administrator && !sameSecret(token.toUtf8(), config_.accessToken)) {
      qCInfo(lcRpc, "refused a WebSocket from %s: invalid access token", qUtf8Printable(peer));
      socket->close(QWebSocketProtocol::CloseCodePolicyViolated, QStringLiteral("Invalid access token"));
      socket->deleteLater();
      continue;
    }
    socket->setMaxAllowedIncomingMessageSize(static_cast<quint64>(config_.maxMessageBytes));
    socket->setMaxAllowedIncomingFrameSize(static_cast<quint64>(config_.maxMessageBytes));
    auto connection = std::make_shared<WebSocketConnection>(socket, administrator, config_.maxSendQueueBytes);
    connections_.emplace(socket, connection);
    qCDebug(lcRpc, "client %s connected%s", qUtf8Printable(peer), administrator ? " (administrator)" : "");
    // Once stopping, requests are not read: the close frame (1001) is their answer.
    connect(socket, &QWebSocket::textMessageReceived, this, [this, socket](const QString& text) {
      if (stopping_) return;
      auto it = connections_.find(socket);
      if (it != connections_.end()) engine_.handleMessage(it->second, text.toUtf8());
    });
    connect(socket, &QWebSocket::binaryMessageReceived, this, [this, socket](const QByteArray& data) {
      // The protocol uses text frames; a binary frame is treated as its UTF-8 text.
      if (stopping_) return;
      auto it = connections_.find(socket);
      if (it != connections_.end()) engine_.handleMessage(it->second, data);
    });
    connect(socket, &QWebSocket::disconnected, this, [this, socket, peer]() {
      qCDebug(lcRpc, "client %s disconnected", qUtf8Printable(peer));
      onDisconnected(socket);
    });
    connect(socket, &QWebSocket::bytesWritten, this, [weak = std::weak_ptr<WebSocketConnection>(connection)](qint64 bytes) {
      if (auto c = weak.lock()) c->written(bytes);
    });
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
