#pragma once

#include "GstRef.h"

namespace pw {

// The current running time of `element` (clock time − base time), clamped at 0; 0 without a clock.
inline GstClockTime runningTimeOf(GstElement* element) {
  GstRef<GstClock> clock = GstRef<GstClock>::adopt(gst_element_get_clock(element));
  if (!clock) return 0;
  const GstClockTime now = gst_clock_get_time(clock.get());
  const GstClockTime base = gst_element_get_base_time(element);
  return now > base ? now - base : 0;
}

}  // namespace pw
