#pragma once

// Who makes a request: the session it runs in, and whether it may reach every session's objects.

#include <QString>

namespace pw {

struct Caller {
  QString sessionId;
  bool administrator = false;
};

}  // namespace pw
