#pragma once

// A kernel-side first check on an ICE agent's UDP sockets (classic BPF, SO_ATTACH_FILTER), so
// that garbage and scans sent to a media port are dropped in the kernel instead of waking the
// media thread. libnice would read each such datagram and then drop it itself (non-STUN data from
// an address that is no validated candidate), or answer it (a STUN request with credentials that
// are not ours gets a 401); under 10,000 packets/s that wake-up per datagram was most of the cost
// (bench/udp-garbage.py). What the filter lets through, libnice still checks as before.
//
// Let through:
//   - anything from the peer's address (IPv4 address and port of the selected pair);
//   - STUN (magic cookie, first two bits zero) that is not a Binding request: responses to our
//     checks, indications, TURN messages;
//   - Binding requests whose USERNAME (within the first 8 attributes) starts with "<our ufrag>:"
//     (RFC 8445 §7.2.2), from any address: checks from new or peer-reflexive candidates;
//   - without a peer yet, every datagram that is not STUN (libnice's own checks decide).
// Everything else is dropped. IPv4 datagram sockets only (the program reads the IPv4 header).

#include <linux/filter.h>

#include <cstdint>
#include <string_view>
#include <vector>

namespace pw::transport {

class MediaPortFilter {
 public:
  // peerAddress / peerPort in host byte order; peerPort 0: no peer yet. The ufrag is 1..255
  // ice-chars (ours are 8); empty program (attach refuses it) otherwise.
  static std::vector<sock_filter> build(std::string_view localUfrag, uint32_t peerAddress, uint16_t peerPort);
  // Replaces the socket's filter; false (errno set) when the kernel refuses it.
  static bool attach(int fd, const std::vector<sock_filter>& program);
  static bool detach(int fd);
};

}  // namespace pw::transport
