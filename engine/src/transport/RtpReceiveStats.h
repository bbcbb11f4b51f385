#pragma once

// Receive statistics of one RTP source (RFC 3550 §6.4.1 and appendices A.1, A.3, A.8): the
// extended highest sequence number across wraps, cumulative and interval loss, interarrival
// jitter, and the LSR/DLSR pair, feeding the report blocks of our RRs/SRs.

#include "transport/RtcpPacket.h"

#include <cstddef>
#include <cstdint>

namespace pw::transport {

class RtpReceiveStats {
 public:
  // A jump of this many sequence numbers or more (forward), or a packet older than
  // kMaxMisorder behind the highest, counts as a restart candidate (RFC 3550 A.1 MAX_DROPOUT /
  // MAX_MISORDER); two such packets in sequence restart the statistics.
  static constexpr uint16_t kMaxDropout = 3000;
  static constexpr uint16_t kMaxMisorder = 100;

  RtpReceiveStats(uint32_t ssrc, uint32_t clockRateHz);

  // One received packet. Returns false when the packet was not counted: a wild jump
  // (kMaxDropout) not yet confirmed by its successor. Duplicates and reordered packets within
  // kMaxMisorder count as received (as in RFC 3550 A.1, so loss can go negative).
  bool update(uint16_t sequenceNumber, uint32_t rtpTimestamp, int64_t arrivalMs, size_t sizeBytes = 0);

  // An SR of this source arrived (for LSR/DLSR).
  void onSenderReport(uint32_t ntpSec, uint32_t ntpFrac, int64_t arrivalMs);

  // The report block as of now; starts a new interval for fractionLost. Call only when
  // hasReceived().
  ReportBlock reportBlock(int64_t nowMs);

  bool hasReceived() const;
  uint32_t ssrc() const;
  uint64_t packetsReceived() const;  // every counted packet since construction
  uint64_t bytesReceived() const;    // their sizeBytes
  uint32_t extendedHighestSequence() const;
  int64_t expectedPackets() const;
  int64_t cumulativeLost() const;      // not clamped to 24 bits
  uint32_t jitter() const;             // RTP timestamp units
  uint32_t clockRateHz() const;

 private:
  void restart(uint16_t sequenceNumber);

  uint32_t ssrc_;
  uint32_t clockRateHz_;
  bool started_ = false;
  uint16_t maxSeq_ = 0;
  uint32_t cycles_ = 0;        // count of wraps << 16
  uint32_t baseSeq_ = 0;
  uint32_t badSeq_ = 0x10001;  // never a 16-bit sequence number: nothing pending
  uint64_t received_ = 0;  // since the last restart (A.1 `received`)
  uint64_t totalPackets_ = 0;
  uint64_t bytes_ = 0;
  int64_t expectedPrior_ = 0;
  uint64_t receivedPrior_ = 0;
  bool haveTransit_ = false;
  uint32_t lastTransit_ = 0;
  int64_t jitterQ4_ = 0;  // jitter * 16 (A.8)
  uint32_t lastSr_ = 0;
  int64_t lastSrArrivalMs_ = 0;
  bool haveSr_ = false;
};

}  // namespace pw::transport
