#pragma once

#include "media/MediaElement.h"

namespace pw {

// Scans raw video for bar codes and QR codes (GStreamer's zbar) and raises CodeFound; the
// video and the audio pass on unchanged.
class ZBarFilter : public MediaElement {
 public:
  explicit ZBarFilter(const Creation& creation);

  void handleBusMessage(GstMessage* message) override;

 private:
  ElementRef scanner_;
  // The last code raised, and when (ns, running time of its frame); engine thread only.
  QString lastType_;
  QString lastValue_;
  qint64 lastRaisedNs_ = -1;
};

}  // namespace pw
