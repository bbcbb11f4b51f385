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
  if (GstBuffer* buffer = gst_sample_get_buffer(sample)) {
    receivedBytes_.fetch_add(gst_buffer_get_size(buffer), std::memory_order_relaxed);
  }
  push(sample);
}

void SinkInput::push(GstSample* sample) {
  GstBuffer* buffer = gst_sample_get_buffer(sample);
  if (appsrc_ && buffer) pushTo(appsrc_.get(), gst_sample_get_caps(sample), gst_buffer_ref(buffer));
}

void SinkInput::pushTo(GstElement* appsrc, GstCaps* caps, GstBuffer* buffer) {
  GstAppSrc* src = GST_APP_SRC(appsrc);
  if (caps) {
    CapsRef current = CapsRef::adopt(gst_app_src_get_caps(src));
    if (!current || !gst_caps_is_equal(current.get(), caps)) gst_app_src_set_caps(src, caps);
  }
  gst_app_src_push_buffer(src, buffer);
}

void SinkInput::relayUpstreamRequests(const std::shared_ptr<SinkInput>& input) {
  if (!input->appsrc()) return;
  PadRef srcPad = PadRef::adopt(gst_element_get_static_pad(input->appsrc(), "src"));
  gst_pad_add_probe(
      srcPad.get(), GST_PAD_PROBE_TYPE_EVENT_UPSTREAM,
      [](GstPad*, GstPadProbeInfo* info, gpointer user) -> GstPadProbeReturn {
        GstEvent* event = GST_PAD_PROBE_INFO_EVENT(info);
        if (gst_video_event_is_force_key_unit(event)) {
          if (auto in = static_cast<std::weak_ptr<SinkInput>*>(user)->lock()) in->requestKeyframe();
        } else if (const auto bps = bitrateRequest(event)) {
          if (auto in = static_cast<std::weak_ptr<SinkInput>*>(user)->lock()) in->setBitrateWish(*bps);
          return GST_PAD_PROBE_DROP;  // handled here; the appsrc has nothing to do with it
        }
        return GST_PAD_PROBE_OK;
      },
      new std::weak_ptr<SinkInput>(input), [](gpointer u) { delete static_cast<std::weak_ptr<SinkInput>*>(u); });
}

namespace {
constexpr const char* kBitrateRequest = "pipewright-bitrate-request";
}

GstEvent* SinkInput::newBitrateRequest(int bps) {
  return gst_event_new_custom(GST_EVENT_CUSTOM_UPSTREAM, gst_structure_new(kBitrateRequest, "bitrate", G_TYPE_INT, bps, nullptr));
}

std::optional<int> SinkInput::bitrateRequest(GstEvent* event) {
  if (GST_EVENT_TYPE(event) != GST_EVENT_CUSTOM_UPSTREAM || !gst_event_has_name(event, kBitrateRequest)) return std::nullopt;
  int bps = 0;
  if (!gst_structure_get_int(gst_event_get_structure(event), "bitrate", &bps)) return std::nullopt;
  return bps;
}

void SinkInput::setBitrateWish(int bps) {
  bitrateWish_.store(std::max(0, bps));
  if (auto b = feeder()) b->updateBitrate();
}

void SinkInput::setFeeder(const std::shared_ptr<Branch>& branch) {
  std::lock_guard lock(mutex_);
  feeder_ = branch;
}

std::shared_ptr<Branch> SinkInput::feeder() const {
  std::lock_guard lock(mutex_);
  return feeder_.lock();
}

CapsRef SinkInput::currentCaps() const {
  if (appsrc_) {
    PadRef src = PadRef::adopt(gst_element_get_static_pad(appsrc_.get(), "src"));
    CapsRef caps = src ? CapsRef::adopt(gst_pad_get_current_caps(src.get())) : CapsRef();
    if (caps) return caps;
  }
  auto branch = feeder();
  return branch ? branch->currentCaps() : CapsRef();
}

void SinkInput::requestKeyframe() {
  const qint64 now = g_get_monotonic_time();
  qint64 last = lastKeyframeRequestUs_.load();
  if (now - last < 500000) return;  // at most two requests a second
  if (!lastKeyframeRequestUs_.compare_exchange_strong(last, now)) return;
  if (auto b = feeder()) b->requestKeyframe();
}

}  // namespace pw
