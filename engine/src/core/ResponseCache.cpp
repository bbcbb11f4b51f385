#include "ResponseCache.h"

#include <QJsonDocument>

namespace pw {
namespace {

// What an entry costs: its key (UTF-16), method, digest, answer, and bookkeeping.
qint64 entryBytes(const QString& key, const QString& method, const QByteArray& digest, qint64 responseBytes) {
  return 2 * (key.size() * 2 + method.size() * 2) + digest.size() + responseBytes + 128;
}

}  // namespace

void ResponseCache::erase(QHash<QString, Entry>::iterator it) {
  bytes_ -= it->bytes;
  entries_.erase(it);
}

void ResponseCache::evict(qint64 nowMs) {
  while (!order_.empty()) {
    const auto& [timeMs, key] = order_.front();
    auto it = entries_.find(key);
    const bool current = it != entries_.end() && it->timeMs == timeMs;
    if (current && nowMs - timeMs <= lifetimeMs_ && bytes_ <= maxBytes_) break;
    if (current) erase(it);
    order_.pop_front();
  }
}

ResponseCache::Lookup ResponseCache::lookup(const QString& key, const QString& method, const QByteArray& paramsDigest,
                                            qint64 nowMs, QJsonObject* response) {
  evict(nowMs);
  auto it = entries_.find(key);
  if (it != entries_.end() && it->method == method && it->paramsDigest == paramsDigest) {
    if (it->response.isEmpty()) return Lookup::Pending;
    *response = it->response;
    return Lookup::Hit;
  }
  if (it != entries_.end()) erase(it);
  Entry entry{nowMs, method, paramsDigest, {}, entryBytes(key, method, paramsDigest, 0)};
  bytes_ += entry.bytes;
  entries_.insert(key, std::move(entry));
  order_.emplace_back(nowMs, key);
  evict(nowMs);
  return Lookup::Miss;
}

void ResponseCache::store(const QString& key, const QJsonObject& response) {
  auto it = entries_.find(key);
  if (it == entries_.end()) return;  // evicted meanwhile
  const qint64 responseBytes = QJsonDocument(response).toJson(QJsonDocument::Compact).size();
  const qint64 bytes = entryBytes(key, it->method, it->paramsDigest, responseBytes);
  bytes_ += bytes - it->bytes;
  it->bytes = bytes;
  it->response = response;
  // An answer bigger than the whole budget is not kept; others push the oldest out.
  if (bytes > maxBytes_) erase(it);
  else evict(it->timeMs);
}

}  // namespace pw
