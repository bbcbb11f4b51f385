#include "ControlPort.h"

#include "HttpRequestFramer.h"
#include "pipewright/engine/Log.h"

#include <QSslServer>
#include <QTcpServer>
#include <QTcpSocket>
#include <QTimer>

#include <netinet/in.h>
#include <netinet/tcp.h>
#include <sys/socket.h>

namespace pw {
namespace {

// Per connection until it is handed over: its deadline, also the context of the connections
// made for classifying (deleting it ends them).
const QString kHeadDeadline = QStringLiteral("pipewright-head-deadline");
// Per HTTP connection once handed over: its request framing (ControlPort::HttpScreen).
const QString kHttpScreen = QStringLiteral("pipewright-http-screen");

// The values of every header line named `name` (case-insensitive) in a request head.
QList<QByteArray> headerValues(const QByteArray& head, const QByteArray& name) {
  QList<QByteArray> values;
  for (const QByteArray& line : head.split('\n')) {
    const int colon = line.indexOf(':');
    if (colon > 0 && line.left(colon).trimmed().compare(name, Qt::CaseInsensitive) == 0) values.append(line.mid(colon + 1).trimmed());
  }
  return values;
}

// Whether a header named `name` lists `token` among its comma-separated values.
bool headerHas(const QByteArray& head, const QByteArray& name, const QByteArray& token) {
  for (const QByteArray& value : headerValues(head, name)) {
    for (const QByteArray& part : value.split(',')) {
      if (part.trimmed().compare(token, Qt::CaseInsensitive) == 0) return true;
    }
  }
  return false;
}

// The first Content-Length (0 without one, -1 when it is not a number).
qint64 contentLength(const QByteArray& head) {
  const QList<QByteArray> values = headerValues(head, "content-length");
  if (values.isEmpty()) return 0;
  bool ok = false;
  const qint64 n = values.first().toLongLong(&ok);
  return ok ? n : -1;
}

// Whether a request head breaks RFC 9112 in ways that let two parsers disagree on where a
// request ends: a request line without three parts, a header line without a field name and
// colon (obsolete folding included), or several Content-Length headers that differ.
bool malformedHead(const QByteArray& head) {
  const QList<QByteArray> lines = head.split('\n');
  if (lines.first().trimmed().split(' ').size() != 3) return true;
  for (qsizetype i = 1; i < lines.size(); ++i) {
    QByteArray line = lines[i];
    if (line.endsWith('\r')) line.chop(1);
    const qsizetype colon = line.indexOf(':');
    if (colon <= 0) return true;
    for (qsizetype c = 0; c < colon; ++c) {
      const char ch = line[c];
      if (ch <= ' ' || ch >= 127 || ch == '"' || ch == '(' || ch == ')' || ch == ',' || ch == '/' || ch == ';' ||
          ch == '<' || ch == '=' || ch == '>' || ch == '?' || ch == '@' || ch == '[' || ch == '\\' || ch == ']' ||
          ch == '{' || ch == '}') {
        return true;
      }
    }
  }
  const QList<QByteArray> lengths = headerValues(head, "content-length");
  for (const QByteArray& value : lengths) {
    if (value != lengths.first()) return true;
  }
  return false;
}

// Answers `status` and closes the connection; the socket frees itself once closed.
void refuse(QTcpSocket* socket, const QByteArray& status, const QByteArray& message) {
  qCInfo(lcHttp, "refused a request from %s:%u: %s (%s)", qUtf8Printable(socket->peerAddress().toString()),
         static_cast<unsigned>(socket->peerPort()), status.constData(), message.constData());
  socket->write("HTTP/1.1 " + status + "\r\nContent-Type: text/plain; charset=utf-8\r\nContent-Length: " +
                QByteArray::number(message.size() + 1) + "\r\nConnection: close\r\n\r\n" + message + "\n");
  QObject::connect(socket, &QTcpSocket::disconnected, socket, &QObject::deleteLater, Qt::UniqueConnection);
  socket->disconnectFromHost();
}

}  // namespace

struct ControlPort::HttpScreen : QObject {
  explicit HttpScreen(QObject* parent) : QObject(parent), framer(kMaxHeadBytes) { setObjectName(kHttpScreen); }
  HttpRequestFramer framer;
  qint64 seenBytes = 0;  // of the socket's unread bytes, how many the framer already has
  int requests = 0;
  bool refused = false;
};

ControlPort::ControlPort(Handoff webSocket, Handoff http, QObject* parent)
    : QObject(parent), webSocket_(std::move(webSocket)), http_(std::move(http)) {}

ControlPort::~ControlPort() { close(); }

bool ControlPort::listen(const QHostAddress& address, quint16 port, const std::optional<QSslConfiguration>& tls,
                         QString* error) {
  if (tls) {
    auto ssl = std::make_unique<QSslServer>();
    ssl->setSslConfiguration(*tls);
    // QSslServer drops a handshake after its own timeout (5 s); the head deadline and the pending-
    // connection cap count handshaking connections too.
    connect(ssl.get(), &QSslServer::startedEncryptionHandshake, this, [this](QSslSocket* socket) { armDeadline(socket, kHeadTimeoutMs); });
    server_ = std::move(ssl);
    secure_ = true;
  } else {
    server_ = std::make_unique<QTcpServer>();
  }
  connect(server_.get(), &QTcpServer::pendingConnectionAvailable, this, &ControlPort::onNewConnection);
  // Out of descriptors, QTcpServer stops accepting; try again a little later.
  connect(server_.get(), &QTcpServer::acceptError, this, [this](QAbstractSocket::SocketError) {
    server_->pauseAccepting();
    QTimer::singleShot(100, this, [this] {
      if (server_) server_->resumeAccepting();
    });
  });
  if (!server_->listen(address, port)) {
    if (error) *error = server_->errorString();
    return false;
  }
  // Replies and events are small frames written back to back (an answer, then the
  // IceCandidateFound it caused): with Nagle's algorithm the second waits for the client's
  // delayed ACK, 40 ms on Linux. Accepted sockets inherit TCP_NODELAY from the listener.
  const int noDelay = 1;
  if (::setsockopt(static_cast<int>(server_->socketDescriptor()), IPPROTO_TCP, TCP_NODELAY, &noDelay, sizeof noDelay) != 0) {
    qCWarning(lcHttp, "cannot set TCP_NODELAY on the control port (replies may wait 40 ms for ACKs)");
  }
  return true;
}

void ControlPort::close() {
  if (server_) server_->close();
}

quint16 ControlPort::port() const { return server_ ? server_->serverPort() : 0; }
QHostAddress ControlPort::address() const { return server_ ? server_->serverAddress() : QHostAddress(); }

void ControlPort::evictOldestPending() {
  while (!pendingOrder_.empty()) {
    QPointer<QTcpSocket> oldest = pendingOrder_.front();
    pendingOrder_.pop_front();
    if (!oldest) continue;
    if (auto* deadline = oldest->findChild<QTimer*>(kHeadDeadline, Qt::FindDirectChildrenOnly)) {
      delete deadline;  // counts it out now
      oldest->abort();
      oldest->deleteLater();
      return;
    }
  }
}

void ControlPort::armDeadline(QTcpSocket* socket, int timeoutMs) {
  if (socket->findChild<QTimer*>(kHeadDeadline, Qt::FindDirectChildrenOnly)) return;
  if (pending_ >= kMaxPendingConnections) evictOldestPending();
  if (pendingOrder_.size() > 2 * static_cast<size_t>(kMaxPendingConnections)) {
    std::erase_if(pendingOrder_, [](const QPointer<QTcpSocket>& s) {
      return !s || !s->findChild<QTimer*>(kHeadDeadline, Qt::FindDirectChildrenOnly);
    });
  }
  pendingOrder_.push_back(socket);
  auto* deadline = new QTimer(socket);
  deadline->setObjectName(kHeadDeadline);
  deadline->setSingleShot(true);
  ++pending_;
  connect(deadline, &QObject::destroyed, this, [this] { --pending_; });
  connect(deadline, &QTimer::timeout, socket, [socket] {
    socket->abort();
    socket->deleteLater();
  });
  deadline->start(timeoutMs);
}

void ControlPort::clearDeadline(QTcpSocket* socket) {
  // (deleteLater: this may run in a connection whose context is the deadline)
  if (auto* deadline = socket->findChild<QTimer*>(kHeadDeadline, Qt::FindDirectChildrenOnly)) {
    deadline->stop();
    deadline->setObjectName(QString());
    QObject::disconnect(socket, nullptr, deadline, nullptr);
    deadline->deleteLater();
  }
}

void ControlPort::allowLargeBodies(LargeBodyCheck accepts, qint64 maxBytes, const QByteArray& configKey) {
  acceptsLargeBody_ = std::move(accepts);
  maxLargeBodyBytes_ = maxBytes;
  largeBodyKey_ = configKey;
}

ControlPort::BodyLimit ControlPort::bodyLimit(QTcpSocket* socket, const QByteArray& head) {
  // Request line: METHOD SP target SP version
  const QList<QByteArray> words = head.left(head.indexOf('\n')).simplified().split(' ');
  if (!acceptsLargeBody_ || words.size() != 3) return {kMaxHttpBodyBytes, QByteArray()};
  const qsizetype query = words[1].indexOf('?');
  const QByteArray path = query < 0 ? words[1] : words[1].left(query);
  if (!acceptsLargeBody_(words[0], path)) return {kMaxHttpBodyBytes, QByteArray()};
  QPointer<QTcpSocket>& holder = uploads_[path];
  // Busy while the other connection's upload is still arriving (once it has arrived, the
  // endpoint itself answers 409 while it plays it).
  if (holder && holder != socket && holder->state() == QAbstractSocket::ConnectedState) {
    const auto* screen = dynamic_cast<const HttpScreen*>(holder->findChild<QObject*>(kHttpScreen, Qt::FindDirectChildrenOnly));
    if (!screen || screen->framer.bodyArriving()) return {0, QByteArray(), true};
  }
  holder = socket;
  uploads_.removeIf([](QHash<QByteArray, QPointer<QTcpSocket>>::iterator it) { return !it.value(); });
  return {maxLargeBodyBytes_, " ('" + largeBodyKey_ + "')"};
}

void ControlPort::onNewConnection() {
  while (QTcpSocket* socket = server_->nextPendingConnection()) {
    socket->setParent(nullptr);
    armDeadline(socket, kHeadTimeoutMs);  // (TLS: armed when the handshake started)
    QTimer* deadline = socket->findChild<QTimer*>(kHeadDeadline, Qt::FindDirectChildrenOnly);
    if (!deadline) {  // (cannot happen: armDeadline never evicts the socket it arms)
      socket->abort();
      socket->deleteLater();
      continue;
    }
    connect(socket, &QTcpSocket::readyRead, deadline, [this, socket] { classify(socket); });
    connect(socket, &QTcpSocket::disconnected, deadline, [socket] { socket->deleteLater(); });
    if (socket->bytesAvailable() > 0) classify(socket);
  }
}

void ControlPort::classify(QTcpSocket* socket) {
  const QByteArray head = socket->peek(kMaxHeadBytes + 4);
  const qsizetype end = head.indexOf("\r\n\r\n");
  if (end < 0) {
    if (head.size() > kMaxHeadBytes) refuse(socket, "431 Request Header Fields Too Large", "request head over 16 KiB");
    return;
  }
  // From here on the socket belongs to whoever takes it.
  clearDeadline(socket);
  const QByteArray lines = head.left(end);
  if (malformedHead(lines)) {
    refuse(socket, "400 Bad Request", "malformed request head");
    return;
  }
  if (headerHas(lines, "upgrade", "websocket")) {
    webSocket_(socket);
    return;
  }
  // Every request on this connection, the first and any later keep-alive one, passes the
  // same checks before QtHttpServer's parser reads it: heads are found by a framer fed with the
  // bytes as they arrive, by a slot connected before QtHttpServer's own.
  auto* screen = new HttpScreen(socket);
  screen->seenBytes = socket->bytesAvailable();
  screen->framer.append(socket->peek(screen->seenBytes));
  if (!screenRequests(socket, screen)) return;
  connect(socket, &QTcpSocket::readyRead, screen, [this, socket, screen] {
    const qint64 available = socket->bytesAvailable();
    if (available > screen->seenBytes) screen->framer.append(socket->peek(available).mid(screen->seenBytes));
    screen->seenBytes = available;
    screenRequests(socket, screen);
  });
  auto* idle = new QTimer(socket);
  idle->setSingleShot(true);
  // QtHttpServer 6.4 answers a request it cannot parse by cutting the socket's signal
  // connections (not closing it): the idle timer, connected to the timer's own signal, still
  // ends such a socket, and frees it.
  connect(idle, &QTimer::timeout, socket, [socket] {
    socket->abort();
    socket->deleteLater();
  });
  connect(socket, &QTcpSocket::readyRead, idle, [idle] { idle->start(kHttpIdleTimeoutMs); });
  connect(socket, &QTcpSocket::bytesWritten, idle, [idle] { idle->start(kHttpIdleTimeoutMs); });
  idle->start(kHttpIdleTimeoutMs);
  http_(socket);
  // What QtHttpServer left unread has been screened; after each of its reads, the same.
  screen->seenBytes = socket->bytesAvailable();
  connect(socket, &QTcpSocket::readyRead, screen, [socket, screen] { screen->seenBytes = socket->bytesAvailable(); });
}

bool ControlPort::screenRequests(QTcpSocket* socket, HttpScreen* screen) {
  if (screen->refused) return false;
  auto refuseHere = [&](const QByteArray& status, const QByteArray& message) {
    screen->refused = true;
    // What is buffered is read here, so QtHttpServer never parses the refused request.
    socket->read(socket->bytesAvailable());
    screen->seenBytes = 0;
    refuse(socket, status, message);
    return false;
  };
  while (std::optional<QByteArray> lines = screen->framer.nextHead()) {
    if (malformedHead(*lines)) return refuseHere("400 Bad Request", "malformed request head");
    if (screen->requests > 0 && headerHas(*lines, "upgrade", "websocket")) {
      return refuseHere("400 Bad Request", "open the WebSocket on a new connection");
    }
    const qint64 length = contentLength(*lines);
    const auto [limit, limitNote, busy] = bodyLimit(socket, *lines);
    if (busy) {
      return refuseHere("409 Conflict",
                        "another upload to this URL is already in progress (still arriving, or playing): wait for its answer");
    }
    if (length < 0 || length > limit) {
      return refuseHere("413 Content Too Large",
                        QByteArray("request body over the limit of ") + QByteArray::number(limit) + " bytes" + limitNote);
    }
    if (headerHas(*lines, "transfer-encoding", "chunked")) return refuseHere("411 Length Required", "send the body with a Content-Length");
    // QtHttpServer keeps a request's bytes buffered until the request is complete.
    if (socket->readBufferSize() < limit + kMaxHeadBytes) socket->setReadBufferSize(limit + kMaxHeadBytes);
    screen->framer.skipBody(length);
    ++screen->requests;
  }
  if (screen->framer.headTooLarge()) return refuseHere("431 Request Header Fields Too Large", "request head over 16 KiB");
  return true;
}

}  // namespace pw
