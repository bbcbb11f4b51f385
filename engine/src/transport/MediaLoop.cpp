#include "MediaLoop.h"

#include <pthread.h>

#include <memory>

namespace pw::transport {

namespace {

struct Task {
  std::function<void()> fn;
};

struct Timer {
  std::function<bool()> fn;
};

}  // namespace

MediaLoop::MediaLoop(std::string name) : name_(std::move(name)) {
  context_ = g_main_context_new();
  loop_ = g_main_loop_new(context_, FALSE);
  thread_ = std::thread([this] { run(); });
}

MediaLoop::~MediaLoop() {
  g_main_loop_quit(loop_);
  g_main_context_wakeup(context_);
  if (thread_.joinable()) thread_.join();
  // Sources still attached (posted tasks, timers) are destroyed with the context: their
  // destroy notifies free the closures.
  g_main_loop_unref(loop_);
  g_main_context_unref(context_);
}

void MediaLoop::run() {
  threadId_ = std::this_thread::get_id();
  pthread_setname_np(pthread_self(), name_.substr(0, 15).c_str());
  g_main_context_push_thread_default(context_);
  g_main_loop_run(loop_);
  g_main_context_pop_thread_default(context_);
}

void MediaLoop::post(std::function<void()> task) {
  GSource* source = g_idle_source_new();
  g_source_set_priority(source, G_PRIORITY_DEFAULT);
  g_source_set_callback(
      source,
      [](gpointer data) -> gboolean {
        auto* t = static_cast<Task*>(data);
        if (t->fn) t->fn();
        return G_SOURCE_REMOVE;
      },
      new Task{std::move(task)}, [](gpointer data) { delete static_cast<Task*>(data); });
  g_source_attach(source, context_);
  g_source_unref(source);
}

unsigned MediaLoop::addTimer(unsigned intervalMs, std::function<bool()> task) {
  GSource* source = g_timeout_source_new(intervalMs);
  g_source_set_callback(
      source,
      [](gpointer data) -> gboolean {
        auto* t = static_cast<Timer*>(data);
        return t->fn && t->fn() ? G_SOURCE_CONTINUE : G_SOURCE_REMOVE;
      },
      new Timer{std::move(task)}, [](gpointer data) { delete static_cast<Timer*>(data); });
  const unsigned id = g_source_attach(source, context_);
  g_source_unref(source);
  return id;
}

void MediaLoop::cancelTimer(unsigned id) {
  if (id == 0) return;
  if (GSource* source = g_main_context_find_source_by_id(context_, id)) g_source_destroy(source);
}

}  // namespace pw::transport
