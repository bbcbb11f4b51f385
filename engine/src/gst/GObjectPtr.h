#pragma once

// Owners of plain GObjects (GResolver, GCancellable, GstDiscoverer, NiceAgent, RTPSession,
// GstWebRTCDataChannel...), the GLib types that are not GstObjects (those use GstRef):
//   GObjectPtr<T>  the sole owner (a std::unique_ptr): adopts the reference it is given.
//   GObjectRef<T>  a shared reference, GstRef's shape: adopt() / addRef() / out(), copyable.

#include "GstRef.h"

#include <glib-object.h>

#include <memory>

namespace pw {

struct GObjectUnref {
  void operator()(gpointer p) const {
    if (p) g_object_unref(p);
  }
};

template <typename T>
using GObjectPtr = std::unique_ptr<T, GObjectUnref>;

// How GstRef references a plain GObject. adopt() sinks a floating GInitiallyUnowned, as it
// does for a GstObject.
struct GObjectRefTraits {
  static void ref(gpointer p) { g_object_ref(p); }
  static void unref(gpointer p) { g_object_unref(p); }
  static void sink(gpointer p) { g_object_ref_sink(p); }
  static constexpr bool kCanFloat = true;
};

template <typename T>
using GObjectRef = GstRef<T, GObjectRefTraits>;

}  // namespace pw
