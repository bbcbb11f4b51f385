#pragma once

// A client of the engine as a transport sees it (design §1: transports only carry JSON).
// The WebSocket server and the studio's in-process transport implement it.

#include <QByteArray>
#include <QString>

namespace pw {

class Connection {
 public:
  virtual ~Connection() = default;
  // Sends one compact JSON text message to the client. Called on the engine thread.
  virtual void sendMessage(const QByteArray& json) = 0;
  // Peer description for logs ("127.0.0.1:53412", "studio").
  virtual QString peer() const = 0;
  // True for a client that may see and drive every session's objects (the administrator token,
  // the in-process studio). Everyone else sees only the objects of its own session.
  virtual bool isAdministrator() const { return false; }
};

}  // namespace pw
