#pragma once

#include "core/MediaObject.h"
#include "gst/GstRef.h"

#include <QHash>
#include <QTimer>

#include <memory>

namespace pw::transport {
class MediaLoop;
}

namespace pw {

struct Creation;
class MediaElement;

// A MediaPipeline owns one GstPipeline; each MediaElement is a GstBin inside it (design §3).
class MediaPipeline : public MediaObject {
 public:
  explicit MediaPipeline(const Creation& creation);
  ~MediaPipeline() override;
  // Installs the bus handler and starts the pipeline (needs a shared owner).
  void start();

  GstElement* gst() const { return pipeline_.get(); }
  GstBin* bin() const { return GST_BIN(pipeline_.get()); }

  void addElement(const std::shared_ptr<MediaElement>& element, const QString& binName);
  void removeElement(const QString& binName);

  // The media thread of this pipeline's lean WebRTC endpoints: one loop per pipeline, so packets
  // relayed between its endpoints never change thread (chosen on first use, least loaded).
  transport::MediaLoop& mediaLoop(int poolThreads);

  bool latencyStats() const { return latencyStats_; }
  void setLatencyStats(bool on) { latencyStats_ = on; }

  void onRelease() override;
  QString gstreamerDot(const QString& details) const override;

  static GstDebugGraphDetails dotDetails(const QString& details);
  static QString dotOf(GstBin* bin, const QString& details);

 private:
  void handleBusMessage(GstMessage* message);
  void checkFlow();

  ElementRef pipeline_;
  QHash<QString, std::weak_ptr<MediaElement>> elements_;  // by bin name
  std::unique_ptr<QTimer> flowTimer_;
  bool latencyStats_ = false;
  transport::MediaLoop* mediaLoop_ = nullptr;
  bool released_ = false;
};

}  // namespace pw
