#pragma once

// Overlay images given by http(s) URI (FaceOverlayFilter.setOverlayedImage,
// ImageOverlayFilter.addImage, as Kurento's magic-mirror tutorial uses them): the host is checked
// against the remote-URI policy (RemoteHostCheck), the image fetched once (ImageDownload: no
// redirects, 'remoteImageMaxBytes', 'remoteImageTimeoutMs'), checked to be a still image, kept in
// memory (a memfd the overlay element reads by /proc path) and reused by later requests for the
// same URI while the cache holds it ('remoteImageCacheBytes', least recently used dropped
// first). Requests for a URI being fetched wait for that one download. Engine thread only.

#include "OverlayImage.h"

#include <QHash>
#include <QObject>
#include <QString>

#include <functional>
#include <memory>
#include <vector>

namespace pw {

class Engine;
class ImageDownload;

class RemoteImageCache : public QObject {
 public:
  // `image` is null when `error` says why there is none.
  using Done = std::function<void(const OverlayImage* image, const QString& error)>;

  // The engine's cache (a child object of the engine, made on first use).
  static RemoteImageCache& of(Engine& engine);
  void fetch(const QString& uri, Done done);

  qint64 cachedBytes() const { return cachedBytes_; }
  static constexpr int kMaxDownloads = 16;  // at once, all sessions

 private:
  explicit RemoteImageCache(Engine& engine);
  void download(const QString& uri);
  void complete(const QString& uri, const OverlayImage* image, const QString& error);
  void keep(const QString& uri, const OverlayImage& image, qint64 bytes);

  struct Entry {
    OverlayImage image;
    qint64 bytes = 0;
    quint64 lastUse = 0;
  };
  struct Pending {
    std::shared_ptr<ImageDownload> download;
    std::vector<Done> waiting;
  };
  Engine& engine_;
  QHash<QString, Entry> entries_;
  QHash<QString, Pending> pending_;
  qint64 cachedBytes_ = 0;
  quint64 useClock_ = 0;
};

}  // namespace pw
