#pragma once

// One media thread: a GMainContext and the thread that runs it (design §4). Many endpoints'
// ICE agents, DTLS and SRTP live on one loop; everything about an endpoint's transport happens
// on its loop's thread, so the transport needs no locks. Other threads hand work over with
// post(), which wakes the loop through its one eventfd.

#include "gst/GLibOwners.h"

#include <glib.h>

#include <atomic>
#include <deque>
#include <functional>
#include <mutex>
#include <string>
#include <thread>

namespace pw::transport {

class MediaLoop {
 public:
  explicit MediaLoop(std::string name);
  ~MediaLoop();  // stops the loop and joins the thread; anything still posted is dropped
  MediaLoop(const MediaLoop&) = delete;
  MediaLoop& operator=(const MediaLoop&) = delete;

  GMainContext* context() const { return context_.get(); }
  const std::string& name() const { return name_; }
  bool isCurrentThread() const { return std::this_thread::get_id() == threadId_.load(); }

  // Runs `task` on this loop's thread (soon, in order). Thread-safe: tasks queue under a mutex
  // and one idle source per batch wakes the loop (the hand-over is a std::mutex, which thread
  // sanitizers see; GLib's own locks they do not).
  void post(std::function<void()> task);
  // Runs `task` every `intervalMs` on this loop's thread until it returns false. Thread-safe.
  // Returns the GSource id on this loop's context (remove with cancelTimer on the loop thread).
  unsigned addTimer(unsigned intervalMs, std::function<bool()> task);
  // Loop thread: removes a timer added with addTimer.
  void cancelTimer(unsigned id);

  // Users (endpoints) on this loop, for the pool's least-loaded choice.
  int users() const { return users_.load(); }
  void addUser() { ++users_; }
  void removeUser() { --users_; }

 private:
  void run();
  void runPosted();

  std::string name_;
  MainContextPtr context_;
  MainLoopPtr loop_;
  std::thread thread_;
  std::atomic<std::thread::id> threadId_{};
  std::atomic<int> users_{0};
  std::mutex queueMutex_;
  std::deque<std::function<void()>> queue_;
  bool wakeScheduled_ = false;
};

}  // namespace pw::transport
