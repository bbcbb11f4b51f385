#pragma once

// The media engine: object registry, sessions, dispatcher and GStreamer pipelines. Everything
// here lives on one thread (the engine thread, design §4); transports hand it JSON text and
// receive JSON text back through their Connection.

#include "pipewright/engine/Config.h"
#include "pipewright/engine/Connection.h"
#include "pipewright/engine/HttpExchange.h"

#include <QObject>
#include <QString>

#include <functional>
#include <future>
#include <map>
#include <memory>
#include <vector>

typedef struct _GstElement GstElement;

namespace pw {

class Schema;
class ObjectRegistry;
class SessionManager;
class Dispatcher;
class Bindings;
class MediaObject;
class SinkInput;
class MediaFolders;
class RemoteUriPolicy;
class DeferredReply;
enum class MediaType;

class Engine : public QObject {
  Q_OBJECT

 public:
  static constexpr const char* kOpenInStudioTag = "pipewright.openInStudio";

  explicit Engine(Config config, QObject* parent = nullptr);
  ~Engine() override;

  // Transport entry points (engine thread).
  void handleMessage(const std::shared_ptr<Connection>& connection, const QByteArray& text);
  void connectionClosed(const std::shared_ptr<Connection>& connection);
  // An HTTP request for the engine's resources (WHIP, WHEP); `respond` runs once, maybe later.
  void handleHttp(const HttpRequest& request, const HttpRespond& respond);
  // Whether a `method` request for `path` may carry a body larger than the control port's usual
  // cap (a POST to an HttpPostEndpoint that is not playing an upload). Engine thread.
  bool acceptsLargeHttpBody(const QByteArray& method, const QString& path);
  // Where the control port answers HTTP ("http://127.0.0.1:8888"), set by the transport once it
  // listens; resource URLs (WhipEndpoint.url) start with it.
  void setHttpBaseUrl(const QString& url) { httpBaseUrl_ = url; }
  const QString& httpBaseUrl() const { return httpBaseUrl_; }

  // Answers every request still waiting for a deferred reply, then releases every object
  // (pipelines first); call before destroying the engine.
  void shutdown();

  // Requests answered later (webrtcbin's negotiation, getUsedCpu, stopAndWait...): the engine
  // keeps a weak reference to each reply until it is answered. Engine thread.
  void trackPendingRequest(const std::shared_ptr<DeferredReply>& reply);
  // The server is stopping: each request still waiting is answered now with 40003 ("the server
  // is stopping"), once (a later resolve is ignored), while its socket can still carry it.
  // Returns how many. Engine thread; shutdown() does it too.
  int abandonPendingRequests();

  // Runs `fn` on the engine thread; callable from any thread (GStreamer streaming threads).
  void post(std::function<void()> fn);

  const Config& config() const { return config_; }
  const Schema& schema() const;
  const QString& serverId() const { return serverId_; }
  qint64 startTimeMs() const { return startTimeMs_; }

  ObjectRegistry& registry() { return *registry_; }
  SessionManager& sessions() { return *sessions_; }
  Dispatcher& dispatcher() { return *dispatcher_; }
  const Bindings& bindings() const;

  // Where file:// URIs may read and write (opened without following links), and which hosts
  // remote URIs may reach (docs/security.md).
  const MediaFolders& mediaFolders() const { return *mediaFolders_; }
  const RemoteUriPolicy& remoteUriPolicy() const { return *remoteUriPolicy_; }

  // In-process only (the studio's node previews; not part of the remote API): feeds the decoded
  // video leaving element `objectId` into `appsrc`, an appsrc of another pipeline, through the
  // element's shared raw-video branch, until detachPreview(). Engine thread. False with a
  // message when the object has no video output.
  bool attachPreview(const QString& objectId, GstElement* appsrc, QString* error);
  // The same for the decoded audio leaving the element (the studio's level meters), through its
  // shared raw-audio branch; detachPreview() ends it too.
  bool attachAudioTap(const QString& objectId, GstElement* appsrc, QString* error);
  void detachPreview(GstElement* appsrc);
  // In-process only (the studio's wire bitrates): bytes the input of element `objectId` for
  // `mediaType` ("VIDEO", "AUDIO", "DATA") received so far, or -1 when there is no such input.
  // Engine thread.
  qint64 receivedBytes(const QString& objectId, const QString& mediaType) const;
  // In-process only (the studio's wire tooltips): the caps of the `mediaType` ("VIDEO",
  // "AUDIO") media element `sinkId` receives now from `sourceId`, as GStreamer writes them
  // ("video/x-raw, format=(string)I420, ..."). Empty when they are not connected, nothing was
  // negotiated yet, or the media bypasses GStreamer (the lean WebRTC relay). Engine thread.
  QString connectionCaps(const QString& sourceId, const QString& sinkId, const QString& mediaType) const;

 Q_SIGNALS:
  // For status displays: counts changed (sessions, objects, connections).
  void countsChanged();
  // A client asked the desktop studio to show one of its pipelines: it added the tag
  // kOpenInStudioTag to the pipeline or one of its elements (the tutorials' "Open in studio";
  // only the session that owns the object can). Emitted on the engine thread; a headless
  // server has nobody listening.
  void openInStudioRequested(const QString& pipelineId);

 protected:
  // Runs the tasks of post().
  void customEvent(QEvent* event) override;

 private:
  Config config_;
  QString serverId_;
  QString httpBaseUrl_;
  qint64 startTimeMs_ = 0;
  std::unique_ptr<MediaFolders> mediaFolders_;
  std::unique_ptr<RemoteUriPolicy> remoteUriPolicy_;
  std::unique_ptr<ObjectRegistry> registry_;
  std::unique_ptr<SessionManager> sessions_;
  std::unique_ptr<Dispatcher> dispatcher_;
  struct Preview;
  bool attachTap(const QString& objectId, MediaType type, GstElement* appsrc, QString* error);
  std::map<GstElement*, std::shared_ptr<Preview>> previews_;
  std::vector<std::weak_ptr<DeferredReply>> pendingRequests_;
  size_t prunePendingAt_ = 64;  // expired entries are dropped when the list reaches this size
  std::future<void> warmUp_;  // the lean path's startup warm-up on a media thread (shutdown waits)
};

// Initialises GStreamer once (idempotent). Returns false with a message when a required
// plugin is missing.
bool initGStreamer(QString* error);

}  // namespace pw
