#pragma once

// The WebSocket JSON-RPC transport (design §1): it only carries text frames between sockets and
// the engine; it knows nothing about media. Path check and access token as spec §1. It owns the
// control port (ControlPort), which also hands plain HTTP requests to the HttpService.

#include "pipewright/engine/Config.h"

#include <QHostAddress>
#include <QObject>
#include <QSslConfiguration>
#include <QWebSocketServer>

#include <memory>
#include <optional>
#include <unordered_map>

class QWebSocket;

namespace pw {

class Engine;
class WebSocketConnection;
class ControlPort;
class HttpService;

class WebSocketServer : public QObject {
  Q_OBJECT

 public:
  WebSocketServer(Engine& engine, const Config& config, QObject* parent = nullptr);
  ~WebSocketServer() override;

  // Starts listening; returns false with a message (address in use, bad address, a
  // non-loopback address without an access token, unreadable TLS files...).
  bool listen(QString* error);

  // The Origin policy (design §6): requests without an Origin header (programs) and pages
  // served from a loopback host pass; other pages only when `allowedOrigins` lists them or "*"
  // (the server's own origins are added to that list, see ownOrigins()).
  static bool originAllowed(const QString& origin, const QStringList& allowedOrigins);
  // The origins of the pages this server serves itself (the tutorials) as other machines load
  // them: http(s)://ADDRESS:PORT for each address it listens on (every interface's address for
  // a wildcard listen, read at each call) and its host name. IP literals and the machine's own
  // name only, so a DNS-rebinding page (a foreign name that resolves to us) is not among them.
  QStringList ownOrigins() const;
  // The server is stopping: listens no more, answers every request still waiting (40003, see
  // Engine::abandonPendingRequests), ignores new ones, and closes every client's socket with
  // 1001 (going away), waiting up to `graceMs` for the clients to acknowledge. The destructor
  // then cuts whatever is left.
  static constexpr int kStopGraceMs = 1000;
  void stop(int graceMs = kStopGraceMs);
  quint16 port() const;
  QString url() const;
  int connectionCount() const { return static_cast<int>(connections_.size()); }

 Q_SIGNALS:
  void connectionCountChanged(int count);

 private:
  void onNewConnection();
  QString hostAndPort() const;
  bool setUpTls(QString* error);
  void onDisconnected(QWebSocket* socket);

  Engine& engine_;
  Config config_;
  QWebSocketServer server_;  // does the handshakes; ControlPort listens
  std::optional<QSslConfiguration> tls_;
  std::unique_ptr<HttpService> http_;
  std::unique_ptr<ControlPort> port_;
  std::unordered_map<QWebSocket*, std::shared_ptr<WebSocketConnection>> connections_;
  bool stopping_ = false;
};

}  // namespace pw
