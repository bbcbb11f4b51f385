#pragma once

// An element that answers HTTP on the control port (WhipEndpoint, WhepEndpoint,
// HttpPostEndpoint): HttpSignalling routes `/<prefix>/<key>[/<sub>]` to it.

#include "pipewright/engine/HttpExchange.h"

namespace pw {

class HttpResource {
 public:
  virtual ~HttpResource() = default;
  // A request for the element's resource (`subKey` empty) or one below it (a WHIP session).
  // Answers exactly once through `respond`, possibly later; engine thread.
  virtual void handle(const HttpRequest& request, const QString& subKey, const HttpRespond& respond) = 0;
  // Whether a `method` request for it may carry a body larger than the control port's usual cap
  // (asked from the request head, before the body arrives). Engine thread.
  virtual bool acceptsLargeBody(const QByteArray& /*method*/, const QString& /*subKey*/) const { return false; }
};

}  // namespace pw
