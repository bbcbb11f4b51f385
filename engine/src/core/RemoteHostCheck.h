#pragma once

// Applies RemoteUriPolicy to a host, resolving host names when needed. The engine thread never
// blocks on DNS: start() resolves with GLib's GResolver (its own worker threads) and calls back
// on the caller's GLib main context, which the engine thread's Qt event loop runs; the wait is
// bounded by a timeout. checkBlocking() is for GStreamer streaming threads only.
//
// Known limit (docs/security.md): GStreamer's own source resolves the name again when it
// connects, so a DNS server that answers differently the second time (DNS rebinding) is not
// stopped by this check.

#include "RemoteUriPolicy.h"

#include <QObject>
#include <QString>

#include <cstring>
#include <functional>
#include <optional>

namespace pw {

class RemoteHostCheck {
 public:
  // nullopt: allowed; otherwise why not (a message naming remoteUriAllowedHosts).
  using Done = std::function<void(const std::optional<QString>& refusal)>;

  // Decides without resolving when it can: unrestricted policy, a host listed by name, an IP
  // literal. nullopt in `*decided` means "a host name that needs resolving".
  static bool decideWithoutResolving(const RemoteUriPolicy& policy, const QString& host,
                                     std::optional<QString>* decided);

  // Calls `done` once, on the engine thread, from `context`'s event loop (never from inside start()).
  static void start(const RemoteUriPolicy& policy, const QString& host, QObject* context, Done done,
                    int timeoutMs = 5000);

  // getaddrinfo on the calling thread: only for GStreamer's streaming threads.
  static std::optional<QString> checkBlocking(const RemoteUriPolicy& policy, const QString& host);
};

}  // namespace pw
