#pragma once

// The fixed pool of media threads (design §4): a few MediaLoops, created once, shared by every
// lean WebRTC endpoint of the process. The number of threads does not grow with sessions.

#include "MediaLoop.h"

#include <memory>
#include <mutex>
#include <vector>

namespace pw::transport {

class MediaThreadPool {
 public:
  // The process's pool; `threads` is used by the first call only (<= 0: one per core, at most 4).
  static MediaThreadPool& instance(int threads = 0);

  explicit MediaThreadPool(int threads);
  int size() const { return static_cast<int>(loops_.size()); }
  // The loop with the fewest users (the caller then calls addUser on it).
  MediaLoop& leastLoaded();
  MediaLoop& loop(int i) { return *loops_.at(static_cast<size_t>(i)); }

 private:
  std::vector<std::unique_ptr<MediaLoop>> loops_;
  std::mutex mutex_;
};

}  // namespace pw::transport
