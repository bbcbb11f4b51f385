#pragma once

// The chroma key of ChromaFilter, on I420 frames; no GStreamer in here. The key colour is
// learnt from a window of the first kCalibrationFrames frames: its mean chroma (Cb, Cr) gives
// a hue (the angle around grey in the Cb/Cr plane) and a strength (the distance from grey).
// After that, a 2x2 block of the frame (one chroma sample of I420) is keyed when its hue lies
// within kHueTolerance of the key's and it is at least kStrengthRatio as colourful as the key:
// the block then shows the background image, scaled to the frame. A window without a clear
// colour (grey, white, black) keys nothing. Thread-safe: the engine thread sets the
// background, the streaming thread calibrates and keys.

#include "StillImage.h"

#include <QRect>

#include <array>
#include <cstdint>
#include <memory>
#include <mutex>
#include <vector>

namespace pw {

class ChromaKeyer {
 public:
  static constexpr int kCalibrationFrames = 10;
  static constexpr double kHueToleranceDegrees = 30.0;
  static constexpr double kStrengthRatio = 0.4;
  // Below this distance from grey (in 8-bit Cb/Cr steps) a colour has no usable hue.
  static constexpr int kMinStrength = 12;

  // The planes of one I420 frame (writable when keying).
  struct Frame {
    int width = 0;
    int height = 0;
    std::array<std::uint8_t*, 3> planes{};  // Y, U (Cb), V (Cr)
    std::array<int, 3> strides{};
  };

  explicit ChromaKeyer(const QRect& window) : window_(window) {}

  // Engine thread. Null: stop keying (frames pass unchanged).
  void setBackground(std::shared_ptr<const StillImage> image);
  bool hasBackground() const;

  // Streaming thread: learns from `frame` while calibrating; true when the frame must be
  // written (calibrated on a colour and a background is set): then call key() on it.
  bool observe(const Frame& frame);
  void key(const Frame& frame);

  // For tests and logs: whether the key is learnt, and the key's chroma (Cb, Cr).
  bool calibrated() const;
  std::array<int, 2> keyChroma() const;

 private:
  void finishCalibration();
  void scaleBackground(int width, int height);

  const QRect window_;
  mutable std::mutex mutex_;
  int framesSeen_ = 0;
  double sumU_ = 0;
  double sumV_ = 0;
  bool calibrated_ = false;
  bool keyable_ = false;  // calibrated on a colour, not grey
  std::array<int, 2> key_{128, 128};
  std::vector<std::uint8_t> table_;  // 256 * 256: keyed[(u << 8) | v]
  std::shared_ptr<const StillImage> background_;
  // The background as I420 at the frame's size (made again when either changes).
  std::shared_ptr<const StillImage> scaledFrom_;
  int scaledWidth_ = 0;
  int scaledHeight_ = 0;
  std::array<std::vector<std::uint8_t>, 3> scaled_;
};

}  // namespace pw
