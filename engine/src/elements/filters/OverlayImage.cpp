#include "OverlayImage.h"

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

// The size of the still image in `file`, or an empty size with `why` set.
QSize probeImage(const MediaFile& file, QString* why) {
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

}  // namespace

OverlayImage loadOverlayImage(const Engine& engine, const QString& uri, const QString& who) {
  const QUrl url(uri);
  const QString scheme = url.scheme().toLower();
  if (scheme != u"file") {
    refuse(QStringLiteral("%1: image URI '%2' is not supported: overlay images must be file:// URIs inside the "
                          "media folders (download http(s) images into a media folder first)")
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
  image.size = probeImage(*image.file, &why);
  if (image.size.isEmpty()) {
    refuse(QStringLiteral("%1: '%2' cannot be used as an overlay image: %3").arg(who, where.path(), why));
  }
  return image;
}

}  // namespace pw
