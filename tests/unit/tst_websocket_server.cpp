// The control port's transport (rpc/WebSocketServer) as the kernel sees it: the socket of an
// accepted client has TCP_NODELAY. Without it, an event written right behind a reply (the
// IceCandidateFound that gatherCandidates causes, sent just after processOffer's answer) waited
// for the client's delayed ACK: 40 ms on Linux, in the time to first frame of every session.

#include "WebSocketServer.h"
#include "pipewright/engine/Config.h"
#include "pipewright/engine/Engine.h"

#include <QDir>
#include <QSignalSpy>
#include <QTest>
#include <QWebSocket>

#include <arpa/inet.h>
#include <netinet/in.h>
#include <netinet/tcp.h>
#include <sys/socket.h>
#include <sys/stat.h>

#include <memory>

using namespace pw;

namespace {

// This process's TCP sockets bound to `localPort` and connected to a peer (the accepted ones;
// the listener has no peer), as file descriptors.
QList<int> acceptedSockets(quint16 localPort) {
  QList<int> fds;
  const QStringList entries = QDir(QStringLiteral("/proc/self/fd")).entryList(QDir::Files | QDir::System);
  for (const QString& name : entries) {
    bool ok = false;
    const int fd = name.toInt(&ok);
    struct stat st {};
    if (!ok || fstat(fd, &st) != 0 || !S_ISSOCK(st.st_mode)) continue;
    sockaddr_storage local{}, peer{};
    socklen_t localSize = sizeof local, peerSize = sizeof peer;
    if (getsockname(fd, reinterpret_cast<sockaddr*>(&local), &localSize) != 0 || local.ss_family != AF_INET) continue;
    if (ntohs(reinterpret_cast<sockaddr_in*>(&local)->sin_port) != localPort) continue;
    if (getpeername(fd, reinterpret_cast<sockaddr*>(&peer), &peerSize) != 0) continue;
    fds.append(fd);
  }
  return fds;
}

}  // namespace

class TestWebSocketServer : public QObject {
  Q_OBJECT

 private Q_SLOTS:
  void acceptedSocketsHaveNoDelay() {
    Config config;
    config.listen = QStringLiteral("127.0.0.1");
    config.port = 0;
    Engine engine(config);
    WebSocketServer server(engine, config);
    QString error;
    QVERIFY2(server.listen(&error), qPrintable(error));

    QWebSocket client;
    QSignalSpy connected(&client, &QWebSocket::connected);
    client.open(QUrl(server.url()));
    QVERIFY(connected.wait(5000));
    QTRY_COMPARE(server.connectionCount(), 1);

    const QList<int> fds = acceptedSockets(server.port());
    QCOMPARE(fds.size(), 1);
    int noDelay = 0;
    socklen_t size = sizeof noDelay;
    QCOMPARE(getsockopt(fds.first(), IPPROTO_TCP, TCP_NODELAY, &noDelay, &size), 0);
    QVERIFY2(noDelay != 0, "the accepted control socket has Nagle's algorithm on");

    client.close();
    engine.shutdown();
  }
};

QTEST_GUILESS_MAIN(TestWebSocketServer)
#include "tst_websocket_server.moc"
