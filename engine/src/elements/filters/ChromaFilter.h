#pragma once

#include "ChromaKeyer.h"
#include "OverlayImage.h"
#include "media/MediaElement.h"

#include <QRect>

#include <memory>

namespace pw {

// Kurento's ChromaFilter (module chroma): learns a colour from `window` over the first frames
// and shows the background image, scaled to the frame, where the video has that colour
// (ChromaKeyer); without a background the video passes unchanged. The keying runs in a pad
// probe on I420 frames inside the element's bin; audio passes on.
class ChromaFilter : public MediaElement {
 public:
  explicit ChromaFilter(const Creation& creation);

  // A file:// image is decoded at once, an http(s) one once fetched (withOverlayImage); `reply`
  // answers either way; 40107 for an image that cannot be used.
  void setBackground(const QString& uri, const std::shared_ptr<DeferredReply>& reply);
  void unsetBackground();

  void onRegistered() override;

  const ChromaKeyer& keyer() const { return *keyer_; }

 private:
  void useBackground(const OverlayImage& image, const QString& who);

  std::shared_ptr<ChromaKeyer> keyer_;
  QString pendingBackground_;  // the constructor's http(s) backgroundImage, fetched once registered
};

}  // namespace pw
