#pragma once

#include "media/MediaElement.h"

#include <vector>

namespace pw {

// One chain of harmless GStreamer elements (FilterCommand, ElementAllowList) as a filter on raw
// audio or video; the other media type passes through untouched.
class GStreamerFilter : public MediaElement {
 public:
  explicit GStreamerFilter(const Creation& creation);

  const QString& command() const { return command_; }
  // Sets a GObject property on the first element of the command that has it. Throws 40107
  // when none has it, or when a client may not set it (ElementAllowList::checkProperty).
  void setElementProperty(const QString& name, const QString& value);

 private:
  QString command_;
  ElementRef userBin_;
  std::vector<ElementRef> userElements_;  // the command's elements, in chain order
};

}  // namespace pw
