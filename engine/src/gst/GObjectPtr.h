#pragma once

// Owner of one reference to a plain GObject (GResolver, GCancellable...), for GLib types that
// are not GstObjects (those use GstRef). Adopts the reference it is given.

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

}  // namespace pw
