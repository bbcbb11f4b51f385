#include "HttpService.h"

#include "ControlPort.h"

#include "pipewright/engine/Engine.h"
#include "pipewright/engine/HttpExchange.h"

#include <QCoreApplication>
#include <QDir>
#include <QFileInfo>
#include <QRegularExpression>
#include <QHttpServerRequest>
#include <QHttpServerResponder>
#include <QLoggingCategory>
#include <QMetaEnum>
#include <QPointer>
#include <QTcpSocket>

#include <fcntl.h>
#include <sys/stat.h>
#include <unistd.h>

namespace pw {
namespace {

QLoggingCategory::CategoryFilter previousFilter = nullptr;

// QtHttpServer warns that the inbox "is not listening": it is not meant to.
void quietHttpServerWarnings(QLoggingCategory* category) {
  if (qstrcmp(category->categoryName(), "qt.httpserver") == 0) category->setEnabled(QtWarningMsg, false);
  else if (previousFilter) previousFilter(category);
}

QByteArray methodName(QHttpServerRequest::Method method) {
  switch (method) {
    case QHttpServerRequest::Method::Get: return "GET";
    case QHttpServerRequest::Method::Put: return "PUT";
    case QHttpServerRequest::Method::Delete: return "DELETE";
    case QHttpServerRequest::Method::Post: return "POST";
    case QHttpServerRequest::Method::Head: return "HEAD";
    case QHttpServerRequest::Method::Options: return "OPTIONS";
    case QHttpServerRequest::Method::Patch: return "PATCH";
    default: return "OTHER";
  }
}

QHttpServerResponder::StatusCode statusCode(int status) {
  const QMetaEnum codes = QMetaEnum::fromType<QHttpServerResponder::StatusCode>();
  return codes.valueToKey(status) ? static_cast<QHttpServerResponder::StatusCode>(status)
                                  : QHttpServerResponder::StatusCode::InternalServerError;
}

QByteArray htmlEscaped(const QString& text) { return text.toHtmlEscaped().toUtf8(); }

}  // namespace

void HttpService::Inbox::put(QTcpSocket* socket) {
  queue_.append(socket);
  // The signal QtHttpServer listens to is private to QTcpServer: emitted by name.
  QMetaObject::invokeMethod(this, "pendingConnectionAvailable", Qt::DirectConnection);
}

HttpService::HttpService(Engine& engine, const Config& config, QObject* parent)
    : QAbstractHttpServer(parent), engine_(engine), config_(config), webRoot_(findWebRoot()), inbox_(new Inbox) {
  previousFilter = QLoggingCategory::installFilter(quietHttpServerWarnings);
  bind(inbox_);  // parents the inbox to this service
  QLoggingCategory::installFilter(previousFilter);
}

HttpService::~HttpService() = default;

void HttpService::take(QTcpSocket* socket) {
  socket->setParent(inbox_);
  inbox_->put(socket);
  // The head was only peeked at: QtHttpServer reads it when told that data is there.
  if (socket->bytesAvailable() > 0) Q_EMIT socket->readyRead();
}

bool HttpService::handleRequest(const QHttpServerRequest& request, QTcpSocket* socket) {
  HttpRequest r;
  r.method = methodName(request.method());
  r.path = request.url().path();
  r.query = request.query();
  r.headers = request.headers();
  r.body = request.body();
  r.peer = QStringLiteral("%1:%2").arg(socket->peerAddress().toString()).arg(socket->peerPort());

  auto responder = std::make_shared<QHttpServerResponder>(makeResponder(request, socket));
  const bool head = r.method == "HEAD";
  HttpRespond respond = [responder, head, guard = QPointer<QTcpSocket>(socket)](HttpResponse response) {
    if (!guard || !guard->isOpen()) return;  // the client left before its answer
    response.header("Cache-Control", "no-store");
    // QHttpServerResponder 6.4 takes only literal header lists: write the parts one by one.
    responder->writeStatusLine(statusCode(response.status));
    for (const auto& [name, value] : response.headers) responder->writeHeader(name, value);
    // RFC 9110: no Content-Length on 204; HEAD gets the length but not the body.
    if (response.status != 204) responder->writeHeader("Content-Length", QByteArray::number(response.body.size()));
    responder->writeBody(head || response.status == 204 ? QByteArray() : response.body);
  };

  // A connection allowed a large upload (ControlPort) may send later requests on it: only
  // uploads get the larger limit.
  if (r.body.size() > ControlPort::kMaxHttpBodyBytes && !r.path.startsWith(QLatin1String(kHttpPostPathPrefix))) {
    respond(HttpResponse::text(413, QStringLiteral("request body over the limit of %1 bytes").arg(ControlPort::kMaxHttpBodyBytes)));
    return true;
  }
  const QString wsPath = u'/' + config_.path;
  if (r.path == wsPath) {
    respond(HttpResponse{426,
                         {{"Upgrade", "websocket"}, {"Connection", "Upgrade"}, {"Content-Type", "text/plain; charset=utf-8"}},
                         QStringLiteral("This is Pipewright's Kurento JSON-RPC endpoint: connect to %1 with a WebSocket "
                                        "client (kurento-client, kurento-java).\n")
                             .arg(webSocketUrl_)
                             .toUtf8()});
    return true;
  }
  if (r.path == u"/" && (r.method == "GET" || r.method == "HEAD")) {
    respond(HttpResponse{200, {{"Content-Type", "text/html; charset=utf-8"}}, startPage()});
    return true;
  }
  if (r.path.startsWith(u"/tutorials/") && (r.method == "GET" || r.method == "HEAD")) {
    respond(tutorialFile(r.path.mid(11)));
    return true;
  }
  engine_.handleHttp(r, std::move(respond));
  return true;
}

QString HttpService::findWebRoot() {
  const QString installed = QCoreApplication::applicationDirPath() + QStringLiteral("/../share/pipewright/www");
  for (const QString& dir : {installed, QStringLiteral(PIPEWRIGHT_SOURCE_WWW)}) {
    if (QFileInfo::exists(dir + QStringLiteral("/whip.html"))) return QDir(dir).canonicalPath();
  }
  return {};
}

HttpResponse HttpService::tutorialFile(const QString& name) const {
  static const QRegularExpression plainName(QStringLiteral("^[a-z0-9][a-z0-9-]*\\.(html|js|css|svg|png)$"));
  static const QHash<QString, QByteArray> types{{QStringLiteral("html"), "text/html; charset=utf-8"},
                                                {QStringLiteral("js"), "text/javascript; charset=utf-8"},
                                                {QStringLiteral("css"), "text/css; charset=utf-8"},
                                                {QStringLiteral("svg"), "image/svg+xml"},
                                                {QStringLiteral("png"), "image/png"}};
  const auto match = plainName.match(name);
  if (webRoot_.isEmpty() || !match.hasMatch()) return HttpResponse::text(404, QStringLiteral("No such page"));
  // Opened without following a link; the QFile owns the descriptor from here.
  const int fd = ::open(QFile::encodeName(webRoot_ + u'/' + name).constData(), O_RDONLY | O_NOFOLLOW | O_CLOEXEC);
  QFile file;
  if (fd < 0 || !file.open(fd, QIODevice::ReadOnly, QFileDevice::AutoCloseHandle)) {
    if (fd >= 0) ::close(fd);
    return HttpResponse::text(404, QStringLiteral("No such page"));
  }
  struct stat st {};
  constexpr qint64 kMaxPageBytes = 4 * 1024 * 1024;
  if (::fstat(fd, &st) != 0 || !S_ISREG(st.st_mode) || st.st_size > kMaxPageBytes) {
    return HttpResponse::text(404, QStringLiteral("No such page"));
  }
  const QByteArray body = file.readAll();
  return HttpResponse{200, {{"Content-Type", types.value(match.captured(1))}, {"X-Content-Type-Options", "nosniff"}}, body};
}

void HttpService::missingHandler(const QHttpServerRequest& request, QTcpSocket* socket) {
  makeResponder(request, socket).write(QByteArray("not found\n"), {{"Content-Type", "text/plain; charset=utf-8"}},
                                       QHttpServerResponder::StatusCode::NotFound);
}

QByteArray HttpService::startPage() const {
  return "<!doctype html>\n<html><head><meta charset=\"utf-8\"><title>Pipewright</title></head><body>\n"
         "<h1>Pipewright media server " +
         htmlEscaped(QCoreApplication::applicationVersion()) +
         "</h1>\n<p>Kurento clients connect to <code>" + htmlEscaped(webSocketUrl_) +
         "</code>.</p>\n<p>WHIP and WHEP endpoints answer under <code>/whip/</code> and <code>/whep/</code>: create a "
         "<code>WhipEndpoint</code> or <code>WhepEndpoint</code> and read its <code>url</code> property.</p>\n"
         "<h2>Tutorials</h2>\n<ul>\n"
         "<li><a href=\"/tutorials/whip.html\">Publish your camera with WHIP</a></li>\n"
         "<li><a href=\"/tutorials/whep.html\">Play a stream with WHEP</a></li>\n</ul>\n"
         "</body></html>\n";
}

}  // namespace pw
