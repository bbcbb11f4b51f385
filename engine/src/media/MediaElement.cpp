#include "MediaElement.h"

#include "gst/ErrorPtr.h"
#include "gst/GCharPtr.h"
#include "gst/Reaper.h"

#include "Branch.h"
#include "MediaPipeline.h"
#include "OutputPort.h"
#include "SinkInput.h"
#include "core/Bindings.h"
#include "core/ObjectRegistry.h"
#include "pipewright/engine/Engine.h"
#include "pipewright/engine/Schema.h"
#include "pipewright/engine/Log.h"

#include <QDateTime>

#include <cmath>

#include <gst/video/video-event.h>

namespace pw {
namespace {

constexpr qint64 kFlowTimeoutUs = 2000000;  // NOT_FLOWING after 2 s without buffers (as KMS)

KurentoException badCaps(const QString& what) { return KurentoException(KurentoError::illegalParam(what)); }

// VideoCaps {codec, framerate: {numerator, denominator}} → what the output is forced to.
ForcedFormat forcedVideoFormat(const QJsonValue& value) {
  const QJsonObject caps = value.toObject();
  const QString codec = caps.value(QStringLiteral("codec")).toString();
  ForcedFormat f;
  if (codec == u"VP8") f.format = formats::kVp8;
  else if (codec == u"VP9") f.format = formats::kVp9;
  else if (codec == u"H264") f.format = formats::kH264;
  else if (codec == u"RAW") f.format = formats::kRawVideo;
  else throw badCaps(QStringLiteral("'caps.codec' %1 cannot be produced here: use VP8, VP9, H264 or RAW").arg(codec.isEmpty() ? QStringLiteral("(none)") : codec));
  const QJsonValue rate = caps.value(QStringLiteral("framerate"));
  if (!rate.isUndefined() && !rate.isNull()) {
    const QJsonObject fraction = rate.toObject();
    const double num = fraction.value(QStringLiteral("numerator")).toDouble(-1);
    const double den = fraction.value(QStringLiteral("denominator")).toDouble(1);
    if (!rate.isObject() || num < 1 || num > 1e6 || den < 1 || den > 1e6 || num / den > 240 || num / den < 0.1 ||
        num != std::floor(num) || den != std::floor(den)) {
      throw badCaps(QStringLiteral("'caps.framerate' must be a fraction {numerator, denominator} of 0.1 to 240 frames per second"));
    }
    f.framerateNum = static_cast<int>(num);
    f.framerateDen = static_cast<int>(den);
  }
  return f;
}

// AudioCaps {codec, bitrate} → what the output is forced to.
ForcedFormat forcedAudioFormat(const QJsonValue& value) {
  const QJsonObject caps = value.toObject();
  const QString codec = caps.value(QStringLiteral("codec")).toString();
  ForcedFormat f;
  if (codec == u"OPUS") f.format = formats::kOpus;
  else if (codec == u"PCMU") f.format = formats::kMulaw;
  else if (codec == u"PCMA") f.format = formats::kAlaw;
  else if (codec == u"RAW") f.format = formats::kRawAudio;
  else throw badCaps(QStringLiteral("'caps.codec' %1 cannot be produced here: use OPUS, PCMU, PCMA or RAW").arg(codec.isEmpty() ? QStringLiteral("(none)") : codec));
  const QJsonValue bitrate = caps.value(QStringLiteral("bitrate"));
  if (!bitrate.isUndefined() && !bitrate.isNull()) {
    const double bps = bitrate.toDouble(-1);
    if (!bitrate.isDouble() || bps < 0 || bps > 510000) throw badCaps(QStringLiteral("'caps.bitrate' must be 0 to 510000 bps (0: the encoderBitrate)"));
    f.bitrateBps = static_cast<int>(bps);
  }
  return f;
}

QString flowState(bool on) { return on ? QStringLiteral("FLOWING") : QStringLiteral("NOT_FLOWING"); }

}  // namespace

MediaElement::MediaElement(const Creation& creation, const QString& type)
    : MediaObject(creation.engine, type, creation.id, creation.parent) {
  auto pipeline = std::dynamic_pointer_cast<MediaPipeline>(creation.parent);
  if (!pipeline) {
    // HubPorts and other nested elements find the pipeline through their parent chain.
    for (auto p = creation.parent; p; p = p->parent()) {
      if ((pipeline = std::dynamic_pointer_cast<MediaPipeline>(p))) break;
    }
  }
  if (!pipeline) throw KurentoException(ErrorCode::UnexpectedError, QStringLiteral("%1 needs a MediaPipeline").arg(type));
  pipeline_ = pipeline;
  binName_ = type + u'-' + creation.id.section(u'/', -1).section(u'_', 0, 0);
  bin_ = ElementRef::adopt(gst_bin_new(binName_.toUtf8().constData()));
  gst_bin_add(pipeline->bin(), bin_.get());
}

MediaElement::~MediaElement() {
  // An element whose constructor failed (or that was never released) still leaves the pipeline.
  if (!released_) stopAndRemove(bin_.get());
}

std::shared_ptr<MediaPipeline> MediaElement::pipeline() const { return pipeline_.lock(); }

GstElement* MediaElement::addInput(MediaType type, const QString& format) {
  ElementRef src = SinkInput::makeAppSrc(QStringLiteral("in-%1").arg(mediaTypeName(type).toLower()));
  GstElement* raw = src.get();
  gst_bin_add(bin(), raw);
  auto input = std::make_shared<SinkInput>(type, format, std::move(src));
  SinkInput::relayUpstreamRequests(input);
  inputs_[index(type)] = input;
  return raw;
}

void MediaElement::attachExistingSource(MediaType type) {
  const auto& link = sources_[index(type)];
  if (!link) return;
  auto source = link->peer.lock();
  if (source && source->outputs_[index(type)] && inputs_[index(type)]) {
    source->outputs_[index(type)]->attach(inputs_[index(type)]);
  }
}

CapsRef MediaElement::inputCapsFrom(const QString& sourceId, MediaType type) const {
  const auto from = source(type);
  const auto& input = inputs_[index(type)];
  return from && from->id() == sourceId && input ? input->currentCaps() : CapsRef();
}

void MediaElement::setInput(MediaType type, std::shared_ptr<SinkInput> input) { inputs_[index(type)] = std::move(input); }

GstElement* MediaElement::addOutput(MediaType type) {
  ElementRef tee = makeElement("tee", QStringLiteral("out-%1").arg(mediaTypeName(type).toLower()).toUtf8().constData());
  g_object_set(tee.get(), "allow-not-linked", TRUE, nullptr);
  GstElement* raw = tee.get();
  gst_bin_add(bin(), raw);
  auto port = OutputPort::create(engine(), type, bin(), std::move(tee));
  port->setEncoderSettings(encoder_);
  port->setForcedFormat(forced_[index(type)]);
  std::weak_ptr<MediaObject> weak = weak_from_this();
  port->onTranscodingChanged([this, type](bool on, const QString& branch) {
    qCInfo(lcMedia, "%s %s %s (%s)", qUtf8Printable(log::subject(ownerSession(), id())),
           on ? "transcoding" : "no longer transcoding", qUtf8Printable(mediaTypeName(type)), qUtf8Printable(log::clip(branch)));
    raise(QStringLiteral("MediaTranscodingStateChanged"),
          QJsonObject{{QStringLiteral("state"), on ? QStringLiteral("TRANSCODING") : QStringLiteral("NOT_TRANSCODING")},
                      {QStringLiteral("binName"), branch},
                      {QStringLiteral("mediaType"), mediaTypeName(type)}});
  });
  port->onBranchError([this](const QString& message) {
    raiseError(QStringLiteral("UNEXPECTED_ELEMENT_ERROR"), message);
  });
  outputs_[index(type)] = port;
  return raw;
}

void MediaElement::addToBin(std::initializer_list<GstElement*> elements) {
  for (GstElement* e : elements) gst_bin_add(bin(), e);
}

bool MediaElement::linkChain(std::initializer_list<GstElement*> chain) {
  GstElement* prev = nullptr;
  for (GstElement* e : chain) {
    if (prev && !gst_element_link(prev, e)) return false;
    prev = e;
  }
  return true;
}

void MediaElement::start() { gst_element_sync_state_with_parent(bin_.get()); }

QList<std::shared_ptr<MediaElement>> MediaElement::sinks(MediaType type) const {
  QList<std::shared_ptr<MediaElement>> out;
  for (const auto& l : sinks_[index(type)]) {
    if (auto s = l.peer.lock()) out.append(s);
  }
  return out;
}

void MediaElement::attachPorts(const std::shared_ptr<MediaElement>& sink, MediaType t) {
  prepareOutput(t);
  sink->prepareInput(t);
  const int i = index(t);
  if (outputs_[i] && sink->inputs_[i]) outputs_[i]->attach(sink->inputs_[i]);
}

void MediaElement::detachPorts(const std::shared_ptr<MediaElement>& sink, MediaType t) {
  const int i = index(t);
  if (outputs_[i] && sink->inputs_[i]) outputs_[i]->detach(sink->inputs_[i].get());
}

std::optional<qint64> MediaElement::inputActivityUs(MediaType t) const {
  const auto& input = inputs_[index(t)];
  return input ? std::optional<qint64>(input->lastBufferUs()) : std::nullopt;
}

std::optional<quint64> MediaElement::receivedBytes(MediaType t) const {
  const auto& input = inputs_[index(t)];
  return input ? std::optional<quint64>(input->receivedBytes()) : std::nullopt;
}

std::optional<qint64> MediaElement::outputActivityUs(MediaType t) const {
  const auto& output = outputs_[index(t)];
  return output ? std::optional<qint64>(output->lastBufferUs()) : std::nullopt;
}

void MediaElement::connectTo(const std::shared_ptr<MediaElement>& sink, std::optional<MediaType> type,
                             const QString& sourceDesc, const QString& sinkDesc) {
  if (sink->pipeline() != pipeline()) {
    throw KurentoException(ErrorCode::ConnectError,
                           QStringLiteral("Cannot connect elements of different pipelines (%1 → %2)").arg(id(), sink->id()));
  }
  auto self = std::static_pointer_cast<MediaElement>(shared_from_this());
  for (MediaType t : kAllMediaTypes) {
    if (type && *type != t) continue;
    const int i = index(t);
    if (auto& existing = sink->sources_[i]) {
      auto current = existing->peer.lock();
      if (current == self) continue;  // already connected: nothing changes
      if (current) current->disconnectFrom(sink, t);
      else sink->sources_[i].reset();
    }
    Link link{self, sourceDesc, sinkDesc};
    sink->sources_[i] = link;
    sinks_[i].append(Link{sink, sourceDesc, sinkDesc});
    if (!connectDirect(sink, t)) attachPorts(sink, t);
    raise(QStringLiteral("ElementConnected"), QJsonObject{{QStringLiteral("sink"), sink->id()},
                                                          {QStringLiteral("mediaType"), mediaTypeName(t)},
                                                          {QStringLiteral("sourceMediaDescription"), sourceDesc},
                                                          {QStringLiteral("sinkMediaDescription"), sinkDesc}});
  }
}

void MediaElement::disconnectFrom(const std::shared_ptr<MediaElement>& sink, std::optional<MediaType> type) {
  for (MediaType t : kAllMediaTypes) {
    if (type && *type != t) continue;
    const int i = index(t);
    auto& existing = sink->sources_[i];
    if (!existing || existing->peer.lock().get() != this) continue;
    const Link link = *existing;
    existing.reset();
    sinks_[i].removeIf([&](const Link& l) { return l.peer.lock() == sink || l.peer.expired(); });
    disconnectDirect(sink, t);
    detachPorts(sink, t);
    raise(QStringLiteral("ElementDisconnected"),
          QJsonObject{{QStringLiteral("sink"), sink->id()},
                      {QStringLiteral("mediaType"), mediaTypeName(t)},
                      {QStringLiteral("sourceMediaDescription"), link.sourceDescription},
                      {QStringLiteral("sinkMediaDescription"), link.sinkDescription}});
  }
}

void MediaElement::dropSource(MediaType type) {
  auto& existing = sources_[index(type)];
  if (!existing) return;
  if (auto source = existing->peer.lock()) {
    source->disconnectFrom(std::static_pointer_cast<MediaElement>(shared_from_this()), type);
  }
  existing.reset();
}

QJsonObject MediaElement::connectionData(const MediaElement& source, const MediaElement& sink, MediaType type,
                                         const Link& link) const {
  return Schema::complex(QStringLiteral("ElementConnectionData"),
                         QJsonObject{{QStringLiteral("source"), source.id()},
                                     {QStringLiteral("sink"), sink.id()},
                                     {QStringLiteral("type"), mediaTypeName(type)},
                                     {QStringLiteral("sourceDescription"), link.sourceDescription},
                                     {QStringLiteral("sinkDescription"), link.sinkDescription}});
}

QJsonArray MediaElement::sourceConnections(std::optional<MediaType> type, const QString& description) const {
  QJsonArray out;
  for (MediaType t : kAllMediaTypes) {
    if (type && *type != t) continue;
    const auto& link = sources_[index(t)];
    if (!link) continue;
    if (!description.isEmpty() && link->sinkDescription != description) continue;
    if (auto source = link->peer.lock()) out.append(connectionData(*source, *this, t, *link));
  }
  return out;
}

QJsonArray MediaElement::sinkConnections(std::optional<MediaType> type, const QString& description) const {
  QJsonArray out;
  for (MediaType t : kAllMediaTypes) {
    if (type && *type != t) continue;
    for (const auto& link : sinks_[index(t)]) {
      if (!description.isEmpty() && link.sourceDescription != description) continue;
      if (auto sink = link.peer.lock()) out.append(connectionData(*this, *sink, t, link));
    }
  }
  return out;
}

bool MediaElement::isTranscoding(MediaType type, const QString& binName) const {
  const auto& port = outputs_[index(type)];
  if (!port) return false;
  if (binName.isEmpty() || binName == u"default") return port->transcoding();
  return port->branchNames().contains(binName) && binName.contains(u"transcode");
}

void MediaElement::setEncoderBitrate(int bps) {
  encoder_.bitrateBps = bps;
  for (auto& port : outputs_) {
    if (port) port->setEncoderSettings(encoder_);
  }
}

void MediaElement::setOutputFormat(MediaType type, const ForcedFormat& forced) {
  const int i = index(type);
  if (forced_[i] == forced) return;
  forced_[i] = forced;
  if (outputs_[i]) outputs_[i]->setForcedFormat(forced);
  outputFormatChanged(type);
}

void MediaElement::setMinEncoderBitrate(int bps) {
  encoder_.minBitrateBps = std::max(0, bps);
  setEncoderBitrate(encoder_.bitrateBps);
}

void MediaElement::setMaxEncoderBitrate(int bps) {
  encoder_.maxBitrateBps = std::max(0, bps);
  setEncoderBitrate(encoder_.bitrateBps);
}

QJsonObject MediaElement::stats(std::optional<MediaType>) const {
  const QString statsId = id().section(u'/', -1).section(u'_', 0, 0);
  return QJsonObject{{statsId, Schema::complex(QStringLiteral("ElementStats"),
                                               QJsonObject{{QStringLiteral("id"), statsId},
                                                           {QStringLiteral("type"), QStringLiteral("element")},
                                                           {QStringLiteral("timestampMillis"), QDateTime::currentMSecsSinceEpoch()},
                                                           {QStringLiteral("inputLatency"), QJsonArray()}})}};
}

void MediaElement::statsAsync(std::optional<MediaType> type, std::shared_ptr<DeferredReply> reply) {
  reply->resolve(stats(type));
}

void MediaElement::checkFlow() {
  const qint64 now = g_get_monotonic_time();
  for (MediaType t : {MediaType::Audio, MediaType::Video}) {
    const int i = index(t);
    if (const auto in = inputActivityUs(t)) {
      const qint64 last = *in;
      const bool flowing = last > 0 && now - last < kFlowTimeoutUs;
      if (flowing != flowingIn_[i]) {
        flowingIn_[i] = flowing;
        raise(QStringLiteral("MediaFlowInStateChanged"), QJsonObject{{QStringLiteral("state"), flowState(flowing)},
                                                                     {QStringLiteral("padName"), QStringLiteral("default")},
                                                                     {QStringLiteral("mediaType"), mediaTypeName(t)}});
      }
    }
    if (const auto out = outputActivityUs(t)) {
      const qint64 last = *out;
      const bool flowing = last > 0 && now - last < kFlowTimeoutUs;
      if (flowing != flowingOut_[i]) {
        flowingOut_[i] = flowing;
        raise(QStringLiteral("MediaFlowOutStateChanged"), QJsonObject{{QStringLiteral("state"), flowState(flowing)},
                                                                      {QStringLiteral("padName"), QStringLiteral("default")},
                                                                      {QStringLiteral("mediaType"), mediaTypeName(t)}});
      }
    }
  }
}

void MediaElement::handleBusMessage(GstMessage* message) {
  if (GST_MESSAGE_TYPE(message) != GST_MESSAGE_ERROR) return;
  ErrorPtr err;
  GCharPtr dbg;
  gst_message_parse_error(message, err.out(), dbg.out());
  QString text = QString::fromUtf8(err ? err->message : "unknown error");
  // GStreamer's message is generic ("Could not multiplex stream."); the debug text's first line
  // after the element's path says what happened ("Caps changes are not supported by Matroska").
  if (dbg) {
    const QString debug = QString::fromUtf8(dbg.get());
    const qsizetype nl = debug.indexOf(u'\n');
    const QString detail = nl >= 0 ? debug.mid(nl + 1).section(u'\n', 0, 0).trimmed() : QString();
    if (!detail.isEmpty() && !text.contains(detail)) text += QStringLiteral(" (%1)").arg(detail);
  }
  QString kind = QStringLiteral("UNEXPECTED_ELEMENT_ERROR");
  if (err && err->domain == GST_RESOURCE_ERROR) {
    if (err->code == GST_RESOURCE_ERROR_OPEN_READ || err->code == GST_RESOURCE_ERROR_OPEN_WRITE ||
        err->code == GST_RESOURCE_ERROR_OPEN_READ_WRITE || err->code == GST_RESOURCE_ERROR_NOT_FOUND) {
      kind = QStringLiteral("RESOURCE_ERROR_OPEN");
    } else if (err->code == GST_RESOURCE_ERROR_WRITE) {
      kind = QStringLiteral("RESOURCE_ERROR_WRITE");
    } else if (err->code == GST_RESOURCE_ERROR_NO_SPACE_LEFT) {
      kind = QStringLiteral("RESOURCE_ERROR_NO_SPACE_LEFT");
    }
  } else if (err && err->domain == GST_STREAM_ERROR) {
    kind = err->code == GST_STREAM_ERROR_DECODE ? QStringLiteral("STREAM_ERROR_DECODE") : QStringLiteral("STREAM_ERROR_FAILED");
  }
  qCDebug(log::categoryFor(type()), "%s GStreamer error details: %s", qUtf8Printable(log::subject(ownerSession(), id())),
          qUtf8Printable(log::clip(QString::fromUtf8(dbg ? dbg.get() : ""), 1000)));
  raiseError(kind, text, err ? err->code : 0);
}

void MediaElement::onRegistered() {
  // The pipeline routes bus messages and media-flow checks to its elements.
  if (auto p = pipeline()) p->addElement(std::static_pointer_cast<MediaElement>(shared_from_this()), binName_);
}

void MediaElement::onRelease() {
  if (released_) return;
  released_ = true;
  auto self = std::static_pointer_cast<MediaElement>(shared_from_this());
  for (MediaType t : kAllMediaTypes) {
    dropSource(t);
    for (const auto& sink : sinks(t)) disconnectFrom(sink, t);
    sinks_[index(t)].clear();
    if (outputs_[index(t)]) outputs_[index(t)]->detachAll();
  }
  if (auto p = pipeline()) p->removeElement(binName_);
  retireInBackground(bin_);
}

void MediaElement::retireInBackground(ElementRef element, PadRef eosPad, int waitMs) {
  if (!element) return;
  Engine* engine = &this->engine();
  Reaper::instance().retire(std::move(element), std::move(eosPad), waitMs,
                            [engine, keep = shared_from_this()]() mutable {
                              // Streaming callbacks may point at this object until the element is
                              // NULL; destroy it on the engine thread, where it lives.
                              engine->post([keep = std::move(keep)]() {});
                            });
}

QString MediaElement::gstreamerDot(const QString& details) const { return MediaPipeline::dotOf(bin(), details); }

namespace {

std::optional<MediaType> optionalMediaType(const Invocation& call, const QString& name) {
  if (!call.has(name)) return std::nullopt;
  return parseMediaType(call.string(name));
}

std::shared_ptr<MediaElement> elementParam(const Invocation& call, const QString& name) {
  auto obj = call.objectParam(name);
  auto element = std::dynamic_pointer_cast<MediaElement>(obj);
  if (!element) throw KurentoException(KurentoError::marshall(name, QStringLiteral("MediaElement")));
  return element;
}

}  // namespace

void bindMediaElement(Bindings& b) {
  const QString c = QStringLiteral("MediaElement");
  b.add(c, QStringLiteral("connect"), [](Invocation& call) {
    auto sink = elementParam(call, QStringLiteral("sink"));
    call.as<MediaElement>().connectTo(sink, optionalMediaType(call, QStringLiteral("mediaType")),
                                      call.string(QStringLiteral("sourceMediaDescription")),
                                      call.string(QStringLiteral("sinkMediaDescription")));
    return QJsonValue();
  });
  b.add(c, QStringLiteral("disconnect"), [](Invocation& call) {
    auto sink = elementParam(call, QStringLiteral("sink"));
    call.as<MediaElement>().disconnectFrom(sink, optionalMediaType(call, QStringLiteral("mediaType")));
    return QJsonValue();
  });
  b.add(c, QStringLiteral("getSourceConnections"), [](Invocation& call) {
    return QJsonValue(call.as<MediaElement>().sourceConnections(optionalMediaType(call, QStringLiteral("mediaType")),
                                                                call.string(QStringLiteral("description"))));
  });
  b.add(c, QStringLiteral("getSinkConnections"), [](Invocation& call) {
    return QJsonValue(call.as<MediaElement>().sinkConnections(optionalMediaType(call, QStringLiteral("mediaType")),
                                                              call.string(QStringLiteral("description"))));
  });
  b.add(c, QStringLiteral("isMediaFlowingIn"), [](Invocation& call) {
    return QJsonValue(call.as<MediaElement>().isFlowingIn(*parseMediaType(call.string(QStringLiteral("mediaType")))));
  });
  b.add(c, QStringLiteral("isMediaFlowingOut"), [](Invocation& call) {
    return QJsonValue(call.as<MediaElement>().isFlowingOut(*parseMediaType(call.string(QStringLiteral("mediaType")))));
  });
  b.add(c, QStringLiteral("isMediaTranscoding"), [](Invocation& call) {
    return QJsonValue(call.as<MediaElement>().isTranscoding(*parseMediaType(call.string(QStringLiteral("mediaType"))),
                                                            call.string(QStringLiteral("binName"))));
  });
  b.add(c, QStringLiteral("getStats"), [](Invocation& call) {
    call.as<MediaElement>().statsAsync(optionalMediaType(call, QStringLiteral("mediaType")), call.defer());
    return QJsonValue();
  });
  b.add(c, QStringLiteral("getEncoderBitrate"), [](Invocation& call) { return QJsonValue(call.as<MediaElement>().encoderBitrate()); });
  b.add(c, QStringLiteral("setEncoderBitrate"), [](Invocation& call) {
    const qint64 v = call.integer(QStringLiteral("encoderBitrate"));
    if (v <= 0) throw KurentoException(KurentoError::illegalParam(QStringLiteral("'encoderBitrate' must be positive (bps)")));
    call.as<MediaElement>().setEncoderBitrate(static_cast<int>(v));
    return QJsonValue();
  });
  b.add(c, QStringLiteral("getMinEncoderBitrate"), [](Invocation& call) { return QJsonValue(call.as<MediaElement>().minEncoderBitrate()); });
  b.add(c, QStringLiteral("setMinEncoderBitrate"), [](Invocation& call) {
    call.as<MediaElement>().setMinEncoderBitrate(static_cast<int>(call.integer(QStringLiteral("minEncoderBitrate"))));
    return QJsonValue();
  });
  b.add(c, QStringLiteral("getMaxEncoderBitrate"), [](Invocation& call) { return QJsonValue(call.as<MediaElement>().maxEncoderBitrate()); });
  b.add(c, QStringLiteral("setMaxEncoderBitrate"), [](Invocation& call) {
    call.as<MediaElement>().setMaxEncoderBitrate(static_cast<int>(call.integer(QStringLiteral("maxEncoderBitrate"))));
    return QJsonValue();
  });
  b.add(c, QStringLiteral("setVideoFormat"), [](Invocation& call) {
    call.as<MediaElement>().setOutputFormat(MediaType::Video, forcedVideoFormat(call.params().value(QStringLiteral("caps"))));
    return QJsonValue();
  });
  b.add(c, QStringLiteral("setAudioFormat"), [](Invocation& call) {
    call.as<MediaElement>().setOutputFormat(MediaType::Audio, forcedAudioFormat(call.params().value(QStringLiteral("caps"))));
    return QJsonValue();
  });
}

}  // namespace pw
