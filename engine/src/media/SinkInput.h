#pragma once

// The input of a media element for one media type: what format it wants, and where the
// connected source's samples go. Samples arrive on GStreamer streaming threads; only
// thread-safe state lives here.

#include "core/MediaType.h"
#include "gst/GstRef.h"

#include <QString>

#include <atomic>
#include <memory>
#include <mutex>
#include <optional>

#include <gst/app/gstappsrc.h>

namespace pw {

class Branch;

class SinkInput {
 public:
  // `appsrc` may be null for inputs that handle samples themselves (push overridden).
  SinkInput(MediaType type, QString wantedFormat, ElementRef appsrc);
  virtual ~SinkInput() = default;

  MediaType type() const { return type_; }
  const QString& wantedFormat() const { return wantedFormat_; }
  GstElement* appsrc() const { return appsrc_.get(); }

  // Streaming thread: one sample from the connected source's branch.
  void deliver(GstSample* sample);
  // Asks the connected source for a keyframe (upstream force-key-unit), rate-limited.
  void requestKeyframe();
  void setFeeder(const std::shared_ptr<Branch>& branch);
  std::shared_ptr<Branch> feeder() const;

  // The caps of what this input receives now: its appsrc's, else its feeder branch's; null
  // before the first sample, or when the media bypasses GStreamer. Any thread.
  CapsRef currentCaps() const;

  // Monotonic µs of the last buffer received (0 = never).
  qint64 lastBufferUs() const { return lastBufferUs_.load(); }
  // Bytes received since the input was made (the studio's wire bitrates sample it).
  quint64 receivedBytes() const { return receivedBytes_.load(std::memory_order_relaxed); }

  // Bitrate this consumer can take, in bps (0 = no limit): set by an endpoint from the REMB of
  // its peer and its bandwidth limits, or relayed from further downstream. Updates the feeder.
  void setBitrateWish(int bps);
  int bitrateWish() const { return bitrateWish_.load(); }

  // Requests from downstream reach the input's appsrc as upstream events: keyframe requests (a
  // browser's PLI/FIR, an encoder starting) as force-key-unit, bitrate requests (REMB through a
  // pass-through branch) as newBitrateRequest(). Both are passed on to whatever feeds the input.
  static void relayUpstreamRequests(const std::shared_ptr<SinkInput>& input);
  // The upstream event asking the source for at most `bps` (0 = no limit any more).
  static GstEvent* newBitrateRequest(int bps);
  static std::optional<int> bitrateRequest(GstEvent* event);
  // Pushes `buffer` (ownership taken) into `appsrc`, setting `caps` first when they changed.
  static void pushTo(GstElement* appsrc, GstCaps* caps, GstBuffer* buffer);
  // Creates an appsrc configured for live, time-stamped, bounded input.
  static ElementRef makeAppSrc(const QString& name);

 protected:
  virtual void push(GstSample* sample);

 private:
  MediaType type_;
  QString wantedFormat_;
  ElementRef appsrc_;
  mutable std::mutex mutex_;
  std::weak_ptr<Branch> feeder_;
  std::atomic<qint64> lastBufferUs_{0};
  std::atomic<quint64> receivedBytes_{0};
  std::atomic<qint64> lastKeyframeRequestUs_{0};
  std::atomic<int> bitrateWish_{0};
};

}  // namespace pw
