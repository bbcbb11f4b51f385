#pragma once

#include "elements/UriEndpoint.h"

#include <QJsonObject>

#include <memory>

namespace pw {

// Plays a file://, http(s):// or rtsp:// URI. With useEncodedMedia it outputs the file's own
// encoded streams (VP8, VP9, H.264, Opus) so matching consumers need no transcode. Decoding runs in a private pipeline paced in real
// time; its frames enter the media pipeline re-timed to the pipeline's running time, so a player
// started at any moment lines up with live media.
class PlayerEndpoint : public UriEndpoint {
 public:
  explicit PlayerEndpoint(const Creation& creation);
  ~PlayerEndpoint() override;

  void play();
  void pause() override;
  void stop() override;

  qint64 positionMs() const;
  // Seeks; throws 40700 when the media cannot seek there.
  void setPositionMs(qint64 ms);
  QJsonObject videoInfo() const;

  void onRelease() override;

  struct Bridge;

 private:
  void buildDecoder();
  void teardownDecoder();
  void handleDecoderMessage(GstMessage* message);

  QString location_;  // URI given to the decoder (file paths resolved)
  int networkCacheMs_ = 2000;
  bool useEncodedMedia_ = false;  // output parsed, still-encoded media (no decode)
  ElementRef decoder_;  // the private pipeline
  std::shared_ptr<Bridge> bridge_;
};

}  // namespace pw
