#pragma once

// Shared set-up of the libFuzzer targets (docs/testing.md): quiet logs, GStreamer once, and
// the network guard of the targets that drive a live engine.

#include "pipewright/engine/Engine.h"

#include <QtGlobal>

#include <cstdio>
#include <cstdlib>

#include <net/if.h>

namespace pw::fuzz {

// Engine and GStreamer warnings about refused input are expected by the million: drop them
// (fatal messages still abort).
inline void quietLogs() {
  qInstallMessageHandler([](QtMsgType type, const QMessageLogContext&, const QString& message) {
    if (type == QtFatalMsg) {
      std::fprintf(stderr, "fatal: %s\n", qPrintable(message));
      std::abort();
    }
  });
  qputenv("GST_DEBUG", "0");
  qputenv("G_MESSAGES_DEBUG", "");
}

inline void initGStreamerOrDie() {
  QString error;
  if (!pw::initGStreamer(&error)) {
    std::fprintf(stderr, "fuzz: %s\n", qPrintable(error));
    std::exit(1);
  }
}

// Fuzzed requests name arbitrary hosts (PlayerEndpoint uris, RtpEndpoint c= lines, ICE
// candidates). The project's network rule: run only where nothing can leave the machine, i.e.
// in a private network namespace whose only interface is loopback (`unshare -n`, as the ctest
// entries do). Refuses to start anywhere else.
inline void requireLoopbackOnlyNetwork(const char* target) {
  struct if_nameindex* names = if_nameindex();
  bool onlyLoopback = names != nullptr;
  for (struct if_nameindex* i = names; i && i->if_index != 0; ++i) {
    if (qstrcmp(i->if_name, "lo") != 0) onlyLoopback = false;
  }
  if (names) if_freenameindex(names);
  if (!onlyLoopback) {
    std::fprintf(stderr,
                 "%s: this machine has network interfaces besides loopback. Fuzzed requests name arbitrary hosts, so run\n"
                 "it in a private network namespace: unshare -n sh -c 'ip link set lo up && exec %s ...'\n"
                 "(docs/testing.md)\n",
                 target, target);
    std::exit(1);
  }
}

}  // namespace pw::fuzz
