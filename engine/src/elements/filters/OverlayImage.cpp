#include "OverlayImage.h"

#include "RemoteImageCache.h"
#include "core/Invocation.h"
#include "core/MediaFolders.h"
#include "gst/ErrorPtr.h"
#include "gst/GListPtr.h"
#include "gst/GObjectPtr.h"
#include "pipewright/engine/Engine.h"
#include "pipewright/engine/KurentoError.h"

#include <QUrl>

#include <gst/pbutils/pbutils.h>

namespace pw {
namespace {

constexpr GstClockTime kProbeTimeout = 5 * GST_SECOND;

[[noreturn]] void refuse(const QString& message) { throw KurentoException(KurentoError::illegalParam(message)); }

}  // namespace

QSize probeOverlayImage(const MediaFile& file, QString* why) {
  ErrorPtr err;
  const QByteArray uri = file.procUri().toUtf8();
  GObjectPtr<GstDiscoverer> discoverer(gst_discoverer_new(kProbeTimeout, err.out()));
  if (!discoverer) {
    *why = QString::fromUtf8(err ? err->message : "GStreamer's discoverer is unavailable");
    return {};
  }
  QSize size;
  GObjectPtr<GstDiscovererInfo> info(gst_discoverer_discover_uri(discoverer.get(), uri.constData(), err.out()));
  if (info && gst_discoverer_info_get_result(info.get()) == GST_DISCOVERER_OK) {
    const DiscovererStreamListPtr streams = DiscovererStreamListPtr::adopt(gst_discoverer_info_get_video_streams(info.get()));
    for (GList* l = streams.get(); l && size.isEmpty(); l = l->next) {
      auto* video = GST_DISCOVERER_VIDEO_INFO(l->data);
      if (!gst_discoverer_video_info_is_image(video)) continue;
      size = QSize(static_cast<int>(gst_discoverer_video_info_get_width(video)),
                   static_cast<int>(gst_discoverer_video_info_get_height(video)));
    }
    if (size.isEmpty()) *why = QStringLiteral("it is not a still image");
  } else {
    *why = err ? QString::fromUtf8(err->message) : QStringLiteral("it cannot be read as an image");
  }
  return size;
}

OverlayImage loadOverlayImage(const Engine& engine, const QString& uri, const QString& who) {
  const QUrl url(uri);
  if (url.scheme().toLower() != u"file") {
    refuse(QStringLiteral("%1: image URI '%2' is not supported: overlay images are file:// URIs inside the media "
                          "folders, or http:// and https:// URIs")
               .arg(who, uri));
  }
  const MediaFolders& folders = engine.mediaFolders();
  const MediaPath where = folders.locate(uri, MediaFolders::Access::Read);  // throws 40107 outside the media folders
  OverlayImage image;
  image.file = std::make_shared<MediaFile>();
  QString why;
  if (folders.open(where, MediaFolders::Access::Read, image.file.get(), &why) != MediaFolders::OpenResult::Opened) {
    refuse(QStringLiteral("%1: image '%2' cannot be used: %3").arg(who, uri, why));
  }
  image.size = probeOverlayImage(*image.file, &why);
  if (image.size.isEmpty()) {
    refuse(QStringLiteral("%1: '%2' cannot be used as an overlay image: %3").arg(who, where.path(), why));
  }
  return image;
}

void withOverlayImage(Engine& engine, const QString& uri, const QString& who, const std::shared_ptr<DeferredReply>& reply,
                      std::function<void(const OverlayImage& image)> use) {
  const QString scheme = QUrl(uri).scheme().toLower();
  if (scheme != u"http" && scheme != u"https") {
    use(loadOverlayImage(engine, uri, who));  // throws: the dispatcher answers
    reply->resolve();
    return;
  }
  RemoteImageCache::of(engine).fetch(uri, [reply, use = std::move(use), uri, who](const OverlayImage* image, const QString& error) {
    if (!image) {
      reply->reject(KurentoError::illegalParam(QStringLiteral("%1: image '%2' cannot be used: %3").arg(who, uri, error)));
      return;
    }
    try {
      use(*image);
      reply->resolve();
    } catch (const KurentoException& e) {
      reply->reject(e.error());
    }
  });
}

}  // namespace pw
