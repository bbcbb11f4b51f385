#pragma once

// SIGTERM and SIGINT end the process even when the engine is wedged (security issue: a server
// out of threads hung in gst_task_join and ignored SIGTERM). The first signal ends the Qt event
// loop (QCoreApplication::exit, which no window can refuse: the studio keeps unsaved work in its
// autosave instead of asking), for a clean shutdown; if the process still runs `timeoutSec`
// later, or a second signal arrives, it leaves with _exit(1). The signal handler only writes to
// a pipe, and a thread started at install time (before any resource can run out) does the rest,
// so neither depends on the wedged main loop.

namespace pw {

class ShutdownWatchdog {
 public:
  // Installs the handlers for SIGTERM and SIGINT; call once, before the event loop runs.
  // Returns false (and leaves the default handlers) when the pipe or the thread cannot be made.
  static bool install(int timeoutSec);
};

}  // namespace pw
