#include "HttpPostEndpoint.h"

#include "core/Bindings.h"
#include "core/Invocation.h"
#include "elements/player/DecoderBridge.h"
#include "elements/whip/HttpSignalling.h"
#include "elements/whip/WebRtcHttpEndpoint.h"
#include "gst/ErrorPtr.h"
#include "gst/GCharPtr.h"
#include "media/MediaPipeline.h"
#include "media/SinkInput.h"
#include "pipewright/engine/Engine.h"
#include "pipewright/engine/KurentoError.h"
#include "pipewright/engine/Log.h"

#include <QTimer>

#include <gst/app/gstappsrc.h>

#include <algorithm>
#include <mutex>

namespace pw {
namespace {

HttpHeaders corsHeaders() {
  return {{"Access-Control-Allow-Origin", "*"},
          {"Access-Control-Allow-Methods", "POST, OPTIONS"},
          {"Access-Control-Allow-Headers", "Content-Type"}};
}

HttpResponse textAnswer(int status, const QString& message) {
  HttpResponse r = HttpResponse::text(status, message);
  r.headers += corsHeaders();
  return r;
}

// The uploaded media, read by the decoder's appsrc in random-access mode (demuxers may seek:
// an MP4 whose index is at its end). Buffers wrap the body's memory, no copies.
struct UploadData {
  QByteArray body;      // never modified: its memory stays where it is
  qsizetype begin = 0;  // the media within the body (a multipart form's file)
  qsizetype size = 0;
  std::mutex mutex;
  qsizetype offset = 0;  // next byte to push, relative to begin

  static constexpr qsizetype kChunkBytes = 64 * 1024;

  static void needData(GstAppSrc* src, guint length, gpointer user) {
    auto& self = **static_cast<std::shared_ptr<UploadData>*>(user);
    qsizetype at;
    qsizetype n;
    {
      std::lock_guard lock(self.mutex);
      at = self.offset;
      n = std::min<qsizetype>(std::max<qsizetype>(length, kChunkBytes), self.size - at);
      if (n > 0) self.offset += n;
    }
    if (n <= 0) {
      gst_app_src_end_of_stream(src);
      return;
    }
    auto* keep = new std::shared_ptr<UploadData>(*static_cast<std::shared_ptr<UploadData>*>(user));
    GstBuffer* buffer = gst_buffer_new_wrapped_full(
        GST_MEMORY_FLAG_READONLY, const_cast<char*>(self.body.constData()), static_cast<gsize>(self.body.size()),
        static_cast<gsize>(self.begin + at), static_cast<gsize>(n), keep,
        [](gpointer data) { delete static_cast<std::shared_ptr<UploadData>*>(data); });
    GST_BUFFER_OFFSET(buffer) = static_cast<guint64>(at);
    gst_app_src_push_buffer(src, buffer);
  }

  static gboolean seekData(GstAppSrc*, guint64 offset, gpointer user) {
    auto& self = **static_cast<std::shared_ptr<UploadData>*>(user);
    std::lock_guard lock(self.mutex);
    if (offset > static_cast<guint64>(self.size)) return FALSE;
    self.offset = static_cast<qsizetype>(offset);
    return TRUE;
  }
};

// The media in a request body: the body itself, or the first file part of a
// multipart/form-data form (a browser form). False when a form holds no part.
bool mediaIn(const HttpRequest& request, qsizetype* begin, qsizetype* size) {
  *begin = 0;
  *size = request.body.size();
  const QByteArray type = request.header("content-type");
  if (!type.trimmed().toLower().startsWith("multipart/form-data")) return true;
  const qsizetype b = type.toLower().indexOf("boundary=");
  if (b < 0) return false;
  QByteArray boundary = type.mid(b + 9).split(';').first().trimmed();
  if (boundary.startsWith('"') && boundary.endsWith('"') && boundary.size() >= 2) boundary = boundary.mid(1, boundary.size() - 2);
  if (boundary.isEmpty()) return false;
  const QByteArray delimiter = "--" + boundary;
  const QByteArray& body = request.body;
  qsizetype first = -1;  // the first part's headers
  qsizetype at = body.indexOf(delimiter);
  while (at >= 0) {
    const qsizetype headers = at + delimiter.size() + 2;  // after CRLF
    if (body.mid(at + delimiter.size(), 2) == "--") break;  // the closing delimiter
    const qsizetype headersEnd = body.indexOf("\r\n\r\n", headers);
    if (headersEnd < 0) break;
    const qsizetype next = body.indexOf("\r\n" + delimiter, headersEnd + 4);
    if (next < 0) break;
    const QByteArray partHeaders = body.mid(headers, headersEnd - headers).toLower();
    if (first < 0) first = at;
    if (partHeaders.contains("filename=")) {
      *begin = headersEnd + 4;
      *size = next - *begin;
      return true;
    }
    at = next + 2;
  }
  if (first < 0) return false;
  // No part names a file: the first part.
  const qsizetype headersEnd = body.indexOf("\r\n\r\n", first);
  const qsizetype next = body.indexOf("\r\n" + delimiter, headersEnd + 4);
  *begin = headersEnd + 4;
  *size = next - *begin;
  return true;
}

}  // namespace

HttpPostEndpoint::HttpPostEndpoint(const Creation& creation)
    : MediaElement(creation, QStringLiteral("HttpPostEndpoint")),
      key_(HttpSignalling::randomKey(24)),
      disconnectionTimeoutSec_(creation.params.value(u"disconnectionTimeout").toInt(2)),
      useEncodedMedia_(creation.params.value(u"useEncodedMedia").toBool(false)) {
  if (disconnectionTimeoutSec_ < 0) {
    throw KurentoException(KurentoError::illegalParam(QStringLiteral("'disconnectionTimeout' must not be negative")));
  }
  // mediaProfile (a MediaProfileSpecType, checked by the schema) is accepted but not needed:
  // the container is detected from the upload.
  bridge_ = std::make_shared<DecoderBridge>();
  bridge_->mediaPipeline = ElementRef::addRef(pipeline()->gst());
  for (MediaType t : {MediaType::Audio, MediaType::Video}) {
    ElementRef src = SinkInput::makeAppSrc(QStringLiteral("httppost-%1").arg(mediaTypeName(t).toLower()));
    GstElement* raw = src.get();
    (t == MediaType::Video ? bridge_->videoSrc : bridge_->audioSrc) = src;
    addToBin({raw});
    linkChain({raw, addOutput(t)});
  }
  start();
}

HttpPostEndpoint::~HttpPostEndpoint() {
  if (decoder_) {
    BusRef bus = BusRef::adopt(gst_element_get_bus(decoder_.get()));
    gst_element_set_state(decoder_.get(), GST_STATE_NULL);
    gst_bus_set_sync_handler(bus.get(), nullptr, nullptr, nullptr);
  }
  answer(textAnswer(410, QStringLiteral("The HttpPostEndpoint was released before the media ended")));
}

QString HttpPostEndpoint::url() const { return engine().httpBaseUrl() + QLatin1String(kHttpPostPathPrefix) + key_; }

void HttpPostEndpoint::onRegistered() {
  MediaElement::onRegistered();
  HttpSignalling::of(engine()).add(QStringLiteral("httppost"), key_, std::static_pointer_cast<HttpPostEndpoint>(shared_from_this()));
}

void HttpPostEndpoint::onRelease() {
  HttpSignalling::of(engine()).remove(key_);
  answer(textAnswer(410, QStringLiteral("The HttpPostEndpoint was released before the media ended")));
  if (decoder_) {
    BusRef bus = BusRef::adopt(gst_element_get_bus(decoder_.get()));
    gst_bus_set_sync_handler(bus.get(), nullptr, nullptr, nullptr);
    retireInBackground(std::move(decoder_));
  }
  MediaElement::onRelease();
}

void HttpPostEndpoint::answer(HttpResponse response) {
  if (auto r = std::exchange(pending_, nullptr)) r(std::move(response));
}

void HttpPostEndpoint::handle(const HttpRequest& request, const QString& subKey, const HttpRespond& respond) {
  if (!subKey.isEmpty()) {
    respond(textAnswer(404, QStringLiteral("No such resource: POST the media to the HttpPostEndpoint's URL itself")));
    return;
  }
  if (request.method == "OPTIONS") {
    respond(HttpResponse{204, corsHeaders(), {}}.header("Allow", "POST, OPTIONS"));
    return;
  }
  if (request.method != "POST") {
    HttpResponse r = textAnswer(405, QStringLiteral("POST the media (a WebM or MP4 file, or a multipart/form-data form holding one) to this URL"));
    r.header("Allow", "POST, OPTIONS");
    respond(std::move(r));
    return;
  }
  if (decoder_) {
    respond(textAnswer(409, QStringLiteral("An upload is already playing through this HttpPostEndpoint (from %1): wait for its "
                                           "EndOfStream, or create another HttpPostEndpoint")
                                .arg(uploadPeer_)));
    return;
  }
  startUpload(request, respond);
}

void HttpPostEndpoint::startUpload(const HttpRequest& request, const HttpRespond& respond) {
  qsizetype begin = 0;
  qsizetype size = 0;
  if (!mediaIn(request, &begin, &size)) {
    respond(textAnswer(400, QStringLiteral("The multipart/form-data body holds no part (send the file as the body, or in a form field)")));
    return;
  }
  if (size <= 0) {
    respond(textAnswer(400, QStringLiteral("The upload is empty: send the media file as the request body")));
    return;
  }
  auto data = std::make_shared<UploadData>();
  data->body = request.body;
  data->begin = begin;
  data->size = size;

  const ElementRef srcRef = makeElement("appsrc", "upload");
  const ElementRef decodebinRef = makeElement("decodebin", "decoder");
  if (!srcRef || !decodebinRef) {
    respond(textAnswer(500, QStringLiteral("The server lacks the GStreamer elements appsrc/decodebin")));
    return;
  }
  GstElement* src = srcRef.get();
  GstElement* decodebin = decodebinRef.get();
  decoder_ = ElementRef::adopt(gst_pipeline_new(nullptr));
  g_object_set(src, "format", GST_FORMAT_BYTES, "stream-type", GST_APP_STREAM_TYPE_RANDOM_ACCESS, "is-live", FALSE, nullptr);
  gst_app_src_set_size(GST_APP_SRC(src), static_cast<gint64>(size));
  GstAppSrcCallbacks callbacks{};
  callbacks.need_data = &UploadData::needData;
  callbacks.seek_data = &UploadData::seekData;
  gst_app_src_set_callbacks(GST_APP_SRC(src), &callbacks, new std::shared_ptr<UploadData>(data),
                            [](gpointer user) { delete static_cast<std::shared_ptr<UploadData>*>(user); });
  if (useEncodedMedia_) {
    CapsRef stopAt = DecoderBridge::encodedStopCaps();
    g_object_set(decodebin, "caps", stopAt.get(), nullptr);
  }
  gst_bin_add_many(GST_BIN(decoder_.get()), src, decodebin, nullptr);
  gst_element_link(src, decodebin);
  DecoderBridge::attach(decodebin, bridge_);
  std::weak_ptr<MediaObject> weak = weak_from_this();
  DecoderBridge::watchBus(engine(), decoder_.get(),
                          {[weak](GstElement* decoder) {
                             if (auto e = std::static_pointer_cast<HttpPostEndpoint>(weak.lock())) e->continuePlaying(decoder);
                           },
                           [weak](GstElement* decoder, GstMessage* message) {
                             auto e = std::static_pointer_cast<HttpPostEndpoint>(weak.lock());
                             if (e && e->decoder_.get() == decoder) e->handleDecoderMessage(message);
                           }});

  pending_ = respond;
  ++uploadNumber_;
  uploadBytes_ = size;
  uploadPeer_ = request.peer;
  bridge_->requestResync();
  // PAUSED first, PLAYING once prerolled (ASYNC_DONE), as PlayerEndpoint does: the streams'
  // sinks then start on the pipeline's clock.
  const GstStateChangeReturn ret = gst_element_set_state(decoder_.get(), GST_STATE_PAUSED);
  if (ret == GST_STATE_CHANGE_FAILURE) {
    endUpload(textAnswer(415, QStringLiteral("The upload cannot be decoded")));
    return;
  }
  GstElement* decoder = decoder_.get();
  if (ret != GST_STATE_CHANGE_ASYNC) continuePlaying(decoder);
  else {
    QTimer::singleShot(kPrerollWaitMs, &engine(), [weak, decoder]() {
      if (auto e = std::static_pointer_cast<HttpPostEndpoint>(weak.lock())) e->continuePlaying(decoder);
    });
  }
  // Long media: answered before the connection's idle timeout; the media keeps playing.
  QTimer::singleShot(kAnswerWithinMs, &engine(), [weak, number = uploadNumber_]() {
    auto e = std::static_pointer_cast<HttpPostEndpoint>(weak.lock());
    if (!e || !e->decoder_ || e->uploadNumber_ != number) return;
    e->answer(textAnswer(202, QStringLiteral("Received %1 bytes; the media is still playing (EndOfStream follows)").arg(e->uploadBytes_)));
  });
}

void HttpPostEndpoint::continuePlaying(GstElement* decoder) {
  if (!decoder_ || decoder_.get() != decoder) return;
  GstState current = GST_STATE_VOID_PENDING;
  GstState pending = GST_STATE_VOID_PENDING;
  gst_element_get_state(decoder, &current, &pending, 0);
  if (current != GST_STATE_PLAYING && pending != GST_STATE_PLAYING) gst_element_set_state(decoder, GST_STATE_PLAYING);
}

void HttpPostEndpoint::handleDecoderMessage(GstMessage* message) {
  if (GST_MESSAGE_TYPE(message) == GST_MESSAGE_EOS) {
    const qint64 bytes = uploadBytes_;
    endUpload(textAnswer(200, QStringLiteral("Received %1 bytes; the media ended (EndOfStream)").arg(bytes)));
    raise(QStringLiteral("EndOfStream"));
    for (MediaType t : {MediaType::Audio, MediaType::Video}) {
      for (const auto& sink : sinks(t)) sink->onSourceEndOfStream(t);
    }
    return;
  }
  ErrorPtr err;
  GCharPtr dbg;
  gst_message_parse_error(message, err.out(), dbg.out());
  const QString text = QStringLiteral("Cannot decode the upload: %1").arg(QString::fromUtf8(err ? err->message : "error"));
  qCDebug(lcPlayer, "%s GStreamer error details: %s", qUtf8Printable(log::subject(ownerSession(), id())), qUtf8Printable(log::clip(QString::fromUtf8(dbg ? dbg.get() : ""), 1000)));
  endUpload(textAnswer(415, text + QStringLiteral(" (send a WebM, MP4 or other file GStreamer can demux and decode)")));
  raiseError(QStringLiteral("INVALID_MEDIA"), text, 0);
}

void HttpPostEndpoint::endUpload(HttpResponse response) {
  answer(std::move(response));
  if (decoder_) {
    BusRef bus = BusRef::adopt(gst_element_get_bus(decoder_.get()));
    gst_bus_set_sync_handler(bus.get(), nullptr, nullptr, nullptr);
    retireInBackground(std::move(decoder_));
  }
  decoder_.reset();
  uploadBytes_ = 0;
  uploadPeer_.clear();
}

void bindHttpPostEndpoint(Bindings& b) {
  b.addFactory(QStringLiteral("HttpPostEndpoint"), [](const Creation& c) { return std::make_shared<HttpPostEndpoint>(c); });
  b.add(QStringLiteral("HttpPostEndpoint"), QStringLiteral("getUrl"),
        [](Invocation& call) { return QJsonValue(call.as<HttpPostEndpoint>().url()); });
}

}  // namespace pw
