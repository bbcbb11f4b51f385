#pragma once

// The control port's listener (one TCP port, plain or TLS). Every accepted connection is
// classified by its request head, read without consuming it: a WebSocket upgrade goes to the
// JSON-RPC WebSocket server, anything else to the HTTP service (WHIP, WHEP, the start page).
// Both get the socket with the head still unread. Later requests on a keep-alive HTTP connection
// get the same checks as the first, before QtHttpServer reads them. A connection that sends no complete head
// within `headTimeoutMs`, or a head larger than kMaxHeadBytes, is answered and closed here.

#include <QHash>
#include <QHostAddress>
#include <QObject>
#include <QPointer>
#include <QSslConfiguration>

#include <deque>
#include <functional>
#include <memory>
#include <optional>
#include <utility>

class QTcpServer;
class QTcpSocket;

namespace pw {

class ControlPort : public QObject {
  Q_OBJECT

 public:
  using Handoff = std::function<void(QTcpSocket* socket)>;

  ControlPort(Handoff webSocket, Handoff http, QObject* parent = nullptr);
  ~ControlPort() override;

  // Listens on `address`:`port`, with TLS when `tls` is given. False with the server's message.
  bool listen(const QHostAddress& address, quint16 port, const std::optional<QSslConfiguration>& tls, QString* error);
  void close();
  quint16 port() const;
  QHostAddress address() const;
  bool secure() const { return secure_; }
  // Whether a request (method, path without query) may carry a large body.
  using LargeBodyCheck = std::function<bool(const QByteArray& method, const QByteArray& path)>;
  // Requests that `accepts` may carry bodies up to `maxBytes` instead of kMaxHttpBodyBytes
  // (HttpPostEndpoint media uploads: only to an endpoint that exists and is free), one
  // connection per path at a time; `configKey` is named in their 413.
  void allowLargeBodies(LargeBodyCheck accepts, qint64 maxBytes, const QByteArray& configKey);

  static constexpr qint64 kMaxHeadBytes = 16 * 1024;
  // An HTTP body (an SDP offer, a trickle fragment) is small: larger ones get 413.
  static constexpr qint64 kMaxHttpBodyBytes = 256 * 1024;
  // A connection that has not sent its first request head (TLS handshake included) this long
  // after being accepted is closed.
  static constexpr int kHeadTimeoutMs = 10000;
  // An HTTP connection with nothing read or written for this long is closed.
  static constexpr int kHttpIdleTimeoutMs = 60000;
  // Connections not yet handed over (handshaking, sending their head) at once: past this, the
  // oldest such connection is closed for each new one, so that silent connections can neither
  // use up the server's descriptors nor keep a real client (which sends its head at once) out.
  static constexpr int kMaxPendingConnections = 256;
  int pendingConnections() const { return pending_; }

 private:
  void onNewConnection();
  void classify(QTcpSocket* socket);
  // An HTTP connection's request framing (HttpRequestFramer) and how much of the socket's
  // buffer it has seen; a child of the socket.
  struct HttpScreen;
  // Checks every request head completed so far on an HTTP connection (malformed, body limits,
  // chunked, a late WebSocket upgrade); refuses and closes the connection on the first bad one.
  bool screenRequests(QTcpSocket* socket, HttpScreen* screen);
  // The body limit for a request head, and what the 413 says sets it.
  // Large bodies are granted to `socket` only (one upload per path): a second gets 409 (`busy`).
  struct BodyLimit {
    qint64 bytes;
    QByteArray note;
    bool busy = false;
  };
  BodyLimit bodyLimit(QTcpSocket* socket, const QByteArray& head);
  // Closes `socket` after `timeoutMs` unless it was handed over (or this deadline was cleared).
  void armDeadline(QTcpSocket* socket, int timeoutMs);
  void clearDeadline(QTcpSocket* socket);
  // Makes room for one more pending connection by closing the oldest one.
  void evictOldestPending();

  Handoff webSocket_;
  Handoff http_;
  std::unique_ptr<QTcpServer> server_;
  bool secure_ = false;
  LargeBodyCheck acceptsLargeBody_;  // none: no request may exceed kMaxHttpBodyBytes
  QHash<QByteArray, QPointer<QTcpSocket>> uploads_;  // path → the connection granted a large body
  qint64 maxLargeBodyBytes_ = 0;
  QByteArray largeBodyKey_;
  int pending_ = 0;  // sockets with an armed head deadline
  std::deque<QPointer<QTcpSocket>> pendingOrder_;  // oldest first; entries handed over are skipped
};

}  // namespace pw
