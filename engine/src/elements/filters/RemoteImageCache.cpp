#include "RemoteImageCache.h"

#include "ImageDownload.h"
#include "core/MediaFile.h"
#include "core/RemoteHostCheck.h"
#include "core/RemoteUriPolicy.h"
#include "pipewright/engine/Engine.h"

#include <sys/mman.h>
#include <unistd.h>

namespace pw {

RemoteImageCache::RemoteImageCache(Engine& engine) : QObject(&engine), engine_(engine) {
  setObjectName(QStringLiteral("pipewright-remote-image-cache"));
}

RemoteImageCache& RemoteImageCache::of(Engine& engine) {
  auto* cache = engine.findChild<RemoteImageCache*>(QStringLiteral("pipewright-remote-image-cache"), Qt::FindDirectChildrenOnly);
  return cache ? *cache : *new RemoteImageCache(engine);
}

void RemoteImageCache::fetch(const QString& uri, Done done) {
  if (auto it = entries_.find(uri); it != entries_.end()) {
    it->lastUse = ++useClock_;
    const OverlayImage image = it->image;
    done(&image, {});
    return;
  }
  if (auto it = pending_.find(uri); it != pending_.end()) {
    it->waiting.push_back(std::move(done));
    return;
  }
  if (pending_.size() >= kMaxDownloads) {
    done(nullptr, QStringLiteral("%1 images are being downloaded already; try again when they are done").arg(kMaxDownloads));
    return;
  }
  pending_[uri].waiting.push_back(std::move(done));
  const QString host = RemoteUriPolicy::hostOf(uri);
  RemoteHostCheck::start(engine_.remoteUriPolicy(), host, this, [this, uri](const std::optional<QString>& refusal) {
    if (refusal) complete(uri, nullptr, *refusal);
    else download(uri);
  });
}

void RemoteImageCache::download(const QString& uri) {
  const Config& config = engine_.config();
  auto d = ImageDownload::start(engine_, uri, config.remoteImageMaxBytes, config.remoteImageTimeoutMs,
                                [this, uri](const ImageDownload::Result& r) {
    if (!r.error.isEmpty()) {
      complete(uri, nullptr, r.error);
      return;
    }
    if (!r.contentType.isEmpty() && !r.contentType.startsWith(u"image/")) {
      complete(uri, nullptr, QStringLiteral("the server says it is '%1', not an image").arg(r.contentType));
      return;
    }
    // In memory, readable by path: the overlay element (gdkpixbufoverlay) opens a location.
    const int fd = memfd_create("pipewright-overlay-image", MFD_CLOEXEC);
    OverlayImage image;
    image.file = std::make_shared<MediaFile>(fd, uri);
    if (fd < 0 || !image.file->writeAt(0, r.bytes)) {
      complete(uri, nullptr, QStringLiteral("no memory to keep the image"));
      return;
    }
    QString why;
    image.size = probeOverlayImage(*image.file, &why);
    if (image.size.isEmpty()) {
      complete(uri, nullptr, QStringLiteral("it cannot be used as an overlay image: %1").arg(why));
      return;
    }
    keep(uri, image, r.bytes.size());
    complete(uri, &image, {});
  });
  if (auto it = pending_.find(uri); it != pending_.end()) it->download = std::move(d);
}

void RemoteImageCache::keep(const QString& uri, const OverlayImage& image, qint64 bytes) {
  const qint64 limit = engine_.config().remoteImageCacheBytes;
  if (bytes > limit) return;  // used this once, not kept
  while (cachedBytes_ + bytes > limit && !entries_.isEmpty()) {
    auto oldest = entries_.begin();
    for (auto it = entries_.begin(); it != entries_.end(); ++it) {
      if (it->lastUse < oldest->lastUse) oldest = it;
    }
    cachedBytes_ -= oldest->bytes;
    entries_.erase(oldest);  // filters showing it keep their own reference to the file
  }
  entries_.insert(uri, Entry{image, bytes, ++useClock_});
  cachedBytes_ += bytes;
}

void RemoteImageCache::complete(const QString& uri, const OverlayImage* image, const QString& error) {
  auto it = pending_.find(uri);
  if (it == pending_.end()) return;
  // The download that calls this (through its Done) is kept alive by its caller meanwhile.
  std::vector<Done> waiting = std::move(it->waiting);
  pending_.erase(it);
  for (auto& done : waiting) done(image, error);
}

}  // namespace pw
