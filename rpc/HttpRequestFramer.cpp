#include "HttpRequestFramer.h"

#include <algorithm>

namespace pw {

void HttpRequestFramer::append(const QByteArray& bytes) {
  pending_.append(bytes);
  consumeBody();
}

std::optional<QByteArray> HttpRequestFramer::nextHead() {
  if (awaitingBody_ || bodyLeft_ > 0) return std::nullopt;
  // RFC 9112 §2.2: empty lines before a request line are ignored.
  while (pending_.startsWith("\r\n")) pending_.remove(0, 2);
  const qsizetype end = pending_.indexOf("\r\n\r\n");
  if (end < 0) return std::nullopt;
  QByteArray head = pending_.left(end);
  pending_.remove(0, end + 4);
  awaitingBody_ = true;
  return head;
}

void HttpRequestFramer::skipBody(qint64 bodyBytes) {
  awaitingBody_ = false;
  bodyLeft_ = std::max<qint64>(0, bodyBytes);
  consumeBody();
}

bool HttpRequestFramer::headTooLarge() const {
  return !awaitingBody_ && bodyLeft_ == 0 && pending_.size() > maxHeadBytes_ && pending_.indexOf("\r\n\r\n") < 0;
}

void HttpRequestFramer::consumeBody() {
  if (awaitingBody_ || bodyLeft_ == 0 || pending_.isEmpty()) return;
  const qint64 n = std::min<qint64>(bodyLeft_, pending_.size());
  pending_.remove(0, n);
  bodyLeft_ -= n;
}

}  // namespace pw
