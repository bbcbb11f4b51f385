#pragma once

// One file opened inside a media folder (MediaFolders::open): owns the descriptor for as long
// as GStreamer uses the file. GStreamer elements are handed procPath() ("/proc/self/fd/N"),
// which reopens exactly this inode whatever happens to the name afterwards (renames, symlinks
// swapped in), while keeping what the elements do with a path: filesrc's pull-mode seeking,
// the muxers' header rewrite through filesink.

#include <QByteArray>
#include <QByteArrayView>
#include <QString>

namespace pw {

class MediaFile {
 public:
  MediaFile() = default;
  MediaFile(int fd, QString path) : fd_(fd), path_(std::move(path)) {}
  ~MediaFile();
  MediaFile(const MediaFile&) = delete;
  MediaFile& operator=(const MediaFile&) = delete;
  MediaFile(MediaFile&& other) noexcept;
  MediaFile& operator=(MediaFile&& other) noexcept;

  bool isOpen() const { return fd_ >= 0; }
  int fd() const { return fd_; }
  // The file's name inside its media folder (absolute), for messages and base URIs.
  const QString& path() const { return path_; }
  // "/proc/self/fd/N": a path to this very file for elements that open by name.
  QString procPath() const;
  // "file:///proc/self/fd/N", for uridecodebin and the discoverer.
  QString procUri() const;
  // Up to `maxBytes` from the start of the file (pread: the descriptor's offset is unchanged).
  QByteArray head(qsizetype maxBytes) const;
  // The whole file, or an empty array when it is larger than `maxBytes`.
  QByteArray readAll(qsizetype maxBytes) const;
  // Writes `bytes` at `offset` (pwrite: the descriptor's offset is unchanged); false on error.
  bool writeAt(qint64 offset, QByteArrayView bytes) const;
  void close();

 private:
  int fd_ = -1;
  QString path_;
};

}  // namespace pw
