#include "Hub.h"

#include "HubPort.h"
#include "core/Bindings.h"
#include "gst/Reaper.h"
#include "media/MediaPipeline.h"
#include "media/OutputPort.h"
#include "media/SinkInput.h"
#include "pipewright/engine/Engine.h"

namespace pw {

Hub::Hub(const Creation& creation, const QString& type) : MediaObject(creation.engine, type, creation.id, creation.parent) {
  auto pipeline = std::dynamic_pointer_cast<MediaPipeline>(creation.parent);
  if (!pipeline) throw KurentoException(ErrorCode::UnexpectedError, QStringLiteral("%1 needs a MediaPipeline").arg(type));
  pipeline_ = pipeline;
  const QString name = type + u'-' + creation.id.section(u'/', -1).section(u'_', 0, 0);
  bin_ = ElementRef::adopt(gst_bin_new(name.toUtf8().constData()));
  gst_bin_add(pipeline->bin(), bin_.get());
}

Hub::~Hub() {
  if (!released_) stopAndRemove(bin_.get());
}

void Hub::startBin() { gst_element_sync_state_with_parent(bin_.get()); }

void Hub::portAdded(const std::shared_ptr<HubPort>& port) {
  ports_.append(port);
  onPortAdded(port);
}

void Hub::portRemoved(HubPort& port) {
  onPortRemoved(port);
  for (MediaType t : kAllMediaTypes) unroute(port, t);
  // Ports fed by the leaving one lose their source.
  for (const auto& other : ports()) {
    for (MediaType t : kAllMediaTypes) {
      if (other.get() != &port && routeSource(*other, t).get() == &port) unroute(*other, t);
    }
  }
  routes_.remove(&port);
  ports_.removeIf([&](const auto& w) { return w.expired() || w.lock().get() == &port; });
}

QList<std::shared_ptr<HubPort>> Hub::ports() const {
  QList<std::shared_ptr<HubPort>> out;
  for (const auto& w : ports_) {
    if (auto p = w.lock()) out.append(p);
  }
  return out;
}

void Hub::route(const std::shared_ptr<HubPort>& source, const std::shared_ptr<HubPort>& sink, MediaType type) {
  if (routeSource(*sink, type) == source) return;
  unroute(*sink, type);
  routes_[sink.get()][index(type)] = source;
  if (source->toHub(type) && sink->fromHub(type)) source->toHub(type)->attach(sink->fromHub(type));
}

void Hub::unroute(HubPort& sink, MediaType type) {
  auto it = routes_.find(&sink);
  if (it == routes_.end()) return;
  auto source = (*it)[index(type)].lock();
  (*it)[index(type)].reset();
  if (source && source->toHub(type) && sink.fromHub(type)) source->toHub(type)->detach(sink.fromHub(type).get());
}

std::shared_ptr<HubPort> Hub::routeSource(HubPort& sink, MediaType type) const {
  auto it = routes_.constFind(&sink);
  return it == routes_.constEnd() ? nullptr : (*it)[index(type)].lock();
}

Hub::AggregatorInput Hub::addAggregatorInput(MediaType type, const QString& format, GstElement* aggregator,
                                             const QString& chain) {
  AggregatorInput in;
  in.appsrc = SinkInput::makeAppSrc(QString());
  in.chain = ElementRef::adopt(gst_parse_bin_from_description(chain.toUtf8().constData(), TRUE, nullptr));
  if (!in.chain) throw KurentoException(ErrorCode::UnexpectedError, QStringLiteral("cannot build '%1' (missing GStreamer plugin?)").arg(chain));
  in.aggregator = ElementRef::addRef(aggregator);
  gst_bin_add_many(bin(), in.appsrc.get(), in.chain.get(), nullptr);
  gst_element_link(in.appsrc.get(), in.chain.get());
  in.pad = PadRef::adopt(gst_element_request_pad_simple(aggregator, "sink_%u"));
  PadRef src = PadRef::adopt(gst_element_get_static_pad(in.chain.get(), "src"));
  gst_pad_link(src.get(), in.pad.get());
  gst_element_sync_state_with_parent(in.chain.get());
  gst_element_sync_state_with_parent(in.appsrc.get());
  in.input = std::make_shared<SinkInput>(type, format, in.appsrc);
  return in;
}

void Hub::removeAggregatorInput(AggregatorInput& in) {
  if (!in.appsrc) return;
  // Releasing the pad first wakes a push blocked in the aggregator; then the chain can stop.
  if (in.pad) gst_element_release_request_pad(in.aggregator.get(), in.pad.get());
  // Stopped on the Reaper's thread: a chain still busy in a streaming thread never blocks the
  // engine thread.
  Reaper::instance().retire(std::move(in.appsrc));
  Reaper::instance().retire(std::move(in.chain));
  in = AggregatorInput{};
}

std::shared_ptr<OutputPort> Hub::makeOutput(MediaType type, GstElement* tee) {
  g_object_set(tee, "allow-not-linked", TRUE, nullptr);
  return OutputPort::create(engine(), type, bin(), ElementRef::addRef(tee));
}

void Hub::onRelease() {
  if (released_) return;
  released_ = true;
  // The hub's bin (aggregators, their inputs and outputs) stops on the Reaper's thread; this
  // object stays alive until then and is let go on the engine thread (as MediaElement does).
  Engine* engine = &this->engine();
  Reaper::instance().retire(bin_, {}, 0, [engine, keep = shared_from_this()]() mutable {
    engine->post([keep = std::move(keep)]() {});
  });
}

QString Hub::gstreamerDot(const QString& details) const { return MediaPipeline::dotOf(bin(), details); }

std::shared_ptr<HubPort> Hub::portParam(const Invocation& call, const QString& name, const Hub& hub) {
  auto port = std::dynamic_pointer_cast<HubPort>(call.objectParam(name));
  if (!port) throw KurentoException(KurentoError::marshall(name, QStringLiteral("HubPort")));
  if (port->hub().get() != &hub) {
    throw KurentoException(KurentoError::illegalParam(QStringLiteral("'%1' is a port of another hub").arg(name)));
  }
  return port;
}

}  // namespace pw
