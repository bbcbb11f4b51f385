#pragma once

// Helpers the media unit tests share: run a gst-launch description to its end.

#include <QString>

#include <gst/gst.h>

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
