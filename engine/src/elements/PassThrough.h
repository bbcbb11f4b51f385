#pragma once

#include "media/MediaElement.h"

namespace pw {

// Forwards audio and video unchanged, whatever their format.
class PassThrough : public MediaElement {
 public:
  explicit PassThrough(const Creation& creation);
};

}  // namespace pw
