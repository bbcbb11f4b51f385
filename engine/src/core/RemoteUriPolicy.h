#pragma once

// Which hosts remote URIs (PlayerEndpoint http/https/rtsp) may reach (docs/security.md,
// "Remote URIs"). While the control port listens on loopback only, the clients are local users
// who could fetch anything themselves: every host is allowed. Otherwise (or with
// remoteUriPolicy "restricted") a URI whose host is, or resolves to, a loopback, link-local,
// private, unspecified or multicast address is refused unless Config::remoteUriAllowedHosts
// lists the host name or a CIDR holding the address; the server is not a way into the networks
// it can see.
//
// This class only decides; it never resolves (RemoteHostCheck does, off the engine thread).

#include <QString>
#include <QStringList>

#include <array>
#include <cstdint>
#include <optional>
#include <vector>

struct sockaddr;

namespace pw {

struct Config;

struct IpAddress {
  int family = 0;  // AF_INET or AF_INET6
  std::array<std::uint8_t, 16> bytes{};  // network order; IPv4 in the first 4 bytes

  static std::optional<IpAddress> parse(const QString& text);  // a literal, brackets allowed for IPv6
  static std::optional<IpAddress> fromSockaddr(const sockaddr* address);
  QString toString() const;
  // An IPv4-mapped IPv6 address (::ffff:a.b.c.d) as the IPv4 address; others unchanged.
  IpAddress unmapped() const;
};

class RemoteUriPolicy {
 public:
  enum class AddressClass { Public, Loopback, LinkLocal, Private, Unspecified, Multicast };

  RemoteUriPolicy(bool restricted, const QStringList& allowedHosts);
  static RemoteUriPolicy fromConfig(const Config& config);

  // False: every host is allowed (loopback-only control port).
  bool restricted() const { return restricted_; }
  // Entries of allowedHosts that are neither a host name nor a CIDR/address (reported at start-up).
  const QStringList& invalidEntries() const { return invalid_; }

  static AddressClass classify(const IpAddress& address);
  static QString className(AddressClass c);

  // The host is listed by name (case-insensitive, a trailing dot ignored).
  bool allowsHostName(const QString& host) const;
  // The address is public, or inside a listed CIDR / equal to a listed address.
  bool allowsAddress(const IpAddress& address) const;
  // Why `host` may not be fetched at `address` (nullopt: allowed). Messages name the config key.
  std::optional<QString> refusal(const QString& host, const IpAddress& address) const;

  // The host of a remote URI (brackets of IPv6 literals removed); empty when the URI has none.
  static QString hostOf(const QString& uri);

 private:
  struct Network {
    IpAddress base;
    int prefixBits = 0;
  };
  bool restricted_ = false;
  QStringList names_;
  std::vector<Network> networks_;
  QStringList invalid_;
};

}  // namespace pw
