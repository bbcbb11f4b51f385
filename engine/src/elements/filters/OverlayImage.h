#pragma once

// A still image that a filter draws over the video (FaceOverlayFilter, ImageOverlayFilter).

#include "core/MediaFile.h"

#include <QSize>
#include <QString>

#include <functional>
#include <memory>

namespace pw {

class DeferredReply;
class Engine;

struct OverlayImage {
  // The image file, opened inside the media folders without following links. The overlay
  // element reads file->procPath() (gdkpixbufoverlay loads it again when it starts), so the
  // filter keeps this open as long as the element shows the image.
  std::shared_ptr<MediaFile> file;
  QSize size;  // pixels
};

// Checks a file:// image URI for an overlay and reads the image's size. Only files inside the
// media folders are accepted; anything else, a missing file, a link, a special file or a file
// that is not a still image throws 40107. `who` names the caller in messages
// ("FaceOverlayFilter.setOverlayedImage").
OverlayImage loadOverlayImage(const Engine& engine, const QString& uri, const QString& who);

// The size of the still image in `file`, or an empty size with `why` set.
QSize probeOverlayImage(const MediaFile& file, QString* why);

// An overlay image from a file:// URI (at once) or an http(s) URI (fetched through the engine's
// RemoteImageCache, see RemoteImageCache.h). `use` runs on the engine thread with the image,
// then `reply` is resolved; a refusal, or a KurentoException thrown by `use`, rejects `reply`
// (40107 for the image's own problems). Other schemes are refused.
void withOverlayImage(Engine& engine, const QString& uri, const QString& who, const std::shared_ptr<DeferredReply>& reply,
                      std::function<void(const OverlayImage& image)> use);

}  // namespace pw
