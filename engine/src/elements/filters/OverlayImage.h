#pragma once

// A still image that a filter draws over the video (FaceOverlayFilter, ImageOverlayFilter).

#include <QSize>
#include <QString>

namespace pw {

class Engine;

struct OverlayImage {
  QString path;  // local file, inside the media folders
  QSize size;    // pixels
};

// Checks an image URI for an overlay and reads the image's size. Only file:// URIs inside the
// media folders are accepted; anything else, a missing file or a file that is not a still
// image throws 40107. `who` names the caller in messages ("FaceOverlayFilter.setOverlayedImage").
OverlayImage loadOverlayImage(const Engine& engine, const QString& uri, const QString& who);

}  // namespace pw
