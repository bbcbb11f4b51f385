#include "PreviewManager.h"

#include "gst/ErrorPtr.h"
#include "pipewright/engine/Engine.h"

#include <QQuickItem>
#include <QQuickWindow>
#include <QRunnable>

namespace pw::studio {

namespace {
bool& sinkAvailable() {
  static bool available = false;
  return available;
}
}  // namespace

bool PreviewManager::prepare() {
  // Creating the element once loads the plugin, which registers its QML item type.
  ElementRef sink = ElementRef::adopt(gst_element_factory_make("qml6glsink", nullptr));
  sinkAvailable() = static_cast<bool>(sink);
  return sinkAvailable();
}

PreviewManager::PreviewManager(Engine& engine, QObject* parent) : QObject(parent), engine_(engine) {}

PreviewManager::~PreviewManager() {
  for (const QString& key : previews_.keys()) detach(key);
}

bool PreviewManager::available() const { return sinkAvailable(); }

void PreviewManager::attach(const QString& key, const QString& objectId, QQuickItem* videoItem) {
  detach(key);
  if (!sinkAvailable() || !videoItem || !videoItem->window()) {
    Q_EMIT failed(key, QStringLiteral("Video previews need gstreamer1.0-qt6 and an OpenGL window"));
    return;
  }
  ErrorPtr error;
  ElementRef pipeline = ElementRef::adopt(gst_parse_launch(
      "appsrc name=src ! queue leaky=downstream max-size-buffers=3 ! videoconvert ! videoscale ! "
      "video/x-raw,width=320,height=180,pixel-aspect-ratio=1/1 ! glupload ! glcolorconvert ! "
      "qml6glsink name=sink sync=false",
      error.out()));
  if (error || !pipeline) {
    Q_EMIT failed(key, error ? QString::fromUtf8(error->message) : QStringLiteral("cannot build the preview"));
    return;
  }
  auto preview = std::make_shared<Preview>();
  preview->pipeline = pipeline;
  preview->appsrc = ElementRef::adopt(gst_bin_get_by_name(GST_BIN(pipeline.get()), "src"));
  g_object_set(preview->appsrc.get(), "is-live", TRUE, "format", GST_FORMAT_TIME, "max-bytes",
               static_cast<guint64>(8 * 1024 * 1024), "leaky-type", 2, "block", FALSE, nullptr);
  ElementRef sink = ElementRef::adopt(gst_bin_get_by_name(GST_BIN(pipeline.get()), "sink"));
  g_object_set(sink.get(), "widget", videoItem, nullptr);
  // Frames shown (tests and the status line read it).
  PadRef sinkPad = PadRef::adopt(gst_element_get_static_pad(sink.get(), "sink"));
  auto* counter = new std::shared_ptr<std::atomic<int>>(preview->frames);
  gst_pad_add_probe(
      sinkPad.get(), GST_PAD_PROBE_TYPE_BUFFER,
      [](GstPad*, GstPadProbeInfo*, gpointer user) -> GstPadProbeReturn {
        (*static_cast<std::shared_ptr<std::atomic<int>>*>(user))->fetch_add(1);
        return GST_PAD_PROBE_OK;
      },
      counter, [](gpointer user) { delete static_cast<std::shared_ptr<std::atomic<int>>*>(user); });
  previews_.insert(key, preview);
  // The GL sink goes to PLAYING from the render thread, once the item's GL context exists.
  std::weak_ptr<Preview> weak = preview;
  videoItem->window()->scheduleRenderJob(QRunnable::create([weak]() {
                                           if (auto p = weak.lock()) gst_element_set_state(p->pipeline.get(), GST_STATE_PLAYING);
                                         }),
                                         QQuickWindow::BeforeSynchronizingStage);
  videoItem->window()->update();
  engine_.post([engine = &engine_, objectId, appsrc = preview->appsrc, self = QPointer<PreviewManager>(this), key]() {
    QString message;
    const bool ok = engine->attachPreview(objectId, appsrc.get(), &message);
    if (!ok) {
      QMetaObject::invokeMethod(self, [self, key, message]() {
        if (self) Q_EMIT self->failed(key, message);
      }, Qt::QueuedConnection);
    }
  });
}

void PreviewManager::detach(const QString& key) {
  auto it = previews_.find(key);
  if (it == previews_.end()) return;
  std::shared_ptr<Preview> preview = *it;
  previews_.erase(it);
  // The engine stops feeding first; the pipeline is stopped after that, on the engine thread too.
  engine_.post([engine = &engine_, preview]() {
    engine->detachPreview(preview->appsrc.get());
    gst_element_set_state(preview->pipeline.get(), GST_STATE_NULL);
  });
}

int PreviewManager::framesShown(const QString& key) const {
  const auto it = previews_.find(key);
  return it == previews_.end() ? 0 : (*it)->frames->load();
}

}  // namespace pw::studio
