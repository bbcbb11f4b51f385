#pragma once

// One HTTP request to the engine and its answer (WHIP and WHEP resources on the control port).
// The transport (rpc/HttpService) parses HTTP with QtHttpServer and hands the engine plain
// values: the engine knows nothing of sockets, and the transport nothing of media.

#include <QByteArray>
#include <QList>
#include <QPair>
#include <QString>
#include <QUrlQuery>

#include <functional>

namespace pw {

using HttpHeaders = QList<QPair<QByteArray, QByteArray>>;

// Where HttpPostEndpoint uploads go (`/httppost/<key>`): the only requests whose bodies may be
// as large as Config::maxUploadBytes; every other body is held to maxMessageBytes.
inline constexpr char kHttpPostPathPrefix[] = "/httppost/";

struct HttpRequest {
  QByteArray method;  // "GET", "POST", "PATCH", "DELETE", "OPTIONS"...
  QString path;       // decoded, starting with '/'
  QUrlQuery query;
  HttpHeaders headers;
  QByteArray body;
  QString peer;  // "address:port", for logs and events

  // The first header named `name` (case-insensitive), or empty.
  QByteArray header(const QByteArray& name) const {
    for (const auto& [key, value] : headers) {
      if (key.compare(name, Qt::CaseInsensitive) == 0) return value;
    }
    return {};
  }
};

struct HttpResponse {
  int status = 200;
  HttpHeaders headers;
  QByteArray body;

  HttpResponse& header(const QByteArray& name, const QByteArray& value) {
    headers.append(qMakePair(name, value));
    return *this;
  }

  // A short text/plain answer: errors say what went wrong and what to do.
  static HttpResponse text(int status, const QString& message) {
    return HttpResponse{status, {{"Content-Type", "text/plain; charset=utf-8"}}, message.toUtf8() + '\n'};
  }
};

// Answers the request, exactly once, on the engine thread; possibly after the handler returned.
using HttpRespond = std::function<void(HttpResponse)>;

}  // namespace pw
