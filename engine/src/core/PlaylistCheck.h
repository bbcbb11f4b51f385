#pragma once

// Playlists read from the media folders. A file whose content starts with "#EXTM3U" (whatever
// its name) makes GStreamer's HLS demuxer open every URI it lists, so before such a file is
// played each entry is checked: it must be a file inside the media folders, reachable without
// links and a regular file, like the playlist itself; remote URLs (http, https, anything with
// a scheme other than file) are refused. Variant playlists are checked recursively.
//
// Entries are the URI lines and the URI="..." attributes of tags (EXT-X-KEY, EXT-X-MAP,
// EXT-X-MEDIA, EXT-X-I-FRAME-STREAM-INF, ...), resolved against the playlist's own path as
// the demuxer resolves them.

#include "MediaFolders.h"

#include <QByteArray>
#include <QString>
#include <QStringList>

namespace pw {

class PlaylistCheck {
 public:
  static constexpr qsizetype kMaxPlaylistBytes = 4 * 1024 * 1024;
  static constexpr int kMaxDepth = 4;
  static constexpr int kMaxEntries = 20000;

  // The content is a playlist (optional UTF-8 byte-order mark and blank space, then #EXTM3U).
  static bool isPlaylist(const QByteArray& head);
  // The URI references a playlist text lists.
  static QStringList entries(const QByteArray& text);
  // Checks every entry of the playlist in `file` (whose content starts with #EXTM3U). Returns an
  // empty string when all are fine, otherwise what is wrong. Never throws.
  static QString check(const MediaFolders& folders, const MediaFile& file);

 private:
  static QString checkRecursive(const MediaFolders& folders, const MediaFile& file, int depth, int* budget);
};

}  // namespace pw
