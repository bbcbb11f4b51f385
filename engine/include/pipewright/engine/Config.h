#pragma once

// Server and engine configuration (design §6): one JSON file, overridden by command-line flags.

#include <QJsonObject>
#include <QString>
#include <QStringList>

namespace pw {

struct Config {
  QString listen = QStringLiteral("127.0.0.1");
  int port = 8888;
  QString path = QStringLiteral("kurento");
  QString accessToken;  // empty: no token required
  qint64 maxMessageBytes = 4 * 1024 * 1024;
  int maxSessions = 1000;
  int maxObjectsPerSession = 10000;
  int garbageCollectorPeriodSec = 240;
  QStringList mediaFolders;  // roots where file:// URIs may read and write
  QString metadata;
  QStringList iceLocalAddresses;  // local IPs ICE may use (empty: all interfaces)
  QString pemCertificate;  // DTLS certificate + key (PEM) for every WebRtcEndpoint; empty: ECDSA generated once

  // Applies the keys present in `json`; returns false with a message naming a bad key.
  bool applyJson(const QJsonObject& json, QString* error);
  bool loadFile(const QString& path, QString* error);
  QJsonObject toJson() const;
};

}  // namespace pw
