#include "transport/RetransmissionBuffer.h"

#include <algorithm>
#include <bit>
#include <cstring>

namespace pw::transport {

RetransmissionBuffer::RetransmissionBuffer() : RetransmissionBuffer(Config{}) {}

RetransmissionBuffer::RetransmissionBuffer(const Config& config) : config_(config) {
  config_.capacityPackets = std::bit_ceil(std::clamp<size_t>(config_.capacityPackets, 1, 32768));
  mask_ = config_.capacityPackets - 1;
  slots_.resize(config_.capacityPackets);
}

bool RetransmissionBuffer::insert(uint16_t sequenceNumber, std::span<const uint8_t> packet, int64_t nowMs) {
  if (packet.empty() || packet.size() > config_.maxPacketBytes) return false;
  if (slab_.empty()) slab_.resize(config_.capacityPackets * config_.maxPacketBytes);
  const size_t index = sequenceNumber & mask_;
  std::memcpy(slab_.data() + index * config_.maxPacketBytes, packet.data(), packet.size());
  slots_[index] = Slot{nowMs, static_cast<uint32_t>(packet.size()), sequenceNumber};
  return true;
}

bool RetransmissionBuffer::insert(const RtpPacket& packet, int64_t nowMs) {
  return insert(packet.sequenceNumber(), std::span<const uint8_t>(packet.data(), packet.size()), nowMs);
}

std::optional<std::span<const uint8_t>> RetransmissionBuffer::get(uint16_t sequenceNumber, int64_t nowMs) const {
  const size_t index = sequenceNumber & mask_;
  const Slot& slot = slots_[index];
  if (slot.size == 0 || slot.sequenceNumber != sequenceNumber) return std::nullopt;
  if (nowMs - slot.insertedMs >= config_.maxAgeMs) return std::nullopt;
  return std::span<const uint8_t>(slab_.data() + index * config_.maxPacketBytes, slot.size);
}

void RetransmissionBuffer::clear() { std::fill(slots_.begin(), slots_.end(), Slot{}); }

size_t RetransmissionBuffer::capacity() const { return config_.capacityPackets; }

int64_t RetransmissionBuffer::maxAgeMs() const { return config_.maxAgeMs; }

}  // namespace pw::transport
