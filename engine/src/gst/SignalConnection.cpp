#include "SignalConnection.h"

#include <utility>

namespace pw {

SignalConnection::SignalConnection(gpointer instance, gulong handlerId) : id_(instance ? handlerId : 0) {
  if (id_ != 0) instance_ = WeakRef<GObject>(G_OBJECT(instance));
}

SignalConnection SignalConnection::connect(gpointer instance, const char* signal, GCallback callback, gpointer data,
                                           GClosureNotify destroyData, GConnectFlags flags) {
  return SignalConnection(instance, g_signal_connect_data(instance, signal, callback, data, destroyData, flags));
}

SignalConnection::SignalConnection(SignalConnection&& o) noexcept
    : instance_(std::move(o.instance_)), id_(std::exchange(o.id_, 0)) {}

SignalConnection& SignalConnection::operator=(SignalConnection&& o) noexcept {
  if (this != &o) {
    disconnect();
    instance_ = std::move(o.instance_);
    id_ = std::exchange(o.id_, 0);
  }
  return *this;
}

void SignalConnection::disconnect() {
  const gulong id = std::exchange(id_, 0);
  if (id == 0) return;
  GObjectRef<GObject> instance = instance_.lock();
  instance_.reset();
  if (instance && g_signal_handler_is_connected(instance.get(), id)) g_signal_handler_disconnect(instance.get(), id);
}

gulong SignalConnection::release() {
  instance_.reset();
  return std::exchange(id_, 0);
}

bool SignalConnection::isConnected() const {
  if (id_ == 0) return false;
  GObjectRef<GObject> instance = instance_.lock();
  return instance && g_signal_handler_is_connected(instance.get(), id_);
}

}  // namespace pw
