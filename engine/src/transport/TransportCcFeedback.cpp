#include "TransportCcFeedback.h"

#include "RtcpPacket.h"

#include <algorithm>
#include <limits>

namespace pw::transport {

namespace {

constexpr uint8_t kRtpfb = 205;
constexpr uint8_t kFmtTransportCc = 15;
constexpr int64_t kTickUs = 250;              // receive deltas are in 250 µs
constexpr int64_t kReferenceUnitUs = 64000;   // the reference time is in 64 ms
constexpr int64_t kTicksPerReference = kReferenceUnitUs / kTickUs;
constexpr size_t kMaxRunLength = 8191;        // 13 bits

// Packet status symbols (§3.1.1).
constexpr uint8_t kNotReceived = 0;
constexpr uint8_t kSmallDelta = 1;  // one byte, 0..63.75 ms
constexpr uint8_t kLargeDelta = 2;  // two bytes, signed

}  // namespace

int64_t TransportCcFeedback::unwrap(uint16_t sequenceNumber) {
  if (!lastUnwrapped_) {
    lastUnwrapped_ = sequenceNumber;
    return sequenceNumber;
  }
  const int64_t last = *lastUnwrapped_;
  const auto step = static_cast<int16_t>(static_cast<uint16_t>(sequenceNumber - static_cast<uint16_t>(last)));
  const int64_t value = last + step;
  if (value > last) lastUnwrapped_ = value;
  return value;
}

void TransportCcFeedback::onPacket(uint16_t transportSequenceNumber, int64_t arrivalUs) {
  const int64_t number = unwrap(transportSequenceNumber);
  if (nextToReport_ && number < *nextToReport_) return;  // already reported as lost
  if (arrivals_.size() >= kMaxPending && !arrivals_.contains(number)) arrivals_.erase(arrivals_.begin());
  arrivals_.emplace(number, arrivalUs);  // a duplicate keeps its first arrival
}

bool TransportCcFeedback::build(std::vector<uint8_t>& out, uint32_t senderSsrc, uint32_t mediaSsrc) {
  if (arrivals_.empty()) return false;
  const int64_t firstArrived = arrivals_.begin()->first;
  int64_t base = nextToReport_.value_or(firstArrived);
  // A long run of lost numbers before the next arrival is not worth reporting one by one.
  if (firstArrived - base > kMaxStatusesPerPacket) base = firstArrived;

  const int64_t referenceTime = arrivals_.begin()->second / kReferenceUnitUs;
  int64_t lastTicks = referenceTime * kTicksPerReference;
  std::vector<uint8_t> symbols;
  std::vector<int32_t> deltas;
  symbols.reserve(static_cast<size_t>(std::min<int64_t>(kMaxStatusesPerPacket, arrivals_.rbegin()->first - base + 1)));
  deltas.reserve(std::min<size_t>(arrivals_.size(), kMaxStatusesPerPacket));
  int64_t number = base;
  auto it = arrivals_.begin();
  while (it != arrivals_.end() && symbols.size() < static_cast<size_t>(kMaxStatusesPerPacket)) {
    if (it->first != number) {
      symbols.push_back(kNotReceived);
      ++number;
      continue;
    }
    const int64_t ticks = it->second / kTickUs;
    const int64_t delta = ticks - lastTicks;
    // Beyond a signed 16-bit delta (±8 s) the next packet starts from its own reference time.
    if (delta < std::numeric_limits<int16_t>::min() || delta > std::numeric_limits<int16_t>::max()) break;
    symbols.push_back(delta >= 0 && delta <= 255 ? kSmallDelta : kLargeDelta);
    deltas.push_back(static_cast<int32_t>(delta));
    lastTicks = ticks;
    ++number;
    ++it;
  }
  arrivals_.erase(arrivals_.begin(), it);
  nextToReport_ = number;

  const size_t start = out.size();
  out.push_back(0x80 | kFmtTransportCc);
  out.push_back(kRtpfb);
  rtcpdetail::appendBe16(out, 0);  // length, below
  rtcpdetail::appendBe32(out, senderSsrc);
  rtcpdetail::appendBe32(out, mediaSsrc);
  rtcpdetail::appendBe16(out, static_cast<uint16_t>(base));
  rtcpdetail::appendBe16(out, static_cast<uint16_t>(symbols.size()));
  rtcpdetail::appendBe32(out, (static_cast<uint32_t>(referenceTime) & 0xffffff) << 8 | feedbackCount_++);

  // Packet chunks: a run-length chunk for 7 or more equal symbols, else a two-bit status
  // vector chunk of the next 7 (the symbols past the status count are "not received").
  for (size_t i = 0; i < symbols.size();) {
    size_t run = 1;
    while (i + run < symbols.size() && symbols[i + run] == symbols[i] && run < kMaxRunLength) ++run;
    if (run >= 7) {
      rtcpdetail::appendBe16(out, static_cast<uint16_t>(symbols[i] << 13 | run));
      i += run;
      continue;
    }
    uint32_t chunk = 0xc000;  // T = 1 (status vector), S = 1 (two-bit symbols)
    for (size_t k = 0; k < 7; ++k) {
      const uint8_t symbol = i + k < symbols.size() ? symbols[i + k] : kNotReceived;
      chunk |= static_cast<uint32_t>(symbol) << (12 - 2 * k);
    }
    rtcpdetail::appendBe16(out, static_cast<uint16_t>(chunk));
    i += std::min<size_t>(7, symbols.size() - i);
  }
  size_t d = 0;
  for (const uint8_t symbol : symbols) {
    if (symbol == kSmallDelta) {
      out.push_back(static_cast<uint8_t>(deltas[d++]));
    } else if (symbol == kLargeDelta) {
      rtcpdetail::appendBe16(out, static_cast<uint16_t>(static_cast<int16_t>(deltas[d++])));
    }
  }
  // RFC 3550 padding to a 32-bit boundary: the last byte counts the padding bytes.
  const size_t padding = (4 - (out.size() - start) % 4) % 4;
  if (padding > 0) {
    out.insert(out.end(), padding - 1, 0);
    out.push_back(static_cast<uint8_t>(padding));
    out[start] |= 0x20;
  }
  const size_t words = (out.size() - start) / 4 - 1;
  out[start + 2] = static_cast<uint8_t>(words >> 8);
  out[start + 3] = static_cast<uint8_t>(words);
  ++feedbackPackets_;
  return true;
}

}  // namespace pw::transport
