#pragma once

// Carries the streams of a private decoder pipeline (PlayerEndpoint's uridecodebin,
// HttpPostEndpoint's decodebin) into an element's appsrcs in the media pipeline. Each decoded
// (or, for useEncodedMedia, parsed) audio/video stream ends in an appsink that syncs on the
// decoder's clock, so the media is paced in real time; every frame is re-timed to the media
// pipeline's running time, so a decoder started at any moment lines up with live media.
// Shared with the decoder's streaming threads.

#include "gst/GstRef.h"

#include <gst/gst.h>

#include <memory>
#include <mutex>

namespace pw {

struct DecoderBridge {
  ElementRef mediaPipeline;
  ElementRef videoSrc;
  ElementRef audioSrc;
  std::mutex mutex;
  bool resync = true;
  GstClockTimeDiff offset = 0;  // decoder running time → media pipeline running time

  // Re-times `sample` and pushes it into `appsrc` (a streaming thread of the decoder).
  void push(GstElement* appsrc, GstSample* sample);
  // The next frame maps to the media pipeline's running time now (a new start, a seek).
  void requestResync();
  // Links every audio/video stream `decodebin` exposes ("pad-added") to this bridge.
  static void attach(GstElement* decodebin, const std::shared_ptr<DecoderBridge>& bridge);
  // Caps at which a decoder stops for useEncodedMedia: the codecs the rest of the engine passes
  // through without decoding.
  static CapsRef encodedStopCaps();
};

}  // namespace pw
