#include "DecoderSourceGuard.h"

#include "core/PlaylistCheck.h"
#include "core/RemoteHostCheck.h"
#include "gst/ErrorPtr.h"
#include "gst/GCharPtr.h"
#include "gst/GstRef.h"
#include "pipewright/engine/Log.h"

#include <QUrl>

namespace pw {
namespace {

bool isFactory(GstElement* element, const char* name) {
  GstElementFactory* factory = gst_element_get_factory(element);
  return factory && g_str_equal(GST_OBJECT_NAME(factory), name);
}

// The player's own source, created by uridecodebin from the URI the engine already checked.
bool isMainSource(GstElement* element) {
  GstObject* parent = GST_OBJECT_PARENT(element);
  return parent && GST_IS_ELEMENT(parent) && isFactory(GST_ELEMENT(parent), "uridecodebin");
}

}  // namespace

DecoderSourceGuard::DecoderSourceGuard(MediaFolders folders, RemoteUriPolicy policy, bool mainIsFile)
    : folders_(std::move(folders)), policy_(std::move(policy)), mainIsFile_(mainIsFile) {}

void DecoderSourceGuard::setMainFile(const MediaFile& file) {
  std::lock_guard lock(mutex_);
  mainLocation_ = file.procPath();
  mainRealUri_ = QUrl::fromLocalFile(file.path()).toString(QUrl::FullyEncoded);
}

void DecoderSourceGuard::watch(GstElement* decoder) {
  decoder_ = decoder;
  g_signal_connect_data(decoder, "deep-element-added", G_CALLBACK(onElementAdded),
                        new std::shared_ptr<DecoderSourceGuard>(shared_from_this()),
                        [](gpointer data, GClosure*) { delete static_cast<std::shared_ptr<DecoderSourceGuard>*>(data); },
                        static_cast<GConnectFlags>(0));
}

void DecoderSourceGuard::onElementAdded(GstBin*, GstBin*, GstElement* element, gpointer user) {
  // GStreamer thread: nothing may escape.
  try {
    (*static_cast<std::shared_ptr<DecoderSourceGuard>*>(user))->inspect(element);
  } catch (...) {
    qCWarning(lcPlayer, "player source check failed");
  }
}

void DecoderSourceGuard::onLocationChanged(GObject* object, GParamSpec*, gpointer user) {
  try {
    (*static_cast<std::shared_ptr<DecoderSourceGuard>*>(user))->confineFile(GST_ELEMENT(object));
  } catch (...) {
    qCWarning(lcPlayer, "player source check failed");
  }
}

void DecoderSourceGuard::inspect(GstElement* element) {
  if (!GST_IS_URI_HANDLER(element) || gst_uri_handler_get_uri_type(GST_URI_HANDLER(element)) != GST_URI_SRC) return;
  if (isFactory(element, "filesrc")) {
    // A demuxer may reuse its source for the next segment by setting a new location.
    g_signal_connect_data(element, "notify::location", G_CALLBACK(onLocationChanged),
                          new std::shared_ptr<DecoderSourceGuard>(shared_from_this()),
                          [](gpointer data, GClosure*) { delete static_cast<std::shared_ptr<DecoderSourceGuard>*>(data); },
                          static_cast<GConnectFlags>(0));
    confineFile(element);
    return;
  }
  if (isMainSource(element)) {
    // Checked by the player before the decoder was built; only the redirects remain.
    if (policy_.restricted() && g_object_class_find_property(G_OBJECT_GET_CLASS(element), "automatic-redirect")) {
      g_object_set(element, "automatic-redirect", FALSE, nullptr);
    }
    return;
  }
  const GCharPtr raw = GCharPtr::adopt(gst_uri_handler_get_uri(GST_URI_HANDLER(element)));
  const QString uri = QString::fromUtf8(raw ? raw.get() : "");
  if (mainIsFile_) {
    refuse(element, QStringLiteral("a playlist in the media folders led to '%1'; only files inside the media folders "
                                   "may be played from it").arg(uri));
    return;
  }
  if (policy_.restricted() && g_object_class_find_property(G_OBJECT_GET_CLASS(element), "automatic-redirect")) {
    g_object_set(element, "automatic-redirect", FALSE, nullptr);
  }
  if (auto why = RemoteHostCheck::checkBlocking(policy_, RemoteUriPolicy::hostOf(uri))) {
    refuse(element, QStringLiteral("'%1' is refused: %2").arg(uri, *why));
  }
}

void DecoderSourceGuard::confineFile(GstElement* filesrc) {
  GCharPtr raw;
  g_object_get(filesrc, "location", raw.out(), nullptr);
  const QString location = QString::fromUtf8(raw ? raw.get() : "");
  raw.reset();
  if (location.isEmpty()) return;  // not set yet: notify::location comes later
  std::unique_lock lock(mutex_);
  if (ownLocations_.contains(location)) return;  // our own rewrite
  if (location == mainLocation_) {
    // The player's file: answer URI queries with its real path as the redirection, which the
    // HLS demuxer uses as the base of relative entries.
    PadRef pad = PadRef::adopt(gst_element_get_static_pad(filesrc, "src"));
    if (pad) {
      gst_pad_add_probe(
          pad.get(), static_cast<GstPadProbeType>(GST_PAD_PROBE_TYPE_QUERY_UPSTREAM | GST_PAD_PROBE_TYPE_PULL),
          [](GstPad*, GstPadProbeInfo* info, gpointer user) -> GstPadProbeReturn {
            GstQuery* query = GST_PAD_PROBE_INFO_QUERY(info);
            if (query && GST_QUERY_TYPE(query) == GST_QUERY_URI) {
              gst_query_set_uri_redirection(query, static_cast<const QByteArray*>(user)->constData());
            }
            return GST_PAD_PROBE_OK;
          },
          new QByteArray(mainRealUri_.toUtf8()), [](gpointer u) { delete static_cast<QByteArray*>(u); });
    }
    return;
  }
  QString why;
  const MediaPath where = folders_.locatePath(location, &why);
  MediaFile file;
  if (where.isValid() && folders_.open(where, MediaFolders::Access::Read, &file, &why) == MediaFolders::OpenResult::Opened &&
      PlaylistCheck::isPlaylist(file.head(64))) {
    why = PlaylistCheck::check(folders_, file);
    if (!why.isEmpty()) file.close();
  }
  if (!file.isOpen()) {
    lock.unlock();
    refuse(filesrc, QStringLiteral("'%1' is refused: %2").arg(location, why));
    return;
  }
  const QString proc = file.procPath();
  ownLocations_.insert(proc);
  auto& slot = files_[filesrc];  // the element's previous segment is closed here
  if (slot.isOpen()) ownLocations_.remove(slot.procPath());
  slot = std::move(file);
  lock.unlock();
  g_object_set(filesrc, "location", proc.toUtf8().constData(), nullptr);
}

void DecoderSourceGuard::refuse(GstElement* source, const QString& why) {
  qCWarning(lcPlayer, "source refused: %s", qUtf8Printable(log::clip(why, 400)));
  // Locked: the demuxer's bin will not start it, so no request is sent.
  gst_element_set_locked_state(source, TRUE);
  const ErrorPtr error = ErrorPtr::adopt(g_error_new_literal(GST_RESOURCE_ERROR, GST_RESOURCE_ERROR_NOT_AUTHORIZED, why.toUtf8().constData()));
  // Straight onto the decoder's bus: a demuxer would take a message from its child for a
  // download failure and retry.
  BusRef bus = BusRef::adopt(gst_element_get_bus(decoder_));
  if (bus) gst_bus_post(bus.get(), gst_message_new_error(GST_OBJECT(source), error.get(), nullptr));  // copies the error
}

}  // namespace pw
