#include "MediaPipeline.h"

#include "transport/MediaThreadPool.h"

#include "MediaElement.h"
#include "core/Bindings.h"
#include "core/SessionManager.h"
#include "gst/ErrorPtr.h"
#include "gst/GCharPtr.h"
#include "pipewright/engine/Engine.h"

#include <QDir>
#include <QFile>
#include <QStandardPaths>

namespace pw {

MediaPipeline::MediaPipeline(const Creation& creation)
    : MediaObject(creation.engine, QStringLiteral("MediaPipeline"), creation.id, nullptr),
      pipeline_(ElementRef::adopt(gst_pipeline_new(creation.id.section(u'_', 0, 0).toUtf8().constData()))) {}

void MediaPipeline::start() {
  // Errors and warnings are handled on the engine thread; everything else is dropped here,
  // so no bus watch (and no GLib main context) is needed.
  struct BusData {
    Engine* engine;
    std::weak_ptr<MediaObject> pipeline;
  };
  BusRef bus = BusRef::adopt(gst_element_get_bus(pipeline_.get()));
  gst_bus_set_sync_handler(
      bus.get(),
      [](GstBus*, GstMessage* message, gpointer user) -> GstBusSyncReply {
        // A sync handler that drops a message owns it (GstBus contract).
        const MessageRef owned = MessageRef::adopt(message);
        auto* d = static_cast<BusData*>(user);
        const auto type = GST_MESSAGE_TYPE(message);
        if (type == GST_MESSAGE_ERROR || type == GST_MESSAGE_WARNING || type == GST_MESSAGE_ELEMENT) {
          MessageRef msg = owned;
          std::weak_ptr<MediaObject> weak = d->pipeline;
          d->engine->post([weak, msg]() {
            if (auto p = std::static_pointer_cast<MediaPipeline>(weak.lock())) p->handleBusMessage(msg.get());
          });
        }
        return GST_BUS_DROP;
      },
      new BusData{&engine(), weak_from_this()}, [](gpointer user) { delete static_cast<BusData*>(user); });
  gst_element_set_state(pipeline_.get(), GST_STATE_PLAYING);
  flowTimer_ = std::make_unique<QTimer>();
  flowTimer_->setInterval(500);
  QObject::connect(flowTimer_.get(), &QTimer::timeout, [this]() { checkFlow(); });
  flowTimer_->start();
}

MediaPipeline::~MediaPipeline() { onRelease(); }

void MediaPipeline::addElement(const std::shared_ptr<MediaElement>& element, const QString& binName) {
  elements_.insert(binName, element);
}

void MediaPipeline::removeElement(const QString& binName) { elements_.remove(binName); }

void MediaPipeline::onRelease() {
  if (released_) return;
  released_ = true;
  flowTimer_.reset();
  BusRef bus = BusRef::adopt(gst_element_get_bus(pipeline_.get()));
  gst_element_set_state(pipeline_.get(), GST_STATE_NULL);
  gst_bus_set_sync_handler(bus.get(), nullptr, nullptr, nullptr);
}

void MediaPipeline::checkFlow() {
  for (const auto& weak : elements_) {
    if (auto e = weak.lock()) e->checkFlow();
  }
}

void MediaPipeline::handleBusMessage(GstMessage* message) {
  // Find the element whose bin contains the message source.
  std::shared_ptr<MediaElement> element;
  // Walk up with references held: the source may be leaving its bin meanwhile.
  GstRef<GstObject> o = GstRef<GstObject>::addRef(GST_MESSAGE_SRC(message));
  while (o && !element) {
    const GCharPtr name = GCharPtr::adopt(gst_object_get_name(o.get()));
    if (name) element = elements_.value(QString::fromUtf8(name.get())).lock();
    o = GstRef<GstObject>::adopt(gst_object_get_parent(o.get()));
  }
  if (element) {
    element->handleBusMessage(message);
    return;
  }
  if (GST_MESSAGE_TYPE(message) == GST_MESSAGE_ERROR) {
    ErrorPtr err;
    GCharPtr dbg;
    gst_message_parse_error(message, err.out(), dbg.out());
    raiseError(QStringLiteral("UNEXPECTED_ELEMENT_ERROR"), QString::fromUtf8(err ? err->message : "unknown error"),
               err ? err->code : 0);
  }
}

GstDebugGraphDetails MediaPipeline::dotDetails(const QString& details) {
  if (details == u"SHOW_MEDIA_TYPE") return GST_DEBUG_GRAPH_SHOW_MEDIA_TYPE;
  if (details == u"SHOW_CAPS_DETAILS") return GST_DEBUG_GRAPH_SHOW_CAPS_DETAILS;
  if (details == u"SHOW_NON_DEFAULT_PARAMS") return GST_DEBUG_GRAPH_SHOW_NON_DEFAULT_PARAMS;
  if (details == u"SHOW_STATES") return GST_DEBUG_GRAPH_SHOW_STATES;
  if (details == u"SHOW_FULL_PARAMS") return GST_DEBUG_GRAPH_SHOW_FULL_PARAMS;
  if (details == u"SHOW_VERBOSE") return GST_DEBUG_GRAPH_SHOW_VERBOSE;
  return GST_DEBUG_GRAPH_SHOW_ALL;
}

QString MediaPipeline::dotOf(GstBin* bin, const QString& details) {
  return QString::fromUtf8(GCharPtr::adopt(gst_debug_bin_to_dot_data(bin, dotDetails(details))).get());
}

QString MediaPipeline::gstreamerDot(const QString& details) const { return dotOf(bin(), details); }

// Writes the dot graph next to the server's data (dumpGstreamerDot, since KMS 7.2).
static QString dumpDot(const MediaObject& object, const QString& details) {
  QString dir = qEnvironmentVariable("GST_DEBUG_DUMP_DOT_DIR");
  if (dir.isEmpty()) dir = QDir::tempPath();
  const QString path = dir + QStringLiteral("/pipewright-%1.dot").arg(object.id().section(u'/', -1).section(u'_', 0, 0));
  QFile f(path);
  if (f.open(QIODevice::WriteOnly | QIODevice::Truncate)) f.write(object.gstreamerDot(details).toUtf8());
  return path;
}

// The graph a client asked for, refused when it is bigger than 'maxDotBytes'.
static QString boundedDot(const Invocation& call) {
  const QString details = call.string(QStringLiteral("details"));
  QString dot = call.object().gstreamerDot(details);
  const qint64 limit = call.engine().config().maxDotBytes;
  if (dot.size() > limit) {  // UTF-16 code units: a lower bound of the UTF-8 size
    throw KurentoException(ErrorCode::NotEnoughResources,
                           QStringLiteral("The GStreamer graph is %1 bytes, above 'maxDotBytes' (%2); ask for fewer "
                                          "details (SHOW_MEDIA_TYPE) or for one element").arg(dot.size()).arg(limit));
  }
  return dot;
}

void bindMediaPipeline(Bindings& b) {
  const QString c = QStringLiteral("MediaPipeline");
  b.addFactory(c, [](const Creation& creation) {
    auto pipeline = std::make_shared<MediaPipeline>(creation);
    pipeline->start();
    return pipeline;
  });
  b.add(c, QStringLiteral("getLatencyStats"), [](Invocation& call) { return QJsonValue(call.as<MediaPipeline>().latencyStats()); });
  b.add(c, QStringLiteral("setLatencyStats"), [](Invocation& call) {
    call.as<MediaPipeline>().setLatencyStats(call.boolean(QStringLiteral("latencyStats")));
    return QJsonValue();
  });
  for (const QString& cls : {QStringLiteral("MediaPipeline"), QStringLiteral("MediaElement"), QStringLiteral("Hub")}) {
    b.add(cls, QStringLiteral("getGstreamerDot"), [](Invocation& call) {
      call.engine().sessions().countDotCall(call.sessionId());
      return QJsonValue(boundedDot(call));
    });
    b.add(cls, QStringLiteral("dumpGstreamerDot"), [](Invocation& call) {
      call.engine().sessions().countDotCall(call.sessionId());
      boundedDot(call);
      dumpDot(call.object(), call.string(QStringLiteral("details")));
      return QJsonValue();
    });
  }
}

transport::MediaLoop& MediaPipeline::mediaLoop(int poolThreads) {
  if (!mediaLoop_) mediaLoop_ = &transport::MediaThreadPool::instance(poolThreads).leastLoaded();
  return *mediaLoop_;
}

}  // namespace pw
