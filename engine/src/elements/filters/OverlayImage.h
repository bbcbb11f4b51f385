#pragma once

// A still image that a filter draws over the video (FaceOverlayFilter, ImageOverlayFilter).

#include "core/MediaFile.h"

#include <QSize>
#include <QString>

#include <memory>

namespace pw {

class Engine;

struct OverlayImage {
  // The image file, opened inside the media folders without following links. The overlay
  // element reads file->procPath() (gdkpixbufoverlay loads it again when it starts), so the
  // filter keeps this open as long as the element shows the image.
  std::shared_ptr<MediaFile> file;
  QSize size;  // pixels
};

// Checks an image URI for an overlay and reads the image's size. Only file:// URIs inside the
// media folders are accepted (http(s) images are refused: download them into a media folder);
// anything else, a missing file, a link, a special file or a file that is not a still image
// throws 40107. `who` names the caller in messages ("FaceOverlayFilter.setOverlayedImage").
OverlayImage loadOverlayImage(const Engine& engine, const QString& uri, const QString& who);

}  // namespace pw
