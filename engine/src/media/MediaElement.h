#pragma once

#include "Formats.h"
#include "core/MediaObject.h"
#include "core/MediaType.h"
#include "gst/GstRef.h"

#include <QJsonArray>

#include <array>
#include <memory>
#include <optional>

namespace pw {

struct Creation;
class MediaPipeline;
class OutputPort;
class SinkInput;

// A media element: one GstBin in its pipeline with, per media type, at most one input
// (fed by one source) and one output (feeding any number of sinks) — design §3.
class MediaElement : public MediaObject {
 public:
  MediaElement(const Creation& creation, const QString& type);
  ~MediaElement() override;

  std::shared_ptr<MediaPipeline> pipeline() const;
  GstBin* bin() const { return GST_BIN(bin_.get()); }
  const QString& binName() const { return binName_; }

  // Kurento connect semantics: one source per (sink, media type); a new connect replaces it.
  void connectTo(const std::shared_ptr<MediaElement>& sink, std::optional<MediaType> type, const QString& sourceDesc,
                 const QString& sinkDesc);
  void disconnectFrom(const std::shared_ptr<MediaElement>& sink, std::optional<MediaType> type);
  QJsonArray sourceConnections(std::optional<MediaType> type, const QString& description) const;
  QJsonArray sinkConnections(std::optional<MediaType> type, const QString& description) const;
  // The caps of the `type` media entering this element now from the element `sourceId`; null
  // when that is not its source or nothing was negotiated yet. Elements whose media bypasses
  // GStreamer (the lean WebRTC endpoint) describe what they send instead.
  virtual CapsRef inputCapsFrom(const QString& sourceId, MediaType type) const;

  bool isFlowingIn(MediaType type) const { return flowingIn_[index(type)]; }
  bool hasSource(MediaType type) const {
    const auto& link = sources_[index(type)];
    return link && !link->peer.expired();
  }
  bool isFlowingOut(MediaType type) const { return flowingOut_[index(type)]; }
  // Bytes the input for `type` received from its source so far (nullopt: no such input):
  // through GStreamer here; the lean WebRTC endpoint counts what it sends to its peer, relayed
  // or not.
  virtual std::optional<quint64> receivedBytes(MediaType type) const;
  bool isTranscoding(MediaType type, const QString& binName) const;
  void setEncoderBitrate(int bps);
  int encoderBitrate() const { return encoder_.bitrateBps; }
  int minEncoderBitrate() const { return encoder_.minBitrateBps; }
  int maxEncoderBitrate() const { return encoder_.maxBitrateBps; }
  // Enforced on this element's transcode branches (new and running): floor and ceiling of the
  // encoder target, whatever REMB or encoderBitrate ask for. 0 = none.
  void setMinEncoderBitrate(int bps);
  void setMaxEncoderBitrate(int bps);
  // setVideoFormat / setAudioFormat (see ForcedFormat). Engine thread.
  void setOutputFormat(MediaType type, const ForcedFormat& forced);
  const ForcedFormat& outputFormat(MediaType type) const { return forced_[index(type)]; }

  // Element statistics (getStats); endpoints add their own, possibly asynchronously.
  virtual QJsonObject stats(std::optional<MediaType> type) const;
  virtual void statsAsync(std::optional<MediaType> type, std::shared_ptr<class DeferredReply> reply);

  // Engine thread, every 500 ms: raises MediaFlowIn/OutStateChanged on transitions.
  void checkFlow();
  // Engine thread: a bus message from inside this element's bin.
  virtual void handleBusMessage(GstMessage* message);
  // Engine thread: the source connected to `type` reached its end (PlayerEndpoint EOS).
  virtual void onSourceEndOfStream(MediaType) {}

  void onRegistered() override;
  void onRelease() override;
  QString gstreamerDot(const QString& details) const override;

  // The output for `type` (null when the element has none).
  std::shared_ptr<OutputPort> outputPort(MediaType type) const { return outputs_[static_cast<size_t>(type)]; }
  // The output for `type`, made to carry media for a consumer outside the graph (the studio's
  // previews): an element that builds its output lazily builds it now, or once it can.
  std::shared_ptr<OutputPort> openOutput(MediaType type) {
    prepareOutput(type);
    return outputPort(type);
  }

 protected:
  // Links that bypass GStreamer (the lean WebRTC path relays packets between its endpoints): a
  // source that takes the link to `sink` itself returns true, and the ports are left alone.
  virtual bool connectDirect(const std::shared_ptr<MediaElement>&, MediaType) { return false; }
  virtual void disconnectDirect(const std::shared_ptr<MediaElement>&, MediaType) {}
  // Before a GStreamer link is made: a source builds its output for `type`, a sink its input,
  // if they make them lazily (the lean path only builds a GStreamer junction when one is used).
  virtual void prepareOutput(MediaType) {}
  // After setOutputFormat: links that bypass GStreamer re-check whether they still may.
  virtual void outputFormatChanged(MediaType) {}
  virtual void prepareInput(MediaType) {}
  // Monotonic µs of the last media into / out of the element for `type` (0: none yet), or
  // nullopt when the element has no such input/output (no flow events then).
  virtual std::optional<qint64> inputActivityUs(MediaType type) const;
  virtual std::optional<qint64> outputActivityUs(MediaType type) const;
  // The element connected to this element's input for `type`, if any.
  std::shared_ptr<MediaElement> source(MediaType type) const {
    const auto& link = sources_[index(type)];
    return link ? link->peer.lock() : nullptr;
  }
  // Takes `element` (this element's bin, a decoder, a recording) out of its parent and stops it
  // on the Reaper's thread, after `eosPad` saw EOS or `waitMs` passed; this object stays alive
  // until then and is let go on the engine thread. The engine thread never waits for it.
  void retireInBackground(ElementRef element, PadRef eosPad = {}, int waitMs = 0);
  // Adds an input fed through an appsrc wanting `format`; returns the appsrc (in the bin).
  GstElement* addInput(MediaType type, const QString& format);
  // Installs a custom input (e.g. the recorder's, which handles samples itself).
  void setInput(MediaType type, std::shared_ptr<SinkInput> input);
  // Adds an output tee; returns it (in the bin) for the subclass to link its chain into.
  GstElement* addOutput(MediaType type);
  // Links a chain of elements already in the bin: first ! ... ! last. False on failure.
  bool linkChain(std::initializer_list<GstElement*> chain);
  // Adds new elements (adopted refs) to the bin.
  void addToBin(std::initializer_list<GstElement*> elements);
  // Feeds an input created after connect() from the source already connected to it.
  void attachExistingSource(MediaType type);
  // Brings the bin to the pipeline's state; call at the end of the subclass constructor.
  void start();
  // Sinks connected to this element's output for `type`.
  QList<std::shared_ptr<MediaElement>> sinks(MediaType type) const;
  // Attaches this element's GStreamer output for `type` to `sink`'s input (both built first).
  void attachPorts(const std::shared_ptr<MediaElement>& sink, MediaType type);
  void detachPorts(const std::shared_ptr<MediaElement>& sink, MediaType type);

  std::array<std::shared_ptr<SinkInput>, 3> inputs_;
  std::array<std::shared_ptr<OutputPort>, 3> outputs_;

 private:
  struct Link {
    std::weak_ptr<MediaElement> peer;
    QString sourceDescription;
    QString sinkDescription;
  };
  void dropSource(MediaType type);
  QJsonObject connectionData(const MediaElement& source, const MediaElement& sink, MediaType type,
                             const Link& link) const;

  std::weak_ptr<MediaPipeline> pipeline_;
  ElementRef bin_;
  QString binName_;
  std::array<std::optional<Link>, 3> sources_;  // who feeds this element
  std::array<QList<Link>, 3> sinks_;            // whom this element feeds
  std::array<bool, 3> flowingIn_{};
  std::array<bool, 3> flowingOut_{};
  EncoderSettings encoder_;
  std::array<ForcedFormat, 3> forced_{};
  bool released_ = false;
};

}  // namespace pw
