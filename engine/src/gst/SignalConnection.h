#pragma once

// One GObject signal handler, disconnected when its SignalConnection goes (or on disconnect()).
//
//   connections_.push_back(SignalConnection::connect(webrtcbin, "pad-added", G_CALLBACK(onPad),
//                                                    data, freeData));
//
// The rule when the instance may already be gone: a SignalConnection holds the instance only
// weakly (GWeakRef), so it never keeps it alive and never forms a cycle with it. When it
// disconnects it first takes a strong reference; if the instance is already disposed there is
// nothing to do (GObject dropped its handlers, and called their destroy-notify, when it was
// disposed), and a handler that is no longer connected is not disconnected twice. So the
// SignalConnection may outlive its instance, and either may go first.
//
// What it does not do: disconnecting does not wait for a handler running on another (streaming)
// thread at that moment. Handler data therefore stays safe on its own: a heap object freed by
// the destroy-notify, holding weak_ptrs or shared_ptrs, never a raw `this` (docs/architecture.md,
// Ownership). If the strong reference taken to disconnect happens to be the last one (the owner
// dropped its own on another thread meanwhile), the instance is finalized on the disconnecting
// thread.

#include "WeakRef.h"

#include <glib-object.h>

namespace pw {

class SignalConnection {
 public:
  SignalConnection() = default;
  // Owns handler `handlerId` of `instance`, as g_signal_connect* returned it (0: nothing).
  SignalConnection(gpointer instance, gulong handlerId);
  // g_signal_connect_data, owned.
  static SignalConnection connect(gpointer instance, const char* signal, GCallback callback, gpointer data,
                                  GClosureNotify destroyData, GConnectFlags flags = GConnectFlags(0));

  ~SignalConnection() { disconnect(); }
  SignalConnection(const SignalConnection&) = delete;
  SignalConnection& operator=(const SignalConnection&) = delete;
  SignalConnection(SignalConnection&& o) noexcept;
  SignalConnection& operator=(SignalConnection&& o) noexcept;

  // Disconnects the handler if its instance still lives and it is still connected. Idempotent.
  void disconnect();
  // Forgets the handler, which stays connected; returns its id.
  [[nodiscard]] gulong release();

  gulong id() const { return id_; }
  // Whether the instance lives and the handler is connected to it.
  bool isConnected() const;

 private:
  WeakRef<GObject> instance_;
  gulong id_ = 0;
};

}  // namespace pw
