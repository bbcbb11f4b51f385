#include "Reaper.h"

#include <malloc.h>

#include <chrono>

namespace pw {

Reaper& Reaper::instance() {
  static Reaper reaper;
  return reaper;
}

Reaper::~Reaper() {
  {
    std::lock_guard lock(mutex_);
    stopping_ = true;
  }
  wake_.notify_all();
  if (worker_.joinable()) worker_.join();
}

void Reaper::retire(ElementRef element, PadRef waitEosPad, int waitMs, std::function<void()> after) {
  if (!element) return;
  gst_element_set_locked_state(element.get(), TRUE);
  GstRef<GstObject> parent = GstRef<GstObject>::adopt(gst_object_get_parent(GST_OBJECT(element.get())));
  if (parent && GST_IS_BIN(parent.get())) gst_bin_remove(GST_BIN(parent.get()), element.get());
  auto job = [element = std::move(element), pad = std::move(waitEosPad), waitMs, after = std::move(after)]() {
    for (int waitedMs = 0; pad && waitedMs < waitMs && !GST_PAD_IS_EOS(pad.get()); waitedMs += 10) g_usleep(10000);
    gst_element_set_state(element.get(), GST_STATE_NULL);
    if (after) after();
  };
  {
    std::lock_guard lock(mutex_);
    jobs_.push_back(std::move(job));
    if (!worker_.joinable()) worker_ = std::thread([this]() { run(); });
  }
  wake_.notify_one();
}

bool Reaper::drain(int timeoutMs) {
  std::unique_lock lock(mutex_);
  return idle_.wait_for(lock, std::chrono::milliseconds(timeoutMs), [this]() { return jobs_.empty() && !busy_; });
}

void Reaper::run() {
  // A released pipeline's buffers were freed by many threads into several malloc arenas; the
  // free pages go back to the system (malloc_trim) once a burst of releases is over, off the
  // engine thread. Without it the soak test's RSS crept up for ~700 sessions before levelling
  // off; trimming after every single release cost more CPU than the release itself. Only when
  // more than kTrimAboveBytes lie free: what one session freed is kept for the next one (a
  // process that trims it away pays the page faults again for every new session).
  constexpr auto kTrimDelay = std::chrono::milliseconds(500);
  constexpr size_t kTrimAboveBytes = size_t(8) << 20;
  std::unique_lock lock(mutex_);
  bool trimPending = false;
  const auto hasWork = [this]() { return stopping_ || !jobs_.empty(); };
  for (;;) {
    if (!trimPending) {
      wake_.wait(lock, hasWork);
    } else if (!wake_.wait_for(lock, kTrimDelay, hasWork)) {
      trimPending = false;
      lock.unlock();
      if (mallinfo2().fordblks > kTrimAboveBytes) malloc_trim(0);
      lock.lock();
      continue;
    }
    if (jobs_.empty()) return;  // stopping, nothing left
    std::function<void()> job = std::move(jobs_.front());
    jobs_.pop_front();
    busy_ = true;
    lock.unlock();
    job();
    job = nullptr;  // the element's last reference goes here, off the engine thread
    lock.lock();
    busy_ = false;
    if (jobs_.empty()) {
      idle_.notify_all();
      trimPending = true;
    }
  }
}

}  // namespace pw
