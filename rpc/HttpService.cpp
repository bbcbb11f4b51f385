#include "HttpService.h"

#include "ControlPort.h"

#include "pipewright/engine/Engine.h"
#include "pipewright/engine/HttpExchange.h"
#include "pipewright/engine/Log.h"

#include <QCoreApplication>
#include <QDir>
#include <QFileInfo>
#include <QRegularExpression>
#include <QUrl>
#include <QHttpServerRequest>
#include <QHttpServerResponder>
#include <QLoggingCategory>
#include <QMetaEnum>
#include <QPointer>
#include <QTcpSocket>

#include <cerrno>
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
    : QAbstractHttpServer(parent), engine_(engine), config_(config), webRoots_(findWebRoots()), inbox_(new Inbox) {
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
  HttpRespond respond = [responder, head, guard = QPointer<QTcpSocket>(socket), method = r.method, path = r.path,
                         peer = r.peer](HttpResponse response) {
    qCDebug(lcHttp, "%s %s from %s: %d", qUtf8Printable(log::clip(QString::fromLatin1(method))), qUtf8Printable(log::clip(path)),
            qUtf8Printable(peer), response.status);
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

QStringList HttpService::findWebRoots() {
  const QString installed = QCoreApplication::applicationDirPath() + QStringLiteral("/../share/pipewright/www");
  if (QFileInfo::exists(installed + QStringLiteral("/whip.html"))) return {QDir(installed).canonicalPath()};
  // A build tree: the pages from the sources, the generated bundles from the build folder.
  QStringList roots;
  for (const QString& dir : {QStringLiteral(PIPEWRIGHT_SOURCE_WWW), QStringLiteral(PIPEWRIGHT_BUILD_WWW)}) {
    if (QFileInfo(dir).isDir()) roots.append(QDir(dir).canonicalPath());
  }
  return roots;
}

HttpResponse HttpService::tutorialFile(const QString& name) const {
  static const QRegularExpression plainName(QStringLiteral("^[a-z0-9][a-z0-9-]*\\.(html|js|css|svg|png)$"));
  static const QHash<QString, QByteArray> types{{QStringLiteral("html"), "text/html; charset=utf-8"},
                                                {QStringLiteral("js"), "text/javascript; charset=utf-8"},
                                                {QStringLiteral("css"), "text/css; charset=utf-8"},
                                                {QStringLiteral("svg"), "image/svg+xml"},
                                                {QStringLiteral("png"), "image/png"}};
  const auto match = plainName.match(name);
  if (webRoots_.isEmpty() || !match.hasMatch()) return HttpResponse::text(404, QStringLiteral("No such page"));
  // Opened without following a link; the QFile owns the descriptor from here.
  int fd = -1;
  for (const QString& root : webRoots_) {
    fd = ::open(QFile::encodeName(root + u'/' + name).constData(), O_RDONLY | O_NOFOLLOW | O_CLOEXEC);
    if (fd >= 0 || errno != ENOENT) break;
  }
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
  // The tutorials (www/*.html, docs/tutorials.md). A script on the page passes its own
  // ?access_token= on to them; the recorder is told the first media folder.
  struct Tutorial {
    const char* page;
    const char* title;
    const char* what;
  };
  static constexpr Tutorial tutorials[] = {
      {"hello-world.html", "Hello world", "your camera through a WebRtcEndpoint and back (loopback)"},
      {"recorder.html", "Recorder", "record your camera to a WebM file, then play the file back"},
      {"player.html", "Player", "play a file, http or rtsp URI in the browser, with pause and seek"},
      {"one2one.html", "One to one call", "two tabs see and hear each other through two connected endpoints"},
      {"one2many.html", "One to many", "one presenter, any number of viewers in other tabs"},
      {"group-call.html", "Group call", "a Composite puts every tab's camera in one picture"},
      {"magic-mirror.html", "Magic mirror", "FaceOverlayFilter draws a hat on every face"},
      {"chroma.html", "Chroma", "ChromaFilter puts a background image where your wall's colour is"},
      {"data-channel.html", "Data channel", "messages through a WebRtcEndpoint's data channel and back"},
      {"stats.html", "Live statistics", "the browser's and the server's getStats side by side, every second"},
      {"rtp-receiver.html", "RTP receiver", "plain RTP from gst-launch-1.0 into the browser (shows the SDP and the command)"},
      {"whip.html", "Publish your camera with WHIP", "WHIP ingest without a Kurento client"},
      {"whep.html", "Play a stream with WHEP", "WHEP playback without a Kurento client"},
  };
  const QString wsPath = config_.path;
  QByteArray list;
  for (const Tutorial& t : tutorials) {
    QByteArray href = QByteArray("/tutorials/") + t.page;
    if (qstrcmp(t.page, "recorder.html") == 0 && !config_.mediaFolders.isEmpty()) {
      href += "?folder=" + QUrl::toPercentEncoding(config_.mediaFolders.first());
    }
    list += "<li><a href=\"" + htmlEscaped(QString::fromUtf8(href)) + "\">" + t.title + "</a> — " + t.what + "</li>\n";
  }
  return "<!doctype html>\n<html lang=\"en\"><head><meta charset=\"utf-8\"><title>Pipewright</title>"
         "<link rel=\"stylesheet\" href=\"/tutorials/tutorial.css\"></head><body>\n"
         "<h1>Pipewright media server " +
         htmlEscaped(QCoreApplication::applicationVersion()) +
         "</h1>\n<p>Kurento clients connect to <code>" + htmlEscaped(webSocketUrl_) +
         "</code>.</p>\n<p>WHIP and WHEP endpoints answer under <code>/whip/</code> and <code>/whep/</code>: create a "
         "<code>WhipEndpoint</code> or <code>WhepEndpoint</code> and read its <code>url</code> property.</p>\n"
         "<h2>Tutorials</h2>\n<p>Each page drives this server from the browser with kurento-client and kurento-utils "
         "(served from here; nothing is loaded from elsewhere).</p>\n<ul id=\"tutorials\">\n" +
         list +
         "</ul>\n<script>\n"
         "const own = new URLSearchParams(location.search);\n"
         "const ws = " + (wsPath == u"kurento" ? QByteArray("null") : "'" + QUrl::toPercentEncoding(wsPath) + "'") + ";\n"
         "for (const a of document.querySelectorAll('#tutorials a')) {\n"
         "  const url = new URL(a.getAttribute('href'), location.href);\n"
         "  if (own.has('access_token')) url.searchParams.set('access_token', own.get('access_token'));\n"
         "  if (ws) url.searchParams.set('ws', decodeURIComponent(ws));\n"
         "  a.href = url.pathname + url.search;\n"
         "}\n</script>\n</body></html>\n";
}

}  // namespace pw
