#include "MediaFile.h"

#include <QByteArray>

#include <cerrno>
#include <sys/stat.h>
#include <unistd.h>
#include <utility>

namespace pw {

MediaFile::~MediaFile() { close(); }

MediaFile::MediaFile(MediaFile&& other) noexcept
    : fd_(std::exchange(other.fd_, -1)), path_(std::move(other.path_)) {}

MediaFile& MediaFile::operator=(MediaFile&& other) noexcept {
  if (this != &other) {
    close();
    fd_ = std::exchange(other.fd_, -1);
    path_ = std::move(other.path_);
  }
  return *this;
}

void MediaFile::close() {
  if (fd_ >= 0) ::close(fd_);
  fd_ = -1;
}

QString MediaFile::procPath() const { return QStringLiteral("/proc/self/fd/%1").arg(fd_); }

QString MediaFile::procUri() const { return QStringLiteral("file:///proc/self/fd/%1").arg(fd_); }

QByteArray MediaFile::head(qsizetype maxBytes) const {
  QByteArray data(maxBytes, Qt::Uninitialized);
  qsizetype done = 0;
  while (fd_ >= 0 && done < maxBytes) {
    const ssize_t n = ::pread(fd_, data.data() + done, static_cast<size_t>(maxBytes - done), done);
    if (n < 0 && errno == EINTR) continue;
    if (n <= 0) break;
    done += n;
  }
  data.truncate(done);
  return data;
}

QByteArray MediaFile::readAll(qsizetype maxBytes) const {
  struct stat st {};
  if (fd_ < 0 || ::fstat(fd_, &st) != 0 || st.st_size > maxBytes) return {};
  return head(static_cast<qsizetype>(st.st_size));
}

bool MediaFile::writeAt(qint64 offset, QByteArrayView bytes) const {
  qsizetype done = 0;
  while (fd_ >= 0 && done < bytes.size()) {
    const ssize_t n = ::pwrite(fd_, bytes.data() + done, static_cast<size_t>(bytes.size() - done), offset + done);
    if (n < 0 && errno == EINTR) continue;
    if (n <= 0) return false;
    done += n;
  }
  return fd_ >= 0;
}

}  // namespace pw
