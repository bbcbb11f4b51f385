#pragma once

// Helpers the media unit tests share: run a gst-launch description to its end, read a file's
// streams with GstDiscoverer, decode a file to its end.

#include <QString>
#include <QStringList>

#include <algorithm>

#include <gst/gst.h>
#include <gst/pbutils/pbutils.h>

// Runs `desc` until EOS (true) or an error / `timeoutSec` (false), printing parse errors.
inline bool runPipeline(const QString& desc, int timeoutSec = 60) {
  GError* err = nullptr;
  GstElement* p = gst_parse_launch(desc.toUtf8().constData(), &err);
  if (err) {
    qWarning("%s: %s", qPrintable(desc), err->message);
    g_error_free(err);
  }
  if (!p) return false;
  gst_element_set_state(p, GST_STATE_PLAYING);
  GstBus* bus = gst_element_get_bus(p);
  GstMessage* m = gst_bus_timed_pop_filtered(bus, timeoutSec * GST_SECOND, GstMessageType(GST_MESSAGE_EOS | GST_MESSAGE_ERROR));
  const bool ok = m && GST_MESSAGE_TYPE(m) == GST_MESSAGE_EOS;
  if (m) gst_message_unref(m);
  gst_object_unref(bus);
  gst_element_set_state(p, GST_STATE_NULL);
  gst_object_unref(p);
  return ok;
}

struct Discovered {
  double durationSec = 0;
  QStringList video;
  QStringList audio;
};

// What GstDiscoverer (as gst-discoverer-1.0) reads from the file: duration and stream types.
inline Discovered discover(const QString& path) {
  Discovered d;
  GstDiscoverer* disc = gst_discoverer_new(10 * GST_SECOND, nullptr);
  GstDiscovererInfo* info = gst_discoverer_discover_uri(disc, ("file://" + path).toUtf8().constData(), nullptr);
  if (info) {
    d.durationSec = static_cast<double>(gst_discoverer_info_get_duration(info)) / GST_SECOND;
    for (auto [list, out] : {std::pair{gst_discoverer_info_get_video_streams(info), &d.video},
                             std::pair{gst_discoverer_info_get_audio_streams(info), &d.audio}}) {
      for (GList* l = list; l; l = l->next) {
        GstCaps* caps = gst_discoverer_stream_info_get_caps(GST_DISCOVERER_STREAM_INFO(l->data));
        out->append(QString::fromUtf8(gst_structure_get_name(gst_caps_get_structure(caps, 0))));
        gst_caps_unref(caps);
      }
      gst_discoverer_stream_info_list_free(list);
    }
    gst_discoverer_info_unref(info);
  }
  g_object_unref(disc);
  return d;
}

struct DecodedSpan {
  bool ok = false;           // decoded to EOS without an error
  QString error;             // the error otherwise
  double lastVideoSec = -1;  // timestamp of the last decoded video frame
  int videoFrames = 0;
};

// Decodes every stream of `path` to its end (decodebin into fakesinks, as fast as it goes).
inline DecodedSpan decodeToEnd(const QString& path, int timeoutSec = 60) {
  DecodedSpan span;
  GstElement* p = gst_pipeline_new(nullptr);
  GstElement* src = gst_element_factory_make("filesrc", nullptr);
  GstElement* dec = gst_element_factory_make("decodebin", nullptr);
  g_object_set(src, "location", path.toUtf8().constData(), nullptr);
  gst_bin_add_many(GST_BIN(p), src, dec, nullptr);
  gst_element_link(src, dec);
  g_signal_connect(dec, "pad-added", G_CALLBACK(+[](GstElement* d, GstPad* pad, gpointer user) {
                     GstElement* bin = GST_ELEMENT(gst_object_get_parent(GST_OBJECT(d)));
                     GstElement* sink = gst_element_factory_make("fakesink", nullptr);
                     g_object_set(sink, "sync", FALSE, nullptr);
                     gst_bin_add(GST_BIN(bin), sink);
                     gst_element_sync_state_with_parent(sink);
                     GstPad* sinkPad = gst_element_get_static_pad(sink, "sink");
                     gst_pad_link(pad, sinkPad);
                     GstCaps* caps = gst_pad_get_current_caps(pad);
                     if (caps && g_str_has_prefix(gst_structure_get_name(gst_caps_get_structure(caps, 0)), "video/")) {
                       gst_pad_add_probe(sinkPad, GST_PAD_PROBE_TYPE_BUFFER,
                                         [](GstPad*, GstPadProbeInfo* info, gpointer u) -> GstPadProbeReturn {
                                           auto* s = static_cast<DecodedSpan*>(u);
                                           GstBuffer* b = GST_PAD_PROBE_INFO_BUFFER(info);
                                           if (GST_BUFFER_PTS_IS_VALID(b)) {
                                             s->lastVideoSec = std::max(s->lastVideoSec, double(GST_BUFFER_PTS(b)) / GST_SECOND);
                                           }
                                           ++s->videoFrames;
                                           return GST_PAD_PROBE_OK;
                                         },
                                         user, nullptr);
                     }
                     if (caps) gst_caps_unref(caps);
                     gst_object_unref(sinkPad);
                     gst_object_unref(bin);
                   }),
                   &span);
  gst_element_set_state(p, GST_STATE_PLAYING);
  GstBus* bus = gst_element_get_bus(p);
  GstMessage* m = gst_bus_timed_pop_filtered(bus, timeoutSec * GST_SECOND, GstMessageType(GST_MESSAGE_EOS | GST_MESSAGE_ERROR));
  if (m && GST_MESSAGE_TYPE(m) == GST_MESSAGE_EOS) {
    span.ok = true;
  } else if (m) {
    GError* err = nullptr;
    gst_message_parse_error(m, &err, nullptr);
    span.error = QString::fromUtf8(err ? err->message : "error");
    if (err) g_error_free(err);
  } else {
    span.error = QStringLiteral("no end within %1 s").arg(timeoutSec);
  }
  if (m) gst_message_unref(m);
  gst_object_unref(bus);
  gst_element_set_state(p, GST_STATE_NULL);
  gst_object_unref(p);
  return span;
}
