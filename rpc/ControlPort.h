#pragma once

// The control port's listener (one TCP port, plain or TLS). Every accepted connection is
// classified by its request head, read without consuming it: a WebSocket upgrade goes to the
// JSON-RPC WebSocket server, anything else to the HTTP service (WHIP, WHEP, the start page).
// Both get the socket with the head still unread. A connection that sends no complete head
// within `headTimeoutMs`, or a head larger than kMaxHeadBytes, is answered and closed here.

#include <QHostAddress>
#include <QObject>
#include <QSslConfiguration>

#include <functional>
#include <memory>
#include <optional>

class QTcpServer;
class QTcpSocket;

namespace pw {

class ControlPort : public QObject {
  Q_OBJECT

 public:
  using Handoff = std::function<void(QTcpSocket* socket)>;

  ControlPort(Handoff webSocket, Handoff http, qint64 maxBodyBytes, QObject* parent = nullptr);
  ~ControlPort() override;

  // Listens on `address`:`port`, with TLS when `tls` is given. False with the server's message.
  bool listen(const QHostAddress& address, quint16 port, const std::optional<QSslConfiguration>& tls, QString* error);
  void close();
  quint16 port() const;
  QHostAddress address() const;
  bool secure() const { return secure_; }

  static constexpr qint64 kMaxHeadBytes = 16 * 1024;
  static constexpr int kHeadTimeoutMs = 10000;
  // An HTTP connection with nothing read or written for this long is closed.
  static constexpr int kHttpIdleTimeoutMs = 60000;

 private:
  void onNewConnection();
  void classify(QTcpSocket* socket);

  Handoff webSocket_;
  Handoff http_;
  qint64 maxBodyBytes_;
  std::unique_ptr<QTcpServer> server_;
  bool secure_ = false;
};

}  // namespace pw
