#include "MediaLoop.h"

#include <pthread.h>

#include <memory>

namespace pw::transport {

namespace {

struct Timer {
  std::function<bool()> fn;
};

}  // namespace

MediaLoop::MediaLoop(std::string name) : name_(std::move(name)) {
  context_ = MainContextPtr::adopt(g_main_context_new());
  loop_ = MainLoopPtr::adopt(g_main_loop_new(context_.get(), FALSE));
  thread_ = std::thread([this] { run(); });
}

MediaLoop::~MediaLoop() {
  g_main_loop_quit(loop_.get());
  g_main_context_wakeup(context_.get());
  if (thread_.joinable()) thread_.join();
  // Sources still attached (posted tasks, timers) are destroyed with the context (the owners,
  // next): their destroy notifies free the closures.
}

void MediaLoop::run() {
  threadId_ = std::this_thread::get_id();
  pthread_setname_np(pthread_self(), name_.substr(0, 15).c_str());
  g_main_context_push_thread_default(context_.get());
  g_main_loop_run(loop_.get());
  g_main_context_pop_thread_default(context_.get());
}

void MediaLoop::post(std::function<void()> task) {
  {
    std::lock_guard lock(queueMutex_);
    queue_.push_back(std::move(task));
    if (wakeScheduled_) return;
    wakeScheduled_ = true;
  }
  SourcePtr source = SourcePtr::adopt(g_idle_source_new());
  g_source_set_priority(source.get(), G_PRIORITY_DEFAULT);
  g_source_set_callback(
      source.get(),
      [](gpointer self) -> gboolean {
        static_cast<MediaLoop*>(self)->runPosted();
        return G_SOURCE_REMOVE;
      },
      this, nullptr);
  g_source_attach(source.get(), context_.get());
}

void MediaLoop::runPosted() {
  std::deque<std::function<void()>> batch;
  {
    std::lock_guard lock(queueMutex_);
    batch.swap(queue_);
    wakeScheduled_ = false;
  }
  for (auto& task : batch) {
    if (task) task();
  }
}

unsigned MediaLoop::addTimer(unsigned intervalMs, std::function<bool()> task) {
  SourcePtr source = SourcePtr::adopt(g_timeout_source_new(intervalMs));
  g_source_set_callback(
      source.get(),
      [](gpointer data) -> gboolean {
        auto* t = static_cast<Timer*>(data);
        return t->fn && t->fn() ? G_SOURCE_CONTINUE : G_SOURCE_REMOVE;
      },
      new Timer{std::move(task)}, [](gpointer data) { delete static_cast<Timer*>(data); });
  return g_source_attach(source.get(), context_.get());
}

void MediaLoop::cancelTimer(unsigned id) { destroySource(context_.get(), id); }

}  // namespace pw::transport
