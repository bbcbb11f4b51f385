#include "ImageDownload.h"

#include "gst/ErrorPtr.h"
#include "gst/GCharPtr.h"
#include "gst/GstRef.h"
#include "gst/Reaper.h"
#include "pipewright/engine/Engine.h"

#include <QTimer>

#include <gst/app/gstappsink.h>

#include <mutex>

namespace pw {

// What the streaming thread and the bus handler share with the engine thread.
struct ImageDownload::Shared {
  Engine* engine = nullptr;
  std::weak_ptr<ImageDownload> owner;
  ElementRef pipeline;
  std::mutex mutex;
  QByteArray bytes;
  QString contentType;
  qint64 maxBytes = 0;
  int status = 0;
  bool tooBig = false;
};

namespace {

// The status and Content-Type from souphttpsrc's "http-headers" element message.
void readHeaders(const GstStructure* s, int* status, QString* contentType) {
  guint code = 0;
  if (gst_structure_get_uint(s, "http-status-code", &code)) *status = static_cast<int>(code);
  const GValue* response = gst_structure_get_value(s, "response-headers");
  if (!response || !GST_VALUE_HOLDS_STRUCTURE(response)) return;
  const GstStructure* headers = gst_value_get_structure(response);
  for (int i = 0; i < gst_structure_n_fields(headers); ++i) {
    const char* name = gst_structure_nth_field_name(headers, i);
    if (g_ascii_strcasecmp(name, "Content-Type") != 0) continue;
    const GValue* v = gst_structure_get_value(headers, name);
    if (v && G_VALUE_HOLDS_STRING(v)) *contentType = QString::fromUtf8(g_value_get_string(v)).section(u';', 0, 0).trimmed().toLower();
  }
}

}  // namespace

ImageDownload::ImageDownload(Done done)
    : done_(std::move(done)), shared_(std::make_shared<Shared>()) {}

ImageDownload::~ImageDownload() {
  if (shared_->pipeline) {
    gst_bus_set_sync_handler(BusRef::adopt(gst_element_get_bus(shared_->pipeline.get())).get(), nullptr, nullptr, nullptr);
    // souphttpsrc may sit in a blocking read: NULL on the Reaper's thread, never here.
    Reaper::instance().retire(std::exchange(shared_->pipeline, {}));
  }
}

std::shared_ptr<ImageDownload> ImageDownload::start(Engine& engine, const QString& uri, qint64 maxBytes, int timeoutMs,
                                                    Done done) {
  std::shared_ptr<ImageDownload> d(new ImageDownload(std::move(done)));
  auto shared = d->shared_;
  shared->engine = &engine;
  shared->owner = d;
  shared->maxBytes = maxBytes;
  ElementRef pipeline = ElementRef::adopt(gst_pipeline_new("overlay-image-download"));
  ElementRef src = ElementRef::adopt(gst_element_factory_make("souphttpsrc", nullptr));
  ElementRef sink = ElementRef::adopt(gst_element_factory_make("appsink", nullptr));
  if (!pipeline || !src || !sink) {
    QTimer::singleShot(0, &engine, [weak = std::weak_ptr<ImageDownload>(d)] {
      if (auto self = weak.lock()) self->finish(QStringLiteral("GStreamer's souphttpsrc is not installed (gstreamer1.0-plugins-good)"));
    });
    return d;
  }
  const QByteArray location = uri.toUtf8();
  // souphttpsrc's own I/O timeout (whole seconds) only backs up the deadline timer below, which
  // gives the message.
  g_object_set(src.get(), "location", location.constData(), "automatic-redirect", FALSE, "retries", 0, "timeout",
               static_cast<guint>(timeoutMs / 1000 + 2), "user-agent", "Pipewright", nullptr);
  g_object_set(sink.get(), "sync", FALSE, "emit-signals", FALSE, nullptr);
  GstAppSinkCallbacks callbacks{};
  callbacks.new_sample = [](GstAppSink* appsink, gpointer user) -> GstFlowReturn {
    Shared& s = **static_cast<std::shared_ptr<Shared>*>(user);
    SampleRef sample = SampleRef::adopt(gst_app_sink_pull_sample(appsink));
    GstBuffer* buffer = sample ? gst_sample_get_buffer(sample.get()) : nullptr;
    if (!buffer) return GST_FLOW_OK;
    GstMapInfo map;
    if (!gst_buffer_map(buffer, &map, GST_MAP_READ)) return GST_FLOW_ERROR;
    std::lock_guard lock(s.mutex);
    const bool fits = s.bytes.size() + static_cast<qint64>(map.size) <= s.maxBytes;
    if (fits) s.bytes.append(reinterpret_cast<const char*>(map.data), static_cast<qsizetype>(map.size));
    else s.tooBig = true;
    gst_buffer_unmap(buffer, &map);
    return fits ? GST_FLOW_OK : GST_FLOW_ERROR;
  };
  gst_app_sink_set_callbacks(GST_APP_SINK(sink.get()), &callbacks, new std::shared_ptr<Shared>(shared),
                             [](gpointer user) { delete static_cast<std::shared_ptr<Shared>*>(user); });
  gst_bin_add_many(GST_BIN(pipeline.get()), src.get(), sink.get(), nullptr);
  gst_element_link(src.get(), sink.get());

  BusRef bus = BusRef::adopt(gst_element_get_bus(pipeline.get()));
  gst_bus_set_sync_handler(
      bus.get(),
      [](GstBus*, GstMessage* message, gpointer user) -> GstBusSyncReply {
        const MessageRef owned = MessageRef::adopt(message);
        auto shared = *static_cast<std::shared_ptr<Shared>*>(user);
        const auto type = GST_MESSAGE_TYPE(message);
        if (type == GST_MESSAGE_ELEMENT) {
          const GstStructure* s = gst_message_get_structure(message);
          if (s && gst_structure_has_name(s, "http-headers")) {
            std::lock_guard lock(shared->mutex);
            readHeaders(s, &shared->status, &shared->contentType);
          }
        } else if (type == GST_MESSAGE_EOS || type == GST_MESSAGE_ERROR) {
          QString error;
          if (type == GST_MESSAGE_ERROR) {
            ErrorPtr err;
            GCharPtr debug;
            gst_message_parse_error(message, err.out(), debug.out());
            error = QString::fromUtf8(err ? err->message : "download failed");
          }
          shared->engine->post([weak = shared->owner, error, eos = type == GST_MESSAGE_EOS] {
            auto self = weak.lock();
            if (!self) return;
            if (eos) self->onEos();
            else self->finish(error);
          });
        }
        return GST_BUS_DROP;
      },
      new std::shared_ptr<Shared>(shared), [](gpointer user) { delete static_cast<std::shared_ptr<Shared>*>(user); });
  shared->pipeline = pipeline;
  QTimer::singleShot(timeoutMs, &engine, [weak = std::weak_ptr<ImageDownload>(d), timeoutMs] {
    if (auto self = weak.lock()) {
      self->finish(QStringLiteral("no complete answer within %1 ms (config 'remoteImageTimeoutMs')").arg(timeoutMs));
    }
  });
  if (gst_element_set_state(pipeline.get(), GST_STATE_PLAYING) == GST_STATE_CHANGE_FAILURE) {
    QTimer::singleShot(0, &engine, [weak = std::weak_ptr<ImageDownload>(d)] {
      if (auto self = weak.lock()) self->finish(QStringLiteral("the download could not start"));
    });
  }
  return d;
}

void ImageDownload::onEos() {
  Result result;
  {
    std::lock_guard lock(shared_->mutex);
    result.bytes = std::move(shared_->bytes);
    result.contentType = shared_->contentType;
    if (shared_->status >= 300) result.error = QStringLiteral("the server answered HTTP %1").arg(shared_->status);
  }
  if (result.error.isEmpty() && result.bytes.isEmpty()) result.error = QStringLiteral("the server sent no data");
  if (!result.error.isEmpty()) result.bytes.clear();
  if (auto done = std::exchange(done_, nullptr)) done(result);
}

void ImageDownload::finish(QString error) {
  bool tooBig = false;
  int status = 0;
  {
    std::lock_guard lock(shared_->mutex);
    tooBig = shared_->tooBig;
    status = shared_->status;
  }
  if (tooBig) {
    error = QStringLiteral("the image is larger than %1 bytes (config 'remoteImageMaxBytes')").arg(shared_->maxBytes);
  } else if (status >= 300 && status < 400) {
    error = QStringLiteral("the server answered HTTP %1 (redirects are not followed: give the final URI)").arg(status);
  } else if (status >= 400) {
    error = QStringLiteral("the server answered HTTP %1 (%2)").arg(status).arg(error);
  }
  Result result;
  result.error = error;
  if (auto done = std::exchange(done_, nullptr)) done(result);
}

}  // namespace pw
