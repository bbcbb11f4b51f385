#include "pipewright/engine/Config.h"

#include "pipewright/engine/Log.h"

#include <QDir>
#include <QFile>
#include <QJsonArray>
#include <QJsonDocument>

#include <algorithm>
#include <limits>

#include <arpa/inet.h>
#include <ifaddrs.h>
#include <netinet/in.h>

namespace pw {

bool Config::applyJson(const QJsonObject& json, QString* error) {
  auto bad = [&](const QString& key, const char* expected) {
    if (error) *error = QStringLiteral("config key '%1' should be %2").arg(key, QLatin1String(expected));
    return false;
  };
  for (auto it = json.begin(); it != json.end(); ++it) {
    const QString& key = it.key();
    const QJsonValue& v = it.value();
    if (key == u"listen" || key == u"path" || key == u"accessToken" || key == u"metadata" || key == u"adminToken") {
      if (!v.isString()) return bad(key, "a string");
      if (key == u"listen") listen = v.toString();
      else if (key == u"path") path = v.toString();
      else if (key == u"accessToken") accessToken = v.toString();
      else if (key == u"adminToken") adminToken = v.toString();
      else metadata = v.toString();
    } else if (key == u"tlsCertificate" || key == u"tlsKey") {
      if (!v.isString() || (!v.toString().isEmpty() && !QDir::isAbsolutePath(v.toString()))) {
        return bad(key, "the absolute path of a PEM file");
      }
      (key == u"tlsCertificate" ? tlsCertificate : tlsKey) = v.toString();
    } else if (key == u"insecure") {
      if (!v.isBool()) return bad(key, "true or false");
      insecure = v.toBool();
    } else if (key == u"allowedOrigins" || key == u"iceInterfaces" || key == u"gstreamerFilterAllowedElements" ||
               key == u"remoteUriAllowedHosts") {
      if (!v.isArray()) return bad(key, "an array of strings");
      QStringList list;
      for (const auto& e : v.toArray()) {
        if (!e.isString() || e.toString().isEmpty()) return bad(key, "an array of strings");
        list.append(e.toString());
      }
      if (key == u"allowedOrigins") allowedOrigins = list;
      else if (key == u"iceInterfaces") iceInterfaces = list;
      else if (key == u"gstreamerFilterAllowedElements") gstreamerFilterAllowedElements = list;
      else remoteUriAllowedHosts = list;
    } else if (key == u"maxSendQueueBytes" || key == u"maxSubscriptionsPerSession" || key == u"maxSessionIdBytes" ||
               key == u"responseCacheBytes" || key == u"maxDotBytes" || key == u"dotCallsPerSecond" ||
               key == u"remoteImageMaxBytes" || key == u"remoteImageTimeoutMs" || key == u"remoteImageCacheBytes" ||
               key == u"maxUploadBytes") {
      if (!v.isDouble() || v.toDouble() < 1) return bad(key, "a positive number");
      const auto n = static_cast<qint64>(std::min(v.toDouble(), 1e15));
      const int small = static_cast<int>(std::min<qint64>(n, std::numeric_limits<int>::max()));
      if (key == u"maxSendQueueBytes") maxSendQueueBytes = n;
      else if (key == u"maxSubscriptionsPerSession") maxSubscriptionsPerSession = small;
      else if (key == u"maxSessionIdBytes") maxSessionIdBytes = small;
      else if (key == u"responseCacheBytes") responseCacheBytes = n;
      else if (key == u"maxDotBytes") maxDotBytes = n;
      else if (key == u"remoteImageMaxBytes") remoteImageMaxBytes = n;
      else if (key == u"remoteImageTimeoutMs") remoteImageTimeoutMs = small;
      else if (key == u"remoteImageCacheBytes") remoteImageCacheBytes = n;
      else if (key == u"maxUploadBytes") maxUploadBytes = n;
      else dotCallsPerSecond = small;
    } else if (key == u"port" || key == u"maxSessions" || key == u"maxObjectsPerSession" ||
               key == u"garbageCollectorPeriodSec" || key == u"maxMessageBytes") {
      if (!v.isDouble() || v.toDouble() < 0) return bad(key, "a non-negative number");
      const auto n = static_cast<qint64>(v.toDouble());
      if (key == u"port") {
        if (n > 65535) return bad(key, "a port number (0-65535)");
        port = static_cast<int>(n);
      } else if (key == u"maxSessions") maxSessions = static_cast<int>(n);
      else if (key == u"maxObjectsPerSession") maxObjectsPerSession = static_cast<int>(n);
      else if (key == u"garbageCollectorPeriodSec") garbageCollectorPeriodSec = static_cast<int>(std::max<qint64>(1, n));
      else maxMessageBytes = n;
    } else if (key == u"jitterBufferLatencyMs" || key == u"shutdownTimeoutSec") {
      const double max = key == u"jitterBufferLatencyMs" ? 10000 : 3600;
      if (!v.isDouble() || v.toDouble() < 0 || v.toDouble() > max) return bad(key, max > 5000 ? "a number from 0 to 10000" : "a number from 0 to 3600");
      (key == u"jitterBufferLatencyMs" ? jitterBufferLatencyMs : shutdownTimeoutSec) = static_cast<int>(v.toDouble());
    } else if (key == u"iceLocalAddresses") {
      if (!v.isArray()) return bad(key, "an array of IP addresses");
      iceLocalAddresses.clear();
      for (const auto& a : v.toArray()) {
        if (!a.isString()) return bad(key, "an array of IP addresses");
        iceLocalAddresses.append(a.toString());
      }
    } else if (key == u"webrtcTransport") {
      if (!v.isString() || (v.toString() != u"lean" && v.toString() != u"webrtcbin")) return bad(key, "\"lean\" or \"webrtcbin\"");
      webrtcTransport = v.toString();
    } else if (key == u"logLevel") {
      if (!v.isString() || !log::isLevel(v.toString())) return bad(key, "\"error\", \"warning\", \"info\" or \"debug\"");
      logLevel = v.toString();
    } else if (key == u"mediaThreads") {
      if (!v.isDouble() || v.toDouble() < 0 || v.toDouble() > 64) return bad(key, "a number from 0 (one per core) to 64");
      mediaThreads = static_cast<int>(v.toDouble());
    } else if (key == u"remoteUriPolicy") {
      if (!v.isString() || (v.toString() != u"auto" && v.toString() != u"restricted")) {
        return bad(key, "\"auto\" or \"restricted\"");
      }
      remoteUriPolicy = v.toString();
    } else if (key == u"pemCertificate") {
      if (!v.isString() || (!v.toString().isEmpty() && !QDir::isAbsolutePath(v.toString()))) {
        return bad(key, "the absolute path of a PEM file holding the certificate and its private key");
      }
      pemCertificate = v.toString();
    } else if (key == u"mediaFolders") {
      if (!v.isArray()) return bad(key, "an array of folder paths");
      mediaFolders.clear();
      for (const auto& f : v.toArray()) {
        if (!f.isString() || !QDir::isAbsolutePath(f.toString())) return bad(key, "an array of absolute folder paths");
        mediaFolders.append(QDir::cleanPath(f.toString()));
      }
    } else {
      // Unknown keys are tolerated so newer config files work with older binaries.
    }
  }
  path = path.startsWith(u'/') ? path.mid(1) : path;
  return true;
}

bool Config::loadFile(const QString& filePath, QString* error) {
  QFile f(filePath);
  if (!f.open(QIODevice::ReadOnly)) {
    if (error) *error = QStringLiteral("cannot read config file %1: %2").arg(filePath, f.errorString());
    return false;
  }
  QJsonParseError pe;
  const auto doc = QJsonDocument::fromJson(f.readAll(), &pe);
  if (!doc.isObject()) {
    if (error) *error = QStringLiteral("config file %1 is not a JSON object: %2").arg(filePath, pe.errorString());
    return false;
  }
  return applyJson(doc.object(), error);
}

QJsonObject Config::toJson() const {
  return QJsonObject{{QStringLiteral("listen"), listen},
                     {QStringLiteral("port"), port},
                     {QStringLiteral("path"), path},
                     {QStringLiteral("accessToken"), accessToken},
                     {QStringLiteral("adminToken"), adminToken},
                     {QStringLiteral("allowedOrigins"), QJsonArray::fromStringList(allowedOrigins)},
                     {QStringLiteral("tlsCertificate"), tlsCertificate},
                     {QStringLiteral("tlsKey"), tlsKey},
                     {QStringLiteral("insecure"), insecure},
                     {QStringLiteral("iceInterfaces"), QJsonArray::fromStringList(iceInterfaces)},
                     {QStringLiteral("gstreamerFilterAllowedElements"), QJsonArray::fromStringList(gstreamerFilterAllowedElements)},
                     {QStringLiteral("remoteUriAllowedHosts"), QJsonArray::fromStringList(remoteUriAllowedHosts)},
                     {QStringLiteral("remoteUriPolicy"), remoteUriPolicy},
                     {QStringLiteral("maxMessageBytes"), maxMessageBytes},
                     {QStringLiteral("maxUploadBytes"), maxUploadBytes},
                     {QStringLiteral("maxSessions"), maxSessions},
                     {QStringLiteral("maxObjectsPerSession"), maxObjectsPerSession},
                     {QStringLiteral("garbageCollectorPeriodSec"), garbageCollectorPeriodSec},
                     {QStringLiteral("maxSendQueueBytes"), maxSendQueueBytes},
                     {QStringLiteral("maxSubscriptionsPerSession"), maxSubscriptionsPerSession},
                     {QStringLiteral("maxSessionIdBytes"), maxSessionIdBytes},
                     {QStringLiteral("responseCacheBytes"), responseCacheBytes},
                     {QStringLiteral("maxDotBytes"), maxDotBytes},
                     {QStringLiteral("dotCallsPerSecond"), dotCallsPerSecond},
                     {QStringLiteral("remoteImageMaxBytes"), remoteImageMaxBytes},
                     {QStringLiteral("remoteImageTimeoutMs"), remoteImageTimeoutMs},
                     {QStringLiteral("remoteImageCacheBytes"), remoteImageCacheBytes},
                     {QStringLiteral("mediaFolders"), QJsonArray::fromStringList(mediaFolders)},
                     {QStringLiteral("metadata"), metadata},
                     {QStringLiteral("iceLocalAddresses"), QJsonArray::fromStringList(iceLocalAddresses)},
                     {QStringLiteral("pemCertificate"), pemCertificate},
                     {QStringLiteral("jitterBufferLatencyMs"), jitterBufferLatencyMs},
                     {QStringLiteral("shutdownTimeoutSec"), shutdownTimeoutSec},
                     {QStringLiteral("webrtcTransport"), webrtcTransport},
                     {QStringLiteral("mediaThreads"), mediaThreads},
                     {QStringLiteral("logLevel"), logLevel}};
}

QStringList Config::iceAddresses() const {
  if (iceLocalAddresses.isEmpty() && iceInterfaces.isEmpty()) {
    return listensOnLoopbackOnly() ? QStringList{QStringLiteral("127.0.0.1"), QStringLiteral("::1")} : QStringList{};
  }
  QStringList out = iceLocalAddresses;
  ifaddrs* list = nullptr;
  if (!iceInterfaces.isEmpty() && getifaddrs(&list) == 0) {
    for (ifaddrs* i = list; i; i = i->ifa_next) {
      if (!i->ifa_addr || !iceInterfaces.contains(QString::fromLocal8Bit(i->ifa_name))) continue;
      const int family = i->ifa_addr->sa_family;
      if (family != AF_INET && family != AF_INET6) continue;
      char text[INET6_ADDRSTRLEN] = {};
      const void* raw = family == AF_INET ? static_cast<const void*>(&reinterpret_cast<sockaddr_in*>(i->ifa_addr)->sin_addr)
                                          : static_cast<const void*>(&reinterpret_cast<sockaddr_in6*>(i->ifa_addr)->sin6_addr);
      if (family == AF_INET6 && IN6_IS_ADDR_LINKLOCAL(static_cast<const in6_addr*>(raw))) continue;
      if (inet_ntop(family, raw, text, sizeof text)) out.append(QString::fromLatin1(text));
    }
    freeifaddrs(list);
  }
  out.removeDuplicates();
  // An interface that has no address yet must not widen ICE to every interface.
  if (out.isEmpty()) out.append(QStringLiteral("127.0.0.1"));
  return out;
}

bool Config::listensOnLoopbackOnly() const {
  if (listen == u"localhost") return true;
  const QByteArray text = listen.toLatin1();
  in_addr v4{};
  if (inet_pton(AF_INET, text.constData(), &v4) == 1) return (ntohl(v4.s_addr) >> 24) == 127;
  in6_addr v6{};
  if (inet_pton(AF_INET6, text.constData(), &v6) == 1) return IN6_IS_ADDR_LOOPBACK(&v6);
  return false;
}

}  // namespace pw
