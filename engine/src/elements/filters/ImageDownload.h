#pragma once

// One http(s) GET into memory for an overlay image, with GStreamer's souphttpsrc (the engine
// has no network library of its own): no redirects followed, at most `maxBytes`, at most
// `timeoutMs`. Started and finished on the engine thread; `done` runs there exactly once
// (unless the engine goes first). The caller has already checked the host (RemoteHostCheck).

#include <QByteArray>
#include <QString>

#include <functional>
#include <memory>

namespace pw {

class Engine;

class ImageDownload : public std::enable_shared_from_this<ImageDownload> {
 public:
  struct Result {
    QByteArray bytes;     // the body, when `error` is empty
    QString contentType;  // the response's Content-Type, when the server sent one
    QString error;        // why it failed, for a client-facing message
  };
  using Done = std::function<void(const Result& result)>;

  static std::shared_ptr<ImageDownload> start(Engine& engine, const QString& uri, qint64 maxBytes, int timeoutMs,
                                              Done done);
  ~ImageDownload();
  ImageDownload(const ImageDownload&) = delete;
  ImageDownload& operator=(const ImageDownload&) = delete;

 private:
  struct Shared;
  explicit ImageDownload(Done done);
  void finish(QString error);
  void onEos();

  Done done_;
  std::shared_ptr<Shared> shared_;  // with the streaming thread's callbacks
};

}  // namespace pw
