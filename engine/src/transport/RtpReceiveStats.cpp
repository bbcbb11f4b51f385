#include "transport/RtpReceiveStats.h"

#include <algorithm>
#include <cstdlib>

namespace pw::transport {

RtpReceiveStats::RtpReceiveStats(uint32_t ssrc, uint32_t clockRateHz) : ssrc_(ssrc), clockRateHz_(clockRateHz) {}

void RtpReceiveStats::restart(uint16_t sequenceNumber) {
  baseSeq_ = sequenceNumber;
  maxSeq_ = sequenceNumber;
  badSeq_ = 0x10001;
  cycles_ = 0;
  received_ = 0;
  receivedPrior_ = 0;
  expectedPrior_ = 0;
}

bool RtpReceiveStats::update(uint16_t sequenceNumber, uint32_t rtpTimestamp, int64_t arrivalMs, size_t sizeBytes) {
  if (!started_) {
    started_ = true;
    restart(sequenceNumber);
  } else {
    const uint16_t forward = static_cast<uint16_t>(sequenceNumber - maxSeq_);
    if (forward < kMaxDropout) {
      if (sequenceNumber < maxSeq_) cycles_ += 0x10000;  // wrapped
      maxSeq_ = sequenceNumber;
    } else if (forward <= 0x10000 - kMaxMisorder) {
      // A wild jump: believe it only when the next packet follows it (the sender restarted).
      if (sequenceNumber != badSeq_) {
        badSeq_ = (uint32_t(sequenceNumber) + 1) & 0xFFFF;
        return false;
      }
      restart(sequenceNumber);
    }
    // else: a duplicate or a packet reordered by less than kMaxMisorder; counted as is.
  }
  ++received_;
  ++totalPackets_;
  bytes_ += sizeBytes;

  // A.8: transit = arrival (in RTP units) - RTP timestamp, J += (|D| - J) / 16, kept * 16.
  // Modulo 2^32 on both, so RTP timestamp wrap and any clock origin cancel out in D.
  const uint32_t arrivalRtp = static_cast<uint32_t>(arrivalMs * int64_t(clockRateHz_) / 1000);
  const uint32_t transit = arrivalRtp - rtpTimestamp;
  if (haveTransit_) {
    const int64_t d = std::llabs(static_cast<int32_t>(transit - lastTransit_));
    jitterQ4_ += d - ((jitterQ4_ + 8) >> 4);
  }
  haveTransit_ = true;
  lastTransit_ = transit;
  return true;
}

void RtpReceiveStats::onSenderReport(uint32_t ntpSec, uint32_t ntpFrac, int64_t arrivalMs) {
  lastSr_ = (ntpSec << 16) | (ntpFrac >> 16);
  lastSrArrivalMs_ = arrivalMs;
  haveSr_ = true;
}

ReportBlock RtpReceiveStats::reportBlock(int64_t nowMs) {
  ReportBlock block;
  block.ssrc = ssrc_;
  const int64_t expected = expectedPackets();
  const int64_t lost = cumulativeLost();
  block.cumulativeLost = static_cast<int32_t>(std::clamp<int64_t>(lost, -0x800000, 0x7FFFFF));
  block.extHighestSeq = extendedHighestSequence();
  block.jitter = jitter();

  // A.3: fraction lost over the interval since the last report.
  const int64_t expectedInterval = expected - expectedPrior_;
  const int64_t receivedInterval = static_cast<int64_t>(received_ - receivedPrior_);
  const int64_t lostInterval = expectedInterval - receivedInterval;
  expectedPrior_ = expected;
  receivedPrior_ = received_;
  if (expectedInterval > 0 && lostInterval > 0) {
    block.fractionLost = static_cast<uint8_t>(std::min<int64_t>(255, (lostInterval << 8) / expectedInterval));
  }

  if (haveSr_) {
    block.lastSr = lastSr_;
    const int64_t delayMs = std::max<int64_t>(0, nowMs - lastSrArrivalMs_);
    block.delaySinceLastSr = static_cast<uint32_t>(std::min<int64_t>(0xFFFFFFFF, delayMs * 65536 / 1000));
  }
  return block;
}

bool RtpReceiveStats::hasReceived() const { return started_ && received_ > 0; }
uint32_t RtpReceiveStats::ssrc() const { return ssrc_; }
uint64_t RtpReceiveStats::packetsReceived() const { return totalPackets_; }
uint64_t RtpReceiveStats::bytesReceived() const { return bytes_; }
uint32_t RtpReceiveStats::extendedHighestSequence() const { return cycles_ + maxSeq_; }
int64_t RtpReceiveStats::expectedPackets() const {
  return started_ ? int64_t(extendedHighestSequence()) - int64_t(baseSeq_) + 1 : 0;
}
int64_t RtpReceiveStats::cumulativeLost() const { return expectedPackets() - static_cast<int64_t>(received_); }
uint32_t RtpReceiveStats::jitter() const { return static_cast<uint32_t>(jitterQ4_ >> 4); }
uint32_t RtpReceiveStats::clockRateHz() const { return clockRateHz_; }

}  // namespace pw::transport
