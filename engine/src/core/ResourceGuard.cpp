#include "ResourceGuard.h"

#include "ObjectRegistry.h"
#include "gst/Reaper.h"
#include "pipewright/engine/KurentoError.h"

#include <QHash>
#include <QList>

#include <algorithm>
#include <array>
#include <optional>

#include <cerrno>

#include <dirent.h>
#include <fcntl.h>
#include <sys/resource.h>
#include <sys/syscall.h>
#include <unistd.h>

namespace pw {

namespace {

struct TypeCost {
  const char* type;
  ResourceGuard::Cost cost;
};

// Measured on GStreamer 1.22 (tests/rpc/resource-exhaustion.test.mjs, bench/), rounded up:
// what one object holds once negotiated and with media flowing (a WebRtcEndpoint after
// generateOffer alone holds 8 descriptors and 7 threads).
constexpr std::array<TypeCost, 6> kCosts{{
    {"MediaPipeline", {2, 1}},
    {"WebRtcEndpoint", {10, 15}},  // with ICE-TCP connections: bench/ counts 10 descriptors with media
    {"RtpEndpoint", {28, 12}},  // a UDP source and sink for RTP and RTCP per stream, IPv4 and IPv6
    {"PlayerEndpoint", {6, 8}},
    {"HttpPostEndpoint", {6, 8}},  // a decoder pipeline like PlayerEndpoint's while an upload plays
    {"RecorderEndpoint", {4, 8}},
}};
constexpr ResourceGuard::Cost kOtherCost{1, 2};  // filters, hubs, ports: queues and aggregators

// Reads a small /proc or /sys file with plain system calls: the guard runs on every `create`,
// and at a hundred sessions QFile/QDir made it a sixth of the control thread's time.
QByteArray readSmallFile(const char* path) {
  const int fd = ::open(path, O_RDONLY | O_CLOEXEC);
  if (fd < 0) return {};
  std::array<char, 8192> buffer{};
  ssize_t total = 0;
  while (total < static_cast<ssize_t>(buffer.size())) {
    const ssize_t n = ::read(fd, buffer.data() + total, buffer.size() - static_cast<size_t>(total));
    if (n < 0 && errno == EINTR) continue;
    if (n <= 0) break;
    total += n;
  }
  ::close(fd);
  return QByteArray(buffer.data(), static_cast<qsizetype>(total));
}

std::optional<qint64> softLimit(int resource) {
  rlimit lim{};
  if (getrlimit(resource, &lim) != 0 || lim.rlim_cur == RLIM_INFINITY) return std::nullopt;
  return static_cast<qint64>(lim.rlim_cur);
}

std::optional<qint64> numberIn(const QByteArray& path) {
  bool ok = false;
  const qint64 n = readSmallFile(path.constData()).trimmed().toLongLong(&ok);  // "max" is no limit
  return ok ? std::optional<qint64>(n) : std::nullopt;
}

// All threads of the system: the 4th field of /proc/loadavg is "running/total".
std::optional<qint64> systemThreads() {
  const QList<QByteArray> fields = readSmallFile("/proc/loadavg").split(' ');
  if (fields.size() < 4) return std::nullopt;
  bool ok = false;
  const qint64 n = fields[3].split('/').value(1).toLongLong(&ok);
  return ok ? std::optional<qint64>(n) : std::nullopt;
}

bool exists(const QByteArray& path) { return ::access(path.constData(), F_OK) == 0; }

// Released elements whose teardown has not finished still hold their descriptors and threads
// (the Reaper closes them in the background). A refusal says how many, so a backlog there is
// told apart from live objects using the limit.
QString closingNote() {
  const int closing = Reaper::instance().pending();
  if (closing == 0) return {};
  return closing == 1 ? QStringLiteral(" (1 released element still being closed holds some of them)")
                      : QStringLiteral(" (%1 released elements still being closed hold some of them)").arg(closing);
}

}  // namespace

// The pids controller's directory of this process's cgroup (v2 "0::/path", v1 "N:pids:/path").
QByteArray ResourceGuard::pidsCgroupDir() {
  for (const QByteArray& line : readSmallFile("/proc/self/cgroup").split('\n')) {
    const QList<QByteArray> parts = line.split(':');
    if (parts.size() < 3) continue;
    const QByteArray path = parts.mid(2).join(':');
    if (parts[0] == "0" && parts[1].isEmpty()) {
      const QByteArray dir = "/sys/fs/cgroup" + path;
      if (exists(dir + "/pids.max")) return dir;
    } else if (parts[1].split(',').contains("pids")) {
      const QByteArray dir = "/sys/fs/cgroup/pids" + path;
      if (exists(dir + "/pids.max")) return dir;
    }
  }
  return {};
}

namespace {

struct ThreadLimit {
  qint64 used = 0;
  qint64 limit = 0;
  QString name;
  QString advice;
};

QList<ThreadLimit> threadLimits(int ownThreads, const QByteArray& pidsDir) {
  QList<ThreadLimit> out;
  // RLIMIT_NPROC counts every thread of the user; our own threads are the part we know.
  if (auto n = softLimit(RLIMIT_NPROC)) {
    out.append({ownThreads, *n, QStringLiteral("RLIMIT_NPROC"), QStringLiteral("LimitNPROC= in the systemd unit, or ulimit -u")});
  }
  if (auto max = numberIn("/proc/sys/kernel/threads-max")) {
    if (auto total = systemThreads()) {
      out.append({*total, *max, QStringLiteral("kernel.threads-max"), QStringLiteral("sysctl kernel.threads-max")});
    }
  }
  if (!pidsDir.isEmpty()) {
    const auto max = numberIn(pidsDir + "/pids.max");
    const auto current = numberIn(pidsDir + "/pids.current");
    if (max && current) {
      out.append({*current, *max, QStringLiteral("the cgroup's pids.max"), QStringLiteral("TasksMax= in the systemd unit")});
    }
  }
  return out;
}

}  // namespace

ResourceGuard::ResourceGuard()
    : baselineFds_(openFds()), baselineThreads_(threadCount()), pidsCgroupDir_(pidsCgroupDir()) {}

// Counts /proc/self/fd's entries with getdents64, without building names or sorting.
int ResourceGuard::openFds() {
  const int dir = ::open("/proc/self/fd", O_RDONLY | O_DIRECTORY | O_CLOEXEC);
  if (dir < 0) return 0;
  alignas(8) std::array<char, 16384> buffer{};
  int count = 0;
  for (;;) {
    const long n = ::syscall(SYS_getdents64, dir, buffer.data(), buffer.size());
    if (n <= 0) break;
    for (long offset = 0; offset < n;) {
      const auto* entry = reinterpret_cast<const dirent64*>(buffer.data() + offset);
      if (entry->d_name[0] != '.') ++count;  // every entry is a number but "." and ".."
      offset += entry->d_reclen;
    }
  }
  ::close(dir);
  return count - 1;  // the directory's own descriptor
}

int ResourceGuard::threadCount() {
  const QByteArray status = readSmallFile("/proc/self/status");
  const qsizetype at = status.indexOf("\nThreads:");
  if (at < 0) return 0;
  const qsizetype end = status.indexOf('\n', at + 1);
  return status.mid(at + 9, end < 0 ? -1 : end - at - 9).trimmed().toInt();
}

ResourceGuard::Cost ResourceGuard::costOf(const QString& resourceClass) {
  if (resourceClass == QLatin1String(kLeanWebRtcClass)) return kLeanWebRtcCost;
  for (const auto& entry : kCosts) {
    if (resourceClass == QLatin1String(entry.type)) return entry.cost;
  }
  return kOtherCost;
}

void ResourceGuard::check(const QString& type, const QString& resourceClass, const ObjectRegistry& registry) const {
  const Cost cost = costOf(resourceClass);
  // What the live objects will hold once they all negotiate and play.
  Cost committed;
  const QHash<QString, int> counts = registry.countByResourceClass();
  for (auto it = counts.cbegin(); it != counts.cend(); ++it) {
    const Cost each = costOf(it.key());
    committed.fds += it.value() * each.fds;
    committed.threads += it.value() * each.threads;
  }

  const int fds = openFds();
  const int fdsAhead = std::max(0, baselineFds_ + committed.fds - fds);  // not opened yet, but will be
  if (const auto limit = softLimit(RLIMIT_NOFILE); limit && fds + fdsAhead + cost.fds + kReserveFds > *limit) {
    throw KurentoException(
        ErrorCode::NotEnoughResources,
        QStringLiteral("Not enough file descriptors for a new %1: %2 of %3 (RLIMIT_NOFILE) are open or will be used by the "
                       "live objects%6, and one more needs about %4 plus a reserve of %5. Release objects, or raise the "
                       "limit (LimitNOFILE= in the systemd unit, or ulimit -n before starting pipewright)")
            .arg(type)
            .arg(fds + fdsAhead)
            .arg(*limit)
            .arg(cost.fds)
            .arg(kReserveFds)
            .arg(closingNote()));
  }
  const int threads = threadCount();
  const int threadsAhead = std::max(0, baselineThreads_ + committed.threads - threads);
  for (const ThreadLimit& l : threadLimits(threads, pidsCgroupDir_)) {
    if (l.used + threadsAhead + cost.threads + kReserveThreads <= l.limit) continue;
    throw KurentoException(
        ErrorCode::NotEnoughResources,
        QStringLiteral("Not enough threads for a new %1: %2 of %3 (%4) run or will run for the live objects%8, and one "
                       "more needs about %5 plus a reserve of %6. Release objects, or raise the limit (%7)")
            .arg(type)
            .arg(l.used + threadsAhead)
            .arg(l.limit)
            .arg(l.name)
            .arg(cost.threads)
            .arg(kReserveThreads)
            .arg(l.advice)
            .arg(closingNote()));
  }
}

}  // namespace pw
