#pragma once

// The sole owner of a GstStructure (freed with gst_structure_free). A structure that belongs to
// something else (gst_caps_get_structure, gst_promise_get_reply, a message's structure) is
// transfer none: read it where it is, or keep a copy with copyStructure().

#include "UniqueOwner.h"

#include <gst/gst.h>

namespace pw {

struct StructureFree {
  void operator()(GstStructure* s) const { gst_structure_free(s); }
};

using StructurePtr = UniqueOwner<GstStructure, StructureFree>;

// An owned copy of `s` (empty for null).
inline StructurePtr copyStructure(const GstStructure* s) { return StructurePtr::adopt(s ? gst_structure_copy(s) : nullptr); }

}  // namespace pw
