#include "Branch.h"

#include "gst/ErrorPtr.h"
#include "gst/IteratorPtr.h"
#include "gst/Reaper.h"
#include "gst/ScopedValue.h"

#include "SinkInput.h"
#include "pipewright/engine/Engine.h"

#include <gst/app/gstappsink.h>
#include <gst/video/video-event.h>

namespace pw {
namespace {

// Every element input expects running-time timestamps on a 0-based segment. Encoders may shift
// their segment (x264enc starts at 1000 h to keep DTS positive), so map through the segment.
GstRef<GstSample> toRunningTime(GstRef<GstSample> sample) {
  const GstSegment* seg = gst_sample_get_segment(sample.get());
  GstBuffer* in = gst_sample_get_buffer(sample.get());
  if (!seg || !in || seg->format != GST_FORMAT_TIME) return sample;
  if (seg->start == 0 && seg->base == 0 && seg->offset == 0 && seg->rate == 1.0) return sample;
  const BufferRef out = BufferRef::adopt(gst_buffer_copy(in));
  auto map = [&](GstClockTime t) -> GstClockTime {
    if (!GST_CLOCK_TIME_IS_VALID(t)) return GST_CLOCK_TIME_NONE;
    guint64 running = 0;
    return gst_segment_to_running_time_full(seg, GST_FORMAT_TIME, t, &running) > 0 ? running : GST_CLOCK_TIME_NONE;
  };
  GST_BUFFER_PTS(out.get()) = map(GST_BUFFER_PTS(in));
  GST_BUFFER_DTS(out.get()) = map(GST_BUFFER_DTS(in));
  // gst_sample_new takes its own reference to the buffer.
  return GstRef<GstSample>::adopt(gst_sample_new(out.get(), gst_sample_get_caps(sample.get()), nullptr, nullptr));
}

// The first element made by `factory` inside `bin` (recursively), if any.
ElementRef findByFactory(GstBin* bin, const char* factory) {
  IteratorPtr it = IteratorPtr::adopt(gst_bin_iterate_recurse(bin));
  ScopedValue item;
  ElementRef found;
  while (!found && gst_iterator_next(it.get(), item.get()) == GST_ITERATOR_OK) {
    auto* e = GST_ELEMENT(g_value_get_object(item.get()));
    GstElementFactory* f = gst_element_get_factory(e);
    if (f && g_strcmp0(GST_OBJECT_NAME(f), factory) == 0) found = ElementRef::addRef(e);
    g_value_reset(item.get());
  }
  return found;
}

}  // namespace

std::shared_ptr<Branch> Branch::create(GstBin* parentBin, GstElement* tee, const QString& name,
                                       const QString& description, QString* error) {
  std::shared_ptr<Branch> b(new Branch());
  b->name_ = name;
  b->transcoding_ = !description.isEmpty();
  b->tee_ = ElementRef::addRef(tee);

  ElementRef bin = ElementRef::adopt(gst_bin_new(name.toUtf8().constData()));
  ElementRef queue = makeElement("queue");
  // Leaky so one slow consumer cannot stall the source for everyone else.
  g_object_set(queue.get(), "max-size-buffers", 0u, "max-size-bytes", 0u, "max-size-time",
               static_cast<guint64>(2 * GST_SECOND), "leaky", 2, nullptr);
  ElementRef appsink = makeElement("appsink");
  g_object_set(appsink.get(), "sync", FALSE, "async", FALSE, "enable-last-sample", FALSE, "max-buffers", 0u, nullptr);
  gst_bin_add_many(GST_BIN(bin.get()), queue.get(),
                   appsink.get(), nullptr);
  GstElement* last = queue.get();
  if (!description.isEmpty()) {
    // A decoder's output pad appears only once it knows the stream, so decodebin is linked to the
    // rest of the transcode by hand (inside a parsed bin, the rest's input would be exposed instead).
    QString rest = description;
    const bool decode = rest.startsWith(QLatin1String("decodebin ! "));
    if (decode) rest = rest.mid(12);
    ErrorPtr err;
    ElementRef transcode = ElementRef::adopt(gst_parse_bin_from_description(rest.toUtf8().constData(), TRUE, err.out()));
    if (!transcode) {
      if (error) *error = QStringLiteral("cannot build transcoder '%1': %2").arg(description, err ? QString::fromUtf8(err->message) : QString());
      return nullptr;
    }
    err.reset();
    // The video encoder, for REMB and the bitrate limits (audio encoders keep their bitrate).
    b->encoder_ = findByFactory(GST_BIN(transcode.get()), "vp8enc");
    if (!b->encoder_) {
      b->encoder_ = findByFactory(GST_BIN(transcode.get()), "x264enc");
      b->encoderKbps_ = static_cast<bool>(b->encoder_);
    }
    if (b->encoder_) {
      int bps = 0;
      if (b->encoderKbps_) {
        guint kbps = 0;
        g_object_get(b->encoder_.get(), "bitrate", &kbps, nullptr);
        bps = static_cast<int>(kbps) * 1000;
      } else {
        g_object_get(b->encoder_.get(), "target-bitrate", &bps, nullptr);
      }
      b->applied_ = bps;
    }
    gst_bin_add(GST_BIN(bin.get()), transcode.get());
    if (decode) {
      ElementRef decoder = makeElement("decodebin");
      gst_bin_add(GST_BIN(bin.get()), decoder.get());
      gst_element_link(last, decoder.get());
      g_signal_connect_data(decoder.get(), "pad-added", G_CALLBACK(+[](GstElement*, GstPad* pad, gpointer user) {
                              auto* next = static_cast<ElementRef*>(user);
                              PadRef sink = PadRef::adopt(gst_element_get_static_pad(next->get(), "sink"));
                              if (sink && !gst_pad_is_linked(sink.get())) gst_pad_link(pad, sink.get());
                            }),
                            new ElementRef(transcode), [](gpointer user, GClosure*) { delete static_cast<ElementRef*>(user); },
                            GConnectFlags(0));
    } else {
      gst_element_link(last, transcode.get());
    }
    last = transcode.get();
  }
  gst_element_link(last, appsink.get());
  PadRef queueSink = PadRef::adopt(gst_element_get_static_pad(queue.get(), "sink"));
  gst_element_add_pad(bin.get(), gst_ghost_pad_new("sink", queueSink.get()));

  auto* data = new std::shared_ptr<Targets>(b->targets_);
  GstAppSinkCallbacks callbacks{};
  callbacks.new_sample = [](GstAppSink* sink, gpointer user) -> GstFlowReturn {
    auto& targets = *static_cast<std::shared_ptr<Targets>*>(user);
    GstRef<GstSample> sample = GstRef<GstSample>::adopt(gst_app_sink_pull_sample(sink));
    if (!sample) return GST_FLOW_OK;
    sample = toRunningTime(std::move(sample));
    std::vector<std::shared_ptr<SinkInput>> inputs;
    {
      std::lock_guard lock(targets->mutex);
      inputs = targets->inputs;
    }
    for (const auto& in : inputs) in->deliver(sample.get());
    return GST_FLOW_OK;
  };
  gst_app_sink_set_callbacks(GST_APP_SINK(appsink.get()), &callbacks, data,
                             [](gpointer user) { delete static_cast<std::shared_ptr<Targets>*>(user); });

  gst_bin_add(parentBin, bin.get());
  // Running before linking: a tee pushing into a not-yet-started branch would get FLUSHING.
  gst_element_sync_state_with_parent(bin.get());
  b->teePad_ = PadRef::adopt(gst_element_request_pad_simple(tee, "src_%u"));
  PadRef binSink = PadRef::adopt(gst_element_get_static_pad(bin.get(), "sink"));
  if (gst_pad_link(b->teePad_.get(), binSink.get()) != GST_PAD_LINK_OK) {
    if (error) *error = QStringLiteral("cannot link branch %1 to its source").arg(name);
    stopAndRemove(bin.get());
    gst_element_release_request_pad(tee, b->teePad_.get());
    return nullptr;
  }
  b->bin_ = std::move(bin);
  b->appsink_ = std::move(appsink);
  return b;
}

Branch::~Branch() = default;

void Branch::addTarget(const std::shared_ptr<SinkInput>& input) {
  {
    std::lock_guard lock(targets_->mutex);
    targets_->inputs.push_back(input);
  }
  input->setFeeder(shared_from_this());
  // A consumer joining a running encoder needs a fresh keyframe to start decoding.
  requestKeyframe();
  updateBitrate();
}

void Branch::removeTarget(const SinkInput* input) {
  {
    std::lock_guard lock(targets_->mutex);
    std::erase_if(targets_->inputs, [&](const auto& p) { return p.get() == input; });
  }
  updateBitrate();
}

void Branch::setEncoderSettings(const EncoderSettings& settings) {
  {
    std::lock_guard lock(bitrateMutex_);
    settings_ = settings;
  }
  updateBitrate();
}

void Branch::updateBitrate() {
  int wish = 0;  // the lowest wish of the targets; 0 = nobody limits
  {
    std::lock_guard lock(targets_->mutex);
    for (const auto& in : targets_->inputs) {
      const int w = in->bitrateWish();
      if (w > 0) wish = wish > 0 ? std::min(wish, w) : w;
    }
  }
  std::unique_lock lock(bitrateMutex_);
  if (encoder_) {
    int bps = wish > 0 ? wish : settings_.bitrateBps;
    if (settings_.minBitrateBps > 0) bps = std::max(bps, settings_.minBitrateBps);
    if (settings_.maxBitrateBps > 0) bps = std::min(bps, settings_.maxBitrateBps);
    bps = std::max(bps, 16000);
    if (bps == applied_.load()) return;
    applied_ = bps;
    if (encoderKbps_) g_object_set(encoder_.get(), "bitrate", static_cast<guint>(bps / 1000), nullptr);
    else g_object_set(encoder_.get(), "target-bitrate", bps, nullptr);
    return;
  }
  // Pass-through (or decoding only): the source has to send less. The request travels up the
  // tee like a keyframe request, to the source element's input or to the endpoint receiving it.
  if (wish == applied_.load() || !appsink_) return;
  applied_ = wish;
  PadRef pad = PadRef::adopt(gst_element_get_static_pad(appsink_.get(), "sink"));
  lock.unlock();
  gst_pad_push_event(pad.get(), SinkInput::newBitrateRequest(wish));
}

int Branch::targetCount() const {
  std::lock_guard lock(targets_->mutex);
  return static_cast<int>(targets_->inputs.size());
}

CapsRef Branch::currentCaps() const {
  PadRef sink = PadRef::adopt(gst_element_get_static_pad(appsink_.get(), "sink"));
  return sink ? CapsRef::adopt(gst_pad_get_current_caps(sink.get())) : CapsRef();
}

void Branch::requestKeyframe() {
  if (!appsink_) return;
  PadRef pad = PadRef::adopt(gst_element_get_static_pad(appsink_.get(), "sink"));
  gst_pad_push_event(pad.get(), gst_video_event_new_upstream_force_key_unit(GST_CLOCK_TIME_NONE, TRUE, 0));
}

void Branch::dispose(Engine& engine) {
  {
    std::lock_guard lock(targets_->mutex);
    targets_->inputs.clear();
  }
  if (!bin_) return;
  struct Removal {
    Engine* engine;
    ElementRef tee;
    PadRef teePad;
    ElementRef bin;
    bool done = false;
  };
  auto* removal = new Removal{&engine, tee_, teePad_, bin_};
  bin_.reset();
  // Unlink when the tee pad is idle, then finish on the engine thread.
  gst_pad_add_probe(
      removal->teePad.get(), GST_PAD_PROBE_TYPE_IDLE,
      [](GstPad* pad, GstPadProbeInfo*, gpointer user) -> GstPadProbeReturn {
        auto* r = static_cast<Removal*>(user);
        if (r->done) return GST_PAD_PROBE_REMOVE;
        r->done = true;
        PadRef peer = PadRef::adopt(gst_pad_get_peer(pad));
        if (peer) gst_pad_unlink(pad, peer.get());
        auto keep = std::make_shared<Removal>(*r);
        r->engine->post([keep]() {
          gst_element_release_request_pad(keep->tee.get(), keep->teePad.get());
          // A transcoder can be mid-frame: it stops on the Reaper's thread, not this one.
          Reaper::instance().retire(std::move(keep->bin));
        });
        return GST_PAD_PROBE_REMOVE;
      },
      removal, [](gpointer user) { delete static_cast<Removal*>(user); });
}

}  // namespace pw
