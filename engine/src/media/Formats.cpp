#include "Formats.h"

#include "gst/GstRef.h"

#include <QRegularExpression>

#include <algorithm>

namespace pw {
namespace {

// A wanted format split into its base (one of formats::k*) and the constraints added by
// effectiveFormat.
struct Wanted {
  QString base;
  QString framerate;  // "15/1", or empty
  int bitrateBps = 0;
};

Wanted splitWanted(const QString& wanted) {
  Wanted w;
  QStringList base;
  for (const QString& part : wanted.split(u',')) {
    if (part.startsWith(u"framerate=")) {
      w.framerate = part.section(u')', -1).section(u'=', -1);
    } else if (part.startsWith(u"bitrate=")) {
      w.bitrateBps = part.section(u')', -1).section(u'=', -1).toInt();
    } else {
      base.append(part);
    }
  }
  w.base = base.join(u',');
  return w;
}

}  // namespace

QString effectiveFormat(const QString& wanted, const ForcedFormat& forced) {
  QString out = wanted.isEmpty() ? forced.format : wanted;
  if (out.isEmpty()) return out;
  if (forced.framerateNum > 0 && out.startsWith(u"video/")) {
    out += QStringLiteral(",framerate=(fraction)%1/%2").arg(forced.framerateNum).arg(std::max(1, forced.framerateDen));
  }
  if (forced.bitrateBps > 0 && out.startsWith(u"audio/")) out += QStringLiteral(",bitrate=(int)%1").arg(forced.bitrateBps);
  return out;
}

bool formatMatches(const GstCaps* native, const QString& wanted) {
  if (wanted.isEmpty()) return true;
  if (!native) return false;
  const Wanted w = splitWanted(wanted);
  // (a bitrate is what an encode aims at, not a property of the stream: it never forces one)
  QString caps = w.base;
  if (!w.framerate.isEmpty()) caps += QStringLiteral(",framerate=(fraction)") + w.framerate;
  CapsRef want = CapsRef::adopt(gst_caps_from_string(caps.toUtf8().constData()));
  if (!want) return false;
  // A forced rate is met only by a stream that announces exactly that rate.
  return w.framerate.isEmpty() ? gst_caps_can_intersect(native, want.get()) : gst_caps_is_subset(native, want.get());
}

bool isTranscode(const GstCaps* native, const QString& wanted) {
  if (formatMatches(native, wanted)) return false;
  // Raw → raw of another layout is a conversion, not a transcode.
  return true;
}

QString transcodeDescription(const GstCaps* native, const QString& wanted, const EncoderSettings& settings) {
  if (formatMatches(native, wanted)) return {};
  const Wanted w = splitWanted(wanted);
  const GstStructure* s = native && gst_caps_get_size(native) > 0 ? gst_caps_get_structure(native, 0) : nullptr;
  const QString nativeName = s ? QString::fromUtf8(gst_structure_get_name(s)) : QString();
  const bool nativeRaw = nativeName == u"video/x-raw" || nativeName == u"audio/x-raw";
  const QString decode = nativeRaw ? QString() : QStringLiteral("decodebin ! ");
  // Raw video at the forced rate (if any), ready for an encoder.
  const QString video = decode + QStringLiteral("videoconvert") +
                        (w.framerate.isEmpty() ? QString() : QStringLiteral(" ! videorate ! capsfilter caps=\"video/x-raw,framerate=%1\"").arg(w.framerate));
  const int videoBps = settings.bitrateBps;
  const int kbps = std::max(16, videoBps / 1000);
  const int audioBps = w.bitrateBps > 0 ? w.bitrateBps : settings.bitrateBps;
  const QString audio = decode + QStringLiteral("audioconvert ! audioresample");
  if (w.base == formats::kRawVideo) return video;
  if (w.base == formats::kRawAudio) return audio;
  if (w.base == formats::kVp8) {
    return video + QStringLiteral(" ! vp8enc deadline=1 cpu-used=8 threads=2 lag-in-frames=0 "
                                  "keyframe-max-dist=60 end-usage=cbr error-resilient=partitions target-bitrate=%1")
                       .arg(videoBps);
  }
  if (w.base == formats::kVp9) {
    return video + QStringLiteral(" ! vp9enc deadline=1 cpu-used=8 threads=2 lag-in-frames=0 row-mt=true "
                                  "keyframe-max-dist=60 end-usage=cbr error-resilient=default target-bitrate=%1")
                       .arg(videoBps);
  }
  if (w.base == formats::kH264) {
    // Constrained baseline (what Safari and every recorder profile accept); zero-latency x264.
    return video + QStringLiteral(" ! video/x-raw,format=I420 ! x264enc tune=zerolatency "
                                  "speed-preset=ultrafast key-int-max=60 bitrate=%1 ! "
                                  "video/x-h264,profile=constrained-baseline ! h264parse config-interval=-1")
                       .arg(kbps);
  }
  if (w.base == formats::kOpus) {
    return audio + QStringLiteral(" ! audio/x-raw,rate=48000 ! opusenc bitrate=%1").arg(std::clamp(audioBps, 6000, 128000));
  }
  if (w.base == formats::kAac) {
    return audio + QStringLiteral(" ! avenc_aac bitrate=%1 ! aacparse").arg(std::clamp(audioBps, 32000, 128000));
  }
  // G.711 is 64 kbit/s mono at 8 kHz by definition.
  if (w.base == formats::kMulaw) return audio + QStringLiteral(" ! audio/x-raw,rate=8000,channels=1 ! mulawenc");
  if (w.base == formats::kAlaw) return audio + QStringLiteral(" ! audio/x-raw,rate=8000,channels=1 ! alawenc");
  return {};
}

QString formatSlug(const QString& format) {
  if (format.isEmpty()) return QStringLiteral("any");
  const Wanted w = splitWanted(format);
  if (!w.framerate.isEmpty() || w.bitrateBps > 0) {
    QString slug = formatSlug(w.base);
    if (!w.framerate.isEmpty()) slug += u'-' + QString(w.framerate).replace(u'/', u'-') + QStringLiteral("fps");
    if (w.bitrateBps > 0) slug += QStringLiteral("-%1bps").arg(w.bitrateBps);
    return slug;
  }
  const QString& wanted = w.base;
  if (wanted == formats::kRawVideo) return QStringLiteral("raw-video");
  if (wanted == formats::kRawAudio) return QStringLiteral("raw-audio");
  if (wanted == formats::kVp8) return QStringLiteral("vp8");
  if (wanted == formats::kH264) return QStringLiteral("h264");
  if (wanted == formats::kOpus) return QStringLiteral("opus");
  if (wanted == formats::kAac) return QStringLiteral("aac");
  if (wanted == formats::kVp9) return QStringLiteral("vp9");
  if (wanted == formats::kMulaw) return QStringLiteral("pcmu");
  if (wanted == formats::kAlaw) return QStringLiteral("pcma");
  QString s = wanted;
  s.replace(QRegularExpression(QStringLiteral("[^a-z0-9]+")), QStringLiteral("-"));
  return s;
}

}  // namespace pw
