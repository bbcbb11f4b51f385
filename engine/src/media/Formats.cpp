#include "Formats.h"

#include "gst/GstRef.h"

#include <QRegularExpression>

#include <algorithm>

namespace pw {

bool formatMatches(const GstCaps* native, const QString& wanted) {
  if (wanted.isEmpty()) return true;
  if (!native) return false;
  CapsRef want = CapsRef::adopt(gst_caps_from_string(wanted.toUtf8().constData()));
  return want && gst_caps_can_intersect(native, want.get());
}

bool isTranscode(const GstCaps* native, const QString& wanted) {
  if (formatMatches(native, wanted)) return false;
  // Raw → raw of another layout is a conversion, not a transcode.
  return true;
}

QString transcodeDescription(const GstCaps* native, const QString& wanted, const EncoderSettings& settings) {
  if (formatMatches(native, wanted)) return {};
  const GstStructure* s = native && gst_caps_get_size(native) > 0 ? gst_caps_get_structure(native, 0) : nullptr;
  const QString nativeName = s ? QString::fromUtf8(gst_structure_get_name(s)) : QString();
  const bool nativeRaw = nativeName == u"video/x-raw" || nativeName == u"audio/x-raw";
  const QString decode = nativeRaw ? QString() : QStringLiteral("decodebin ! ");
  const int kbps = std::max(16, settings.bitrateBps / 1000);
  if (wanted == formats::kRawVideo) return decode + QStringLiteral("videoconvert");
  if (wanted == formats::kRawAudio) return decode + QStringLiteral("audioconvert ! audioresample");
  if (wanted == formats::kVp8) {
    return decode + QStringLiteral("videoconvert ! vp8enc deadline=1 cpu-used=8 threads=2 lag-in-frames=0 "
                                   "keyframe-max-dist=60 end-usage=cbr error-resilient=partitions target-bitrate=%1")
                        .arg(settings.bitrateBps);
  }
  if (wanted == formats::kH264) {
    // Constrained baseline (what Safari and every recorder profile accept); zero-latency x264.
    return decode + QStringLiteral("videoconvert ! video/x-raw,format=I420 ! x264enc tune=zerolatency "
                                   "speed-preset=ultrafast key-int-max=60 bitrate=%1 ! "
                                   "video/x-h264,profile=constrained-baseline ! h264parse config-interval=-1")
                        .arg(kbps);
  }
  if (wanted == formats::kOpus) {
    return decode + QStringLiteral("audioconvert ! audioresample ! audio/x-raw,rate=48000 ! opusenc bitrate=%1")
                        .arg(std::clamp(settings.bitrateBps, 6000, 128000));
  }
  if (wanted == formats::kAac) {
    return decode + QStringLiteral("audioconvert ! audioresample ! avenc_aac bitrate=%1 ! aacparse").arg(std::clamp(kbps * 1000, 32000, 128000));
  }
  return {};
}

QString formatSlug(const QString& wanted) {
  if (wanted.isEmpty()) return QStringLiteral("any");
  if (wanted == formats::kRawVideo) return QStringLiteral("raw-video");
  if (wanted == formats::kRawAudio) return QStringLiteral("raw-audio");
  if (wanted == formats::kVp8) return QStringLiteral("vp8");
  if (wanted == formats::kH264) return QStringLiteral("h264");
  if (wanted == formats::kOpus) return QStringLiteral("opus");
  if (wanted == formats::kAac) return QStringLiteral("aac");
  QString s = wanted;
  s.replace(QRegularExpression(QStringLiteral("[^a-z0-9]+")), QStringLiteral("-"));
  return s;
}

}  // namespace pw
