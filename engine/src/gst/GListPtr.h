#pragma once

// Sole owners of the GLists GLib and GStreamer hand over together with their elements
// (transfer full), each freed with the function that frees both:
//   DiscovererStreamListPtr   gst_discoverer_info_get_*_streams()    gst_discoverer_stream_info_list_free
//   ResolvedAddressListPtr    g_resolver_lookup_by_name_finish()     g_resolver_free_addresses
//   PluginFeatureListPtr      gst_registry_get_feature_list()        gst_plugin_feature_list_free
// Walk them with `for (GList* l = list.get(); l; l = l->next)`.

#include "UniqueOwner.h"

#include <gio/gio.h>
#include <gst/pbutils/pbutils.h>

namespace pw {

struct DiscovererStreamListFree {
  void operator()(GList* l) const { gst_discoverer_stream_info_list_free(l); }
};
using DiscovererStreamListPtr = UniqueOwner<GList, DiscovererStreamListFree>;

struct ResolvedAddressListFree {
  void operator()(GList* l) const { g_resolver_free_addresses(l); }
};
using ResolvedAddressListPtr = UniqueOwner<GList, ResolvedAddressListFree>;

struct PluginFeatureListFree {
  void operator()(GList* l) const { gst_plugin_feature_list_free(l); }
};
using PluginFeatureListPtr = UniqueOwner<GList, PluginFeatureListFree>;

}  // namespace pw
