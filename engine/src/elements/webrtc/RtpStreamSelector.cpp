#include "RtpStreamSelector.h"

namespace pw {

RtpStreamSelector::Verdict RtpStreamSelector::onPacket(uint64_t key, int64_t nowUs) {
  std::lock_guard lock(mutex_);
  if (!current_ || *current_ == key) {
    current_ = key;
    lastCurrentUs_ = nowUs;
    return Verdict::Pass;
  }
  if (nowUs - lastCurrentUs_ < silenceUs_) return Verdict::Drop;
  current_ = key;
  lastCurrentUs_ = nowUs;
  ++switches_;
  return Verdict::SwitchTo;
}

std::optional<uint64_t> RtpStreamSelector::current() const {
  std::lock_guard lock(mutex_);
  return current_;
}

int RtpStreamSelector::switches() const {
  std::lock_guard lock(mutex_);
  return switches_;
}

}  // namespace pw
