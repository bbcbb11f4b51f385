#pragma once

// The sole owner of a GError (freed with g_error_free). For the usual GError** out-param:
//   ErrorPtr err;
//   if (!gst_init_check(nullptr, nullptr, err.out())) use(err ? err->message : "...");
// out() frees an error still held first, so one ErrorPtr can serve several calls in a row.
// A call that only reads an error (gst_message_new_error) gets err.get(); it copies it.

#include "UniqueOwner.h"

#include <glib.h>

namespace pw {

struct ErrorFree {
  void operator()(GError* e) const { g_error_free(e); }
};

using ErrorPtr = UniqueOwner<GError, ErrorFree>;

}  // namespace pw
