#pragma once

// Keeps the sources a player's decoder creates by itself inside the player's rules. Adaptive
// demuxers (HLS, DASH) open every segment through a source element of their own, by URI; the
// guard sees each one as it is added to the decoder pipeline (deep-element-added, on a
// streaming thread) and
//   - routes every filesrc through MediaFolders: the segment is opened without following links,
//     must be a regular file inside the media folders, and the element reads /proc/self/fd/N;
//     a playlist opened this way is checked like the player's own (PlaylistCheck);
//   - refuses any other source when the player plays a file (a local playlist only lists files);
//   - for a remote player, applies RemoteUriPolicy to each segment's host (blocking resolve on the
//     streaming thread, never on the engine thread) and turns off HTTP redirects when restricted.
// A refused source is locked in the NULL state (no request is ever sent) and an error is
// posted on the decoder's bus, so the player reports Error and stops.

#include "core/MediaFolders.h"
#include "core/RemoteUriPolicy.h"

#include <gst/gst.h>

#include <QSet>
#include <QString>

#include <map>
#include <memory>
#include <mutex>

namespace pw {

class DecoderSourceGuard : public std::enable_shared_from_this<DecoderSourceGuard> {
 public:
  DecoderSourceGuard(MediaFolders folders, RemoteUriPolicy policy, bool mainIsFile);

  // The player's own file: its source reads `file.procPath()`, and answers URI queries with
  // the real path as the redirection so the demuxer resolves relative entries against it.
  void setMainFile(const MediaFile& file);
  // Connects to `decoder` (the player's private pipeline). Engine thread, before it starts.
  void watch(GstElement* decoder);

 private:
  static void onElementAdded(GstBin* bin, GstBin* sub, GstElement* element, gpointer user);
  static void onLocationChanged(GObject* object, GParamSpec* spec, gpointer user);
  void inspect(GstElement* element);
  void confineFile(GstElement* filesrc);
  void refuse(GstElement* source, const QString& why);

  const MediaFolders folders_;
  const RemoteUriPolicy policy_;
  const bool mainIsFile_;
  GstElement* decoder_ = nullptr;  // identity only; the decoder owns this guard through its signal
  std::mutex mutex_;
  QString mainLocation_;     // "/proc/self/fd/N" of the player's file
  QString mainRealUri_;      // file:// URI of its real path
  QSet<QString> ownLocations_;  // locations this guard set (the files below)
  std::map<GstElement*, MediaFile> files_;  // segment files, by element identity (one each)
};

}  // namespace pw
