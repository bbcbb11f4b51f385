#pragma once

#include "elements/whip/HttpResource.h"
#include "gst/GstRef.h"
#include "media/MediaElement.h"
#include "pipewright/engine/HttpExchange.h"

#include <memory>

namespace pw {

struct DecoderBridge;

// Kurento's HttpPostEndpoint (docs/http-post.md): media uploaded by an HTTP POST to getUrl()
// (on the control port) is decoded and flows out of this element, paced in real time, into
// whatever it is connected to; EndOfStream fires when the upload's media has ended.
//
// One upload at a time: the POST is answered when its media has ended (200), when it cannot be
// decoded (415, and an Error event), when the element is released (410), or, for media longer
// than kAnswerWithinMs, early with 202 (the media keeps playing; EndOfStream follows). A POST
// while another upload plays gets 409. The body is the media file itself, or the first file of a
// multipart/form-data form. QtHttpServer 6.4 hands over complete bodies only: an upload is held
// in memory (up to the config's maxUploadBytes) and read by the decoder from there.
class HttpPostEndpoint : public MediaElement, public HttpResource {
 public:
  explicit HttpPostEndpoint(const Creation& creation);
  ~HttpPostEndpoint() override;

  // The URL to POST media to (absolute, on the control port).
  QString url() const;
  bool uploading() const { return static_cast<bool>(decoder_); }

  void handle(const HttpRequest& request, const QString& subKey, const HttpRespond& respond) override;
  // A POST of media (ControlPort lets one connection per URL send one at a time; one that
  // arrives while an upload plays is answered 409 here).
  bool acceptsLargeBody(const QByteArray& method, const QString& subKey) const override {
    return method == "POST" && subKey.isEmpty();
  }

  void onRegistered() override;
  void onRelease() override;

  // The answer of a long upload comes before ControlPort's idle timeout (60 s) closes the connection.
  static constexpr int kAnswerWithinMs = 45000;
  // PAUSED for the preroll at most this long, then PLAYING (as PlayerEndpoint).
  static constexpr int kPrerollWaitMs = 1000;

 private:
  void startUpload(const HttpRequest& request, const HttpRespond& respond);
  void continuePlaying(GstElement* decoder);
  void handleDecoderMessage(GstMessage* message);
  // Ends the upload in progress: answers its POST (if not answered yet) and retires the decoder.
  void endUpload(HttpResponse answer);
  void answer(HttpResponse response);

  QString key_;
  int disconnectionTimeoutSec_;
  bool useEncodedMedia_;
  std::shared_ptr<DecoderBridge> bridge_;
  ElementRef decoder_;  // the private pipeline of the upload in progress
  HttpRespond pending_;  // the POST of the upload in progress, until answered
  qint64 uploadBytes_ = 0;
  quint64 uploadNumber_ = 0;  // counts uploads: a timer of an earlier upload leaves a later one alone
  QString uploadPeer_;
};

}  // namespace pw
