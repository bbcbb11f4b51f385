#pragma once

// Carries the streams of a private decoder pipeline (PlayerEndpoint's uridecodebin,
// HttpPostEndpoint's decodebin) into an element's appsrcs in the media pipeline. Each decoded
// (or, for useEncodedMedia, parsed) audio/video stream ends in an appsink that syncs on the
// decoder's clock, so the media is paced in real time; every frame is re-timed to the media
// pipeline's running time, so a decoder started at any moment lines up with live media.
// Shared with the decoder's streaming threads.

#include "gst/GstRef.h"

#include <gst/gst.h>

#include <functional>
#include <memory>
#include <mutex>

namespace pw {

class Engine;

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

  // What the owner of a decoder pipeline hears from its bus, on the engine thread: `prerolled`
  // when the decoder itself finished a state change (ASYNC_DONE: at start, after a seek),
  // `ended` for EOS and ERROR. Both get the decoder the message came from, to tell it from a
  // newer one.
  struct BusEvents {
    std::function<void(GstElement* decoder)> prerolled;
    std::function<void(GstElement* decoder, GstMessage* message)> ended;
  };
  // Installs `decoder`'s bus sync handler (streaming threads) that posts BusEvents to `engine`
  // and drops every message. Remove it with gst_bus_set_sync_handler(bus, nullptr…).
  static void watchBus(Engine& engine, GstElement* decoder, BusEvents events);
};

}  // namespace pw
