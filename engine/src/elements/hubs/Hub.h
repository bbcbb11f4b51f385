#pragma once

#include "core/MediaObject.h"
#include "core/MediaType.h"
#include "gst/GstRef.h"

#include <QHash>
#include <QList>

#include <array>
#include <memory>

namespace pw {

struct Creation;
class HubPort;
class MediaPipeline;
class OutputPort;
class SinkInput;

// A hub: one GstBin in the pipeline and a set of HubPorts. Media a client sends to a port
// leaves the port through its toHub output; what the hub sends to the port enters through the
// port's fromHub input. Routing and mixing reuse the engine's outputs and inputs, so format
// adaptation works the same inside hubs as between elements.
class Hub : public MediaObject {
 public:
  Hub(const Creation& creation, const QString& type);
  ~Hub() override;

  std::shared_ptr<MediaPipeline> pipeline() const { return pipeline_.lock(); }
  GstBin* bin() const { return GST_BIN(bin_.get()); }

  // Engine thread: a port joined (registered) or is leaving (before its media goes).
  void portAdded(const std::shared_ptr<HubPort>& port);
  void portRemoved(HubPort& port);
  QList<std::shared_ptr<HubPort>> ports() const;

  void onRelease() override;
  QString gstreamerDot(const QString& details) const override;

  // The HubPort a method param names; it must belong to `hub` (40107 otherwise).
  static std::shared_ptr<HubPort> portParam(const class Invocation& call, const QString& name, const Hub& hub);

 protected:
  virtual void onPortAdded(const std::shared_ptr<HubPort>&) {}
  virtual void onPortRemoved(HubPort&) {}

  // Routing (dispatchers): what `sink` port receives for `type` comes from `source` port.
  void route(const std::shared_ptr<HubPort>& source, const std::shared_ptr<HubPort>& sink, MediaType type);
  void unroute(HubPort& sink, MediaType type);
  std::shared_ptr<HubPort> routeSource(HubPort& sink, MediaType type) const;

  // An input of an aggregator (compositor, audiomixer) in this hub: appsrc → chain → new pad.
  struct AggregatorInput {
    std::shared_ptr<SinkInput> input;
    ElementRef appsrc;
    ElementRef chain;
    ElementRef aggregator;
    PadRef pad;
  };
  AggregatorInput addAggregatorInput(MediaType type, const QString& format, GstElement* aggregator,
                                     const QString& chain);
  void removeAggregatorInput(AggregatorInput& in);
  // An output tee in this hub (for mixes), watched like any element output.
  std::shared_ptr<OutputPort> makeOutput(MediaType type, GstElement* tee);

  void startBin();

 private:
  std::weak_ptr<MediaPipeline> pipeline_;
  ElementRef bin_;
  QList<std::weak_ptr<HubPort>> ports_;
  QHash<const HubPort*, std::array<std::weak_ptr<HubPort>, 3>> routes_;  // sink port → source per type
  bool released_ = false;
};

}  // namespace pw
