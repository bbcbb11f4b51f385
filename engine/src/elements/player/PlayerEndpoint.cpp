#include "PlayerEndpoint.h"

#include "DecoderBridge.h"
#include "DecoderSourceGuard.h"
#include "core/Bindings.h"
#include "core/Invocation.h"
#include "core/MediaFolders.h"
#include "core/PlaylistCheck.h"
#include "core/RemoteHostCheck.h"
#include "gst/ErrorPtr.h"
#include "gst/GCharPtr.h"
#include "media/MediaPipeline.h"
#include "media/SinkInput.h"
#include "pipewright/engine/Engine.h"
#include "pipewright/engine/Schema.h"
#include "pipewright/engine/Log.h"

#include <QFileInfo>
#include <QTimer>
#include <QUrl>

namespace pw {

namespace {
constexpr int kPrerollWaitMs = 1000;  // play(): PAUSED for the preroll at most this long, then PLAYING

bool isFileUri(const QString& uri) { return QUrl(uri).scheme().toLower() == u"file"; }

// Schemes and hosts of remote URIs; throws 40107 for anything the player cannot play, and for
// an IP literal the policy refuses (host names are resolved at play()).
void checkRemoteUri(const QString& uri, const RemoteUriPolicy& policy) {
  const QUrl url(uri, QUrl::StrictMode);
  const QString scheme = url.scheme().toLower();
  if (!url.isValid() || scheme.isEmpty()) {
    throw KurentoException(KurentoError::illegalParam(QStringLiteral("'%1' is not a valid URI").arg(uri)));
  }
  if (scheme != u"http" && scheme != u"https" && scheme != u"rtsp") {
    throw KurentoException(KurentoError::illegalParam(
        QStringLiteral("URI scheme '%1' is not supported here (use file://, http(s):// or rtsp://)").arg(scheme)));
  }
  std::optional<QString> refusal;
  if (RemoteHostCheck::decideWithoutResolving(policy, RemoteUriPolicy::hostOf(uri), &refusal) && refusal) {
    throw KurentoException(KurentoError::illegalParam(QStringLiteral("Cannot play '%1': %2").arg(uri, *refusal)));
  }
}

}  // namespace

PlayerEndpoint::PlayerEndpoint(const Creation& creation)
    : UriEndpoint(creation, QStringLiteral("PlayerEndpoint"), creation.params.value(u"uri").toString()),
      networkCacheMs_(creation.params.value(u"networkCache").toInt(2000)),
      useEncodedMedia_(creation.params.value(u"useEncodedMedia").toBool(false)) {
  if (isFileUri(uri())) {
    mediaPath_ = creation.engine.mediaFolders().locate(uri(), MediaFolders::Access::Read);
  } else {
    checkRemoteUri(uri(), creation.engine.remoteUriPolicy());
  }
  bridge_ = std::make_shared<DecoderBridge>();
  bridge_->mediaPipeline = ElementRef::addRef(pipeline()->gst());
  for (MediaType t : {MediaType::Audio, MediaType::Video}) {
    ElementRef src = SinkInput::makeAppSrc(QStringLiteral("player-%1").arg(mediaTypeName(t).toLower()));
    GstElement* raw = src.get();
    (t == MediaType::Video ? bridge_->videoSrc : bridge_->audioSrc) = src;
    addToBin({raw});
    linkChain({raw, addOutput(t)});
  }
  start();
}

PlayerEndpoint::~PlayerEndpoint() { teardownDecoder(); }

void PlayerEndpoint::buildDecoder() {
  decoder_ = ElementRef::adopt(gst_pipeline_new(nullptr));
  auto guard = std::make_shared<DecoderSourceGuard>(engine().mediaFolders(), engine().remoteUriPolicy(), file_.isOpen());
  if (file_.isOpen()) guard->setMainFile(file_);
  guard->watch(decoder_.get());
  const QString location = file_.isOpen() ? file_.procUri() : uri();
  GstElement* decodebin = gst_element_factory_make("uridecodebin", "decoder");
  g_object_set(decodebin, "uri", location.toUtf8().constData(), "buffer-duration",
               static_cast<gint64>(networkCacheMs_) * GST_MSECOND, nullptr);
  if (useEncodedMedia_) {
    // Stop at the codecs the rest of the engine passes through without decoding.
    CapsRef stopAt = DecoderBridge::encodedStopCaps();
    g_object_set(decodebin, "caps", stopAt.get(), nullptr);
  }
  gst_bin_add(GST_BIN(decoder_.get()), decodebin);
  DecoderBridge::attach(decodebin, bridge_);
  std::weak_ptr<MediaObject> weak = weak_from_this();
  DecoderBridge::watchBus(engine(), decoder_.get(),
                          {// Prerolled (at start, or after a seek): on to PLAYING if the player still plays (play()).
                           [weak](GstElement* decoder) {
                             if (auto p = std::static_pointer_cast<PlayerEndpoint>(weak.lock())) p->continuePlaying(decoder);
                           },
                           [weak](GstElement* decoder, GstMessage* message) {
                             auto p = std::static_pointer_cast<PlayerEndpoint>(weak.lock());
                             if (p && p->decoder_.get() == decoder) p->handleDecoderMessage(message);
                           }});
}

void PlayerEndpoint::teardownDecoder() {
  if (!decoder_) return;
  BusRef bus = BusRef::adopt(gst_element_get_bus(decoder_.get()));
  gst_element_set_state(decoder_.get(), GST_STATE_NULL);
  gst_bus_set_sync_handler(bus.get(), nullptr, nullptr, nullptr);
  decoder_.reset();
  file_.close();
}

bool PlayerEndpoint::openFile() {
  QString why;
  const auto result = engine().mediaFolders().open(*mediaPath_, MediaFolders::Access::Read, &file_, &why);
  if (result == MediaFolders::OpenResult::Missing) {
    // As Kurento: a missing file is reported as an Error event (the file may appear later).
    raiseError(QStringLiteral("INVALID_URI"), QStringLiteral("Cannot play '%1': %2").arg(uri(), why));
    return false;
  }
  if (result == MediaFolders::OpenResult::Refused) {
    throw KurentoException(KurentoError::illegalParam(QStringLiteral("Cannot play '%1': %2").arg(uri(), why)));
  }
  if (PlaylistCheck::isPlaylist(file_.head(64))) {
    why = PlaylistCheck::check(engine().mediaFolders(), file_);
    if (!why.isEmpty()) {
      file_.close();
      throw KurentoException(KurentoError::illegalParam(QStringLiteral("Cannot play '%1': %2").arg(uri(), why)));
    }
  }
  return true;
}

void PlayerEndpoint::play(const std::shared_ptr<DeferredReply>& reply) {
  if (decoder_ || mediaPath_) {
    play();
    reply->resolve();
    return;
  }
  // A remote URI: its host is checked (and resolved off the engine thread when it is a name)
  // before any source element exists, so a refused host never sees a packet.
  const QString host = RemoteUriPolicy::hostOf(uri());
  RemoteHostCheck::start(engine().remoteUriPolicy(), host, &engine(),
                         [weak = weak_from_this(), reply](const std::optional<QString>& refusal) {
                           auto self = std::static_pointer_cast<PlayerEndpoint>(weak.lock());
                           if (!self) {
                             reply->reject(KurentoError::illegalParam(QStringLiteral("The player was released")));
                             return;
                           }
                           if (refusal) {
                             reply->reject(KurentoError::illegalParam(
                                 QStringLiteral("Cannot play '%1': %2").arg(self->uri(), *refusal)));
                             return;
                           }
                           try {
                             self->play();
                             reply->resolve();
                           } catch (const KurentoException& e) {
                             reply->reject(e.error());
                           }
                         });
}

void PlayerEndpoint::play() {
  if (!decoder_) {
    if (mediaPath_ && !openFile()) return;
    buildDecoder();
  }
  bridge_->requestResync();
  // PAUSED first, PLAYING once everything prerolled (ASYNC_DONE, see buildDecoder): the decoder's
  // streams appear while it starts, and gst_element_sync_state_with_parent() would take a sink
  // straight to the pending PLAYING before the pipeline has a clock; such a sink pushes its stream
  // unsynchronised (under CPU load, seconds of audio at once, which the leaky queues downstream
  // then drop). Started PAUSED, new sinks preroll, and the pipeline brings them to PLAYING with
  // its clock. A source that needs no preroll (live), or a decoder that was paused, goes on to
  // PLAYING at once.
  GstState current = GST_STATE_VOID_PENDING;
  GstState pending = GST_STATE_VOID_PENDING;
  gst_element_get_state(decoder_.get(), &current, &pending, 0);
  const bool playing = current == GST_STATE_PLAYING && pending == GST_STATE_VOID_PENDING;
  const GstStateChangeReturn ret = gst_element_set_state(decoder_.get(), playing ? GST_STATE_PLAYING : GST_STATE_PAUSED);
  if (ret == GST_STATE_CHANGE_FAILURE ||
      (ret != GST_STATE_CHANGE_ASYNC && gst_element_set_state(decoder_.get(), GST_STATE_PLAYING) == GST_STATE_CHANGE_FAILURE)) {
    teardownDecoder();
    raiseError(QStringLiteral("INVALID_URI"), QStringLiteral("Cannot play '%1'").arg(uri()));
    return;
  }
  setState(State::Start);
  if (ret == GST_STATE_CHANGE_ASYNC) {
    // A source that cannot preroll while PAUSED (an HLS playlist whose segments are fetched only
    // once playing; seen as a playlist that never reached EndOfStream) must not keep the player
    // waiting: without ASYNC_DONE within a second it goes on to PLAYING, which completes the
    // preroll on its way.
    std::weak_ptr<MediaObject> weak = weak_from_this();
    GstElement* decoder = decoder_.get();
    QTimer::singleShot(kPrerollWaitMs, [weak, decoder]() {
      if (auto p = std::static_pointer_cast<PlayerEndpoint>(weak.lock())) p->continuePlaying(decoder);
    });
  }
}

void PlayerEndpoint::continuePlaying(GstElement* decoder) {
  if (decoder_.get() != decoder || state() != State::Start) return;  // replaced, paused or stopped since
  GstState current = GST_STATE_VOID_PENDING;
  GstState pending = GST_STATE_VOID_PENDING;
  gst_element_get_state(decoder, &current, &pending, 0);
  if (current != GST_STATE_PLAYING && pending != GST_STATE_PLAYING) gst_element_set_state(decoder, GST_STATE_PLAYING);
}

void PlayerEndpoint::pause() {
  if (!decoder_) return;
  gst_element_set_state(decoder_.get(), GST_STATE_PAUSED);
  setState(State::Pause);
}

void PlayerEndpoint::stop() {
  teardownDecoder();
  setState(State::Stop);
}

qint64 PlayerEndpoint::positionMs() const {
  gint64 pos = 0;
  if (decoder_ && gst_element_query_position(decoder_.get(), GST_FORMAT_TIME, &pos)) return pos / GST_MSECOND;
  return 0;
}

void PlayerEndpoint::setPositionMs(qint64 ms) {
  if (!decoder_ || ms < 0 ||
      !gst_element_seek_simple(decoder_.get(), GST_FORMAT_TIME,
                               static_cast<GstSeekFlags>(GST_SEEK_FLAG_FLUSH | GST_SEEK_FLAG_ACCURATE),
                               ms * GST_MSECOND)) {
    throw KurentoException(ErrorCode::PlayerSeekFail,
                           QStringLiteral("Cannot seek to %1 ms (is the player playing a seekable media?)").arg(ms));
  }
  bridge_->requestResync();
}

QJsonObject PlayerEndpoint::videoInfo() const {
  bool seekable = false;
  gint64 start = 0, end = 0, duration = 0;
  if (decoder_) {
    const QueryRef q = QueryRef::adopt(gst_query_new_seeking(GST_FORMAT_TIME));
    if (gst_element_query(decoder_.get(), q.get())) {
      gboolean s = FALSE;
      gst_query_parse_seeking(q.get(), nullptr, &s, &start, &end);
      seekable = s;
    }
    gst_element_query_duration(decoder_.get(), GST_FORMAT_TIME, &duration);
  }
  auto ms = [](gint64 ns) { return static_cast<qint64>(ns > 0 ? ns / GST_MSECOND : 0); };
  return Schema::complex(QStringLiteral("VideoInfo"), QJsonObject{{QStringLiteral("isSeekable"), seekable},
                                                                  {QStringLiteral("seekableInit"), ms(start)},
                                                                  {QStringLiteral("seekableEnd"), ms(end)},
                                                                  {QStringLiteral("duration"), ms(duration)}});
}

void PlayerEndpoint::handleDecoderMessage(GstMessage* message) {
  if (GST_MESSAGE_TYPE(message) == GST_MESSAGE_EOS) {
    raise(QStringLiteral("EndOfStream"));
    for (MediaType t : {MediaType::Audio, MediaType::Video}) {
      for (const auto& sink : sinks(t)) sink->onSourceEndOfStream(t);
    }
    stop();
    return;
  }
  ErrorPtr err;
  GCharPtr dbg;
  gst_message_parse_error(message, err.out(), dbg.out());
  QString kind = QStringLiteral("INVALID_MEDIA");
  if (err && err->domain == GST_RESOURCE_ERROR) kind = QStringLiteral("INVALID_URI");
  const QString text = QStringLiteral("Cannot play '%1': %2").arg(uri(), QString::fromUtf8(err ? err->message : "error"));
  qCDebug(lcPlayer, "%s GStreamer error details: %s", qUtf8Printable(log::subject(ownerSession(), id())), qUtf8Printable(log::clip(QString::fromUtf8(dbg ? dbg.get() : ""), 1000)));
  err.reset();
  dbg.reset();
  teardownDecoder();
  setState(State::Stop);
  raiseError(kind, text, 0);
}

void PlayerEndpoint::onRelease() {
  // The decoder pipeline stops on the Reaper's thread (uridecodebin can take seconds).
  retireInBackground(std::move(decoder_));
  UriEndpoint::onRelease();
}

void bindUriEndpoint(Bindings& b);

void bindPlayerEndpoint(Bindings& b) {
  bindUriEndpoint(b);
  const QString c = QStringLiteral("PlayerEndpoint");
  b.addFactory(c, [](const Creation& creation) { return std::make_shared<PlayerEndpoint>(creation); });
  b.add(c, QStringLiteral("play"), [](Invocation& call) {
    call.as<PlayerEndpoint>().play(call.defer());
    return QJsonValue();
  });
  b.add(c, QStringLiteral("getPosition"), [](Invocation& call) { return QJsonValue(call.as<PlayerEndpoint>().positionMs()); });
  b.add(c, QStringLiteral("setPosition"), [](Invocation& call) {
    call.as<PlayerEndpoint>().setPositionMs(call.integer(QStringLiteral("position")));
    return QJsonValue();
  });
  b.add(c, QStringLiteral("getVideoInfo"), [](Invocation& call) { return QJsonValue(call.as<PlayerEndpoint>().videoInfo()); });
  b.add(c, QStringLiteral("getElementGstreamerDot"), [](Invocation& call) {
    return QJsonValue(call.object().gstreamerDot(QStringLiteral("SHOW_ALL")));
  });
}

}  // namespace pw
