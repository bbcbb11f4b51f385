#pragma once

#include "core/MediaFile.h"
#include "core/MediaFolders.h"
#include "elements/UriEndpoint.h"
#include "elements/recorder/LiveDuration.h"
#include "pipewright/engine/KurentoError.h"

#include <QList>
#include <QTimer>

#include <functional>
#include <memory>

namespace pw {

class DeferredReply;

// Records what it receives into a file (WebM, Matroska or MP4 and their single-track
// profiles). The file's tracks are fixed when media first arrives after record(): the media
// types flowing within a short window become tracks, so a source without audio does not stall
// the muxer. Files are written without buffering, WebM/Matroska in clusters of at most 1 s and
// MP4 fragmented (0.5 s fragments), and the header's duration follows the media on disk
// (LiveDuration): a recording whose server is killed plays to within about a second of the kill.
class RecorderEndpoint : public UriEndpoint {
 public:
  struct Profile {
    QString name;
    QString mux;        // "webmmux", "matroskamux", "mp4mux"
    QString video;      // wanted video format, empty when the profile has no video
    QString audio;      // wanted audio format, empty when the profile has no audio
  };
  static std::optional<Profile> profileByName(const QString& name);
  // Whether the file keeps `current` when its track's caps become `next`: they differ only in
  // fields that describe the picture (colorimetry, chroma siting, HDR metadata), which the
  // muxers cannot change after their header.
  static bool muxerKeepsCaps(const GstCaps* current, const GstCaps* next);

  explicit RecorderEndpoint(const Creation& creation);
  ~RecorderEndpoint() override;

  void record();
  void pause() override;
  void stop() override;
  // Stops and calls `done` once the file is complete.
  void stopAndWait(std::shared_ptr<DeferredReply> reply);

  void onSourceEndOfStream(MediaType type) override;
  // Engine thread: the file of `session` is complete (its EOS reached the file sink).
  void onFileComplete(GstElement* session);
  void onRelease() override;
  // An error inside the recording (the muxer refused the media, the disk is full...) is raised
  // once as an Error event, and the recorder stops: Stopped, with what the file holds so far.
  void handleBusMessage(GstMessage* message) override;

  struct Shared;

 private:
  void startCollecting();
  void buildSession();
  void endStreams();  // stop(): every track ends, the muxer finishes the file
  void finalize();

  MediaPath mediaPath_;  // where the URI points inside the media folders
  std::shared_ptr<MediaFile> file_;  // open from record() until the file is complete
  std::shared_ptr<LiveDuration> liveDuration_;  // while recording
  Profile profile_;
  bool stopOnEndOfStream_ = false;
  std::shared_ptr<Shared> shared_;
  ElementRef session_;  // appsrcs → mux → filesink, while recording
  QList<std::shared_ptr<DeferredReply>> waiting_;
  std::unique_ptr<QTimer> finalizeTimeout_;
  std::unique_ptr<QTimer> drainTimer_;  // stop(): waiting for media stamped before the stop
  gint64 drainStartedUs_ = 0;
  bool stopping_ = false;
  bool sessionFailed_ = false;  // the recording raised its Error; it stops shortly
};

}  // namespace pw
