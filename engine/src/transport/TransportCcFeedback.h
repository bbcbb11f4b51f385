#pragma once

// Receiver side of transport-wide congestion control (draft-holmer-rmcat-transport-wide-cc-
// extensions-01): records when each packet carrying the transport-wide sequence number header
// extension arrived, and builds the RTPFB FMT 15 feedback that the sender's bandwidth estimator
// (Chromium's send-side BWE) needs. One per WebRtcTransport, on its media thread.
//
// Feedback covers the packets received since the previous one, from the oldest unreported
// sequence number to the newest received: those in between that did not arrive are reported lost.
// A packet that arrives after its number was reported is dropped (reported lost once already).

#include <cstdint>
#include <map>
#include <optional>
#include <vector>

namespace pw::transport {

class TransportCcFeedback {
 public:
  // Most statuses in one feedback packet (its size stays below ~1,100 bytes).
  static constexpr int kMaxStatusesPerPacket = 400;
  // Most arrivals kept between two feedbacks (a peer flooding numbers cannot grow memory).
  static constexpr size_t kMaxPending = 4096;

  // `arrivalUs`: a monotonic clock in microseconds.
  void onPacket(uint16_t transportSequenceNumber, int64_t arrivalUs);
  bool hasPending() const { return !arrivals_.empty(); }

  // Appends one feedback packet (RTCP header included, padded to 32 bits) to `out` for what is
  // pending, and forgets what it reported. False when nothing is pending. Call again while it
  // returns true: a long gap or many packets make several.
  bool build(std::vector<uint8_t>& out, uint32_t senderSsrc, uint32_t mediaSsrc);

  uint64_t packetsSent() const { return feedbackPackets_; }

 private:
  int64_t unwrap(uint16_t sequenceNumber);

  std::map<int64_t, int64_t> arrivals_;  // unwrapped sequence number → arrival (µs)
  std::optional<int64_t> lastUnwrapped_;
  std::optional<int64_t> nextToReport_;  // the first number not reported yet
  uint8_t feedbackCount_ = 0;
  uint64_t feedbackPackets_ = 0;
};

}  // namespace pw::transport
