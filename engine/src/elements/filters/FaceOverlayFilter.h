#pragma once

#include "core/MediaFile.h"
#include "OverlayImage.h"
#include "media/MediaElement.h"

#include <QList>
#include <QRect>

#include <array>
#include <memory>
#include <optional>

namespace pw {

// Detects faces (GStreamer's OpenCV facedetect) and draws an image over each of them
// (gdkpixbufoverlay). Detection runs on a scaled-down copy of the video in its own thread and
// drops frames when it falls behind, so the video itself is never held up; audio passes on.
class FaceOverlayFilter : public MediaElement {
 public:
  explicit FaceOverlayFilter(const Creation& creation);

  // Offsets and sizes are fractions of the detected face's width and height. A file:// image
  // is set at once, an http(s) one once fetched (withOverlayImage); `reply` answers either way.
  // Throws 40107 for bad fractions.
  void setOverlayedImage(const QString& uri, double offsetXPercent, double offsetYPercent, double widthPercent,
                         double heightPercent, const std::shared_ptr<DeferredReply>& reply);
  void unsetOverlayedImage();

  void handleBusMessage(GstMessage* message) override;

  // Faces drawn over at once (the largest ones when there are more).
  static constexpr int kMaxFaces = 4;

 private:
  struct Slot {
    ElementRef overlay;
    bool visible = false;
    int misses = 0;  // detections in a row that had no face for this slot
  };
  void showImage(const OverlayImage& image, double offsetX, double offsetY, double width, double height);
  void showFaces(QList<QRect> faces);
  static void hide(Slot& slot);

  ElementRef valve_;     // closed while there is no image: no detection work at all
  ElementRef detector_;  // facedetect on the scaled copy
  std::array<Slot, kMaxFaces> slots_;
  bool imageSet_ = false;
  std::shared_ptr<MediaFile> image_;  // the file the overlays read (/proc/self/fd/N)
  double offsetX_ = 0;
  double offsetY_ = 0;
  double width_ = 1;
  double height_ = 1;
};

}  // namespace pw
