#pragma once

// One branch of an element's output tee: queue → [transcode] → appsink, feeding every sink
// input that wants this format. The appsink callback (a streaming thread) hands each sample
// to the current targets; the target list is the only state shared with that thread.

#include "Formats.h"
#include "gst/GstRef.h"

#include <QString>

#include <atomic>
#include <memory>
#include <mutex>
#include <vector>

namespace pw {

class Engine;
class SinkInput;

class Branch : public std::enable_shared_from_this<Branch> {
 public:
  // Builds the branch inside `parentBin` and links it to a new pad of `tee`. `description`
  // is the transcode (empty for pass-through). Returns null with `error` set on failure.
  static std::shared_ptr<Branch> create(GstBin* parentBin, GstElement* tee, const QString& name,
                                        const QString& description, QString* error);
  ~Branch();

  const QString& name() const { return name_; }
  bool transcoding() const { return transcoding_; }

  void addTarget(const std::shared_ptr<SinkInput>& input);
  void removeTarget(const SinkInput* input);
  int targetCount() const;

  // The caps of what the branch hands its targets now (its appsink's); null before any.
  CapsRef currentCaps() const;

  // Sends an upstream force-key-unit event towards the encoder or the source.
  void requestKeyframe();

  // Bitrate control. The lowest bitrate wish of the targets (REMB, bandwidth limits) becomes
  // the encoder's target in a video transcode branch (encoderBitrate when nobody wishes,
  // clamped to min/maxEncoderBitrate), or a bitrate request sent upstream towards the source
  // otherwise. Any thread; applies only changes.
  void setEncoderSettings(const EncoderSettings& settings);
  void updateBitrate();
  // Unlinks from the tee once idle, then stops and removes the branch (asynchronously).
  void dispose(Engine& engine);

 private:
  struct Targets {
    std::mutex mutex;
    std::vector<std::shared_ptr<SinkInput>> inputs;
  };
  Branch() = default;

  QString name_;
  bool transcoding_ = false;
  ElementRef bin_;
  ElementRef appsink_;
  ElementRef tee_;
  PadRef teePad_;
  std::shared_ptr<Targets> targets_ = std::make_shared<Targets>();
  ElementRef encoder_;        // vp8enc or x264enc of a video transcode, if any
  bool encoderKbps_ = false;  // x264enc's bitrate is in kbit/s
  std::mutex bitrateMutex_;
  EncoderSettings settings_;
  std::atomic<int> applied_{0};
};

}  // namespace pw
