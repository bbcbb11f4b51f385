#pragma once

// The sole owner of a string GLib or GStreamer hands over (freed with g_free): the result of
// gst_object_get_name, gst_sdp_message_as_text, gst_uri_handler_get_uri..., or what
// g_object_get writes for a string property (transfer full) through out():
//   GCharPtr name;
//   g_object_get(element, "name", name.out(), nullptr);
//   QString::fromUtf8(name.get());   // null reads as an empty string
// `const gchar*` results (gst_structure_get_string, GST_OBJECT_NAME) are transfer none: never
// adopt them.

#include "UniqueOwner.h"

#include <glib.h>

namespace pw {

struct GCharFree {
  void operator()(gchar* p) const { g_free(p); }
};

using GCharPtr = UniqueOwner<gchar, GCharFree>;

}  // namespace pw
