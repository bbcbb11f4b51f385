#pragma once

// Tears GStreamer elements down off the engine thread (security issue: "releasing a large
// pipeline stalled the whole server"). Setting a bin to NULL joins its streaming threads, and a
// recording being closed waits for its muxer to write the index: both can take long, and the
// engine thread must keep answering meanwhile. A job only touches the GStreamer objects it was
// given (never engine state); its `after` runs once its element is NULL. drain() waits until
// every job has run (engine shutdown).
//
// Waiting for EOS holds no thread (issue 10: one recorder's 1 s wait for its muxer used to delay
// every release queued behind it, and under CPU starvation the queued recorders held their
// descriptors until the server refused creations). A pad probe marks the job ready when EOS
// passes, and its deadline bounds the wait; all waiting jobs wait at the same time, whatever
// their number. The part that must block, the change to NULL, runs on a small pool of workers
// (at most kMaxWorkers): started on demand, so one teardown stuck in a streaming thread's join
// delays none of the others while a worker is free; spare workers end soon after a burst, the
// last one after kIdleExitMs without work, so an idle server runs no Reaper thread at all. Jobs
// start in the order they become ready (FIFO among those with no wait); with several workers
// they may finish in any order.

#include "GstRef.h"

#include <chrono>
#include <condition_variable>
#include <deque>
#include <functional>
#include <memory>
#include <mutex>
#include <thread>
#include <vector>

namespace pw {

class Reaper {
 public:
  static Reaper& instance();

  // At most this many workers run changes to NULL at once; EOS waits hold none of them.
  static constexpr int kMaxWorkers = 4;
  // A worker with nothing to do (and nothing to watch) ends after kSpareIdleExitMs while
  // another worker remains, the last one after kIdleExitMs: a burst leaves no spare threads
  // behind, and releases that come every few seconds do not start a thread each.
  static constexpr int kSpareIdleExitMs = 250;
  static constexpr int kIdleExitMs = 5000;

  // Takes `element` out of its parent bin now (its state locked, so the parent's state changes
  // leave it alone); it goes to NULL on a worker, after `waitEosPad` (when given) has seen EOS
  // or `waitMs` has passed; then `after` runs on that worker (e.g. to hand an owner back to the
  // engine thread). Whatever the element's callbacks point at must outlive `after`.
  void retire(ElementRef element, PadRef waitEosPad = {}, int waitMs = 0, std::function<void()> after = {});
  // Blocks until every job given so far has run, at most `timeoutMs`. False on timeout.
  bool drain(int timeoutMs);
  // Teardowns not finished yet: waiting for EOS, waiting for a worker, or going to NULL now.
  // Each still holds its element's descriptors and threads (ResourceGuard names the number).
  int pending() const;
  // Workers running now (tests, and the thread count's explanation).
  int workers() const;

  ~Reaper();

 private:
  using Clock = std::chrono::steady_clock;
  struct EosWait;  // shared by a waiting job and its pad probe, guarded by mutex_
  struct Job {
    ElementRef element;
    PadRef eosPad;
    unsigned long probe = 0;  // the EOS probe on eosPad, 0 when the job does not wait
    std::shared_ptr<EosWait> wait;
    Clock::time_point deadline;
    std::function<void()> after;
  };

  Reaper() = default;
  void run();
  // Moves waiting jobs whose EOS came or whose deadline passed to ready_ (mutex_ held).
  void promoteDue(Clock::time_point now);
  // Starts a worker unless kMaxWorkers run; false when none could be started (mutex_ held).
  bool startWorker();
  // Wakes an idle worker, or starts one, because work appeared (mutex_ held).
  void kick();
  bool idle() const { return ready_.empty() && waiting_.empty() && running_ == 0; }
  static void finish(Job& job);
  static void eosSeen(const std::shared_ptr<EosWait>& wait);

  mutable std::mutex mutex_;
  std::condition_variable wake_;
  std::condition_variable idle_;
  std::deque<Job> ready_;
  std::vector<Job> waiting_;
  int running_ = 0;
  int workers_ = 0;
  int idleWorkers_ = 0;
  bool stopping_ = false;
  bool trimPending_ = false;
  Clock::time_point trimAt_;
  std::vector<std::thread> threads_;            // started, not joined yet
  std::vector<std::thread::id> exited_;         // workers that ended, to be joined
};

}  // namespace pw
