#include "LeanWebRtcEndpoint.h"

#include "DtlsCertificate.h"
#include "RtpCodecs.h"

#include "core/Bindings.h"
#include "core/ResourceGuard.h"
#include "core/Invocation.h"
#include "media/MediaPipeline.h"
#include "media/OutputPort.h"
#include "media/SinkInput.h"
#include "pipewright/engine/Engine.h"
#include "pipewright/engine/Schema.h"
#include "transport/MediaThreadPool.h"
#include "transport/TransportWarmUp.h"
#include "transport/WebRtcTransport.h"
#include "pipewright/engine/Log.h"

#include <QDateTime>
#include <QRandomGenerator>
#include <QRegularExpression>

#include <gst/app/gstappsink.h>
#include <gst/app/gstappsrc.h>
#include <gst/video/video-event.h>

#include <mutex>

namespace pw {

using transport::MediaKind;
using transport::WebRtcTransport;

namespace {

MediaKind kindOf(MediaType t) { return t == MediaType::Audio ? MediaKind::Audio : MediaKind::Video; }
constexpr uintptr_t kJunctionSource = 1;  // sourceId of packets from our GStreamer input

// The DTLS context of the process: one SSL_CTX with the configured (or generated) certificate.
std::shared_ptr<transport::DtlsContext> sharedDtlsContext(const Config& config, QString* error) {
  static std::mutex mutex;
  static std::shared_ptr<transport::DtlsContext> context;
  static QByteArray pemOfContext;
  std::lock_guard lock(mutex);
  const DtlsCertificate::Identity identity = DtlsCertificate::get(config, error);
  if (identity.pem.isEmpty()) return nullptr;
  if (!context || pemOfContext != identity.pem) {
    std::string why;
    context = transport::DtlsContext::create(identity.pem.toStdString(), &why);
    if (!context) {
      if (error) *error = QString::fromStdString(why);
      return nullptr;
    }
    pemOfContext = identity.pem;
  }
  return context;
}

QString randomToken(int length) {
  static constexpr char kChars[] = "abcdefghijklmnopqrstuvwxyz0123456789";
  QString out;
  for (int i = 0; i < length; ++i) out.append(QLatin1Char(kChars[QRandomGenerator::system()->bounded(36)]));
  return out;
}

}  // namespace

// What the media thread and GStreamer streaming threads share with the endpoint: posting back to
// the engine thread, and the junction's appsrcs (packets from the peer for GStreamer sinks).
struct LeanWebRtcEndpoint::Bridge {
  Engine* engine = nullptr;
  std::weak_ptr<MediaObject> owner;
  std::mutex mutex;
  std::array<ElementRef, 2> junctionSrc;

  template <typename F>
  void post(F fn) {
    std::weak_ptr<MediaObject> weak = owner;
    engine->post([weak, fn]() {
      if (auto e = std::static_pointer_cast<LeanWebRtcEndpoint>(weak.lock())) fn(*e);
    });
  }
  void pushJunction(MediaKind kind, const uint8_t* data, size_t size) {
    ElementRef src;
    {
      std::lock_guard lock(mutex);
      src = junctionSrc[static_cast<size_t>(kind)];
    }
    if (src) gst_app_src_push_buffer(GST_APP_SRC(src.get()), gst_buffer_new_memdup(data, size));
  }
};

namespace {

// RTCIceCandidateAttributes of one candidate line ("candidate:<foundation> <component> <transport>
// <priority> <address> <port> typ <type> …").
QJsonObject candidateStats(const QString& id, const QString& line, qint64 now, bool local) {
  QString text = line;
  if (text.startsWith(u"a=")) text = text.mid(2);
  const QStringList f = text.section(u':', 1).split(u' ', Qt::SkipEmptyParts);
  const QString typ = f.indexOf(QStringLiteral("typ")) >= 0 ? f.value(f.indexOf(QStringLiteral("typ")) + 1) : QString();
  const QString type = typ == u"srflx" ? QStringLiteral("serverreflexive")
                       : typ == u"prflx" ? QStringLiteral("peerreflexive")
                       : typ == u"relay" ? QStringLiteral("relayed")
                                         : QStringLiteral("host");
  return Schema::complex(QStringLiteral("RTCIceCandidateAttributes"),
                         QJsonObject{{QStringLiteral("id"), id},
                                     {QStringLiteral("type"), local ? QStringLiteral("localcandidate") : QStringLiteral("remotecandidate")},
                                     {QStringLiteral("timestampMillis"), now},
                                     {QStringLiteral("ipAddress"), f.value(4)},
                                     {QStringLiteral("portNumber"), f.value(5).toLongLong()},
                                     {QStringLiteral("transport"), f.value(2).toLower()},
                                     {QStringLiteral("candidateType"), type},
                                     {QStringLiteral("priority"), f.value(3).toLongLong()},
                                     {QStringLiteral("addressSourceUrl"), QString()}});
}

// getStats' transport, candidate-pair and candidate entries (the lean path's own).
void addTransportStats(QJsonObject& out, const transport::TransportStats& s, qint64 now, bool controlling) {
  // One bundled, RTCP-multiplexed transport and, once ICE connected, its selected pair. Both
  // concern every media type, so a mediaType filter keeps them.
  const bool selected = !s.localCandidate.empty() && !s.remoteCandidate.empty();
  const QString transportId = QStringLiteral("transport-0");
  const QString pairId = QStringLiteral("candidate-pair-0");
  out.insert(transportId, Schema::complex(QStringLiteral("RTCTransportStats"),
                                          QJsonObject{{QStringLiteral("id"), transportId},
                                                      {QStringLiteral("type"), QStringLiteral("transport")},
                                                      {QStringLiteral("timestampMillis"), now},
                                                      {QStringLiteral("bytesSent"), static_cast<qint64>(s.bytesSent)},
                                                      {QStringLiteral("bytesReceived"), static_cast<qint64>(s.bytesReceived)},
                                                      {QStringLiteral("rtcpTransportStatsId"), QString()},
                                                      {QStringLiteral("activeConnection"), s.dtlsState == "CONNECTED"},
                                                      {QStringLiteral("selectedCandidatePairId"), selected ? pairId : QString()},
                                                      {QStringLiteral("localCertificateId"), QString()},
                                                      {QStringLiteral("remoteCertificateId"), QString()}}));
  if (!selected) return;
  const auto pairRoundTripSec = [](const transport::TransportStats& t) {
    const double video = t.outbound[static_cast<size_t>(transport::MediaKind::Video)].roundTripTimeSec;
    return video > 0 ? video : t.outbound[static_cast<size_t>(transport::MediaKind::Audio)].roundTripTimeSec;
  };
  const QString localId = QStringLiteral("local-candidate-0");
  const QString remoteId = QStringLiteral("remote-candidate-0");
  const QJsonObject local = candidateStats(localId, QString::fromStdString(s.localCandidate), now, true);
  const QJsonObject remote = candidateStats(remoteId, QString::fromStdString(s.remoteCandidate), now, false);
  // RFC 8445 §6.1.2.3 pair priority, with G and D from our role (controlling when we offered).
  const qint64 ours = local.value(u"priority").toInteger(), theirs = remote.value(u"priority").toInteger();
  const qint64 g = controlling ? ours : theirs, d = controlling ? theirs : ours;
  const qint64 pairPriority = (std::min(g, d) << 32) + 2 * std::max(g, d) + (g > d ? 1 : 0);
  out.insert(pairId, Schema::complex(QStringLiteral("RTCIceCandidatePairStats"),
                                     QJsonObject{{QStringLiteral("id"), pairId},
                                                 {QStringLiteral("type"), QStringLiteral("candidatepair")},
                                                 {QStringLiteral("timestampMillis"), now},
                                                 {QStringLiteral("transportId"), transportId},
                                                 {QStringLiteral("localCandidateId"), localId},
                                                 {QStringLiteral("remoteCandidateId"), remoteId},
                                                 {QStringLiteral("state"), QStringLiteral("succeeded")},
                                                 {QStringLiteral("priority"), pairPriority},
                                                 {QStringLiteral("nominated"), true},
                                                 {QStringLiteral("writable"), true},
                                                 {QStringLiteral("readable"), true},
                                                 {QStringLiteral("bytesSent"), static_cast<qint64>(s.bytesSent)},
                                                 {QStringLiteral("bytesReceived"), static_cast<qint64>(s.bytesReceived)},
                                                 // The latest of the outbound streams' (video's first).
                                                 {QStringLiteral("roundTripTime"), pairRoundTripSec(s)},
                                                 // The peer's REMB: what it says it can take from us.
                                                 {QStringLiteral("availableOutgoingBitrate"), static_cast<double>(s.receivedRembBps)},
                                                 // Our REMB: what we ask the peer to send at most (0: none sent).
                                                 {QStringLiteral("availableIncomingBitrate"), static_cast<double>(s.sentRembBps)}}));
  out.insert(localId, local);
  out.insert(remoteId, remote);
}

}  // namespace

LeanWebRtcEndpoint::LeanWebRtcEndpoint(const Creation& creation)
    : WebRtcPeer(creation, QStringLiteral("WebRtcEndpoint")),
      recvOnly_(creation.params.value(u"recvonly").toBool(false)),
      sendOnly_(creation.params.value(u"sendonly").toBool(false)) {
  if (recvOnly_ && sendOnly_) {
    throw KurentoException(KurentoError::illegalParam(QStringLiteral("A WebRtcEndpoint cannot be both recvonly and sendonly")));
  }
  // The certificate is checked now, as on the webrtcbin path: an unusable one fails create.
  QString error;
  dtlsContext_ = sharedDtlsContext(creation.engine.config(), &error);
  if (!dtlsContext_) {
    throw KurentoException(ErrorCode::UnexpectedError,
                           QStringLiteral("No DTLS certificate: %1 (fix or remove \"pemCertificate\" in the config)").arg(error));
  }
  bridge_ = std::make_shared<Bridge>();
  bridge_->engine = &creation.engine;
  cname_ = randomToken(16);
  // The outputs exist from the start (tees: no thread, no data until a junction feeds them), so
  // GStreamer sinks can be connected at any time.
  addOutput(MediaType::Video);
  addOutput(MediaType::Audio);
  start();
}

QString LeanWebRtcEndpoint::resourceClass() const { return QString::fromLatin1(ResourceGuard::kLeanWebRtcClass); }

LeanWebRtcEndpoint::~LeanWebRtcEndpoint() {
  if (transport_) {
    auto t = std::move(transport_);
    t->loop().post([t] { t->close(); });
  }
}

void LeanWebRtcEndpoint::post(std::function<void(WebRtcTransport&)> task) const {
  if (!transport_) return;
  auto t = transport_;
  t->loop().post([t, task = std::move(task)] { task(*t); });
}

const LeanMedia* LeanWebRtcEndpoint::line(MediaType type, bool sending) const {
  if (!negotiated_) return nullptr;
  for (const auto& m : negotiation_.media) {
    if (m.accepted && m.type == type && (sending ? m.send : m.receive)) return &m;
  }
  return nullptr;
}

void LeanWebRtcEndpoint::createTransport(bool controlling) {
  bridge_->owner = weak_from_this();
  auto dtls = dtlsContext_;
  transport::IceAgent::Settings ice;
  ice.controlling = controlling;
  for (const auto& a : engine().config().iceAddresses()) ice.localAddresses.push_back(a.toStdString());
  if (!stunServerAddress.isEmpty()) {
    ice.stunServer = stunServerAddress.toStdString();
    ice.stunPort = static_cast<unsigned>(stunServerPort);
  }
  if (!turnUrl.isEmpty()) {
    // user:password@address:port
    const QString credentials = turnUrl.section(u'@', 0, 0);
    const QString hostPort = turnUrl.section(u'@', 1).section(u'?', 0, 0);
    ice.turnUser = credentials.section(u':', 0, 0).toStdString();
    ice.turnPassword = credentials.section(u':', 1).toStdString();
    ice.turnServer = hostPort.section(u':', 0, 0).toStdString();
    ice.turnPort = hostPort.section(u':', 1).toUInt() ? hostPort.section(u':', 1).toUInt() : 3478;
  }
  ice.tcp = iceTcp;

  std::shared_ptr<Bridge> bridge = bridge_;
  WebRtcTransport::Observer o;
  o.localCandidate = [bridge](const std::string& line) {
    const QString text = QString::fromStdString(line);
    bridge->post([text](LeanWebRtcEndpoint& e) {
      e.gathered_.append(text);
      e.updateLocalDescription();
      if (!e.gatherRequested_) {
        e.localCandidates_.append(text);
        return;
      }
      e.raiseCandidate(e.negotiation_.bundleMLine, e.negotiation_.bundleMid, text);
    });
  };
  o.gatheringDone = [bridge] {
    bridge->post([](LeanWebRtcEndpoint& e) {
      e.gatheringDone_ = true;
      e.updateLocalDescription();
      if (e.gatherRequested_ && !e.gatheringDoneRaised_) {
        e.gatheringDoneRaised_ = true;
        e.raise(QStringLiteral("IceGatheringDone"));
      }
      for (auto& done : std::exchange(e.gatheringWaiters_, {})) done();
    });
  };
  o.iceState = [bridge](transport::IceAgent::State s) {
    const QString name = QString::fromLatin1(transport::IceAgent::stateName(s));
    bridge->post([s, name](LeanWebRtcEndpoint& e) { e.onIceState(static_cast<int>(s), name); });
  };
  o.selectedPair = [bridge](const std::string& local, const std::string& remote) {
    const QString l = QString::fromStdString(local), r = QString::fromStdString(remote);
    bridge->post([l, r](LeanWebRtcEndpoint& e) {
      const QJsonObject pair = Schema::complex(QStringLiteral("IceCandidatePair"),
                                               QJsonObject{{QStringLiteral("streamId"), QStringLiteral("1")},
                                                           {QStringLiteral("componentId"), 1},
                                                           {QStringLiteral("localCandidate"), l},
                                                           {QStringLiteral("remoteCandidate"), r}});
      e.candidatePairs_ = QJsonArray{pair};
      e.raise(QStringLiteral("NewCandidatePairSelected"), QJsonObject{{QStringLiteral("candidatePair"), pair}});
    });
  };
  o.dtlsState = [bridge](transport::DtlsTransport::State s) {
    const QString name = QString::fromLatin1(transport::DtlsTransport::stateName(s));
    bridge->post([name](LeanWebRtcEndpoint& e) { e.setDtlsState(name); });
  };
  o.connected = [bridge] { bridge->post([](LeanWebRtcEndpoint& e) { e.onConnected(); }); };
  o.failed = [bridge](const std::string& reason) {
    const QString why = QString::fromStdString(reason);
    bridge->post([why](LeanWebRtcEndpoint& e) { e.onFailed(why); });
  };
  o.closed = [bridge] { bridge->post([](LeanWebRtcEndpoint& e) { e.onFailed(QStringLiteral("the peer closed the DTLS connection")); }); };
  o.junctionRtp = [bridge](MediaKind kind, const uint8_t* data, size_t size) { bridge->pushJunction(kind, data, size); };
  o.keyframeRequested = [bridge](MediaKind kind) {
    if (kind != MediaKind::Video) return;
    bridge->post([](LeanWebRtcEndpoint& e) {
      if (auto& input = e.inputs_[index(MediaType::Video)]) input->requestKeyframe();
    });
  };
  o.rembReceived = [bridge](int64_t bps) {
    bridge->post([bps](LeanWebRtcEndpoint& e) {
      auto& input = e.inputs_[index(MediaType::Video)];
      if (!input) return;
      qint64 wish = bps;
      if (e.maxVideoSendBandwidth > 0) wish = std::min<qint64>(wish, e.maxVideoSendBandwidth * 1000LL);
      if (e.minVideoSendBandwidth > 0) wish = std::max<qint64>(wish, e.minVideoSendBandwidth * 1000LL);
      input->setBitrateWish(static_cast<int>(std::min<qint64>(wish, 1000000000)));
    });
  };
  auto p = pipeline();
  if (!p) throw KurentoException(ErrorCode::UnexpectedError, QStringLiteral("The pipeline of this endpoint is gone"));
  loop_ = &p->mediaLoop(engine().config().mediaThreads);
  transport_ = WebRtcTransport::create(*loop_, std::move(dtls), std::move(ice), std::move(o));
  post([bridge](WebRtcTransport& t) {
    std::string why;
    if (t.start(&why)) return;
    const QString reason = QString::fromStdString(why);
    bridge->post([reason](LeanWebRtcEndpoint& e) { e.onFailed(reason); });
  });
  maybeGather();
  bandwidthChanged();
}

void LeanWebRtcEndpoint::bandwidthChanged() {
  const int64_t minBps = static_cast<int64_t>(minVideoSendBandwidth) * 1000;
  const int64_t maxBps = static_cast<int64_t>(maxVideoSendBandwidth) * 1000;
  const int64_t maxRecvBps = static_cast<int64_t>(maxVideoRecvBandwidth) * 1000;
  post([minBps, maxBps, maxRecvBps](WebRtcTransport& t) {
    t.setSendBitrateLimits(minBps, maxBps);
    t.setMaxReceiveBitrate(maxRecvBps);
  });
}

void LeanWebRtcEndpoint::updateLocalDescription() {
  if (baseLocalSdp_.isEmpty()) return;
  localSdp_ = LeanSdp::withCandidates(baseLocalSdp_, negotiation_.bundleMLine, gathered_, gatheringDone_);
}

void LeanWebRtcEndpoint::maybeGather() {
  if (!gatherRequested_ || !transport_ || gatherStarted_) return;
  gatherStarted_ = true;
  post([](WebRtcTransport& t) { t.gather(); });
}

void LeanWebRtcEndpoint::startTransport() {
  transport::TransportSettings settings;
  const auto& r = negotiation_.remote;
  // RFC 8842: an actpass peer lets us choose; we take the client side (one round trip less).
  settings.dtlsRole = r.setup == u"active" ? transport::DtlsRole::Server : transport::DtlsRole::Client;
  settings.remoteFingerprintAlgorithm = r.fingerprintAlgorithm.toStdString();
  settings.remoteFingerprint = r.fingerprint.toStdString();
  settings.remoteUfrag = r.ufrag.toStdString();
  settings.remotePassword = r.password.toStdString();
  settings.cname = cname_.toStdString();
  for (const auto& m : negotiation_.media) {
    if (!m.accepted) continue;
    transport::StreamSettings s;
    s.kind = kindOf(m.type);
    s.payloadType = static_cast<uint8_t>(m.payload);
    s.clockRate = static_cast<uint32_t>(m.clockRate);
    s.codec = m.encoding == u"H264"  ? transport::VideoCodec::H264
              : m.encoding == u"VP9" ? transport::VideoCodec::Vp9
                                     : transport::VideoCodec::Vp8;
    s.send = m.send;
    s.receive = m.receive;
    s.localSsrc = m.localSsrc;
    s.nack = m.nack;
    s.pli = m.pli;
    s.fir = m.fir;
    s.remb = m.remb;
    settings.streams.push_back(s);
    if (m.transportCc && settings.transportCcExtensionId == 0) settings.transportCcExtensionId = m.transportCcExtension;
  }
  QStringList candidates = r.candidates + std::exchange(remoteCandidates_, {});
  std::vector<std::string> lines;
  for (const auto& c : candidates) lines.push_back(c.toStdString());
  const int64_t maxRecvBps = static_cast<int64_t>(maxVideoRecvBandwidth) * 1000;
  post([settings, lines, maxRecvBps](WebRtcTransport& t) {
    t.setMaxReceiveBitrate(maxRecvBps);
    t.configure(settings);
    for (const auto& l : lines) t.addRemoteCandidate(l);
  });
}

void LeanWebRtcEndpoint::processOffer(const QString& offer, std::shared_ptr<DeferredReply> reply) {
  if (negotiated_ || offerGenerated_) {
    throw KurentoException(ErrorCode::SdpEndPointAlreadyNegotiated,
                           QStringLiteral("This WebRtcEndpoint already negotiated; create a new endpoint for a new peer"));
  }
  LeanNegotiation n = LeanSdp::parseOffer(offer, recvOnly_, sendOnly_);
  createTransport(false);
  // The agent is made on the media thread; the answer only needs the credentials we chose.
  negotiation_ = n;
  LeanLocalTransport local{QString::fromStdString(transport_->iceUfrag()), QString::fromStdString(transport_->icePassword()),
                           QString::fromStdString(transport_->fingerprintSha256()),
                           n.remote.setup == u"active" ? QStringLiteral("passive") : QStringLiteral("active"),
                           cname_, QStringLiteral("pipewright-") + cname_.left(8), maxAudioRecvBandwidth, maxVideoRecvBandwidth};
  remoteSdp_ = offer;
  localSdp_ = baseLocalSdp_ = LeanSdp::answer(negotiation_, local);
  updateLocalDescription();
  negotiated_ = true;
  startTransport();
  finishNegotiation();
  reply->resolve(localSdp_);
  raise(QStringLiteral("MediaSessionStarted"));
}

void LeanWebRtcEndpoint::generateOffer(const QJsonObject& options, std::shared_ptr<DeferredReply> reply) {
  if (negotiated_ || offerGenerated_) {
    throw KurentoException(ErrorCode::SdpEndPointAlreadyNegotiated,
                           QStringLiteral("This WebRtcEndpoint already negotiated; create a new endpoint for a new peer"));
  }
  createTransport(true);
  LeanLocalTransport local{QString::fromStdString(transport_->iceUfrag()), QString::fromStdString(transport_->icePassword()),
                           QString::fromStdString(transport_->fingerprintSha256()), QStringLiteral("actpass"),
                           cname_, QStringLiteral("pipewright-") + cname_.left(8), maxAudioRecvBandwidth, maxVideoRecvBandwidth};
  const bool receiveAudio = options.value(u"offerToReceiveAudio").toBool(true) && !sendOnly_;
  const bool receiveVideo = options.value(u"offerToReceiveVideo").toBool(true) && !sendOnly_;
  localSdp_ = baseLocalSdp_ = LeanSdp::offer(&negotiation_, local, !recvOnly_, receiveAudio, receiveVideo);
  updateLocalDescription();
  offerGenerated_ = true;
  reply->resolve(localSdp_);
}

void LeanWebRtcEndpoint::processAnswer(const QString& answer, std::shared_ptr<DeferredReply> reply) {
  if (!offerGenerated_ || localSdp_.isEmpty()) {
    throw KurentoException(ErrorCode::SdpEndPointNotOfferGenerated, QStringLiteral("processAnswer needs an offer from generateOffer first"));
  }
  if (negotiated_) {
    throw KurentoException(ErrorCode::SdpEndPointAnswerAlreadyProcessed, QStringLiteral("The answer was already processed"));
  }
  LeanNegotiation n = negotiation_;
  LeanSdp::parseAnswer(answer, &n);
  negotiation_ = n;
  // We offered actpass: the answerer's choice decides (active → we are the DTLS server).
  remoteSdp_ = answer;
  negotiated_ = true;
  startTransport();
  finishNegotiation();
  reply->resolve(localSdp_);
  raise(QStringLiteral("MediaSessionStarted"));
}

void LeanWebRtcEndpoint::finishNegotiation() {
  // Links made before the negotiation take their final shape now: as a source…
  refreshLinks();
  // …and as a sink: relayed from a lean source, or through a junction from a GStreamer one.
  for (MediaType t : {MediaType::Audio, MediaType::Video}) {
    auto src = source(t);
    if (!src) continue;
    if (auto lean = std::dynamic_pointer_cast<LeanWebRtcEndpoint>(src)) {
      lean->refreshLink(std::static_pointer_cast<LeanWebRtcEndpoint>(shared_from_this()), t);
    } else {
      prepareInput(t);
      attachExistingSource(t);
    }
    // GStreamer sinks connected before: their junction can be built now.
  }
  for (MediaType t : {MediaType::Audio, MediaType::Video}) {
    bool wanted = outputWanted_[index(t)];
    for (const auto& sink : sinks(t)) wanted = wanted || !std::dynamic_pointer_cast<LeanWebRtcEndpoint>(sink);
    if (wanted) prepareOutput(t);
  }
}

void LeanWebRtcEndpoint::refreshLinks() {
  for (MediaType t : {MediaType::Audio, MediaType::Video}) {
    for (const auto& link : directSinks_[index(t)]) {
      if (auto sink = link.sink.lock()) refreshLink(sink, t);
    }
  }
}

bool LeanWebRtcEndpoint::connectDirect(const std::shared_ptr<MediaElement>& sink, MediaType type) {
  if (type == MediaType::Data) return false;
  auto lean = std::dynamic_pointer_cast<LeanWebRtcEndpoint>(sink);
  if (!lean) return false;
  auto& links = directSinks_[index(type)];
  links.removeIf([&](const DirectLink& l) { return l.sink.expired() || l.sink.lock() == lean; });
  links.append(DirectLink{lean});
  refreshLink(lean, type);
  return true;
}

void LeanWebRtcEndpoint::refreshLink(const std::shared_ptr<LeanWebRtcEndpoint>& sink, MediaType type) {
  auto& links = directSinks_[index(type)];
  DirectLink* link = nullptr;
  for (auto& l : links) {
    if (l.sink.lock() == sink) link = &l;
  }
  if (!link || !negotiated_ || !sink->negotiated_) return;
  const LeanMedia* in = line(type, false);
  const LeanMedia* out = sink->line(type, true);
  if (!in || !out) return;
  // Packets pass unchanged only when the sink may receive them as they are: H.264 from a mode 1
  // peer (FU-A, STAP-A) goes to a mode 0 sink through the junctions, which payload it again.
  // A forced output format (setVideoFormat / setAudioFormat) goes through GStreamer.
  const bool relay = outputFormat(type).format.isEmpty() && in->encoding == out->encoding &&
                     (in->encoding != u"H264" || out->packetizationMode != 0 || in->packetizationMode == 0);
  if (relay && !link->relayed) {
    link->relayed = true;
    auto source = transport_;
    auto target = sink->transport_;
    const MediaKind kind = kindOf(type);
    if (source && target) source->loop().post([kind, source, target] { WebRtcTransport::link(kind, source, target); });
  } else if (!relay && !link->ported) {
    // Different codecs: the GStreamer junctions transcode (MediaTranscodingStateChanged); the same
    // codec in another packetization: they depayload and payload again.
    link->ported = true;
    attachPorts(sink, type);
  }
}

void LeanWebRtcEndpoint::disconnectDirect(const std::shared_ptr<MediaElement>& sink, MediaType type) {
  if (type == MediaType::Data) return;
  auto lean = std::dynamic_pointer_cast<LeanWebRtcEndpoint>(sink);
  if (!lean) return;
  auto& links = directSinks_[index(type)];
  for (const auto& l : links) {
    if (l.sink.lock() != lean) continue;
    if (l.relayed && transport_ && lean->transport_) {
      auto source = transport_;
      auto target = lean->transport_;
      const MediaKind kind = kindOf(type);
      source->loop().post([kind, source, target] { WebRtcTransport::unlink(kind, source, target); });
    }
  }
  links.removeIf([&](const DirectLink& l) { return l.sink.expired() || l.sink.lock() == lean; });
}

void LeanWebRtcEndpoint::outputFormatChanged(MediaType type) {
  if (type == MediaType::Data || outputFormat(type).format.isEmpty()) return;  // ported links stay ported
  const MediaKind kind = kindOf(type);
  QList<std::shared_ptr<LeanWebRtcEndpoint>> moved;
  for (auto& l : directSinks_[index(type)]) {
    auto sink = l.sink.lock();
    if (!sink || !l.relayed) continue;
    l.relayed = false;
    if (transport_ && sink->transport_) {
      auto source = transport_;
      auto target = sink->transport_;
      source->loop().post([kind, source, target] { WebRtcTransport::unlink(kind, source, target); });
    }
    moved.append(sink);
  }
  for (const auto& sink : moved) refreshLink(sink, type);
}

void LeanWebRtcEndpoint::prepareOutput(MediaType type) {
  if (type == MediaType::Data || junctionOut_[index(type)]) return;
  const LeanMedia* m = line(type, false);
  if (!m) {
    outputWanted_[index(type)] = true;  // built once negotiated (finishNegotiation)
    return;
  }
  const QString depay = depayloaderFor(m->encoding);
  if (depay.isEmpty()) return;
  const bool video = type == MediaType::Video;
  ElementRef src = makeElement("appsrc", video ? "rtp-in-video" : "rtp-in-audio");
  CapsRef caps = CapsRef::adopt(gst_caps_new_simple("application/x-rtp", "media", G_TYPE_STRING, video ? "video" : "audio",
                                                    "clock-rate", G_TYPE_INT, m->clockRate, "encoding-name", G_TYPE_STRING,
                                                    m->encoding.toUtf8().constData(), "payload", G_TYPE_INT, m->payload, nullptr));
  g_object_set(src.get(), "is-live", TRUE, "format", GST_FORMAT_TIME, "do-timestamp", TRUE, "caps", caps.get(), "max-bytes",
               static_cast<guint64>(4 * 1024 * 1024), "leaky-type", 2, "block", FALSE, nullptr);
  ElementRef jitter = makeElement("rtpjitterbuffer");
  g_object_set(jitter.get(), "latency", static_cast<guint>(engine().config().jitterBufferLatencyMs), nullptr);
  ElementRef chainRef = ElementRef::adopt(gst_parse_bin_from_description(depay.toUtf8().constData(), TRUE, nullptr));
  GstElement* chain = chainRef.get();
  if (!src || !jitter || !chain) {
    raiseError(QStringLiteral("UNEXPECTED_ELEMENT_ERROR"), QStringLiteral("Cannot build the GStreamer junction for %1").arg(m->encoding));
    return;
  }
  GstElement* tee = outputs_[index(type)]->tee();
  addToBin({src.get(), jitter.get(), chain});
  ElementRef keepSrc = src;
  linkChain({keepSrc.get(), jitter.get(), chain, tee});
  // A keyframe request from downstream (a depayloader, a decoder) becomes a PLI to the peer.
  PadRef srcPad = PadRef::adopt(gst_element_get_static_pad(keepSrc.get(), "src"));
  std::weak_ptr<WebRtcTransport> weak = transport_;
  gst_pad_add_probe(
      srcPad.get(), GST_PAD_PROBE_TYPE_EVENT_UPSTREAM,
      [](GstPad*, GstPadProbeInfo* info, gpointer user) -> GstPadProbeReturn {
        GstEvent* event = GST_PAD_PROBE_INFO_EVENT(info);
        if (event && gst_video_event_is_force_key_unit(event)) {
          if (auto t = static_cast<std::weak_ptr<WebRtcTransport>*>(user)->lock()) {
            t->loop().post([t] { t->requestKeyframe(MediaKind::Video); });
          }
        }
        return GST_PAD_PROBE_OK;
      },
      new std::weak_ptr<WebRtcTransport>(weak), [](gpointer p) { delete static_cast<std::weak_ptr<WebRtcTransport>*>(p); });
  gst_element_sync_state_with_parent(chain);
  gst_element_sync_state_with_parent(jitter.get());
  gst_element_sync_state_with_parent(keepSrc.get());
  {
    std::lock_guard lock(bridge_->mutex);
    bridge_->junctionSrc[index(type)] = keepSrc;
  }
  junctionOut_[index(type)] = true;
  const MediaKind kind = kindOf(type);
  post([kind](WebRtcTransport& t) {
    t.setJunctionOpen(kind, true);
    t.requestKeyframe(kind);
  });
}

void LeanWebRtcEndpoint::prepareInput(MediaType type) {
  if (type == MediaType::Data || junctionIn_[index(type)]) return;
  const LeanMedia* m = line(type, true);
  if (!m) return;  // built once negotiated (finishNegotiation)
  // H.264 mode 0: no FU-A/STAP-A; the transport carries packets up to `mtu` (see payloaderFor).
  ElementRef payRef = ElementRef::adopt(gst_parse_bin_from_description(
      payloaderFor(m->encoding, m->payload, mtu, m->packetizationMode).toUtf8().constData(), TRUE, nullptr));
  GstElement* pay = payRef.get();
  ElementRef sink = makeElement("appsink");
  if (!pay || !sink) {
    raiseError(QStringLiteral("UNEXPECTED_ELEMENT_ERROR"), QStringLiteral("Cannot build the GStreamer junction for %1").arg(m->encoding));
    return;
  }
  g_object_set(sink.get(), "sync", FALSE, "async", FALSE, "max-buffers", 200u, "drop", TRUE, nullptr);
  struct SinkData {
    std::weak_ptr<WebRtcTransport> transport;
    MediaKind kind;
  };
  GstAppSinkCallbacks callbacks{};
  callbacks.new_sample = [](GstAppSink* appsink, gpointer user) -> GstFlowReturn {
    auto* d = static_cast<SinkData*>(user);
    SampleRef sample = SampleRef::adopt(gst_app_sink_pull_sample(appsink));
    if (!sample) return GST_FLOW_OK;
    GstBuffer* buffer = gst_sample_get_buffer(sample.get());
    GstMapInfo map;
    auto t = d->transport.lock();
    if (t && buffer && gst_buffer_map(buffer, &map, GST_MAP_READ)) {
      std::vector<uint8_t> packet(map.data, map.data + map.size);
      gst_buffer_unmap(buffer, &map);
      const MediaKind kind = d->kind;
      t->loop().post([t, kind, packet = std::move(packet)] { t->sendRtp(kind, packet.data(), packet.size(), kJunctionSource); });
    }
    return GST_FLOW_OK;
  };
  gst_app_sink_set_callbacks(GST_APP_SINK(sink.get()), &callbacks, new SinkData{transport_, kindOf(type)},
                             [](gpointer p) { delete static_cast<SinkData*>(p); });
  GstElement* in = addInput(type, wantedFormat(m->encoding));
  GstElement* appsink = sink.get();
  addToBin({pay, appsink});
  linkChain({in, pay, appsink});
  gst_element_sync_state_with_parent(appsink);
  gst_element_sync_state_with_parent(pay);
  gst_element_sync_state_with_parent(in);
  junctionIn_[index(type)] = true;
}

std::optional<qint64> LeanWebRtcEndpoint::inputActivityUs(MediaType type) const {
  if (type == MediaType::Data || !line(type, true) || !transport_) return std::nullopt;
  qint64 last = transport_->lastSentUs(kindOf(type));
  if (const auto& input = inputs_[index(type)]) last = std::max(last, input->lastBufferUs());
  return last;
}

std::optional<qint64> LeanWebRtcEndpoint::outputActivityUs(MediaType type) const {
  if (type == MediaType::Data || !line(type, false) || !transport_) return std::nullopt;
  return transport_->lastReceivedUs(kindOf(type));
}

std::optional<quint64> LeanWebRtcEndpoint::receivedBytes(MediaType type) const {
  if (type == MediaType::Data || !line(type, true) || !transport_) return MediaElement::receivedBytes(type);
  return transport_->sentBytes(kindOf(type));
}

CapsRef LeanWebRtcEndpoint::inputCapsFrom(const QString& sourceId, MediaType type) const {
  if (CapsRef caps = MediaElement::inputCapsFrom(sourceId, type)) return caps;  // through the junction
  const auto from = source(type);
  const LeanMedia* m = line(type, true);
  if (!from || from->id() != sourceId || !m) return {};
  // Relayed: what goes out is the negotiated RTP stream itself.
  return CapsRef::adopt(gst_caps_new_simple("application/x-rtp", "media", G_TYPE_STRING, type == MediaType::Video ? "video" : "audio",
                                            "encoding-name", G_TYPE_STRING, m->encoding.toUpper().toUtf8().constData(), "payload",
                                            G_TYPE_INT, m->payload, "clock-rate", G_TYPE_INT, m->clockRate, nullptr));
}

void LeanWebRtcEndpoint::requestKeyframe() {
  post([](WebRtcTransport& t) { t.requestKeyframe(MediaKind::Video); });
}

void LeanWebRtcEndpoint::gatherCandidates() {
  gatherRequested_ = true;
  maybeGather();
  for (const auto& c : std::exchange(localCandidates_, {})) raiseCandidate(negotiation_.bundleMLine, negotiation_.bundleMid, c);
  if (gatheringDone_ && !gatheringDoneRaised_) {
    gatheringDoneRaised_ = true;
    raise(QStringLiteral("IceGatheringDone"));
  }
}

void LeanWebRtcEndpoint::whenGatheringDone(std::function<void()> done) {
  if (gatheringDone_) {
    done();
    return;
  }
  gatheringWaiters_.push_back(std::move(done));
  gatherCandidates();
}

std::pair<QString, QString> LeanWebRtcEndpoint::restartIce(const QString& remoteUfrag, const QString& remotePassword) {
  if (!negotiated_ || !transport_) {
    throw KurentoException(ErrorCode::SdpEndPointNoRemoteSdpError, QStringLiteral("No ICE session to restart: negotiate first"));
  }
  if (remoteUfrag.isEmpty() || remotePassword.size() < 22 || remoteUfrag.size() > 256 || remotePassword.size() > 256) {
    throw KurentoException(KurentoError::illegalParam(QStringLiteral("An ICE restart needs a=ice-ufrag and a=ice-pwd (22+ characters)")));
  }
  // Ours are chosen here, on the engine thread: the description is updated at once.
  const QString ufrag = randomToken(8);
  const QString password = randomToken(24);
  static const QRegularExpression ufragLine(QStringLiteral("a=ice-ufrag:[^\\r\\n]*"));
  static const QRegularExpression passwordLine(QStringLiteral("a=ice-pwd:[^\\r\\n]*"));
  baseLocalSdp_.replace(ufragLine, QStringLiteral("a=ice-ufrag:") + ufrag);
  baseLocalSdp_.replace(passwordLine, QStringLiteral("a=ice-pwd:") + password);
  updateLocalDescription();
  negotiation_.remote.ufrag = remoteUfrag;
  negotiation_.remote.password = remotePassword;
  post([l = ufrag.toStdString(), lp = password.toStdString(), r = remoteUfrag.toStdString(), rp = remotePassword.toStdString(),
        who = log::subject(ownerSession(), id())](WebRtcTransport& t) {
    if (!t.restartIce(l, lp, r, rp)) qCWarning(lcIce, "%s the ICE restart failed", qUtf8Printable(who));
  });
  return {ufrag, password};
}

void LeanWebRtcEndpoint::addIceCandidate(const QJsonObject& candidate) {
  const QString line = candidate.value(u"candidate").toString();
  if (line.trimmed().isEmpty()) return;  // end-of-candidates
  if (!line.startsWith(u"candidate:") && !line.startsWith(u"a=candidate:")) {
    throw KurentoException(ErrorCode::IceAddCandidateError,
                           QStringLiteral("'%1' is not an ICE candidate line (it should start with \"candidate:\")").arg(line.left(80)));
  }
  if (!negotiated_) {
    remoteCandidates_.append(line);
    return;
  }
  const std::string text = line.toStdString();
  post([text](WebRtcTransport& t) { t.addRemoteCandidate(text); });
}

void LeanWebRtcEndpoint::onIceState(int, const QString& name) {
  if (name == iceState_) return;
  iceState_ = name;
  raise(QStringLiteral("IceComponentStateChanged"), QJsonObject{{QStringLiteral("streamId"), 1},
                                                                {QStringLiteral("componentId"), 1},
                                                                {QStringLiteral("state"), name}});
  if (name == u"FAILED") onFailed(QStringLiteral("ICE failed"));
  if (iceObserver_) iceObserver_(name);  // last: it may release this endpoint
}

void LeanWebRtcEndpoint::onConnected() {
  setConnectionState(LinkState::Connected);
  setMediaState(LinkState::Connected);
}

void LeanWebRtcEndpoint::onFailed(const QString& reason) {
  qCWarning(lcWebRtc, "%s %s", qUtf8Printable(log::subject(ownerSession(), id())), qUtf8Printable(reason));
  setConnectionState(LinkState::Disconnected);
  setMediaState(LinkState::Disconnected);
  // ICE or DTLS failed, or the peer closed DTLS: nothing brings this session back.
  terminateMediaSession(negotiated_);
}

QJsonArray LeanWebRtcEndpoint::iceConnectionState() const {
  if (!negotiated_) return {};
  return QJsonArray{Schema::complex(QStringLiteral("IceConnection"), QJsonObject{{QStringLiteral("streamId"), QStringLiteral("1")},
                                                                                 {QStringLiteral("componentId"), 1},
                                                                                 {QStringLiteral("state"), iceState_}})};
}

void LeanWebRtcEndpoint::createDataChannel(const QString&, bool, int, int, const QString&) {
  throw KurentoException(KurentoError::illegalParam(
      QStringLiteral("Create the WebRtcEndpoint with useDataChannels: true to use data channels")));
}

void LeanWebRtcEndpoint::closeDataChannel(int id) {
  throw KurentoException(KurentoError::illegalParam(QStringLiteral("No data channel with id %1").arg(id)));
}

void LeanWebRtcEndpoint::statsAsync(std::optional<MediaType> type, std::shared_ptr<DeferredReply> reply) {
  QJsonObject base = stats(type);
  if (!transport_) return reply->resolve(base);
  std::shared_ptr<Bridge> bridge = bridge_;
  auto t = transport_;
  const bool controlling = offerGenerated_;  // we offered: the controlling ICE agent
  // The reply must come whatever happens: if the endpoint is gone when the stats come back,
  // the element stats alone answer.
  t->loop().post([t, bridge, reply, base, type, controlling] {
    const transport::TransportStats s = t->stats();
    bridge->engine->post([bridge, reply, base, type, s, controlling]() mutable {
      QJsonObject out = base;
      const qint64 now = QDateTime::currentMSecsSinceEpoch();
      for (MediaType mt : {MediaType::Audio, MediaType::Video}) {
        if (type && *type != mt) continue;
        const size_t i = static_cast<size_t>(kindOf(mt));
        const QString kind = mediaTypeName(mt).toLower();
        auto entry = [&](const transport::StreamCounters& c, bool inbound) {
          const QString id = QStringLiteral("%1-%2-%3").arg(inbound ? QStringLiteral("inbound") : QStringLiteral("outbound"), kind).arg(c.ssrc);
          const qint64 remb = mt == MediaType::Video ? (inbound ? s.sentRembBps : s.receivedRembBps) : 0;
          QJsonObject f{{QStringLiteral("id"), id},
                        {QStringLiteral("type"), inbound ? QStringLiteral("inboundrtp") : QStringLiteral("outboundrtp")},
                        {QStringLiteral("timestampMillis"), now},
                        {QStringLiteral("ssrc"), QString::number(c.ssrc)},
                        {QStringLiteral("associateStatsId"), QString()},
                        {QStringLiteral("isRemote"), false},
                        {QStringLiteral("mediaTrackId"), QString()},
                        {QStringLiteral("transportId"), QStringLiteral("transport-0")},
                        {QStringLiteral("codecId"), QStringLiteral("codec-%1").arg(kind)},
                        {QStringLiteral("firCount"), static_cast<qint64>(c.firs)},
                        {QStringLiteral("pliCount"), static_cast<qint64>(c.plis)},
                        {QStringLiteral("nackCount"), static_cast<qint64>(c.nacks)},
                        {QStringLiteral("sliCount"), 0},
                        {QStringLiteral("remb"), remb},
                        {QStringLiteral("packetsLost"), static_cast<qint64>(c.packetsLost)},
                        {QStringLiteral("fractionLost"), c.fractionLost}};
          if (inbound) {
            f.insert(QStringLiteral("packetsReceived"), static_cast<qint64>(c.packets));
            f.insert(QStringLiteral("bytesReceived"), static_cast<qint64>(c.bytes));
            f.insert(QStringLiteral("jitter"), c.jitterSec);
          } else {
            f.insert(QStringLiteral("packetsSent"), static_cast<qint64>(c.packets));
            f.insert(QStringLiteral("bytesSent"), static_cast<qint64>(c.bytes));
            f.insert(QStringLiteral("targetBitrate"), 0.0);
            f.insert(QStringLiteral("roundTripTime"), c.roundTripTimeSec);
          }
          out.insert(id, Schema::complex(inbound ? QStringLiteral("RTCInboundRTPStreamStats") : QStringLiteral("RTCOutboundRTPStreamStats"), f));
        };
        if (s.inbound[i].active) entry(s.inbound[i], true);
        if (s.outbound[i].active) entry(s.outbound[i], false);
      }
      addTransportStats(out, s, now, controlling);
      reply->resolve(out);
    });
  });
}

void LeanWebRtcEndpoint::onRelease() {
  for (MediaType t : {MediaType::Audio, MediaType::Video}) {
    const QList<DirectLink> links = directSinks_[index(t)];
    for (const auto& l : links) {
      if (auto sink = l.sink.lock()) disconnectDirect(sink, t);
    }
  }
  {
    std::lock_guard lock(bridge_->mutex);
    for (auto& src : bridge_->junctionSrc) src.reset();
  }
  if (transport_) post([](WebRtcTransport& t) { t.close(); });
  BaseRtpEndpoint::onRelease();
}

std::shared_ptr<MediaObject> makeLeanEndpoint(const Creation& creation) { return std::make_shared<LeanWebRtcEndpoint>(creation); }

std::future<void> warmUpLeanWebRtc(const Config& config) {
  transport::MediaLoop& loop = transport::MediaThreadPool::instance(config.mediaThreads).loop(0);
  auto done = std::make_shared<std::promise<void>>();
  std::future<void> future = done->get_future();
  loop.post([config, &loop, done] {
    QString error;
    const auto context = sharedDtlsContext(config, &error);  // the certificate (generated unless configured)
    // The plugins an endpoint and its junctions load on first use.
    for (const char* factory : {"tee", "appsrc", "appsink", "rtpjitterbuffer", "rtpvp8depay", "rtpvp8pay", "rtpopusdepay",
                                "rtpopuspay"}) {
      (void)makeElement(factory);
    }
    if (context) (void)transport::TransportWarmUp::run(loop, context);
    done->set_value();
  });
  return future;
}

}  // namespace pw
