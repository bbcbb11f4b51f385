#pragma once

// Format adaptation (design §3): what a sink input asks for, and how a source output turns
// what it has into that — directly (no decode) when the formats match, otherwise through
// one shared transcode branch per format.

#include "core/MediaType.h"

#include <QString>

#include <gst/gst.h>

namespace pw {

namespace formats {
// Encoded and raw formats sinks ask for. Empty = anything (pass-through).
inline const QString kAny;
inline const QString kRawVideo = QStringLiteral("video/x-raw");
inline const QString kRawAudio = QStringLiteral("audio/x-raw");
inline const QString kVp8 = QStringLiteral("video/x-vp8");
inline const QString kH264 = QStringLiteral("video/x-h264");
inline const QString kOpus = QStringLiteral("audio/x-opus");
inline const QString kAac = QStringLiteral("audio/mpeg,mpegversion=4");
inline const QString kVp9 = QStringLiteral("video/x-vp9");
inline const QString kMulaw = QStringLiteral("audio/x-mulaw");
inline const QString kAlaw = QStringLiteral("audio/x-alaw");
}  // namespace formats

// What setVideoFormat / setAudioFormat force on an element's output: consumers that take any
// format get `format`; consumers that need their own codec still get it. A frame rate applies
// to every video consumer (a stream at another rate, or of unknown rate, is re-encoded), an
// audio bitrate to every audio encode.
struct ForcedFormat {
  QString format;            // one of formats::k*; empty = not forced
  int framerateNum = 0;      // video; 0 = keep the source's rate
  int framerateDen = 1;
  int bitrateBps = 0;        // audio; 0 = the element's encoderBitrate
  bool operator==(const ForcedFormat&) const = default;
};

// The format an output delivers to a consumer that asks for `wanted` (empty = anything) when
// `forced` is in effect: a caps-like string for the functions below, e.g.
// "video/x-h264,framerate=(fraction)15/1".
QString effectiveFormat(const QString& wanted, const ForcedFormat& forced);

struct EncoderSettings {
  int bitrateBps = 300000;  // MediaElement.encoderBitrate (Kurento's default target)
  int minBitrateBps = 0;    // MediaElement.minEncoderBitrate (0 = none): floor for REMB
  int maxBitrateBps = 0;    // MediaElement.maxEncoderBitrate (0 = none): ceiling
};

// True when media of `native` caps can feed a sink that wants `wanted` without decoding.
bool formatMatches(const GstCaps* native, const QString& wanted);

// gst-launch description of the transcode from `native` to `wanted`, e.g.
// "decodebin ! videoconvert ! vp8enc ...". Empty when no transcode is needed.
QString transcodeDescription(const GstCaps* native, const QString& wanted, const EncoderSettings& settings);

// True when the branch for `wanted` from `native` decodes or encodes (transcoding event).
bool isTranscode(const GstCaps* native, const QString& wanted);

// A short readable name for a format ("vp8", "raw-video"...) for branch and bin names.
QString formatSlug(const QString& wanted);

}  // namespace pw
