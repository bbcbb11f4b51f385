#pragma once

// Happens-before hints for ThreadSanitizer where our work crosses threads through synchronisation
// TSan cannot see (docs/testing.md, "ThreadSanitizer"). Qt's event queue is guarded by a QMutex,
// which Qt 6 implements with futexes and inline atomics in the uninstrumented libQt6Core: what a
// streaming thread writes before Engine::post() and the engine thread reads when the task runs is
// ordered by Qt, but TSan cannot tell. handOff() before the hand-over and takeOver() on the
// receiving side state that ordering. Both compile to nothing outside a TSan build.

#if defined(__has_feature)
#if __has_feature(thread_sanitizer)
#define PIPEWRIGHT_TSAN_BUILD 1
#endif
#endif

#ifdef PIPEWRIGHT_TSAN_BUILD
#include <sanitizer/tsan_interface.h>
#endif

namespace pw::tsan {

// The sending side: everything this thread did so far happens before a takeOver() of `token`.
inline void handOff([[maybe_unused]] const void* token) {
#ifdef PIPEWRIGHT_TSAN_BUILD
  __tsan_release(const_cast<void*>(token));
#endif
}

// The receiving side, once the hand-over arrived.
inline void takeOver([[maybe_unused]] const void* token) {
#ifdef PIPEWRIGHT_TSAN_BUILD
  __tsan_acquire(const_cast<void*>(token));
#endif
}

}  // namespace pw::tsan
