#pragma once

#include "OverlayImage.h"
#include "media/MediaElement.h"

#include <QSize>

#include <array>
#include <memory>

namespace pw {

// Draws up to kMaxImages still images over the video, each in a box given in fractions of
// the frame (gdkpixbufoverlay slots, hidden while unused); audio passes on unchanged.
class ImageOverlayFilter : public MediaElement {
 public:
  static constexpr int kMaxImages = 4;

  // Where an image goes, in fractions of the frame width/height.
  struct Placement {
    double x = 0;
    double y = 0;
    double width = 0;
    double height = 0;
    bool keepAspectRatio = false;  // fit inside the box instead of filling it
    bool center = false;           // with keepAspectRatio: centre inside the box (else top-left)
    QSize image;                   // the image's own size, pixels
  };

  explicit ImageOverlayFilter(const Creation& creation);

  // Adds an image, or replaces the one with the same id: a file:// image at once, an http(s)
  // one once fetched (withOverlayImage); `reply` answers either way. Throws 40107 for bad
  // parameters.
  void addImage(const QString& id, const QString& uri, const Placement& placement,
                const std::shared_ptr<DeferredReply>& reply);
  // Removes an image; an unknown id is ignored.
  void removeImage(const QString& id);

 private:
  void showImage(const QString& id, const OverlayImage& image, Placement placement);

  struct Layout;  // the slots and the frame size, shared with the streaming thread
  std::shared_ptr<Layout> layout_;
  std::array<ElementRef, kMaxImages> overlays_;
};

}  // namespace pw
