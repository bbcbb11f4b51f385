#pragma once

// Answers kept for re-sent requests (spec §9): a client that retries a request with the same
// session, id, method and params within the lifetime gets the first answer instead of a second
// execution. Bounded by time and by bytes over all sessions (oldest entries go first).

#include <QByteArray>
#include <QHash>
#include <QJsonObject>
#include <QString>

#include <deque>
#include <utility>

namespace pw {

class ResponseCache {
 public:
  enum class Lookup { Miss, Pending, Hit };

  ResponseCache(qint64 lifetimeMs, qint64 maxBytes) : lifetimeMs_(lifetimeMs), maxBytes_(maxBytes) {}

  // Hit fills `response`; Pending means the first request is still running (answer nothing);
  // Miss records a pending entry that store() completes.
  Lookup lookup(const QString& key, const QString& method, const QByteArray& paramsDigest, qint64 nowMs,
                QJsonObject* response);
  void store(const QString& key, const QJsonObject& response);

  qint64 bytes() const { return bytes_; }
  int size() const { return static_cast<int>(entries_.size()); }

 private:
  struct Entry {
    qint64 timeMs = 0;
    QString method;
    QByteArray paramsDigest;
    QJsonObject response;  // empty while the request is still running
    qint64 bytes = 0;
  };
  void erase(QHash<QString, Entry>::iterator it);
  void evict(qint64 nowMs);

  qint64 lifetimeMs_;
  qint64 maxBytes_;
  qint64 bytes_ = 0;
  QHash<QString, Entry> entries_;
  std::deque<std::pair<qint64, QString>> order_;  // (timeMs, key), oldest first
};

}  // namespace pw
