#pragma once

#include "media/MediaElement.h"

namespace pw {

// Any gst-launch description as a filter on raw audio or video; the other media type
// passes through untouched.
class GStreamerFilter : public MediaElement {
 public:
  explicit GStreamerFilter(const Creation& creation);

  const QString& command() const { return command_; }
  // Sets a GObject property on the first inner element that has it. Throws 40107.
  void setElementProperty(const QString& name, const QString& value);

 private:
  QString command_;
  ElementRef userBin_;
};

}  // namespace pw
