#pragma once

// A still image decoded to packed RGB in memory (ChromaFilter's background).

#include <QSize>
#include <QString>

#include <cstdint>
#include <optional>
#include <vector>

namespace pw {

class MediaFile;

struct StillImage {
  int width = 0;
  int height = 0;
  std::vector<std::uint8_t> rgb;  // width * height * 3 bytes, rows without padding

  bool isNull() const { return width <= 0 || height <= 0; }
  const std::uint8_t* pixel(int x, int y) const { return rgb.data() + (static_cast<size_t>(y) * width + x) * 3; }
};

// Decodes the still image in `file` (whose size, from probeOverlayImage, is `size`) with
// GStreamer, scaled down to fit inside kMaxStillImageSize with its proportions when larger.
// Synchronous (a private pipeline, at most a few seconds); nullopt with `why` set on failure.
std::optional<StillImage> decodeStillImage(const MediaFile& file, QSize size, QString* why);

// Larger images are scaled down to fit inside this when decoded: no video frame is larger.
inline constexpr QSize kMaxStillImageSize{1920, 1080};

}  // namespace pw
