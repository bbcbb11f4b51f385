#pragma once

// The output of a media element for one media type: a tee plus one Branch per distinct
// format its sinks want (design §3). Matching formats pass through; others are transcoded
// once per format, however many sinks want that format.

#include "Formats.h"
#include "core/MediaType.h"
#include "gst/GstRef.h"

#include <QString>
#include <QStringList>

#include <atomic>
#include <functional>
#include <map>
#include <memory>
#include <mutex>
#include <vector>

namespace pw {

class Branch;
class Engine;
class SinkInput;

class OutputPort : public std::enable_shared_from_this<OutputPort> {
 public:
  using TranscodingChanged = std::function<void(bool transcoding, const QString& binName)>;
  using BranchError = std::function<void(const QString& message)>;

  static std::shared_ptr<OutputPort> create(Engine& engine, MediaType type, GstBin* elementBin, ElementRef tee);
  ~OutputPort();

  MediaType type() const { return type_; }
  GstElement* tee() const { return tee_.get(); }

  void attach(const std::shared_ptr<SinkInput>& input);
  void detach(const SinkInput* input);
  void detachAll();

  bool transcoding() const;
  QStringList branchNames() const;
  int branchCount() const { return static_cast<int>(branches_.size()); }
  qint64 lastBufferUs() const { return probe_->lastBufferUs.load(); }
  CapsRef currentCaps() const;

  // Encoder target and limits for new transcode branches and the running ones.
  void setEncoderSettings(const EncoderSettings& s);
  // setVideoFormat / setAudioFormat: what consumers get from now on; those attached already
  // are moved to the branch for their new format.
  void setForcedFormat(const ForcedFormat& forced);
  const ForcedFormat& forcedFormat() const { return forced_; }
  void onTranscodingChanged(TranscodingChanged cb) { transcodingChanged_ = std::move(cb); }
  void onBranchError(BranchError cb) { branchError_ = std::move(cb); }

 private:
  struct ProbeState {
    std::mutex mutex;
    CapsRef caps;
    std::atomic<qint64> lastBufferUs{0};
  };
  OutputPort(Engine& engine, MediaType type, GstBin* elementBin, ElementRef tee);
  void resolvePending();
  void holdUntilResolved();
  void releaseHold();
  void connectToBranch(const std::shared_ptr<SinkInput>& input, const CapsRef& caps);

  Engine& engine_;
  MediaType type_;
  GstBin* elementBin_;
  ElementRef tee_;
  std::shared_ptr<ProbeState> probe_ = std::make_shared<ProbeState>();
  std::map<QString, std::shared_ptr<Branch>> branches_;
  std::vector<std::shared_ptr<SinkInput>> pending_;  // waiting for the source's format
  std::vector<std::shared_ptr<SinkInput>> attached_;  // every input attached (pending or in a branch)
  ForcedFormat forced_;
  EncoderSettings settings_;
  TranscodingChanged transcodingChanged_;
  BranchError branchError_;
  gulong blockProbeId_ = 0;
};

}  // namespace pw
