#include "SinkInput.h"

#include "Branch.h"

#include <gst/video/video-event.h>

namespace pw {

SinkInput::SinkInput(MediaType type, QString wantedFormat, ElementRef appsrc)
    : type_(type), wantedFormat_(std::move(wantedFormat)), appsrc_(std::move(appsrc)) {}

ElementRef SinkInput::makeAppSrc(const QString& name) {
  const QByteArray utf8 = name.toUtf8();
  ElementRef src = makeElement("appsrc", name.isEmpty() ? nullptr : utf8.constData());  // empty: unique default name
  // Live input with running-time timestamps; bounded so a stalled consumer cannot grow memory
  // without limit (oldest data is dropped first).
  g_object_set(src.get(), "is-live", TRUE, "format", GST_FORMAT_TIME, "do-timestamp", FALSE, "stream-type", 0,
               "max-bytes", static_cast<guint64>(32 * 1024 * 1024), "max-buffers", static_cast<guint64>(0),
               "max-time", static_cast<guint64>(0), "leaky-type", 2, "block", FALSE, nullptr);
  // An explicit latency window: live aggregators downstream (compositor, audiomixer) refuse to
  // configure themselves when an upstream source reports a maximum latency of 0.
  g_object_set(src.get(), "min-latency", static_cast<gint64>(0), "max-latency", static_cast<gint64>(5 * GST_SECOND), nullptr);
  return src;
}

void SinkInput::deliver(GstSample* sample) {
  lastBufferUs_.store(g_get_monotonic_time());
  push(sample);
}

void SinkInput::push(GstSample* sample) {
  if (!appsrc_) return;
  GstAppSrc* src = GST_APP_SRC(appsrc_.get());
  GstCaps* caps = gst_sample_get_caps(sample);
  if (caps) {
    CapsRef current = CapsRef::adopt(gst_app_src_get_caps(src));
    if (!current || !gst_caps_is_equal(current.get(), caps)) gst_app_src_set_caps(src, caps);
  }
  GstBuffer* buffer = gst_sample_get_buffer(sample);
  if (buffer) gst_app_src_push_buffer(src, gst_buffer_ref(buffer));
}

void SinkInput::setFeeder(const std::shared_ptr<Branch>& branch) {
  std::lock_guard lock(mutex_);
  feeder_ = branch;
}

std::shared_ptr<Branch> SinkInput::feeder() const {
  std::lock_guard lock(mutex_);
  return feeder_.lock();
}

void SinkInput::requestKeyframe() {
  const qint64 now = g_get_monotonic_time();
  qint64 last = lastKeyframeRequestUs_.load();
  if (now - last < 500000) return;  // at most two requests a second
  if (!lastKeyframeRequestUs_.compare_exchange_strong(last, now)) return;
  if (auto b = feeder()) b->requestKeyframe();
}

}  // namespace pw
