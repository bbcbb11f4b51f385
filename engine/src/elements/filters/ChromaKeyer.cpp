#include "ChromaKeyer.h"

#include <algorithm>
#include <cmath>
#include <numbers>

namespace pw {
namespace {

// BT.601 limited range, 8-bit fixed point (what videoconvert assumes for SD I420).
std::uint8_t lumaOf(int r, int g, int b) { return static_cast<std::uint8_t>(((66 * r + 129 * g + 25 * b + 128) >> 8) + 16); }
std::uint8_t cbOf(int r, int g, int b) { return static_cast<std::uint8_t>(((-38 * r - 74 * g + 112 * b + 128) >> 8) + 128); }
std::uint8_t crOf(int r, int g, int b) { return static_cast<std::uint8_t>(((112 * r - 94 * g - 18 * b + 128) >> 8) + 128); }

}  // namespace

void ChromaKeyer::setBackground(std::shared_ptr<const StillImage> image) {
  std::lock_guard lock(mutex_);
  background_ = std::move(image);
}

bool ChromaKeyer::hasBackground() const {
  std::lock_guard lock(mutex_);
  return background_ != nullptr;
}

bool ChromaKeyer::calibrated() const {
  std::lock_guard lock(mutex_);
  return calibrated_;
}

std::array<int, 2> ChromaKeyer::keyChroma() const {
  std::lock_guard lock(mutex_);
  return key_;
}

bool ChromaKeyer::observe(const Frame& frame) {
  std::lock_guard lock(mutex_);
  if (!calibrated_) {
    // The window inside the frame, in chroma samples (one per 2x2 pixels).
    const QRect inside = window_.intersected(QRect(0, 0, frame.width, frame.height));
    if (inside.isEmpty()) return false;  // the window lies outside this frame: nothing to learn
    const int x0 = inside.left() / 2;
    const int y0 = inside.top() / 2;
    const int x1 = std::max(x0 + 1, (inside.right() + 2) / 2);
    const int y1 = std::max(y0 + 1, (inside.bottom() + 2) / 2);
    double u = 0;
    double v = 0;
    for (int y = y0; y < y1; ++y) {
      const std::uint8_t* rowU = frame.planes[1] + static_cast<ptrdiff_t>(y) * frame.strides[1];
      const std::uint8_t* rowV = frame.planes[2] + static_cast<ptrdiff_t>(y) * frame.strides[2];
      for (int x = x0; x < x1; ++x) {
        u += rowU[x];
        v += rowV[x];
      }
    }
    const double samples = static_cast<double>(x1 - x0) * (y1 - y0);
    sumU_ += u / samples;
    sumV_ += v / samples;
    if (++framesSeen_ >= kCalibrationFrames) finishCalibration();
  }
  return calibrated_ && keyable_ && background_;
}

void ChromaKeyer::finishCalibration() {
  const double du = sumU_ / framesSeen_ - 128.0;
  const double dv = sumV_ / framesSeen_ - 128.0;
  key_ = {static_cast<int>(std::lround(du + 128.0)), static_cast<int>(std::lround(dv + 128.0))};
  const double strength = std::hypot(du, dv);
  calibrated_ = true;
  keyable_ = strength >= kMinStrength;
  if (!keyable_) return;
  const double minStrength = std::max<double>(kMinStrength, kStrengthRatio * strength);
  const double minCos = std::cos(kHueToleranceDegrees * std::numbers::pi / 180.0);
  table_.assign(256 * 256, 0);
  for (int u = 0; u < 256; ++u) {
    for (int v = 0; v < 256; ++v) {
      const double pu = u - 128.0;
      const double pv = v - 128.0;
      const double s = std::hypot(pu, pv);
      if (s < minStrength) continue;
      // cos of the hue difference between this chroma and the key's
      if ((pu * du + pv * dv) / (s * strength) >= minCos) table_[static_cast<size_t>((u << 8) | v)] = 1;
    }
  }
}

void ChromaKeyer::scaleBackground(int width, int height) {
  const StillImage& image = *background_;
  const int chromaWidth = (width + 1) / 2;
  const int chromaHeight = (height + 1) / 2;
  scaled_[0].resize(static_cast<size_t>(width) * height);
  scaled_[1].resize(static_cast<size_t>(chromaWidth) * chromaHeight);
  scaled_[2].resize(static_cast<size_t>(chromaWidth) * chromaHeight);
  // Nearest pixel of the image for each frame pixel (the image stretched over the frame).
  std::vector<int> sourceX(static_cast<size_t>(width));
  std::vector<int> sourceY(static_cast<size_t>(height));
  for (int x = 0; x < width; ++x) sourceX[static_cast<size_t>(x)] = std::min(image.width - 1, (2 * x + 1) * image.width / (2 * width));
  for (int y = 0; y < height; ++y) sourceY[static_cast<size_t>(y)] = std::min(image.height - 1, (2 * y + 1) * image.height / (2 * height));
  for (int y = 0; y < height; ++y) {
    for (int x = 0; x < width; ++x) {
      const std::uint8_t* p = image.pixel(sourceX[static_cast<size_t>(x)], sourceY[static_cast<size_t>(y)]);
      scaled_[0][static_cast<size_t>(y) * width + x] = lumaOf(p[0], p[1], p[2]);
    }
  }
  // Chroma from the mean colour of each 2x2 block.
  for (int cy = 0; cy < chromaHeight; ++cy) {
    for (int cx = 0; cx < chromaWidth; ++cx) {
      int r = 0;
      int g = 0;
      int b = 0;
      int n = 0;
      for (int y = 2 * cy; y < std::min(height, 2 * cy + 2); ++y) {
        for (int x = 2 * cx; x < std::min(width, 2 * cx + 2); ++x) {
          const std::uint8_t* p = image.pixel(sourceX[static_cast<size_t>(x)], sourceY[static_cast<size_t>(y)]);
          r += p[0];
          g += p[1];
          b += p[2];
          ++n;
        }
      }
      const size_t at = static_cast<size_t>(cy) * chromaWidth + cx;
      scaled_[1][at] = cbOf(r / n, g / n, b / n);
      scaled_[2][at] = crOf(r / n, g / n, b / n);
    }
  }
  scaledFrom_ = background_;
  scaledWidth_ = width;
  scaledHeight_ = height;
}

void ChromaKeyer::key(const Frame& frame) {
  std::lock_guard lock(mutex_);
  if (!calibrated_ || !keyable_ || !background_ || background_->isNull() || frame.width <= 0 || frame.height <= 0) return;
  if (scaledFrom_ != background_ || scaledWidth_ != frame.width || scaledHeight_ != frame.height) {
    scaleBackground(frame.width, frame.height);
  }
  const int chromaWidth = (frame.width + 1) / 2;
  const int chromaHeight = (frame.height + 1) / 2;
  for (int cy = 0; cy < chromaHeight; ++cy) {
    std::uint8_t* rowU = frame.planes[1] + static_cast<ptrdiff_t>(cy) * frame.strides[1];
    std::uint8_t* rowV = frame.planes[2] + static_cast<ptrdiff_t>(cy) * frame.strides[2];
    const std::uint8_t* bgU = scaled_[1].data() + static_cast<size_t>(cy) * chromaWidth;
    const std::uint8_t* bgV = scaled_[2].data() + static_cast<size_t>(cy) * chromaWidth;
    const int lastY = std::min(frame.height, 2 * cy + 2);
    for (int cx = 0; cx < chromaWidth; ++cx) {
      if (!table_[static_cast<size_t>((rowU[cx] << 8) | rowV[cx])]) continue;
      rowU[cx] = bgU[cx];
      rowV[cx] = bgV[cx];
      const int lastX = std::min(frame.width, 2 * cx + 2);
      for (int y = 2 * cy; y < lastY; ++y) {
        std::uint8_t* rowY = frame.planes[0] + static_cast<ptrdiff_t>(y) * frame.strides[0];
        const std::uint8_t* bgY = scaled_[0].data() + static_cast<size_t>(y) * frame.width;
        for (int x = 2 * cx; x < lastX; ++x) rowY[x] = bgY[x];
      }
    }
  }
}

}  // namespace pw
