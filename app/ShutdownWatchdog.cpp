#include "ShutdownWatchdog.h"

#include <QCoreApplication>
#include <QMetaObject>

#include <cerrno>
#include <csignal>
#include <cstdio>
#include <cstring>
#include <thread>

#include <fcntl.h>
#include <poll.h>
#include <unistd.h>

namespace pw {

namespace {

int signalPipe[2] = {-1, -1};

void onSignal(int signo) {
  const int saved = errno;
  const unsigned char byte = static_cast<unsigned char>(signo);
  [[maybe_unused]] const ssize_t n = write(signalPipe[1], &byte, 1);  // async-signal-safe
  errno = saved;
}

// Reads one signal number; waits at most `timeoutMs` (-1: forever). 0 on timeout.
int nextSignal(int timeoutMs) {
  pollfd p{signalPipe[0], POLLIN, 0};
  for (;;) {
    const int r = poll(&p, 1, timeoutMs);
    if (r < 0 && errno == EINTR) continue;
    if (r <= 0) return 0;
    unsigned char byte = 0;
    if (read(signalPipe[0], &byte, 1) == 1) return byte;
  }
}

void leave(const char* why) {
  // stderr may be a full pipe, like whatever wedged the engine: never block on it here.
  const int flags = fcntl(STDERR_FILENO, F_GETFL);
  if (flags >= 0) fcntl(STDERR_FILENO, F_SETFL, flags | O_NONBLOCK);
  [[maybe_unused]] const ssize_t n = write(STDERR_FILENO, why, std::strlen(why));
  _exit(1);
}

}  // namespace

bool ShutdownWatchdog::install(int timeoutSec) {
  if (pipe2(signalPipe, O_CLOEXEC) != 0) return false;
  fcntl(signalPipe[1], F_SETFL, O_NONBLOCK);
  try {
    std::thread([timeoutSec] {
      nextSignal(-1);
      // A clean shutdown: the event loop ends, then main() releases every pipeline. exit(), not
      // quit(): under a QGuiApplication (Qt 6) quit() first asks every window to close, and the
      // studio's window refuses while it holds unsaved work (it opens its "Save changes before
      // quitting?" dialog), so the loop went on and the watchdog ended the process. A signal
      // does not ask: the studio keeps such work in its autosave and the next start offers it.
      QMetaObject::invokeMethod(QCoreApplication::instance(), [] { QCoreApplication::exit(0); }, Qt::QueuedConnection);
      if (nextSignal(timeoutSec * 1000) != 0) leave("pipewright: second signal: exiting without a clean shutdown\n");
      leave("pipewright: the clean shutdown did not finish in time ('shutdownTimeoutSec'): exiting\n");
    }).detach();
  } catch (const std::system_error&) {
    return false;
  }
  struct sigaction action {};
  action.sa_handler = onSignal;
  sigemptyset(&action.sa_mask);
  action.sa_flags = SA_RESTART;
  sigaction(SIGTERM, &action, nullptr);
  sigaction(SIGINT, &action, nullptr);
  return true;
}

}  // namespace pw
