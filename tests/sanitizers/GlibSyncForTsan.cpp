// ThreadSanitizer tree only (docs/testing.md, "ThreadSanitizer"): lets TSan see the ordering that
// GLib's GMutex gives GStreamer.
//
// Debian's GLib implements GMutex and GCond with futexes and inline atomics, not pthreads, so TSan
// (which intercepts pthread_mutex_*) sees none of it. GStreamer hands almost everything from one
// thread to another under a GMutex: pad probes and their data (the pad's object lock), appsink
// and appsrc callbacks and queued buffers, queue elements, bus sync handlers. Without this, every
// object our code creates on one thread and reads on a streaming thread is reported as a race.
//
// The test binaries define g_mutex_lock & co. themselves: calls from GStreamer's libraries go
// through the PLT and reach these first (calls inside libglib itself bind locally and stay
// invisible). Each forwards to GLib's own function and adds the happens-before edge the mutex
// provides: an unlock releases, a lock acquires, on the mutex's address. Nothing else changes (no
// lock is added, no report is hidden, and TSan's lock-order checking does not see these mutexes).

#include <sanitizer/tsan_interface.h>

#include <dlfcn.h>
#include <glib.h>

#include <cstdio>
#include <cstdlib>

namespace {

// GLib's own function behind the one defined here (the next definition in lookup order).
template <typename Fn>
Fn nextDefinition(const char* name) {
  void* f = dlsym(RTLD_NEXT, name);
  if (!f) {
    std::fprintf(stderr, "GlibSyncForTsan: no %s after the test binary\n", name);
    std::abort();
  }
  return reinterpret_cast<Fn>(f);
}

}  // namespace

extern "C" {

void g_mutex_lock(GMutex* mutex) {
  static const auto real = nextDefinition<void (*)(GMutex*)>("g_mutex_lock");
  real(mutex);
  __tsan_acquire(mutex);
}

gboolean g_mutex_trylock(GMutex* mutex) {
  static const auto real = nextDefinition<gboolean (*)(GMutex*)>("g_mutex_trylock");
  const gboolean locked = real(mutex);
  if (locked) __tsan_acquire(mutex);
  return locked;
}

void g_mutex_unlock(GMutex* mutex) {
  static const auto real = nextDefinition<void (*)(GMutex*)>("g_mutex_unlock");
  __tsan_release(mutex);
  real(mutex);
}

// A wait unlocks the mutex and locks it again before it returns.
void g_cond_wait(GCond* cond, GMutex* mutex) {
  static const auto real = nextDefinition<void (*)(GCond*, GMutex*)>("g_cond_wait");
  __tsan_release(mutex);
  real(cond, mutex);
  __tsan_acquire(mutex);
}

gboolean g_cond_wait_until(GCond* cond, GMutex* mutex, gint64 endTime) {
  static const auto real = nextDefinition<gboolean (*)(GCond*, GMutex*, gint64)>("g_cond_wait_until");
  __tsan_release(mutex);
  const gboolean signalled = real(cond, mutex, endTime);
  __tsan_acquire(mutex);
  return signalled;
}

}  // extern "C"
