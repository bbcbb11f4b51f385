#pragma once

#include "core/MediaFile.h"
#include "core/MediaFolders.h"
#include "elements/UriEndpoint.h"

#include <QJsonObject>

#include <optional>

#include <memory>

namespace pw {

class DeferredReply;
struct DecoderBridge;

// Plays a file://, http(s):// or rtsp:// URI. With useEncodedMedia it outputs the file's own
// encoded streams (VP8, VP9, H.264, Opus) so matching consumers need no transcode. Decoding runs in a private pipeline paced in real
// time; its frames enter the media pipeline re-timed to the pipeline's running time, so a player
// started at any moment lines up with live media.
class PlayerEndpoint : public UriEndpoint {
 public:
  explicit PlayerEndpoint(const Creation& creation);
  ~PlayerEndpoint() override;

  // The remote call: checks a remote host first (resolving its name off the engine thread) and
  // replies when playback started or was refused (40107).
  void play(const std::shared_ptr<DeferredReply>& reply);
  // Plays now; throws 40107 when the file is refused (link, special file, bad playlist).
  void play();
  void pause() override;
  void stop() override;

  qint64 positionMs() const;
  // Seeks; throws 40700 when the media cannot seek there.
  void setPositionMs(qint64 ms);
  QJsonObject videoInfo() const;

  void onRelease() override;

 private:
  // The way out of play()'s preroll, on ASYNC_DONE or when kPrerollWaitMs ran out: PLAYING, if
  // `decoder` is still this player's and it still plays.
  void continuePlaying(GstElement* decoder);
  void buildDecoder();
  void teardownDecoder();
  void handleDecoderMessage(GstMessage* message);
  // Opens the file for a new decoder: false after raising Error when it is missing; throws
  // 40107 when it is refused.
  bool openFile();

  std::optional<MediaPath> mediaPath_;  // file:// URIs: where in the media folders
  MediaFile file_;                      // the open file while a decoder plays it
  int networkCacheMs_ = 2000;
  bool useEncodedMedia_ = false;  // output parsed, still-encoded media (no decode)
  ElementRef decoder_;  // the private pipeline
  std::shared_ptr<DecoderBridge> bridge_;
};

}  // namespace pw
