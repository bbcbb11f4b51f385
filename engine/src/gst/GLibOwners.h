#pragma once

// Owners of GLib's event-loop and container values, for code without GStreamer or Qt (the lean
// transport's media loops and ICE agents):
//   auto context = MainContextPtr::adopt(g_main_context_new());
//   auto source = SourcePtr::adopt(g_idle_source_new());       g_source_attach(source.get(), ctx);
//   auto sockets = PtrArrayPtr::adopt(nice_agent_get_sockets(agent, stream, 1));
// destroySource() removes an attached source by id from a context (g_source_remove works on the
// default context only).

#include "UniqueOwner.h"

#include <glib.h>

namespace pw {

struct MainContextUnref {
  void operator()(GMainContext* p) const { g_main_context_unref(p); }
};
struct MainLoopUnref {
  void operator()(GMainLoop* p) const { g_main_loop_unref(p); }
};
struct SourceUnref {
  void operator()(GSource* p) const { g_source_unref(p); }
};
struct PtrArrayUnref {
  void operator()(GPtrArray* p) const { g_ptr_array_unref(p); }
};
struct ArrayUnref {
  void operator()(GArray* p) const { g_array_unref(p); }
};

using MainContextPtr = UniqueOwner<GMainContext, MainContextUnref>;
using MainLoopPtr = UniqueOwner<GMainLoop, MainLoopUnref>;
using SourcePtr = UniqueOwner<GSource, SourceUnref>;
using PtrArrayPtr = UniqueOwner<GPtrArray, PtrArrayUnref>;
using ArrayPtr = UniqueOwner<GArray, ArrayUnref>;  // e.g. webrtcbin's get-transceivers

// Destroys the source `id` attached to `context`, if it is still there. True when it was.
inline bool destroySource(GMainContext* context, guint id) {
  if (id == 0) return false;
  GSource* source = g_main_context_find_source_by_id(context, id);  // transfer none
  if (!source) return false;
  g_source_destroy(source);
  return true;
}

}  // namespace pw
