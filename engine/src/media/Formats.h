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
}  // namespace formats

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
