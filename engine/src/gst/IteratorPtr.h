#pragma once

// The sole owner of a GstIterator (freed with gst_iterator_free). The items it yields go into
// a ScopedValue (default-constructed: gst_iterator_next initialises it on first use):
//   IteratorPtr it = IteratorPtr::adopt(gst_bin_iterate_recurse(bin));
//   ScopedValue item;
//   while (gst_iterator_next(it.get(), item.get()) == GST_ITERATOR_OK) { ...; g_value_reset(item.get()); }

#include "UniqueOwner.h"

#include <gst/gst.h>

namespace pw {

struct IteratorFree {
  void operator()(GstIterator* it) const { gst_iterator_free(it); }
};

using IteratorPtr = UniqueOwner<GstIterator, IteratorFree>;

}  // namespace pw
