#pragma once

// The media folders (Config::mediaFolders): the only places file:// URIs may read and write.
//
// A URI is first located lexically (locate: which folder, which path inside it; nothing is
// opened). Files are then opened by walking from the folder's root one component at a time
// with openat(O_NOFOLLOW | O_DIRECTORY), so a symbolic link anywhere below the root, or one
// swapped in after the check, is refused instead of followed. The file itself must be a
// regular file: FIFOs, devices, sockets and folders are refused without being opened (they
// are looked at through an O_PATH descriptor). The caller keeps the returned MediaFile open for
// as long as GStreamer uses it and hands GStreamer its /proc/self/fd path.

#include "MediaFile.h"

#include <QString>
#include <QStringList>

namespace pw {

// Where a file:// URI points inside one media folder.
struct MediaPath {
  QString root;            // the media folder as configured
  QStringList components;  // inside the root: sub-folders..., file name (never empty, no "." or "..")
  QString path() const { return root + u'/' + components.join(u'/'); }
  bool isValid() const { return !root.isEmpty() && !components.isEmpty(); }
};

class MediaFolders {
 public:
  enum class Access { Read, Write };
  enum class OpenResult { Opened, Missing, Refused };

  explicit MediaFolders(QStringList roots);
  const QStringList& roots() const { return roots_; }

  // The place of a file:// URI. Throws 40107 for anything else, outside every folder, or with "..".
  MediaPath locate(const QString& uri, Access access) const;
  // The place of an absolute path; an invalid MediaPath with `why` when it is outside.
  MediaPath locatePath(const QString& absolutePath, QString* why) const;

  // Opens the file (Read: O_RDONLY; Write: created with mode 0644, or truncated). Never throws
  // (usable on GStreamer threads); on failure the MediaFile is closed and `why` says why.
  // Missing: the file (Read) or one of its folders does not exist. Refused: anything else.
  OpenResult open(const MediaPath& where, Access access, MediaFile* file, QString* why) const;
  // open() that throws 40107 for Missing and Refused, naming `uri`.
  MediaFile openOrThrow(const QString& uri, const MediaPath& where, Access access) const;
  // Walks the folders of `where` like open() does without touching the file itself: true when
  // they exist and none is a link.
  bool checkFolders(const MediaPath& where, QString* why) const;

 private:
  int openParent(const MediaPath& where, QString* why, OpenResult* result) const;

  QStringList roots_;
};

}  // namespace pw
