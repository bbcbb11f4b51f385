#include "MediaFolders.h"

#include "pipewright/engine/KurentoError.h"

#include <QFileInfo>
#include <QUrl>

#include <cerrno>
#include <cstring>
#include <fcntl.h>
#include <sys/stat.h>
#include <unistd.h>

namespace pw {
namespace {

// A descriptor closed at scope exit (directories and O_PATH handles during a walk).
class ScopedFd {
 public:
  explicit ScopedFd(int fd = -1) : fd_(fd) {}
  ~ScopedFd() { reset(); }
  ScopedFd(const ScopedFd&) = delete;
  ScopedFd& operator=(const ScopedFd&) = delete;
  int get() const { return fd_; }
  int release() { return std::exchange(fd_, -1); }
  void reset(int fd = -1) {
    if (fd_ >= 0) ::close(fd_);
    fd_ = fd;
  }

 private:
  int fd_;
};

QString kindOf(mode_t mode) {
  if (S_ISDIR(mode)) return QStringLiteral("a folder");
  if (S_ISLNK(mode)) return QStringLiteral("a symbolic link");
  if (S_ISFIFO(mode)) return QStringLiteral("a FIFO (named pipe)");
  if (S_ISCHR(mode)) return QStringLiteral("a character device");
  if (S_ISBLK(mode)) return QStringLiteral("a block device");
  if (S_ISSOCK(mode)) return QStringLiteral("a socket");
  return QStringLiteral("not a regular file");
}

QString linkRefusal(const QString& path) {
  return QStringLiteral("'%1' is a symbolic link; links are not followed inside media folders (one could lead "
                        "outside them): use the real path")
      .arg(path);
}

QString errnoText(int err) { return QString::fromLocal8Bit(std::strerror(err)); }

// Splits an absolute path into components; false (with `why`) for "..", NUL or a relative path.
bool splitPath(const QString& path, QStringList* out, QString* why) {
  if (!path.startsWith(u'/')) {
    *why = QStringLiteral("'%1' is not an absolute path").arg(path);
    return false;
  }
  out->clear();
  for (const QString& c : path.split(u'/', Qt::SkipEmptyParts)) {
    if (c == u".") continue;
    if (c == u"..") {
      *why = QStringLiteral("'%1' contains '..'; name files inside the media folders directly").arg(path);
      return false;
    }
    if (c.contains(QChar(0))) {
      *why = QStringLiteral("'%1' contains a NUL character").arg(path);
      return false;
    }
    out->append(c);
  }
  return true;
}

}  // namespace

MediaFolders::MediaFolders(QStringList roots) : roots_(std::move(roots)) {}

MediaPath MediaFolders::locatePath(const QString& absolutePath, QString* why) const {
  QStringList components;
  if (!splitPath(absolutePath, &components, why)) return {};
  for (const QString& root : roots_) {
    // The folder as configured and its canonical form (the configured path may hold links the
    // administrator chose; those are trusted, nothing below the root is).
    QStringList candidates{root};
    const QString canonical = QFileInfo(root).canonicalFilePath();
    if (!canonical.isEmpty() && canonical != root) candidates.append(canonical);
    for (const QString& candidate : candidates) {
      QStringList rootParts;
      if (!splitPath(candidate, &rootParts, why)) continue;
      if (components.size() <= rootParts.size()) continue;
      if (components.mid(0, rootParts.size()) != rootParts) continue;
      return MediaPath{root, components.mid(rootParts.size())};
    }
  }
  *why = QStringLiteral("'%1' is outside the media folders (%2)")
             .arg(absolutePath, roots_.isEmpty() ? QStringLiteral("none configured") : roots_.join(u", "));
  return {};
}

MediaPath MediaFolders::locate(const QString& uri, Access access) const {
  const QUrl url(uri, QUrl::StrictMode);
  if (!url.isValid() || url.scheme().toLower() != u"file") {
    throw KurentoException(KurentoError::illegalParam(QStringLiteral("'%1' is not a valid file:// URI").arg(uri)));
  }
  if (!url.host().isEmpty() && url.host() != u"localhost") {
    throw KurentoException(KurentoError::illegalParam(QStringLiteral("file:// URIs must not name a host: '%1'").arg(uri)));
  }
  const QString path = url.path();
  if (!path.startsWith(u'/')) {
    throw KurentoException(KurentoError::illegalParam(QStringLiteral("'%1' is not an absolute file URI").arg(uri)));
  }
  QString why;
  MediaPath where = locatePath(path, &why);
  if (!where.isValid()) {
    throw KurentoException(KurentoError::illegalParam(
        QStringLiteral("'%1' is outside the media folders this server may %2 (%3): %4; add the folder to "
                       "'mediaFolders' in the config or pass --media-folder")
            .arg(uri, access == Access::Write ? QStringLiteral("write") : QStringLiteral("read"),
                 roots_.isEmpty() ? QStringLiteral("none configured") : roots_.join(u", "), why)));
  }
  return where;
}

int MediaFolders::openParent(const MediaPath& where, QString* why, OpenResult* result) const {
  *result = OpenResult::Refused;
  ScopedFd dir(::open(where.root.toLocal8Bit().constData(), O_RDONLY | O_DIRECTORY | O_CLOEXEC));
  if (dir.get() < 0) {
    const int err = errno;
    *why = QStringLiteral("media folder '%1' cannot be opened: %2").arg(where.root, errnoText(err));
    if (err == ENOENT) *result = OpenResult::Missing;
    return -1;
  }
  QString walked = where.root;
  for (qsizetype i = 0; i + 1 < where.components.size(); ++i) {
    const QString& name = where.components[i];
    walked += u'/' + name;
    const QByteArray local = name.toLocal8Bit();
    const int next = ::openat(dir.get(), local.constData(), O_RDONLY | O_DIRECTORY | O_NOFOLLOW | O_CLOEXEC);
    if (next < 0) {
      const int err = errno;
      struct stat st {};
      const bool exists = ::fstatat(dir.get(), local.constData(), &st, AT_SYMLINK_NOFOLLOW) == 0;
      if (!exists) {
        *why = QStringLiteral("folder '%1' does not exist; create it first").arg(walked);
        *result = OpenResult::Missing;
      } else if (S_ISLNK(st.st_mode)) {
        *why = linkRefusal(walked);
      } else if (!S_ISDIR(st.st_mode)) {
        *why = QStringLiteral("'%1' is %2, not a folder").arg(walked, kindOf(st.st_mode));
      } else {
        *why = QStringLiteral("folder '%1' cannot be opened: %2").arg(walked, errnoText(err));
      }
      return -1;
    }
    dir.reset(next);
  }
  return dir.release();
}

bool MediaFolders::checkFolders(const MediaPath& where, QString* why) const {
  OpenResult result;
  ScopedFd parent(openParent(where, why, &result));
  return parent.get() >= 0;
}

MediaFolders::OpenResult MediaFolders::open(const MediaPath& where, Access access, MediaFile* file,
                                            QString* why) const {
  file->close();
  if (!where.isValid()) {
    *why = QStringLiteral("not a file inside the media folders");
    return OpenResult::Refused;
  }
  OpenResult result;
  ScopedFd parent(openParent(where, why, &result));
  if (parent.get() < 0) return result;
  const QString path = where.path();
  const QByteArray name = where.components.last().toLocal8Bit();

  if (access == Access::Write) {
    // A new file: O_EXCL never follows a link, not even a dangling one.
    const int fd = ::openat(parent.get(), name.constData(), O_WRONLY | O_CREAT | O_EXCL | O_NOFOLLOW | O_CLOEXEC, 0644);
    if (fd >= 0) {
      *file = MediaFile(fd, path);
      return OpenResult::Opened;
    }
    if (errno != EEXIST) {
      *why = QStringLiteral("'%1' cannot be created: %2").arg(path, errnoText(errno));
      return OpenResult::Refused;
    }
  }
  // An existing entry: look at it through an O_PATH handle (opening a FIFO or a device for real
  // could block or have side effects), then reopen that very inode when it is a regular file.
  ScopedFd handle(::openat(parent.get(), name.constData(), O_PATH | O_NOFOLLOW | O_CLOEXEC));
  if (handle.get() < 0) {
    const int err = errno;
    *why = err == ENOENT ? QStringLiteral("'%1' does not exist").arg(path)
                         : QStringLiteral("'%1' cannot be opened: %2").arg(path, errnoText(err));
    return err == ENOENT ? OpenResult::Missing : OpenResult::Refused;
  }
  struct stat st {};
  if (::fstat(handle.get(), &st) != 0) {
    *why = QStringLiteral("'%1' cannot be examined: %2").arg(path, errnoText(errno));
    return OpenResult::Refused;
  }
  if (S_ISLNK(st.st_mode)) {
    *why = linkRefusal(path);
    return OpenResult::Refused;
  }
  if (!S_ISREG(st.st_mode)) {
    *why = QStringLiteral("'%1' is %2; only regular files can be %3").arg(path, kindOf(st.st_mode),
                                                                          access == Access::Write ? QStringLiteral("recorded to")
                                                                                                  : QStringLiteral("read"));
    return OpenResult::Refused;
  }
  if (access == Access::Write && st.st_nlink > 1) {
    *why = QStringLiteral("'%1' has other hard links; recording over it would change those files too: delete it or "
                          "choose another name")
               .arg(path);
    return OpenResult::Refused;
  }
  const QByteArray proc = QStringLiteral("/proc/self/fd/%1").arg(handle.get()).toLatin1();
  const int fd = ::open(proc.constData(), (access == Access::Write ? O_WRONLY | O_TRUNC : O_RDONLY) | O_CLOEXEC);
  if (fd < 0) {
    *why = QStringLiteral("'%1' cannot be opened: %2").arg(path, errnoText(errno));
    return OpenResult::Refused;
  }
  *file = MediaFile(fd, path);
  return OpenResult::Opened;
}

MediaFile MediaFolders::openOrThrow(const QString& uri, const MediaPath& where, Access access) const {
  MediaFile file;
  QString why;
  if (open(where, access, &file, &why) != OpenResult::Opened) {
    throw KurentoException(KurentoError::illegalParam(QStringLiteral("Cannot %1 '%2': %3")
                                                          .arg(access == Access::Write ? QStringLiteral("record to")
                                                                                       : QStringLiteral("read"),
                                                               uri, why)));
  }
  return file;
}

}  // namespace pw
