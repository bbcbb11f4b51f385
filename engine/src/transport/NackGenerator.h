#pragma once

// Generic NACK scheduling for one received RTP source (RFC 4585 §6.2.1): gaps in the received
// sequence numbers become missing entries, which due() hands out for NACKing, at once or after
// a reorder delay, then again every max(RTT, minimum interval) until the packet arrives, the
// tries run out or it is too old to be useful. Bounded in entries and wrap-aware; no
// allocation after construction (due(now, rtt, out) appends to the caller's vector).

#include <cstddef>
#include <cstdint>
#include <vector>

namespace pw::transport {

class NackGenerator {
 public:
  struct Config {
    int64_t reorderDelayMs = 0;      // wait this long before the first NACK of a gap
    int64_t minRetryIntervalMs = 20; // retries wait max(rtt, this)
    int maxTries = 10;               // NACKs per missing packet
    int64_t maxAgeMs = 1000;         // forget a packet missing for this long
    size_t maxTracked = 500;         // the oldest missing entries give way beyond this
    uint16_t maxJump = 1000;         // a jump larger than this (either way) resets instead
  };
  // Entries this far behind the highest sequence number are dropped whatever their age: past
  // it the 16-bit number would soon name a newer packet.
  static constexpr int64_t kMaxDistance = 0x4000;

  NackGenerator();
  explicit NackGenerator(const Config& config);

  // What one received sequence number did.
  enum class Outcome {
    First,      // the first packet seen: nothing to compare with
    InOrder,    // the next one (or a jump forward of up to maxJump; the gap is now missing)
    Recovered,  // a packet that was missing (late or retransmitted): no longer NACKed
    Old,        // at or behind the highest and not missing (duplicate, or given up)
    Reset,      // a jump of more than maxJump: missing entries dropped, starts over from it
  };
  Outcome onReceived(uint16_t sequenceNumber, int64_t nowMs);

  // The sequence numbers to NACK now, in ascending (wrap-aware) order; each counts as a try
  // sent at nowMs. Entries past maxAgeMs or maxTries are dropped first.
  std::vector<uint16_t> due(int64_t nowMs, int64_t rttMs);
  // The same, appended to `out`; returns how many were appended.
  size_t due(int64_t nowMs, int64_t rttMs, std::vector<uint16_t>& out);

  // Forgets every missing entry (after a keyframe request made them useless), keeps the
  // highest sequence number.
  void clear();
  // Forgets everything, as before the first packet.
  void reset();

  size_t missingCount() const;
  bool isMissing(uint16_t sequenceNumber) const;
  const Config& config() const;

 private:
  struct Entry {
    int64_t extendedSeq;
    int64_t missingSinceMs;
    int64_t lastSentMs;
    int tries;
  };
  // Extended sequence number of seq nearest the highest one.
  int64_t extend(uint16_t sequenceNumber) const;
  // Index of the entry for extendedSeq, or entries_.size().
  size_t find(int64_t extendedSeq) const;
  void dropFront(size_t count);

  Config config_;
  bool started_ = false;
  int64_t highestExtendedSeq_ = 0;
  std::vector<Entry> entries_;  // ascending extendedSeq, capacity maxTracked
};

}  // namespace pw::transport
