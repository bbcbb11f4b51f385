#pragma once

// Finds where each request of an HTTP/1.1 connection starts and ends, so that every request
// head on a keep-alive connection gets the control port's checks, not only the first one
// (QtHttpServer's own parser accepts heads that other parsers would read differently).
// Bytes are appended as they arrive; a completed head is handed out once, and the caller says
// how long its body is (from the head's Content-Length), which is then skipped.

#include <QByteArray>

#include <optional>

namespace pw {

class HttpRequestFramer {
 public:
  explicit HttpRequestFramer(qsizetype maxHeadBytes) : maxHeadBytes_(maxHeadBytes) {}

  void append(const QByteArray& bytes);
  // The next complete request head (without its blank line), once; then skipBody() must say
  // how many body bytes follow before the next head.
  std::optional<QByteArray> nextHead();
  void skipBody(qint64 bodyBytes);
  // Whether the last head's body is still arriving.
  bool bodyArriving() const { return awaitingBody_ || bodyLeft_ > 0; }
  // Whether bytes of a head are waiting beyond maxHeadBytes without its end.
  bool headTooLarge() const;

 private:
  void consumeBody();

  qsizetype maxHeadBytes_;
  QByteArray pending_;     // bytes of the next head (and what follows it), not yet handed out
  qint64 bodyLeft_ = 0;    // body bytes of the last head still to skip
  bool awaitingBody_ = false;  // a head was handed out and skipBody() not called yet
};

}  // namespace pw
