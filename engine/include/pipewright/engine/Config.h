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
  QString adminToken;   // a client presenting it sees and drives every session's objects; empty: nobody
  QStringList allowedOrigins;  // Origin headers allowed to open the control socket besides loopback pages ("*": any)
  QString tlsCertificate;      // PEM certificate chain for wss:// (with tlsKey); empty: plain ws://
  QString tlsKey;              // PEM private key for wss://
  bool insecure = false;       // allow a non-loopback listen address without an access token
  qint64 maxMessageBytes = 4 * 1024 * 1024;
  qint64 maxUploadBytes = 512LL * 1024 * 1024;  // one HTTP POST upload to an HttpPostEndpoint (other HTTP bodies: maxMessageBytes)
  int maxSessions = 1000;
  int maxObjectsPerSession = 10000;
  int garbageCollectorPeriodSec = 240;
  qint64 maxSendQueueBytes = 16 * 1024 * 1024;   // unsent answers/events per socket before it is dropped
  int maxSubscriptionsPerSession = 10000;
  int maxSessionIdBytes = 128;                   // longer client-chosen session ids are refused
  qint64 responseCacheBytes = 16 * 1024 * 1024;  // answers kept for re-sent requests, all sessions
  qint64 maxDotBytes = 4 * 1024 * 1024;          // getGstreamerDot answer size
  int dotCallsPerSecond = 5;                     // getGstreamerDot/dumpGstreamerDot per session
  qint64 remoteImageMaxBytes = 8 * 1024 * 1024;    // one http(s) overlay image
  int remoteImageTimeoutMs = 10000;                // fetching one http(s) overlay image
  qint64 remoteImageCacheBytes = 32 * 1024 * 1024; // fetched overlay images kept for reuse, all sessions
  QStringList mediaFolders;  // roots where file:// URIs may read and write
  QString metadata;
  QStringList iceLocalAddresses;  // local IPs ICE may use (empty: all interfaces)
  QStringList iceInterfaces;      // network interface names ICE may use (added to iceLocalAddresses)
  QStringList gstreamerFilterAllowedElements;  // extra element factories GStreamerFilter may build
  QStringList remoteUriAllowedHosts;  // hosts/CIDRs fetched even when private (only matters off loopback)
  QString remoteUriPolicy = QStringLiteral("auto");  // "auto": restrict remote URIs off loopback; "restricted": always
  QString pemCertificate;  // DTLS certificate + key (PEM) for every WebRtcEndpoint; empty: ECDSA generated once
  int jitterBufferLatencyMs = 20;  // receive jitter buffer of WebRtcEndpoint and RtpEndpoint (they relay, no decode)
  int shutdownTimeoutSec = 10;     // after SIGTERM/SIGINT, exit anyway when a clean shutdown takes longer
  QString webrtcTransport = QStringLiteral("lean");  // "lean": libnice/OpenSSL/libsrtp2 on media threads; "webrtcbin"
  int mediaThreads = 0;            // threads of the lean media path (0: one per core, at most 4)
  QString logLevel = QStringLiteral("info");  // error, warning, info or debug (--log-level; docs/configuration.md#logs)

  // Applies the keys present in `json`; returns false with a message naming a bad key.
  bool applyJson(const QJsonObject& json, QString* error);
  bool loadFile(const QString& path, QString* error);
  QJsonObject toJson() const;

  // True when the control port listens on a loopback address only.
  bool listensOnLoopbackOnly() const;
  // The local addresses ICE may gather on: iceLocalAddresses plus the addresses of iceInterfaces;
  // when neither is set, loopback only while the control port is loopback-only, else empty (every
  // interface).
  QStringList iceAddresses() const;
};

}  // namespace pw
