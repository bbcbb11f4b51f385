#include "Reaper.h"
#include "pipewright/engine/Log.h"

#include <malloc.h>

#include <algorithm>
#include <system_error>

namespace pw {

namespace {

// A released pipeline's buffers were freed by many threads into several malloc arenas; the
// free pages go back to the system (malloc_trim) once a burst of releases is over, off the
// engine thread. Without it the soak test's RSS crept up for ~700 sessions before levelling
// off; trimming after every single release cost more CPU than the release itself. Only when
// more than kTrimAboveBytes lie free: what one session freed is kept for the next one (a
// process that trims it away pays the page faults again for every new session).
constexpr auto kTrimDelay = std::chrono::milliseconds(500);
constexpr size_t kTrimAboveBytes = size_t(8) << 20;

}  // namespace

struct Reaper::EosWait {
  bool eos = false;   // the probe saw EOS
  bool done = false;  // the job left waiting_: a late EOS changes nothing
};

Reaper& Reaper::instance() {
  static Reaper reaper;
  return reaper;
}

Reaper::~Reaper() {
  std::unique_lock lock(mutex_);
  stopping_ = true;
  wake_.notify_all();
  // Workers finish what is queued (waits keep their deadlines), then end; a worker may start
  // another while doing so, hence the loop.
  while (workers_ > 0 || !threads_.empty()) {
    std::vector<std::thread> threads = std::move(threads_);
    threads_.clear();
    exited_.clear();
    lock.unlock();
    for (auto& t : threads) t.join();
    lock.lock();
  }
}

void Reaper::eosSeen(const std::shared_ptr<EosWait>& wait) {
  Reaper& self = instance();
  std::lock_guard lock(self.mutex_);
  if (wait->done || wait->eos) return;
  wait->eos = true;
  self.kick();
}

void Reaper::retire(ElementRef element, PadRef waitEosPad, int waitMs, std::function<void()> after) {
  if (!element) return;
  gst_element_set_locked_state(element.get(), TRUE);
  GstRef<GstObject> parent = GstRef<GstObject>::adopt(gst_object_get_parent(GST_OBJECT(element.get())));
  if (parent && GST_IS_BIN(parent.get())) gst_bin_remove(GST_BIN(parent.get()), element.get());

  Job job{std::move(element), {}, 0, {}, {}, std::move(after)};
  bool alreadyEos = false;
  if (waitEosPad && waitMs > 0) {
    job.deadline = Clock::now() + std::chrono::milliseconds(waitMs);
    job.wait = std::make_shared<EosWait>();
    // The probe runs in the streaming thread that carries EOS; it only marks the job and wakes a
    // worker. It stays until the job runs (finish() removes it); its data outlives a callback
    // still running at that moment, because GStreamer frees it only after the callback returns.
    job.probe = gst_pad_add_probe(
        waitEosPad.get(), GST_PAD_PROBE_TYPE_EVENT_DOWNSTREAM,
        [](GstPad*, GstPadProbeInfo* info, gpointer data) -> GstPadProbeReturn {
          GstEvent* event = GST_PAD_PROBE_INFO_EVENT(info);
          if (event && GST_EVENT_TYPE(event) == GST_EVENT_EOS) eosSeen(*static_cast<std::shared_ptr<EosWait>*>(data));
          return GST_PAD_PROBE_OK;
        },
        new std::shared_ptr<EosWait>(job.wait), [](gpointer data) { delete static_cast<std::shared_ptr<EosWait>*>(data); });
    // EOS that passed before the probe was there (the flag is set under the pad's lock).
    GST_OBJECT_LOCK(waitEosPad.get());
    alreadyEos = GST_PAD_IS_EOS(waitEosPad.get());
    GST_OBJECT_UNLOCK(waitEosPad.get());
    job.eosPad = std::move(waitEosPad);
  }

  std::vector<std::thread> exited;
  bool queued = false;
  {
    std::lock_guard lock(mutex_);
    if (alreadyEos) job.wait->eos = true;
    // Workers that ended are joined here, on the caller's thread and outside the lock.
    for (auto it = threads_.begin(); it != threads_.end();) {
      if (std::find(exited_.begin(), exited_.end(), it->get_id()) != exited_.end()) {
        exited.push_back(std::move(*it));
        it = threads_.erase(it);
      } else {
        ++it;
      }
    }
    exited_.clear();
    const bool waits = job.wait != nullptr;
    if (waits) {
      waiting_.push_back(std::move(job));
    } else {
      ready_.push_back(std::move(job));
    }
    kick();
    queued = workers_ > 0;
    if (!queued) {  // no thread could be started: take the job back
      if (waits) {
        job = std::move(waiting_.back());
        waiting_.pop_back();
      } else {
        job = std::move(ready_.back());
        ready_.pop_back();
      }
    }
  }
  for (auto& t : exited) t.join();
  if (!queued) {
    // The process is out of threads: better a release that makes this thread wait than one
    // that never happens.
    qCWarning(lcMedia, "no thread for a background release; the element stops on the caller's thread");
    while (job.wait) {
      {
        std::lock_guard lock(mutex_);
        if (job.wait->eos || Clock::now() >= job.deadline) break;
      }
      std::this_thread::sleep_for(std::chrono::milliseconds(10));
    }
    finish(job);
  }
}

bool Reaper::drain(int timeoutMs) {
  std::unique_lock lock(mutex_);
  return idle_.wait_for(lock, std::chrono::milliseconds(timeoutMs), [this]() { return idle(); });
}

int Reaper::pending() const {
  std::lock_guard lock(mutex_);
  return static_cast<int>(ready_.size() + waiting_.size()) + running_;
}

int Reaper::workers() const {
  std::lock_guard lock(mutex_);
  return workers_;
}

void Reaper::promoteDue(Clock::time_point now) {
  for (auto it = waiting_.begin(); it != waiting_.end();) {
    if (it->wait->eos || now >= it->deadline) {
      it->wait->done = true;
      ready_.push_back(std::move(*it));
      it = waiting_.erase(it);
    } else {
      ++it;
    }
  }
}

bool Reaper::startWorker() {
  if (workers_ >= kMaxWorkers) return false;
  try {
    threads_.emplace_back([this]() { run(); });
  } catch (const std::system_error&) {
    return false;  // out of threads: the workers there carry on
  }
  ++workers_;
  return true;
}

void Reaper::kick() {
  if (idleWorkers_ > 0) {
    wake_.notify_one();
  } else {
    startWorker();  // at kMaxWorkers (or out of threads) a busy worker takes it when done
  }
}

void Reaper::finish(Job& job) {
  if (job.probe) gst_pad_remove_probe(job.eosPad.get(), job.probe);
  gst_element_set_state(job.element.get(), GST_STATE_NULL);
  if (job.after) job.after();
  job = Job{};  // the element's last reference goes here, off the engine thread
}

void Reaper::run() {
  std::unique_lock lock(mutex_);
  auto idleSince = Clock::now();
  for (;;) {
    auto now = Clock::now();
    promoteDue(now);
    if (!ready_.empty()) {
      Job job = std::move(ready_.front());
      ready_.pop_front();
      ++running_;
      // Someone must take the rest, and watch the waits' deadlines, while this one blocks.
      if ((!ready_.empty() || !waiting_.empty()) && idleWorkers_ == 0) startWorker();
      lock.unlock();
      finish(job);
      lock.lock();
      --running_;
      if (idle()) {
        idle_.notify_all();
        trimPending_ = true;
        trimAt_ = Clock::now() + kTrimDelay;
      }
      idleSince = Clock::now();
      continue;
    }
    if (trimPending_ && idle() && now >= trimAt_) {
      trimPending_ = false;
      lock.unlock();
      if (mallinfo2().fordblks > kTrimAboveBytes) malloc_trim(0);
      lock.lock();
      idleSince = Clock::now();
      continue;
    }
    if (stopping_ && waiting_.empty()) break;
    // Idle long enough: go, unless a wait or a trim needs watching and no other idle worker
    // watches it. A spare worker (another one remains) goes sooner than the last.
    const auto exitAt = idleSince + std::chrono::milliseconds(workers_ > 1 ? kSpareIdleExitMs : kIdleExitMs);
    const bool needed = !waiting_.empty() || (trimPending_ && idle());
    if (now >= exitAt && (!needed || idleWorkers_ > 0)) break;
    // Sleep until a kick, the next deadline, the trim, or the time to go (at least a period
    // from now when that has passed but this worker had to stay).
    auto until = exitAt > now ? exitAt : now + std::chrono::milliseconds(kIdleExitMs);
    for (const auto& j : waiting_) until = std::min(until, j.deadline);
    if (trimPending_ && trimAt_ > now) until = std::min(until, trimAt_);
    ++idleWorkers_;
    wake_.wait_until(lock, until);
    --idleWorkers_;
  }
  --workers_;
  exited_.push_back(std::this_thread::get_id());
}

}  // namespace pw
