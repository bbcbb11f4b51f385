#include "RemoteHostCheck.h"

#include "gst/ErrorPtr.h"
#include "gst/GListPtr.h"
#include "gst/GObjectPtr.h"
#include "pipewright/engine/Log.h"

#include <QMetaObject>
#include <QPointer>
#include <QTimer>

#include <gio/gio.h>

#include <memory>
#include <cstring>
#include <netdb.h>
#include <sys/socket.h>

namespace pw {
namespace {

std::optional<QString> refusalForAll(const RemoteUriPolicy& policy, const QString& host,
                                     const std::vector<IpAddress>& addresses) {
  if (addresses.empty()) {
    return QStringLiteral("host '%1' did not resolve to any address").arg(host);
  }
  // Every address must pass: GStreamer's source may connect to any of them.
  for (const IpAddress& a : addresses) {
    if (auto why = policy.refusal(host, a)) return why;
  }
  return std::nullopt;
}

struct Lookup {
  RemoteUriPolicy policy;
  QString host;
  RemoteHostCheck::Done done;
  GObjectPtr<GCancellable> cancellable;
  QPointer<QObject> context;
  bool finished = false;

  void finish(const std::optional<QString>& refusal) {
    if (finished) return;
    finished = true;
    g_cancellable_cancel(cancellable.get());
    auto callback = std::move(done);
    // Never let an exception out into GLib or Qt.
    try {
      if (callback) callback(refusal);
    } catch (const std::exception& e) {
      qCWarning(lcPlayer, "remote host check of %s failed: %s", qUtf8Printable(log::clip(host)), e.what());
    } catch (...) {
      qCWarning(lcPlayer, "remote host check of %s failed", qUtf8Printable(log::clip(host)));
    }
  }
};

void onResolved(GObject* source, GAsyncResult* result, gpointer user) {
  auto* holder = static_cast<std::shared_ptr<Lookup>*>(user);
  std::shared_ptr<Lookup> lookup = std::move(*holder);
  delete holder;
  ErrorPtr error;
  ResolvedAddressListPtr list = ResolvedAddressListPtr::adopt(g_resolver_lookup_by_name_finish(G_RESOLVER(source), result, error.out()));
  if (lookup->finished) return;
  if (!list) {
    const QString why = QStringLiteral("host '%1' cannot be resolved: %2")
                            .arg(lookup->host, QString::fromUtf8(error ? error->message : "no address"));
    error.reset();
    lookup->finish(why);
    return;
  }
  std::vector<IpAddress> addresses;
  for (GList* l = list.get(); l; l = l->next) {
    auto* address = G_INET_ADDRESS(l->data);
    IpAddress ip;
    const gsize size = g_inet_address_get_native_size(address);
    if (size != 4 && size != 16) continue;
    ip.family = size == 4 ? AF_INET : AF_INET6;
    std::memcpy(ip.bytes.data(), g_inet_address_to_bytes(address), size);
    addresses.push_back(ip);
  }
  list.reset();
  lookup->finish(refusalForAll(lookup->policy, lookup->host, addresses));
}

}  // namespace

bool RemoteHostCheck::decideWithoutResolving(const RemoteUriPolicy& policy, const QString& host,
                                             std::optional<QString>* decided) {
  decided->reset();
  if (host.isEmpty()) {
    *decided = QStringLiteral("the URI names no host");
    return true;
  }
  if (!policy.restricted() || policy.allowsHostName(host)) return true;
  if (auto literal = IpAddress::parse(host)) {
    *decided = policy.refusal(host, *literal);
    return true;
  }
  return false;
}

void RemoteHostCheck::start(const RemoteUriPolicy& policy, const QString& host, QObject* context, Done done,
                            int timeoutMs) {
  auto lookup = std::make_shared<Lookup>(Lookup{policy, host, std::move(done), GObjectPtr<GCancellable>(g_cancellable_new()),
                                                QPointer<QObject>(context)});
  std::optional<QString> decided;
  if (decideWithoutResolving(policy, host, &decided)) {
    QMetaObject::invokeMethod(
        context, [lookup, decided]() { lookup->finish(decided); }, Qt::QueuedConnection);
    return;
  }
  QTimer::singleShot(timeoutMs, context, [lookup, timeoutMs]() {
    lookup->finish(QStringLiteral("host '%1' did not resolve within %2 ms").arg(lookup->host).arg(timeoutMs));
  });
  GObjectPtr<GResolver> resolver(g_resolver_get_default());
  // The callback runs on this thread's default GLib main context (the engine thread's).
  g_resolver_lookup_by_name_async(resolver.get(), host.toUtf8().constData(), lookup->cancellable.get(), onResolved,
                                  new std::shared_ptr<Lookup>(lookup));
}

std::optional<QString> RemoteHostCheck::checkBlocking(const RemoteUriPolicy& policy, const QString& host) {
  std::optional<QString> decided;
  if (decideWithoutResolving(policy, host, &decided)) return decided;
  addrinfo hints{};
  hints.ai_family = AF_UNSPEC;
  hints.ai_socktype = SOCK_STREAM;
  addrinfo* result = nullptr;
  const int rc = getaddrinfo(host.toUtf8().constData(), nullptr, &hints, &result);
  if (rc != 0) return QStringLiteral("host '%1' cannot be resolved: %2").arg(host, QString::fromUtf8(gai_strerror(rc)));
  std::vector<IpAddress> addresses;
  for (addrinfo* ai = result; ai; ai = ai->ai_next) {
    if (auto ip = IpAddress::fromSockaddr(ai->ai_addr)) addresses.push_back(*ip);
  }
  freeaddrinfo(result);
  return refusalForAll(policy, host, addresses);
}

}  // namespace pw
