#pragma once

// Refuses to create an object when the process is short of file descriptors or threads
// (security issue: resource exhaustion is an error, never a crash or a hang). GLib aborts when it
// cannot create a GWakeup pipe, and GStreamer waits forever on a task whose thread never started,
// so the limits must be checked before the media objects that use them exist.
//
// Each creatable type has a cost, measured on GStreamer 1.22 (docs/security.md): a negotiated
// WebRtcEndpoint with audio and video flowing holds about 10 descriptors and 15 threads. The guard
// projects the use after the new object, as the larger of what is open now and what the live
// objects will hold once they negotiate and play (baseline + their costs), plus the new object's
// cost and a reserve for control connections, files and GStreamer's own threads.

#include <QByteArray>
#include <QString>

namespace pw {

class ObjectRegistry;

class ResourceGuard {
 public:
  struct Cost {
    int fds = 0;
    int threads = 0;
  };

  // Takes the process's current use as the baseline (call before any media object exists).
  ResourceGuard();

  // Throws KurentoException 40009 (NOT_ENOUGH_RESOURCES) naming the limit and what to do when
  // creating one object of `resourceClass` (MediaObject::resourceClass: the type, or
  // kLeanWebRtcClass) would come within the reserve of a limit. `type` names it in the message.
  void check(const QString& type, const QString& resourceClass, const ObjectRegistry& registry) const;

  static Cost costOf(const QString& resourceClass);
  // The lean WebRTC path: a WebRtcEndpoint holds its ICE socket(s) and no thread of its own (the
  // media threads are a fixed pool). A WebRtcEndpoint on webrtcbin (webrtcTransport "webrtcbin",
  // or useDataChannels) is counted as "WebRtcEndpoint".
  static constexpr const char* kLeanWebRtcClass = "WebRtcEndpoint:lean";
  static constexpr Cost kLeanWebRtcCost{3, 0};
  static constexpr int kReserveFds = 64;
  static constexpr int kReserveThreads = 32;

  // What the process uses now (/proc/self/fd, /proc/self/status Threads:).
  static int openFds();
  static int threadCount();

 private:
  static QByteArray pidsCgroupDir();

  int baselineFds_ = 0;
  int baselineThreads_ = 0;
  QByteArray pidsCgroupDir_;  // found once: a process does not change cgroup while it runs
};

}  // namespace pw
