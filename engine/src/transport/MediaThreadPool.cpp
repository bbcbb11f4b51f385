#include "MediaThreadPool.h"

#include <algorithm>
#include <thread>

namespace pw::transport {

MediaThreadPool& MediaThreadPool::instance(int threads) {
  // Never destroyed: endpoints released during exit may still post to it.
  static MediaThreadPool* pool = new MediaThreadPool(threads);
  return *pool;
}

MediaThreadPool::MediaThreadPool(int threads) {
  if (threads <= 0) threads = std::clamp(static_cast<int>(std::thread::hardware_concurrency()), 1, 4);
  for (int i = 0; i < threads; ++i) loops_.push_back(std::make_unique<MediaLoop>("pw-media-" + std::to_string(i)));
}

MediaLoop& MediaThreadPool::leastLoaded() {
  std::lock_guard lock(mutex_);
  MediaLoop* best = loops_.front().get();
  for (const auto& l : loops_) {
    if (l->users() < best->users()) best = l.get();
  }
  return *best;
}

}  // namespace pw::transport
