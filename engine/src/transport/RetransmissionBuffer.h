#pragma once

// The recently sent RTP packets of one SSRC (plain, before SRTP), to answer NACKs (RFC 4585
// §6.2.1, resent as is or wrapped in RTX by the caller). A ring of `capacity` slots indexed by
// sequence number (capacity a power of two, so the ring follows the 16-bit wrap); a slot holds
// a packet until a later one with the same index overwrites it or it is older than maxAgeMs.
// One slab of capacity * maxPacketBytes is allocated at the first insert; none afterwards.

#include "transport/RtpPacket.h"

#include <cstddef>
#include <cstdint>
#include <optional>
#include <span>
#include <vector>

namespace pw::transport {

class RetransmissionBuffer {
 public:
  struct Config {
    size_t capacityPackets = 512;  // rounded up to a power of two, 1..32768
    int64_t maxAgeMs = 1000;
    size_t maxPacketBytes = 1500;
  };

  RetransmissionBuffer();
  explicit RetransmissionBuffer(const Config& config);

  // Stores a copy of the packet under its sequence number. False (nothing stored) for an empty
  // packet or one larger than maxPacketBytes.
  bool insert(uint16_t sequenceNumber, std::span<const uint8_t> packet, int64_t nowMs);
  bool insert(const RtpPacket& packet, int64_t nowMs);

  // The stored packet with this sequence number if it is younger than maxAgeMs. The span
  // points into the buffer and stays valid until the next insert() or clear().
  std::optional<std::span<const uint8_t>> get(uint16_t sequenceNumber, int64_t nowMs) const;

  void clear();
  size_t capacity() const;
  int64_t maxAgeMs() const;

 private:
  struct Slot {
    int64_t insertedMs = 0;
    uint32_t size = 0;  // 0: empty
    uint16_t sequenceNumber = 0;
  };

  Config config_;
  size_t mask_ = 0;
  std::vector<Slot> slots_;
  std::vector<uint8_t> slab_;  // slot i's bytes at i * maxPacketBytes
};

}  // namespace pw::transport
