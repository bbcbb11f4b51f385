#include "DecoderBridge.h"

#include "gst/RunningTime.h"
#include "pipewright/engine/Engine.h"
#include "media/SinkInput.h"

#include <gst/app/gstappsink.h>

namespace pw {

void DecoderBridge::push(GstElement* appsrc, GstSample* sample) {
  GstBuffer* in = gst_sample_get_buffer(sample);
  const GstSegment* segment = gst_sample_get_segment(sample);
  if (!in || !segment) return;
  const GstClockTime pts = GST_BUFFER_PTS(in);
  if (!GST_CLOCK_TIME_IS_VALID(pts)) return;
  const GstClockTime running = gst_segment_to_running_time(segment, GST_FORMAT_TIME, pts);
  if (!GST_CLOCK_TIME_IS_VALID(running)) return;
  GstClockTimeDiff offsetNow;
  {
    std::lock_guard lock(mutex);
    if (resync) {
      offset = GST_CLOCK_DIFF(running, runningTimeOf(mediaPipeline.get()));
      resync = false;
    }
    offsetNow = offset;
  }
  const GstClockTimeDiff mapped = static_cast<GstClockTimeDiff>(running) + offsetNow;
  GstBuffer* out = gst_buffer_copy(in);  // metadata copy; the memory is shared
  GST_BUFFER_PTS(out) = mapped > 0 ? static_cast<GstClockTime>(mapped) : 0;
  GST_BUFFER_DTS(out) = GST_CLOCK_TIME_NONE;
  SinkInput::pushTo(appsrc, gst_sample_get_caps(sample), out);
}

void DecoderBridge::requestResync() {
  std::lock_guard lock(mutex);
  resync = true;
}

CapsRef DecoderBridge::encodedStopCaps() {
  return CapsRef::adopt(gst_caps_from_string("video/x-raw(ANY);audio/x-raw(ANY);video/x-vp8;video/x-vp9;video/x-h264;audio/x-opus"));
}

namespace {

struct PadAddedData {
  std::shared_ptr<DecoderBridge> bridge;
};

void onDecodedPad(GstElement* decodebin, GstPad* pad, gpointer user) {
  auto* data = static_cast<PadAddedData*>(user);
  CapsRef caps = CapsRef::adopt(gst_pad_get_current_caps(pad));
  if (!caps) caps = CapsRef::adopt(gst_pad_query_caps(pad, nullptr));
  if (!caps || gst_caps_is_empty(caps.get())) return;
  const gchar* name = gst_structure_get_name(gst_caps_get_structure(caps.get(), 0));
  const bool video = g_str_has_prefix(name, "video/");
  const bool audio = g_str_has_prefix(name, "audio/");
  if (!video && !audio) return;
  const bool raw = g_str_has_suffix(name, "/x-raw");
  GstElement* pipeline = GST_ELEMENT(gst_element_get_parent(decodebin));
  if (!pipeline) return;
  ElementRef owner = ElementRef::adopt(pipeline);
  GstElement* target = video ? data->bridge->videoSrc.get() : data->bridge->audioSrc.get();

  GstElement* queue = gst_element_factory_make("queue", nullptr);
  // Encoded media (useEncodedMedia) is only parsed into whole frames; raw media is converted.
  const bool h264 = !raw && g_str_equal(name, "video/x-h264");
  GstElement* convert = gst_element_factory_make(raw ? (video ? "videoconvert" : "audioconvert") : h264 ? "h264parse" : "identity", nullptr);
  if (!convert) return;  // missing plugin: the stream is left out (initGStreamer checks the usual ones)
  if (h264) g_object_set(convert, "config-interval", -1, nullptr);
  GstElement* sink = gst_element_factory_make("appsink", nullptr);
  g_object_set(sink, "sync", TRUE, "max-buffers", 4u, "enable-last-sample", FALSE, nullptr);
  gst_bin_add_many(GST_BIN(pipeline), queue, convert, sink, nullptr);
  gst_element_link_many(queue, convert, sink, nullptr);

  struct SinkData {
    std::shared_ptr<DecoderBridge> bridge;
    ElementRef target;
  };
  GstAppSinkCallbacks callbacks{};
  callbacks.new_sample = [](GstAppSink* s, gpointer u) -> GstFlowReturn {
    auto* d = static_cast<SinkData*>(u);
    GstRef<GstSample> sample = GstRef<GstSample>::adopt(gst_app_sink_pull_sample(s));
    if (sample) d->bridge->push(d->target.get(), sample.get());
    return GST_FLOW_OK;
  };
  gst_app_sink_set_callbacks(GST_APP_SINK(sink), &callbacks, new SinkData{data->bridge, ElementRef::addRef(target)},
                             [](gpointer u) { delete static_cast<SinkData*>(u); });
  for (GstElement* e : {queue, convert, sink}) gst_element_sync_state_with_parent(e);
  PadRef queueSink = PadRef::adopt(gst_element_get_static_pad(queue, "sink"));
  gst_pad_link(pad, queueSink.get());
}

}  // namespace

void DecoderBridge::attach(GstElement* decodebin, const std::shared_ptr<DecoderBridge>& bridge) {
  g_signal_connect_data(decodebin, "pad-added", G_CALLBACK(onDecodedPad), new PadAddedData{bridge},
                        [](gpointer data, GClosure*) { delete static_cast<PadAddedData*>(data); },
                        static_cast<GConnectFlags>(0));
}

void DecoderBridge::watchBus(Engine& engine, GstElement* decoder, BusEvents events) {
  struct BusData {
    Engine* engine;
    GstElement* decoder;  // identity only, never dereferenced
    BusEvents events;
  };
  BusRef bus = BusRef::adopt(gst_element_get_bus(decoder));
  gst_bus_set_sync_handler(
      bus.get(),
      [](GstBus*, GstMessage* message, gpointer user) -> GstBusSyncReply {
        // A sync handler that drops a message owns it (GstBus contract).
        const MessageRef owned = MessageRef::adopt(message);
        auto* d = static_cast<BusData*>(user);
        const auto type = GST_MESSAGE_TYPE(message);
        GstElement* decoder = d->decoder;
        if (type == GST_MESSAGE_ASYNC_DONE && static_cast<void*>(GST_MESSAGE_SRC(message)) == decoder) {
          d->engine->post([prerolled = d->events.prerolled, decoder]() { prerolled(decoder); });
        } else if (type == GST_MESSAGE_EOS || type == GST_MESSAGE_ERROR) {
          d->engine->post([ended = d->events.ended, msg = owned, decoder]() { ended(decoder, msg.get()); });
        }
        return GST_BUS_DROP;
      },
      new BusData{&engine, decoder, std::move(events)}, [](gpointer user) { delete static_cast<BusData*>(user); });
}

}  // namespace pw
