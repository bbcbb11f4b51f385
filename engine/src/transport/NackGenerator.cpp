#include "transport/NackGenerator.h"

#include <algorithm>
#include <limits>

namespace pw::transport {

NackGenerator::NackGenerator() : NackGenerator(Config{}) {}

NackGenerator::NackGenerator(const Config& config) : config_(config) {
  if (config_.maxTracked == 0) config_.maxTracked = 1;
  entries_.reserve(config_.maxTracked);
}

int64_t NackGenerator::extend(uint16_t sequenceNumber) const {
  const auto delta = static_cast<int16_t>(static_cast<uint16_t>(sequenceNumber - static_cast<uint16_t>(highestExtendedSeq_)));
  return highestExtendedSeq_ + delta;
}

size_t NackGenerator::find(int64_t extendedSeq) const {
  const auto it = std::lower_bound(entries_.begin(), entries_.end(), extendedSeq,
                                   [](const Entry& entry, int64_t seq) { return entry.extendedSeq < seq; });
  if (it != entries_.end() && it->extendedSeq == extendedSeq) return static_cast<size_t>(it - entries_.begin());
  return entries_.size();
}

void NackGenerator::dropFront(size_t count) {
  entries_.erase(entries_.begin(), entries_.begin() + static_cast<std::ptrdiff_t>(std::min(count, entries_.size())));
}

NackGenerator::Outcome NackGenerator::onReceived(uint16_t sequenceNumber, int64_t nowMs) {
  if (!started_) {
    started_ = true;
    highestExtendedSeq_ = sequenceNumber;
    return Outcome::First;
  }
  const int64_t extended = extend(sequenceNumber);
  const int64_t delta = extended - highestExtendedSeq_;
  if (delta > config_.maxJump || delta < -int64_t(config_.maxJump)) {
    entries_.clear();
    highestExtendedSeq_ = extended;
    return Outcome::Reset;
  }
  if (delta > 0) {
    // highest+1 .. extended-1 are missing now; keep only the newest maxTracked of them all.
    const int64_t gap = delta - 1;
    const int64_t newest = std::min<int64_t>(gap, static_cast<int64_t>(config_.maxTracked));
    if (entries_.size() + static_cast<size_t>(newest) > config_.maxTracked) {
      dropFront(entries_.size() + static_cast<size_t>(newest) - config_.maxTracked);
    }
    for (int64_t seq = extended - newest; seq < extended; ++seq) {
      entries_.push_back(Entry{seq, nowMs, std::numeric_limits<int64_t>::min(), 0});
    }
    highestExtendedSeq_ = extended;
    const auto tooFar = std::find_if(entries_.begin(), entries_.end(), [&](const Entry& entry) {
      return highestExtendedSeq_ - entry.extendedSeq <= kMaxDistance;
    });
    entries_.erase(entries_.begin(), tooFar);
    return Outcome::InOrder;
  }
  const size_t index = find(extended);
  if (index == entries_.size()) return Outcome::Old;
  entries_.erase(entries_.begin() + static_cast<std::ptrdiff_t>(index));
  return Outcome::Recovered;
}

std::vector<uint16_t> NackGenerator::due(int64_t nowMs, int64_t rttMs) {
  std::vector<uint16_t> out;
  due(nowMs, rttMs, out);
  return out;
}

size_t NackGenerator::due(int64_t nowMs, int64_t rttMs, std::vector<uint16_t>& out) {
  const int64_t retryIntervalMs = std::max(rttMs, config_.minRetryIntervalMs);
  const size_t before = out.size();
  size_t kept = 0;
  for (Entry& entry : entries_) {
    if (nowMs - entry.missingSinceMs >= config_.maxAgeMs || entry.tries >= config_.maxTries) continue;
    const bool ready = entry.tries == 0 ? nowMs - entry.missingSinceMs >= config_.reorderDelayMs
                                        : nowMs - entry.lastSentMs >= retryIntervalMs;
    if (ready) {
      out.push_back(static_cast<uint16_t>(entry.extendedSeq));
      entry.lastSentMs = nowMs;
      ++entry.tries;
    }
    entries_[kept++] = entry;
  }
  entries_.resize(kept);
  return out.size() - before;
}

void NackGenerator::clear() { entries_.clear(); }

void NackGenerator::reset() {
  entries_.clear();
  started_ = false;
  highestExtendedSeq_ = 0;
}

size_t NackGenerator::missingCount() const { return entries_.size(); }

bool NackGenerator::isMissing(uint16_t sequenceNumber) const {
  return started_ && find(extend(sequenceNumber)) != entries_.size();
}

const NackGenerator::Config& NackGenerator::config() const { return config_; }

}  // namespace pw::transport
