#include "transport/RetransmissionBuffer.h"

#include <algorithm>
#include <bit>
#include <cstring>

namespace pw::transport {

RetransmissionBuffer::RetransmissionBuffer() : RetransmissionBuffer(Config{}) {}

RetransmissionBuffer::RetransmissionBuffer(const Config& config) : config_(config) {
  config_.capacityPackets = std::bit_ceil(std::clamp<size_t>(config_.capacityPackets, 1, 32768));
  config_.initialPackets = std::bit_ceil(std::clamp<size_t>(config_.initialPackets, 1, config_.capacityPackets));
}

void RetransmissionBuffer::grow(size_t slotCount) {
  std::vector<Slot> slots(slotCount);
  std::vector<uint8_t> slab(slotCount * config_.maxPacketBytes);
  const size_t mask = slotCount - 1;
  // The stored sequence numbers differ modulo the old size, so they differ modulo the new one.
  for (size_t i = 0; i < slots_.size(); ++i) {
    const Slot& slot = slots_[i];
    if (slot.size == 0) continue;
    const size_t to = slot.sequenceNumber & mask;
    slots[to] = slot;
    std::memcpy(slab.data() + to * config_.maxPacketBytes, slab_.data() + i * config_.maxPacketBytes, slot.size);
  }
  slots_ = std::move(slots);
  slab_ = std::move(slab);
  mask_ = mask;
}

bool RetransmissionBuffer::insert(uint16_t sequenceNumber, std::span<const uint8_t> packet, int64_t nowMs) {
  if (packet.empty() || packet.size() > config_.maxPacketBytes) return false;
  if (slots_.empty()) grow(config_.initialPackets);
  size_t index = sequenceNumber & mask_;
  // Overwriting a packet a NACK may still ask for: make room instead, while the ring may grow.
  while (slots_.size() < config_.capacityPackets) {
    const Slot& slot = slots_[index];
    if (slot.size == 0 || slot.sequenceNumber == sequenceNumber || nowMs - slot.insertedMs >= config_.maxAgeMs) break;
    grow(slots_.size() * 2);
    index = sequenceNumber & mask_;
  }
  std::memcpy(slab_.data() + index * config_.maxPacketBytes, packet.data(), packet.size());
  slots_[index] = Slot{nowMs, static_cast<uint32_t>(packet.size()), sequenceNumber};
  return true;
}

bool RetransmissionBuffer::insert(const RtpPacket& packet, int64_t nowMs) {
  return insert(packet.sequenceNumber(), std::span<const uint8_t>(packet.data(), packet.size()), nowMs);
}

std::optional<std::span<const uint8_t>> RetransmissionBuffer::get(uint16_t sequenceNumber, int64_t nowMs) const {
  if (slots_.empty()) return std::nullopt;
  const size_t index = sequenceNumber & mask_;
  const Slot& slot = slots_[index];
  if (slot.size == 0 || slot.sequenceNumber != sequenceNumber) return std::nullopt;
  if (nowMs - slot.insertedMs >= config_.maxAgeMs) return std::nullopt;
  return std::span<const uint8_t>(slab_.data() + index * config_.maxPacketBytes, slot.size);
}

void RetransmissionBuffer::setMaxAgeMs(int64_t maxAgeMs) { config_.maxAgeMs = std::max<int64_t>(maxAgeMs, 1); }

void RetransmissionBuffer::clear() { std::fill(slots_.begin(), slots_.end(), Slot{}); }

size_t RetransmissionBuffer::capacity() const { return config_.capacityPackets; }

size_t RetransmissionBuffer::slots() const { return slots_.size(); }

int64_t RetransmissionBuffer::maxAgeMs() const { return config_.maxAgeMs; }

}  // namespace pw::transport
