#include "RemoteUriPolicy.h"

#include "pipewright/engine/Config.h"

#include <QUrl>

#include <arpa/inet.h>
#include <cstring>
#include <netinet/in.h>
#include <sys/socket.h>

namespace pw {
namespace {

bool inPrefix(const IpAddress& a, const IpAddress& base, int bits) {
  if (a.family != base.family) return false;
  for (int i = 0; bits > 0; ++i, bits -= 8) {
    const std::uint8_t mask = bits >= 8 ? 0xff : static_cast<std::uint8_t>(0xff << (8 - bits));
    if ((a.bytes[static_cast<size_t>(i)] & mask) != (base.bytes[static_cast<size_t>(i)] & mask)) return false;
  }
  return true;
}

IpAddress v4(std::uint8_t a, std::uint8_t b = 0, std::uint8_t c = 0, std::uint8_t d = 0) {
  IpAddress ip;
  ip.family = AF_INET;
  ip.bytes[0] = a;
  ip.bytes[1] = b;
  ip.bytes[2] = c;
  ip.bytes[3] = d;
  return ip;
}

IpAddress v6(std::uint8_t first, std::uint8_t second = 0) {
  IpAddress ip;
  ip.family = AF_INET6;
  ip.bytes[0] = first;
  ip.bytes[1] = second;
  return ip;
}

QString normalName(QString host) {
  host = host.toLower();
  while (host.endsWith(u'.')) host.chop(1);
  return host;
}

}  // namespace

std::optional<IpAddress> IpAddress::parse(const QString& text) {
  QString t = text;
  if (t.startsWith(u'[') && t.endsWith(u']')) t = t.mid(1, t.size() - 2);
  const QByteArray latin = t.toLatin1();
  IpAddress ip;
  if (inet_pton(AF_INET, latin.constData(), ip.bytes.data()) == 1) {
    ip.family = AF_INET;
    return ip;
  }
  if (inet_pton(AF_INET6, latin.constData(), ip.bytes.data()) == 1) {
    ip.family = AF_INET6;
    return ip;
  }
  return std::nullopt;
}

std::optional<IpAddress> IpAddress::fromSockaddr(const sockaddr* address) {
  IpAddress ip;
  if (address->sa_family == AF_INET) {
    ip.family = AF_INET;
    std::memcpy(ip.bytes.data(), &reinterpret_cast<const sockaddr_in*>(address)->sin_addr, 4);
    return ip;
  }
  if (address->sa_family == AF_INET6) {
    ip.family = AF_INET6;
    std::memcpy(ip.bytes.data(), &reinterpret_cast<const sockaddr_in6*>(address)->sin6_addr, 16);
    return ip;
  }
  return std::nullopt;
}

QString IpAddress::toString() const {
  char text[INET6_ADDRSTRLEN] = {};
  inet_ntop(family, bytes.data(), text, sizeof text);
  return QString::fromLatin1(text);
}

IpAddress IpAddress::unmapped() const {
  static const std::uint8_t kMapped[12] = {0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0xff, 0xff};
  if (family != AF_INET6 || std::memcmp(bytes.data(), kMapped, 12) != 0) return *this;
  return v4(bytes[12], bytes[13], bytes[14], bytes[15]);
}

RemoteUriPolicy::RemoteUriPolicy(bool restricted, const QStringList& allowedHosts) : restricted_(restricted) {
  for (const QString& entry : allowedHosts) {
    const QString e = entry.trimmed();
    const qsizetype slash = e.indexOf(u'/');
    const auto address = IpAddress::parse(slash < 0 ? e : e.left(slash));
    if (address) {
      const int maxBits = address->family == AF_INET ? 32 : 128;
      bool ok = true;
      const int bits = slash < 0 ? maxBits : e.mid(slash + 1).toInt(&ok);
      if (!ok || bits < 0 || bits > maxBits) {
        invalid_.append(entry);
        continue;
      }
      networks_.push_back(Network{address->unmapped(), address->family == AF_INET6 && address->unmapped().family == AF_INET
                                                           ? std::max(0, bits - 96)
                                                           : bits});
    } else if (slash < 0 && !e.isEmpty() && !e.contains(u' ') && !e.contains(u':')) {
      names_.append(normalName(e));
    } else {
      invalid_.append(entry);
    }
  }
}

RemoteUriPolicy RemoteUriPolicy::fromConfig(const Config& config) {
  const bool forced = config.remoteUriPolicy == u"restricted";
  return RemoteUriPolicy(forced || !config.listensOnLoopbackOnly(), config.remoteUriAllowedHosts);
}

RemoteUriPolicy::AddressClass RemoteUriPolicy::classify(const IpAddress& input) {
  const IpAddress a = input.unmapped();
  struct Range {
    IpAddress base;
    int bits;
    AddressClass cls;
  };
  static const Range kRanges[] = {
      {v4(127), 8, AddressClass::Loopback},
      {v4(0), 8, AddressClass::Unspecified},  // "this network", 0.0.0.0 included
      {v4(169, 254), 16, AddressClass::LinkLocal},
      {v4(10), 8, AddressClass::Private},
      {v4(172, 16), 12, AddressClass::Private},
      {v4(192, 168), 16, AddressClass::Private},
      {v4(100, 64), 10, AddressClass::Private},  // carrier-grade NAT, shared address space
      {v4(224), 4, AddressClass::Multicast},
      {v4(255, 255, 255, 255), 32, AddressClass::Multicast},  // limited broadcast
      {v6(0xfe, 0x80), 10, AddressClass::LinkLocal},
      {v6(0xfe, 0xc0), 10, AddressClass::Private},  // deprecated site-local
      {v6(0xfc), 7, AddressClass::Private},
      {v6(0xff), 8, AddressClass::Multicast},
  };
  if (a.family == AF_INET6) {
    static const std::array<std::uint8_t, 16> kZero{};
    std::array<std::uint8_t, 16> loopback{};
    loopback[15] = 1;
    if (a.bytes == kZero) return AddressClass::Unspecified;
    if (a.bytes == loopback) return AddressClass::Loopback;
  }
  for (const Range& r : kRanges) {
    if (inPrefix(a, r.base, r.bits)) return r.cls;
  }
  return AddressClass::Public;
}

QString RemoteUriPolicy::className(AddressClass c) {
  switch (c) {
    case AddressClass::Public: return QStringLiteral("public");
    case AddressClass::Loopback: return QStringLiteral("loopback");
    case AddressClass::LinkLocal: return QStringLiteral("link-local");
    case AddressClass::Private: return QStringLiteral("private");
    case AddressClass::Unspecified: return QStringLiteral("unspecified");
    case AddressClass::Multicast: return QStringLiteral("multicast/broadcast");
  }
  return {};
}

bool RemoteUriPolicy::allowsHostName(const QString& host) const { return names_.contains(normalName(host)); }

bool RemoteUriPolicy::allowsAddress(const IpAddress& address) const {
  if (classify(address) == AddressClass::Public) return true;
  const IpAddress a = address.unmapped();
  for (const Network& n : networks_) {
    if (inPrefix(a, n.base, n.prefixBits)) return true;
  }
  return false;
}

std::optional<QString> RemoteUriPolicy::refusal(const QString& host, const IpAddress& address) const {
  if (!restricted_ || allowsHostName(host) || allowsAddress(address)) return std::nullopt;
  const QString shown = IpAddress::parse(host) ? QStringLiteral("'%1'").arg(host)
                                                 : QStringLiteral("'%1' (%2)").arg(host, address.toString());
  return QStringLiteral("host %1 is a %2 address, which remote URIs may not reach while the server listens beyond "
                        "loopback; add the host name or its network (CIDR) to 'remoteUriAllowedHosts' in the config "
                        "to allow it")
      .arg(shown, className(classify(address)));
}

QString RemoteUriPolicy::hostOf(const QString& uri) {
  QString host = QUrl(uri).host(QUrl::FullyDecoded);
  if (host.startsWith(u'[') && host.endsWith(u']')) host = host.mid(1, host.size() - 2);
  return host;
}

}  // namespace pw
