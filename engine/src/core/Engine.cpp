#include "pipewright/engine/Engine.h"

#include "Bindings.h"
#include "Dispatcher.h"
#include "Invocation.h"
#include "MediaFolders.h"
#include "ObjectRegistry.h"
#include "RemoteUriPolicy.h"
#include "ServerManager.h"
#include "SessionManager.h"
#include "TsanHandOff.h"
#include "gst/ErrorPtr.h"
#include "gst/GCharPtr.h"
#include "gst/Reaper.h"
#include "elements/webrtc/LeanWebRtcEndpoint.h"
#include "elements/whip/HttpSignalling.h"
#include "media/Formats.h"
#include "media/MediaElement.h"
#include "media/OutputPort.h"
#include "media/SinkInput.h"
#include "pipewright/engine/KurentoError.h"
#include "pipewright/engine/Schema.h"
#include "pipewright/engine/Log.h"

#include <QCoreApplication>
#include <QDateTime>
#include <QMetaObject>
#include <QUuid>

#include <gst/gst.h>

#include <chrono>

namespace pw {

bool initGStreamer(QString* error) {
  static bool done = false;
  if (done) return true;
  ErrorPtr err;
  if (!gst_init_check(nullptr, nullptr, err.out())) {
    if (error) *error = QStringLiteral("GStreamer failed to initialise: %1").arg(err ? QString::fromUtf8(err->message) : QString());
    return false;
  }
  // The elements the media graph cannot work without (packages: plugins-base/good).
  for (const char* factory : {"appsrc", "appsink", "tee", "queue", "videoconvert", "audioconvert", "uridecodebin",
                              "decodebin", "vp8enc", "x264enc", "opusenc", "matroskamux", "webmmux", "filesink", "h264parse",
                              "opusparse", "rtpvp8pay", "rtph264pay", "rtpopuspay", "compositor", "audiomixer"}) {
    const GstRef<GstElementFactory> f = GstRef<GstElementFactory>::adopt(gst_element_factory_find(factory));
    if (!f) {
      if (error) {
        *error = QStringLiteral("GStreamer element '%1' is missing: install gstreamer1.0-plugins-base, "
                                "gstreamer1.0-plugins-good, gstreamer1.0-plugins-bad and gstreamer1.0-plugins-ugly")
                     .arg(QLatin1String(factory));
      }
      return false;
    }
  }
  done = true;
  return true;
}

Engine::Engine(Config config, QObject* parent)
    : QObject(parent),
      config_(std::move(config)),
      serverId_(QUuid::createUuid().toString(QUuid::WithoutBraces)),
      startTimeMs_(QDateTime::currentMSecsSinceEpoch()),
      mediaFolders_(std::make_unique<MediaFolders>(config_.mediaFolders)),
      remoteUriPolicy_(std::make_unique<RemoteUriPolicy>(RemoteUriPolicy::fromConfig(config_))),
      registry_(std::make_unique<ObjectRegistry>(*this)),
      sessions_(std::make_unique<SessionManager>(*this, config_.garbageCollectorPeriodSec)),
      dispatcher_(std::make_unique<Dispatcher>(*this)) {
  (void)Schema::builtin();
  (void)Bindings::builtin();
  registry_->add(std::make_shared<ServerManager>(*this));
  if (config_.webrtcTransport == u"lean") warmUp_ = warmUpLeanWebRtc(config_);
  for (const QString& entry : remoteUriPolicy_->invalidEntries()) {
    qCWarning(lcEngine, "remoteUriAllowedHosts entry '%s' is neither a host name nor an address/CIDR; ignored",
              qUtf8Printable(log::clip(entry)));
  }
}

Engine::~Engine() { shutdown(); }

void Engine::handleHttp(const HttpRequest& request, const HttpRespond& respond) {
  // Nothing thrown here may reach QtHttpServer's callback.
  try {
    HttpSignalling::of(*this).handle(request, respond);
  } catch (const std::exception& e) {
    qCWarning(lcHttp, "HTTP %s %s from %s failed: %s", qUtf8Printable(log::clip(QString::fromLatin1(request.method))),
              qUtf8Printable(log::clip(request.path)), qUtf8Printable(request.peer), qUtf8Printable(log::clip(QString::fromUtf8(e.what()), 400)));
    respond(HttpResponse::text(500, QStringLiteral("Internal error; the server log has the details")));
  }
}

bool Engine::acceptsLargeHttpBody(const QByteArray& method, const QString& path) {
  return HttpSignalling::of(*this).acceptsLargeBody(method, path);
}

struct Engine::Preview {
  std::weak_ptr<OutputPort> port;
  std::shared_ptr<SinkInput> input;
};

namespace {

// A task of Engine::post(), delivered by Qt's event queue. An event of our own rather than
// QMetaObject::invokeMethod: the task is complete before it is posted, so TSan can be told that
// Qt's queue orders everything the poster wrote before the task runs (TsanHandOff.h); the
// functor invokeMethod wraps is written after any point our code could mark.
class PostedTask : public QEvent {
 public:
  explicit PostedTask(std::function<void()> fn) : QEvent(eventType()), fn_(std::move(fn)) {}
  static QEvent::Type eventType() {
    static const auto type = static_cast<QEvent::Type>(QEvent::registerEventType());
    return type;
  }
  void run() { fn_(); }

 private:
  std::function<void()> fn_;
};

}  // namespace

void Engine::trackPendingRequest(const std::shared_ptr<DeferredReply>& reply) {
  if (pendingRequests_.size() >= prunePendingAt_) {
    std::erase_if(pendingRequests_, [](const std::weak_ptr<DeferredReply>& r) { return r.expired(); });
    prunePendingAt_ = std::max<size_t>(64, 2 * pendingRequests_.size());
  }
  pendingRequests_.push_back(reply);
}

int Engine::abandonPendingRequests() {
  const KurentoError stopping{ErrorCode::UnexpectedError,
                              QStringLiteral("The server is stopping before this request finished; reconnect once it "
                                             "is back and try again")};
  int answered = 0;
  for (const auto& weak : std::exchange(pendingRequests_, {})) {
    auto reply = weak.lock();
    if (!reply || reply->finished()) continue;
    reply->reject(stopping);
    ++answered;
  }
  if (answered > 0) qCInfo(lcEngine, "stopping: answered %d request(s) still waiting", answered);
  return answered;
}

void Engine::shutdown() {
  abandonPendingRequests();
  // OpenSSL and GStreamer must not be torn down under a warm-up that is still running.
  if (warmUp_.valid() && warmUp_.wait_for(std::chrono::seconds(5)) != std::future_status::ready) {
    qCWarning(lcEngine, "the media path's warm-up still runs after 5 s at shutdown");
  }
  for (auto& [appsrc, preview] : previews_) {
    if (auto port = preview->port.lock()) port->detach(preview->input.get());
  }
  previews_.clear();
  if (registry_) registry_->releaseAll();
  // Recordings closing in the background finish before the process goes.
  if (!Reaper::instance().drain(5000)) qCWarning(lcEngine, "media still closing after 5 s at shutdown");
  // The elements the Reaper handed back go now, while the engine is still whole.
  QCoreApplication::sendPostedEvents(this, PostedTask::eventType());
  QCoreApplication::sendPostedEvents(this, QEvent::MetaCall);
}

bool Engine::attachPreview(const QString& objectId, GstElement* appsrc, QString* error) {
  return attachTap(objectId, MediaType::Video, appsrc, error);
}

bool Engine::attachAudioTap(const QString& objectId, GstElement* appsrc, QString* error) {
  return attachTap(objectId, MediaType::Audio, appsrc, error);
}

bool Engine::attachTap(const QString& objectId, MediaType type, GstElement* appsrc, QString* error) {
  auto element = std::dynamic_pointer_cast<MediaElement>(registry_->find(objectId));
  std::shared_ptr<OutputPort> port = element ? element->openOutput(type) : nullptr;
  if (!port) {
    if (error) *error = QStringLiteral("%1 has no %2 output to watch").arg(objectId, mediaTypeName(type).toLower());
    return false;
  }
  detachPreview(appsrc);
  auto preview = std::make_shared<Preview>();
  preview->port = port;
  const QString& raw = type == MediaType::Video ? formats::kRawVideo : formats::kRawAudio;
  preview->input = std::make_shared<SinkInput>(type, raw, ElementRef::addRef(appsrc));
  port->attach(preview->input);
  previews_[appsrc] = preview;
  return true;
}

qint64 Engine::receivedBytes(const QString& objectId, const QString& mediaType) const {
  auto element = std::dynamic_pointer_cast<MediaElement>(registry_->find(objectId));
  const auto type = parseMediaType(mediaType);
  if (!element || !type) return -1;
  const auto bytes = element->receivedBytes(*type);
  return bytes ? static_cast<qint64>(*bytes) : -1;
}

void Engine::detachPreview(GstElement* appsrc) {
  auto it = previews_.find(appsrc);
  if (it == previews_.end()) return;
  if (auto port = it->second->port.lock()) port->detach(it->second->input.get());
  previews_.erase(it);
}

QString Engine::connectionCaps(const QString& sourceId, const QString& sinkId, const QString& mediaType) const {
  const std::optional<MediaType> type = parseMediaType(mediaType);
  auto sink = std::dynamic_pointer_cast<MediaElement>(registry_->find(sinkId));
  if (!type || !sink) return {};
  const CapsRef caps = sink->inputCapsFrom(sourceId, *type);
  if (!caps) return {};
  GCharPtr text = GCharPtr::adopt(gst_caps_to_string(caps.get()));
  return QString::fromUtf8(text.get());
}

const Schema& Engine::schema() const { return Schema::builtin(); }
const Bindings& Engine::bindings() const { return Bindings::builtin(); }

void Engine::handleMessage(const std::shared_ptr<Connection>& connection, const QByteArray& text) {
  dispatcher_->handleText(connection, text);
}

void Engine::connectionClosed(const std::shared_ptr<Connection>& connection) {
  sessions_->connectionClosed(connection.get());
}

void Engine::post(std::function<void()> fn) {
  auto* task = new PostedTask(std::move(fn));
  tsan::handOff(task);
  QCoreApplication::postEvent(this, task);  // takes the event; deletes it once delivered
}

void Engine::customEvent(QEvent* event) {
  tsan::takeOver(event);  // before the first read of the event (no effect on other events)
  if (event->type() != PostedTask::eventType()) {
    QObject::customEvent(event);
    return;
  }
  // Posted work runs from the event loop: nothing may escape into Qt.
  try {
    static_cast<PostedTask*>(event)->run();
  } catch (const std::exception& e) {
    qCWarning(lcEngine, "engine task failed: %s", qUtf8Printable(log::clip(QString::fromUtf8(e.what()), 400)));
  } catch (...) {
    qCWarning(lcEngine, "engine task failed");
  }
}

}  // namespace pw
