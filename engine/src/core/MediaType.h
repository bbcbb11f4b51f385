#pragma once

#include <QString>

#include <array>
#include <optional>

namespace pw {

enum class MediaType { Audio = 0, Video = 1, Data = 2 };

inline constexpr std::array<MediaType, 3> kAllMediaTypes{MediaType::Audio, MediaType::Video, MediaType::Data};

inline QString mediaTypeName(MediaType t) {
  switch (t) {
    case MediaType::Audio: return QStringLiteral("AUDIO");
    case MediaType::Video: return QStringLiteral("VIDEO");
    case MediaType::Data: return QStringLiteral("DATA");
  }
  return {};
}

inline std::optional<MediaType> parseMediaType(const QString& s) {
  if (s == u"AUDIO") return MediaType::Audio;
  if (s == u"VIDEO") return MediaType::Video;
  if (s == u"DATA") return MediaType::Data;
  return std::nullopt;
}

inline int index(MediaType t) { return static_cast<int>(t); }

}  // namespace pw
