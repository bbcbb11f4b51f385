#pragma once

#include <cstdint>
#include <mutex>
#include <optional>

namespace pw {

// Which of the streams an RtpEndpoint receives for one media type goes on to its output. rtpbin
// gives every SSRC (and payload type) its own jitter buffer and pad; a sender that restarts
// (gst-launch-1.0 stopped and started again, ffmpeg reconnecting) comes back as a new SSRC with
// new sequence and timestamp bases. The first stream is passed on. A later one takes its place
// as soon as the current one has been silent for `silenceUs` (at once when the sender restarted
// after a pause; after that delay when the new stream overlaps the old one), so two senders at
// once do not alternate. Streaming threads call in, hence the mutex.
class RtpStreamSelector {
 public:
  enum class Verdict {
    Pass,      // the current stream: pass the packet on
    Drop,      // another stream while the current one is alive
    SwitchTo,  // this stream replaces the silent one: pass it on, and ask for a keyframe
  };

  static constexpr int64_t kDefaultSilenceUs = 500'000;

  explicit RtpStreamSelector(int64_t silenceUs = kDefaultSilenceUs) : silenceUs_(silenceUs) {}

  // A packet of stream `key` (SSRC and payload type) arrived at monotonic time `nowUs`.
  Verdict onPacket(uint64_t key, int64_t nowUs);
  // The stream passed on now, if any.
  std::optional<uint64_t> current() const;
  // How many times a new stream took over.
  int switches() const;

  static uint64_t key(uint32_t ssrc, int payloadType) { return (static_cast<uint64_t>(ssrc) << 8) | (payloadType & 0xff); }

 private:
  mutable std::mutex mutex_;
  std::optional<uint64_t> current_;
  int64_t lastCurrentUs_ = 0;
  int64_t silenceUs_;
  int switches_ = 0;
};

}  // namespace pw
