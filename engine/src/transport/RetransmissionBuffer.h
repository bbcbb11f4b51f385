#pragma once

// The recently sent RTP packets of one SSRC (plain, before SRTP), to answer NACKs (RFC 4585
// §6.2.1, resent as is or wrapped in RTX by the caller). A ring of slots indexed by sequence
// number (a power of two, so the ring follows the 16-bit wrap); a slot holds a packet until a
// later one with the same index overwrites it or it is older than maxAgeMs.
//
// The ring grows on demand: it starts with initialPackets slots and doubles (up to
// capacityPackets) whenever a packet would overwrite one that is still younger than maxAgeMs. So
// it holds about what the age window needs at the stream's rate: ~32 slots for 600 kbit/s video
// and a 300 ms window, 512 for a high-rate stream and a long window. Its bytes are one slab of
// slots * maxPacketBytes, reallocated only when the ring grows (a few times per stream at most);
// no allocation per packet otherwise.

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
    size_t capacityPackets = 512;  // the most slots: rounded up to a power of two, 1..32768
    size_t initialPackets = 16;    // slots at the first insert (power of two, ≤ capacityPackets)
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

  // A new age window (e.g. from the measured round-trip time). Packets already stored keep their
  // place; a longer window lets the ring grow further, a shorter one does not shrink it.
  void setMaxAgeMs(int64_t maxAgeMs);

  void clear();
  size_t capacity() const;  // the most slots the ring may grow to
  size_t slots() const;     // the slots it has now (0 before the first insert)
  int64_t maxAgeMs() const;

 private:
  struct Slot {
    int64_t insertedMs = 0;
    uint32_t size = 0;  // 0: empty
    uint16_t sequenceNumber = 0;
  };

  void grow(size_t slotCount);

  Config config_;
  size_t mask_ = 0;
  std::vector<Slot> slots_;
  std::vector<uint8_t> slab_;  // slot i's bytes at i * maxPacketBytes
};

}  // namespace pw::transport
