#pragma once

// The sample clip templates play: a test pattern with a clock and a tick sound, written once
// (VP8 + Opus in WebM) into the media folder with GStreamer, off the GUI thread's critical path.

#include "gst/GstRef.h"

#include <QString>
#include <QTimer>

#include <functional>
#include <vector>

namespace pw::studio {

class SampleMedia {
 public:
  explicit SampleMedia(QString path);
  ~SampleMedia();

  const QString& path() const { return path_; }
  bool exists() const;
  // Calls `done(ok, message)` when the file is ready (at once when it already exists).
  void ensure(std::function<void(bool, const QString&)> done);

 private:
  void poll();
  void finish(bool ok, const QString& message);

  QString path_;
  ElementRef pipeline_;
  QTimer poll_;
  std::vector<std::function<void(bool, const QString&)>> waiting_;
};

}  // namespace pw::studio
