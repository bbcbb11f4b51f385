#pragma once

// Tears GStreamer elements down off the engine thread (security issue: "releasing a large
// pipeline stalled the whole server"). Setting a bin to NULL joins its streaming threads, and a
// recording being closed waits for its muxer to write the index: both can take long, and the
// engine thread must keep answering meanwhile. One worker thread, started on first use, runs
// the jobs in order; a job only touches the GStreamer objects it was given (never engine
// state). drain() waits for the queue to empty (engine shutdown).

#include "GstRef.h"

#include <condition_variable>
#include <deque>
#include <functional>
#include <mutex>
#include <thread>

namespace pw {

class Reaper {
 public:
  static Reaper& instance();

  // Takes `element` out of its parent bin now (its state locked, so the parent's state changes
  // leave it alone); it goes to NULL on the worker, after `waitEosPad` (when given) has seen EOS
  // or `waitMs` has passed; then `after` runs on the worker (e.g. to hand an owner back to the
  // engine thread). Whatever the element's callbacks point at must outlive `after`.
  void retire(ElementRef element, PadRef waitEosPad = {}, int waitMs = 0, std::function<void()> after = {});
  // Blocks until every queued job has run, at most `timeoutMs`. False on timeout.
  bool drain(int timeoutMs);

  ~Reaper();

 private:
  Reaper() = default;
  void run();

  std::mutex mutex_;
  std::condition_variable wake_;
  std::condition_variable idle_;
  std::deque<std::function<void()>> jobs_;
  bool busy_ = false;
  bool stopping_ = false;
  std::thread worker_;
};

}  // namespace pw
