#include "WebRtcTransport.h"

#include "NackGenerator.h"
#include "RetransmissionBuffer.h"
#include "RtcpPacket.h"
#include "RtpPacket.h"
#include "RtpReceiveStats.h"
#include "TransportCcFeedback.h"

#include <openssl/rand.h>

#include <algorithm>
#include <cstring>

namespace pw::transport {

namespace {

constexpr size_t kMaxPacket = 1500;
constexpr unsigned kReportIntervalMs = 1000;
constexpr unsigned kTransportCcIntervalMs = 100;  // what Chromium's own receivers send
constexpr int64_t kKeyframeRequestGapUs = 300000;  // at most ~3 PLIs a second towards a peer
// How long sent video packets are kept for NACKs: 3 round trips and 100 ms for the peer to notice
// the gap, within [300 ms, 1 s]; 300 ms until the peer's first report gives a round trip. The
// buffer grows to what that window holds at the stream's rate, up to 256 packets.
constexpr int64_t kHistoryMinMs = 300;
constexpr int64_t kHistoryMaxMs = 1000;
constexpr size_t kHistoryMaxPackets = 256;
int64_t historyWindowMs(double rttMs) {
  return std::clamp<int64_t>(static_cast<int64_t>(3 * rttMs) + 100, kHistoryMinMs, kHistoryMaxMs);
}

int64_t nowUs() { return g_get_monotonic_time(); }
int64_t nowMs() { return g_get_monotonic_time() / 1000; }

uint32_t randomU32() {
  uint32_t v = 0;
  RAND_bytes(reinterpret_cast<unsigned char*>(&v), sizeof v);
  return v;
}

// Sequence number a is newer than b (RFC 1982 serial arithmetic on 16 bits).
bool seqNewer(uint16_t a, uint16_t b) { return a != b && static_cast<uint16_t>(a - b) < 0x8000; }

}  // namespace

// What we send of one kind: our SSRC and the rewriting state that keeps the stream continuous
// whichever source feeds it.
struct WebRtcTransport::OutStream {
  StreamSettings settings;
  uintptr_t source = 0;
  bool started = false;
  uint16_t seqOffset = 0;
  uint32_t tsOffset = 0;
  uint16_t lastSeq = 0;
  uint32_t lastTs = 0;
  int64_t lastSendUs = 0;
  uint64_t packets = 0, bytes = 0;
  uint64_t nacks = 0, plis = 0, firs = 0;
  bool keyframeSent = false;     // video: since the stream (re)started from its current source
  int64_t lastKeyframeAskUs = 0;
  std::unique_ptr<RetransmissionBuffer> history;  // when the peer NACKs (video)
  double rttMs = -1;  // smoothed, from the peer's report blocks on this SSRC; -1 before the first
  explicit OutStream(const StreamSettings& s) : settings(s) {
    if (s.nack) history = std::make_unique<RetransmissionBuffer>(RetransmissionBuffer::Config{kHistoryMaxPackets, 16, kHistoryMinMs, kMaxPacket});
  }
};

// What the peer sends us of one kind.
struct WebRtcTransport::InStream {
  StreamSettings settings;
  uint32_t remoteSsrc = 0;
  std::optional<RtpReceiveStats> stats;  // of the SSRC the peer sends now
  NackGenerator nack;
  std::vector<uint16_t> missing;  // reused for every NACK
  uint64_t packets = 0, bytes = 0;
  uint64_t nacksSent = 0, plisSent = 0, firsSent = 0;
  uint8_t firSeq = 0;
  uint8_t lastFractionLost = 0;
  int64_t lastKeyframeRequestUs = 0;
  bool keyframeRequestPending = false;
  explicit InStream(const StreamSettings& s) : settings(s) {}
};

namespace {

// NTP time now (RFC 3550 §4): seconds since 1900 and their fraction in 1/2^32.
struct NtpTime {
  uint32_t sec = 0, frac = 0;
  // The middle 32 bits (RFC 3550 §6.4.1: LSR, and "A" for the round trip), in 1/65536 s.
  uint32_t middle() const { return (sec << 16) | (frac >> 16); }
};
NtpTime ntpTimeNow() {
  const int64_t us = g_get_real_time();
  return {static_cast<uint32_t>(us / 1000000 + 2208988800LL), static_cast<uint32_t>(((us % 1000000) << 32) / 1000000)};
}

SenderInfo ntpNow(uint32_t rtpTimestamp, uint64_t packets, uint64_t bytes) {
  const NtpTime now = ntpTimeNow();
  SenderInfo info;
  info.ntpSec = now.sec;
  info.ntpFrac = now.frac;
  info.rtpTimestamp = rtpTimestamp;
  info.packetCount = static_cast<uint32_t>(packets);
  info.octetCount = static_cast<uint32_t>(bytes);
  return info;
}

}  // namespace

std::shared_ptr<WebRtcTransport> WebRtcTransport::create(MediaLoop& loop, std::shared_ptr<DtlsContext> dtls,
                                                         IceAgent::Settings ice, Observer observer) {
  MediaLoop* l = &loop;
  auto* raw = new WebRtcTransport(loop, std::move(dtls), std::move(ice), std::move(observer));
  loop.addUser();
  return std::shared_ptr<WebRtcTransport>(raw, [l](WebRtcTransport* t) {
    // libnice agents and timers belong to the loop's thread: end there.
    if (l->isCurrentThread()) {
      delete t;
    } else {
      l->post([t] { delete t; });
    }
  });
}

WebRtcTransport::WebRtcTransport(MediaLoop& loop, std::shared_ptr<DtlsContext> dtls, IceAgent::Settings ice, Observer observer)
    : loop_(loop), dtlsContext_(std::move(dtls)), observer_(std::move(observer)) {
  feedbackSsrc_ = randomU32() | 1;
  IceAgent::Callbacks cb;
  // The agent lives inside this object and is destroyed first: raw `this` is safe here.
  cb.localCandidate = [this](const std::string& line) {
    if (observer_.localCandidate) observer_.localCandidate(line);
  };
  cb.gatheringDone = [this] {
    if (observer_.gatheringDone) observer_.gatheringDone();
  };
  cb.stateChanged = [this](IceAgent::State s) { onIceState(s); };
  cb.selectedPair = [this](const std::string& local, const std::string& remote) {
    selectedLocal_ = local;
    selectedRemote_ = remote;
    if (observer_.selectedPair) observer_.selectedPair(local, remote);
  };
  cb.received = [this](const uint8_t* data, size_t size) { onReceived(data, size); };
  ice_ = std::make_unique<IceAgent>(loop, std::move(ice), std::move(cb));
}

WebRtcTransport::~WebRtcTransport() {
  loop_.cancelTimer(dtlsTimer_);
  loop_.cancelTimer(reportTimer_);
  loop_.cancelTimer(transportCcTimer_);
  dtls_.reset();
  ice_.reset();
  loop_.removeUser();
}

bool WebRtcTransport::start(std::string* error) { return ice_->start(error); }

bool WebRtcTransport::restartIce(const std::string& localUfrag, const std::string& localPassword,
                                 const std::string& remoteUfrag, const std::string& remotePassword) {
  if (closed_ || !ice_->restart(localUfrag, localPassword, remoteUfrag, remotePassword)) return false;
  // What was sent while the new pair formed is lost, maybe beyond what NACKs can repair: the
  // peer gets a keyframe as soon as media flows again (sendRtp asks the source until one passes).
  for (auto& out : out_) {
    if (out) out->keyframeSent = false;
  }
  return true;
}

void WebRtcTransport::configure(const TransportSettings& settings) {
  if (configured_ || closed_) return;
  configured_ = true;
  settings_ = settings;
  for (const auto& s : settings.streams) {
    const size_t i = index(s.kind);
    if (s.send && !out_[i]) out_[i] = std::make_unique<OutStream>(s);
    if (s.receive && !in_[i]) in_[i] = std::make_unique<InStream>(s);
  }
  if (settings.transportCcExtensionId > 0) transportCc_ = std::make_unique<TransportCcFeedback>();
  ice_->setRemoteCredentials(settings.remoteUfrag, settings.remotePassword);
  // The server side of DTLS must be ready before our own ICE reports a pair: the peer's
  // ClientHello can come with its first checks.
  if (settings_.dtlsRole == DtlsRole::Server) startDtls();
}

void WebRtcTransport::gather() {
  if (!closed_) ice_->gather();
}

void WebRtcTransport::addRemoteCandidate(const std::string& line) {
  if (!closed_) ice_->addRemoteCandidate(line);
}

void WebRtcTransport::close() {
  if (closed_) return;
  closed_ = true;
  loop_.cancelTimer(std::exchange(dtlsTimer_, 0));
  loop_.cancelTimer(std::exchange(reportTimer_, 0));
  loop_.cancelTimer(std::exchange(transportCcTimer_, 0));
  earlyPackets_.clear();
  if (dtls_ && dtls_->state() == DtlsTransport::State::Connected) dtls_->close();
  for (auto& sinks : relaySinks_) sinks.clear();
}

void WebRtcTransport::link(MediaKind kind, const std::shared_ptr<WebRtcTransport>& source, const std::shared_ptr<WebRtcTransport>& sink) {
  auto& sinks = source->relaySinks_[index(kind)];
  for (const auto& w : sinks) {
    if (w.lock() == sink) return;
  }
  sinks.push_back(sink);
  sink->relaySource_[index(kind)] = source;
  // The sink's peer needs a keyframe of the new source to start decoding.
  source->requestKeyframe(kind);
}

void WebRtcTransport::unlink(MediaKind kind, const std::shared_ptr<WebRtcTransport>& source, const std::shared_ptr<WebRtcTransport>& sink) {
  auto& sinks = source->relaySinks_[index(kind)];
  sinks.erase(std::remove_if(sinks.begin(), sinks.end(),
                             [&](const std::weak_ptr<WebRtcTransport>& w) {
                               auto s = w.lock();
                               return !s || s == sink;
                             }),
              sinks.end());
  if (sink->relaySource_[index(kind)].lock() == source) sink->relaySource_[index(kind)].reset();
}

void WebRtcTransport::onIceState(IceAgent::State state) {
  if (observer_.iceState) observer_.iceState(state);
  if (closed_) return;
  if ((state == IceAgent::State::Connected || state == IceAgent::State::Ready) && settings_.dtlsRole == DtlsRole::Client &&
      configured_ && !dtls_) {
    startDtls();
  }
  if (state == IceAgent::State::Failed && observer_.failed) observer_.failed("ICE failed: no candidate pair works");
}

void WebRtcTransport::startDtls() {
  if (dtls_) return;
  DtlsTransport::Callbacks cb;
  cb.send = [this](const uint8_t* data, size_t size) { sendDatagram(data, size); };
  cb.connected = [this](const SrtpKeys& keys) {
    if (observer_.dtlsState) observer_.dtlsState(DtlsTransport::State::Connected);
    onDtlsConnected(keys);
  };
  cb.failed = [this](const std::string& reason) {
    if (observer_.dtlsState) observer_.dtlsState(DtlsTransport::State::Failed);
    if (observer_.failed) observer_.failed("DTLS: " + reason);
  };
  cb.closed = [this] {
    if (observer_.dtlsState) observer_.dtlsState(DtlsTransport::State::Closed);
    if (observer_.closed) observer_.closed();
  };
  dtls_ = std::make_unique<DtlsTransport>(dtlsContext_, settings_.dtlsRole, settings_.remoteFingerprintAlgorithm,
                                          settings_.remoteFingerprint, std::move(cb));
  if (observer_.dtlsState) observer_.dtlsState(DtlsTransport::State::New);
  dtls_->start();
  // start() fails at once on a setup error (reported through `failed` above).
  if (dtls_ && dtls_->state() == DtlsTransport::State::Connecting && observer_.dtlsState) {
    observer_.dtlsState(DtlsTransport::State::Connecting);
  }
  scheduleDtlsTimer();
}

void WebRtcTransport::scheduleDtlsTimer() {
  loop_.cancelTimer(std::exchange(dtlsTimer_, 0));
  if (!dtls_ || closed_) return;
  const int ms = dtls_->timeoutMs();
  if (ms < 0) return;
  std::weak_ptr<WebRtcTransport> weak = weak_from_this();
  dtlsTimer_ = loop_.addTimer(static_cast<unsigned>(std::max(ms, 1)), [weak]() {
    auto self = weak.lock();
    if (!self || !self->dtls_) return false;
    self->dtlsTimer_ = 0;
    self->dtls_->handleTimeout();
    self->scheduleDtlsTimer();
    return false;
  });
}

void WebRtcTransport::onDtlsConnected(const SrtpKeys& keys) {
  std::string error;
  srtp_ = SrtpSession::create(keys, &error);
  if (!srtp_) {
    if (observer_.failed) observer_.failed("SRTP: " + error);
    return;
  }
  std::weak_ptr<WebRtcTransport> weak = weak_from_this();
  reportTimer_ = loop_.addTimer(kReportIntervalMs, [weak]() {
    auto self = weak.lock();
    if (!self || self->closed_) return false;
    self->sendReports();
    return true;
  });
  if (transportCc_) {
    transportCcTimer_ = loop_.addTimer(kTransportCcIntervalMs, [weak]() {
      auto self = weak.lock();
      if (!self || self->closed_) return false;
      self->sendTransportCcFeedback();
      return true;
    });
  }
  if (observer_.connected) observer_.connected();
  // What the peer sent while our side of the handshake was finishing (see onReceived).
  for (const auto& packet : std::exchange(earlyPackets_, {})) onReceived(packet.data(), packet.size());
  // Whoever relays to us needs a keyframe now that the peer can decode.
  for (MediaKind k : {MediaKind::Video}) {
    if (auto source = relaySource_[index(k)].lock()) source->requestKeyframe(k);
    else if (out_[index(k)] && observer_.keyframeRequested) observer_.keyframeRequested(k);
  }
}

bool WebRtcTransport::sendDatagram(const uint8_t* data, size_t size) {
  const bool sent = ice_->send(data, size);
  if (sent) bytesSent_ += size;
  return sent;
}

void WebRtcTransport::onReceived(const uint8_t* data, size_t size) {
  if (closed_ || size == 0) return;
  bytesReceived_ += size;
  if (DtlsTransport::isDtls(data, size)) {
    if (dtls_) {
      dtls_->receive(data, size);
      scheduleDtlsTimer();
    }
    return;
  }
  if (size > kMaxPacket + SrtpSession::kMaxTrailer) {
    ++unknownPackets_;
    return;
  }
  if (!srtp_) {
    // The DTLS server keys its SRTP when our Finished arrives and may send media before its own
    // Finished reaches us (GStreamer's webrtcbin does: two threads into one socket). Kept until
    // our keys are in place, then read in order: dropping them lost the peer's first keyframe and
    // cost the first frame half a second (bench/, 16 sessions: 6 of 34 got 1-47 packets early).
    // Bounded, and only while the handshake runs.
    if (dtls_ && dtls_->state() == DtlsTransport::State::Connecting && earlyPackets_.size() < kMaxEarlyPackets &&
        (looksLikeRtp(data, size) || looksLikeRtcp(data, size))) {
      earlyPackets_.emplace_back(data, data + size);
    } else {
      ++unknownPackets_;
    }
    return;
  }
  uint8_t buffer[kMaxPacket + SrtpSession::kMaxTrailer];
  std::memcpy(buffer, data, size);
  size_t length = size;
  if (looksLikeRtcp(buffer, length)) {
    if (!srtp_->unprotectRtcp(buffer, &length)) {
      ++srtpRejected_;
      return;
    }
    onRtcp(buffer, length);
  } else if (looksLikeRtp(buffer, length)) {
    if (!srtp_->unprotectRtp(buffer, &length)) {
      ++srtpRejected_;
      return;
    }
    onRtp(buffer, length);
  } else {
    ++unknownPackets_;
  }
}

WebRtcTransport::InStream* WebRtcTransport::inStreamByPayload(uint8_t pt) {
  for (auto& s : in_) {
    if (s && s->settings.payloadType == pt) return s.get();
  }
  return nullptr;
}

WebRtcTransport::OutStream* WebRtcTransport::outStream(MediaKind kind) { return out_[index(kind)].get(); }

void WebRtcTransport::onRtp(uint8_t* data, size_t size) {
  auto packet = RtpPacket::parse(data, size);
  if (!packet) {
    ++unknownPackets_;
    return;
  }
  if (transportCc_) {
    // The transport-wide number is ours to acknowledge; it means nothing to a relay sink, so
    // the element becomes padding before the packet goes on.
    const int id = settings_.transportCcExtensionId;
    if (const auto ext = packet->extension(id); ext && ext->second >= 2) {
      transportCc_->onPacket(rtcpdetail::readBe16(ext->first), nowUs());
      packet->removeExtension(id);
    }
  }
  InStream* in = inStreamByPayload(packet->payloadType());
  if (!in) {
    ++unknownPackets_;
    return;
  }
  const MediaKind kind = in->settings.kind;
  const int64_t ms = nowMs();
  if (!in->stats || in->remoteSsrc != packet->ssrc()) {
    in->remoteSsrc = packet->ssrc();
    in->stats.emplace(in->remoteSsrc, in->settings.clockRate);
    in->nack.reset();
  }
  in->stats->update(packet->sequenceNumber(), packet->timestamp(), ms, size);
  ++in->packets;
  in->bytes += size;
  lastReceivedUs_[index(kind)] = nowUs();
  if (in->settings.nack) {
    in->nack.onReceived(packet->sequenceNumber(), ms);
    in->missing.clear();
    if (in->nack.due(ms, 50, in->missing) > 0) {
      std::vector<uint8_t> rtcp;
      if (RtcpPacket::buildNack(rtcp, feedbackSsrc_, in->remoteSsrc, in->missing)) {
        sendRtcp(rtcp);
        ++in->nacksSent;
      }
    }
  }
  // Relay: every linked sink sends it on its own stream (the rewrite happens in its sendRtp).
  auto& sinks = relaySinks_[index(kind)];
  bool expired = false;
  for (const auto& w : sinks) {
    if (auto sink = w.lock()) sink->sendRtp(kind, data, size, reinterpret_cast<uintptr_t>(this));
    else expired = true;
  }
  if (expired) {
    sinks.erase(std::remove_if(sinks.begin(), sinks.end(), [](const auto& w) { return w.expired(); }), sinks.end());
  }
  if (junctionOpen_[index(kind)] && observer_.junctionRtp) observer_.junctionRtp(kind, data, size);
}

void WebRtcTransport::sendRtp(MediaKind kind, const uint8_t* data, size_t size, uintptr_t sourceId) {
  OutStream* out = outStream(kind);
  if (!out || !srtp_ || closed_ || size > kMaxPacket || size < 12) return;
  uint8_t buffer[kMaxPacket + SrtpSession::kMaxTrailer];
  std::memcpy(buffer, data, size);
  auto packet = RtpPacket::parse(buffer, size);
  if (!packet) return;
  const int64_t us = nowUs();
  const uint16_t inSeq = packet->sequenceNumber();
  const uint32_t inTs = packet->timestamp();
  if (!out->started) {
    out->seqOffset = static_cast<uint16_t>((randomU32() & 0x7fff) - inSeq);
    out->tsOffset = 0;
    out->source = sourceId;
    out->started = true;
  } else if (out->source != sourceId) {
    // A new source continues our stream: the next sequence number, and a timestamp as far on
    // as the time that passed.
    const uint32_t elapsed = static_cast<uint32_t>(std::max<int64_t>(1, (us - out->lastSendUs) * out->settings.clockRate / 1000000));
    out->seqOffset = static_cast<uint16_t>(out->lastSeq + 1 - inSeq);
    out->tsOffset = out->lastTs + elapsed - inTs;
    out->source = sourceId;
    out->keyframeSent = false;
  }
  // Until the peer got a keyframe from this source it cannot decode anything: ask the source
  // again every half second (a request can be lost, or come before this peer could receive).
  if (kind == MediaKind::Video && !out->keyframeSent) {
    if (isKeyframeStart(out->settings.codec, packet->payload(), packet->payloadSize())) {
      out->keyframeSent = true;
    } else if (us - out->lastKeyframeAskUs > 500000) {
      out->lastKeyframeAskUs = us;
      forwardKeyframeRequest(kind);
    }
  }
  const uint16_t seq = static_cast<uint16_t>(inSeq + out->seqOffset);
  const uint32_t ts = inTs + out->tsOffset;
  packet->setSsrc(out->settings.localSsrc);
  packet->setPayloadType(out->settings.payloadType);
  packet->setSequenceNumber(seq);
  packet->setTimestamp(ts);
  if (!out->packets || seqNewer(seq, out->lastSeq)) {
    out->lastSeq = seq;
    out->lastTs = ts;
    out->lastSendUs = us;
  }
  if (out->history) out->history->insert(seq, std::span<const uint8_t>(buffer, size), us / 1000);
  ++out->packets;
  out->bytes += size;
  lastSentUs_[index(kind)] = us;
  auto& sent = sentBytes_[index(kind)];
  sent.store(sent.load(std::memory_order_relaxed) + size, std::memory_order_relaxed);  // one writer: no locked add
  sendProtectedRtp(buffer, size, sizeof buffer);
}

bool WebRtcTransport::sendProtectedRtp(uint8_t* data, size_t size, size_t capacity) {
  size_t length = size;
  if (!srtp_->protectRtp(data, &length, capacity)) return false;
  return sendDatagram(data, length);
}

bool WebRtcTransport::sendRtcp(std::vector<uint8_t>& packet) {
  if (!srtp_ || closed_ || packet.empty()) return false;
  const size_t size = packet.size();
  packet.resize(size + SrtpSession::kMaxTrailer);
  size_t length = size;
  if (!srtp_->protectRtcp(packet.data(), &length, packet.size())) return false;
  return sendDatagram(packet.data(), length);
}

void WebRtcTransport::retransmit(MediaKind kind, const std::vector<uint16_t>& sequenceNumbers) {
  OutStream* out = outStream(kind);
  if (!out || !out->history || !srtp_) return;
  const int64_t ms = nowMs();
  for (uint16_t seq : sequenceNumbers) {
    const auto stored = out->history->get(seq, ms);
    if (!stored || stored->size() > kMaxPacket) continue;
    uint8_t buffer[kMaxPacket + SrtpSession::kMaxTrailer];
    std::memcpy(buffer, stored->data(), stored->size());
    sendProtectedRtp(buffer, stored->size(), sizeof buffer);
  }
}

void WebRtcTransport::requestKeyframe(MediaKind kind) {
  InStream* in = in_[index(kind)].get();
  if (!in || !srtp_ || kind != MediaKind::Video || in->remoteSsrc == 0) return;
  const int64_t us = nowUs();
  if (us - in->lastKeyframeRequestUs < kKeyframeRequestGapUs) {
    // Too soon after the last one: ask once more when the gap has passed (a viewer that joined
    // meanwhile still needs its keyframe).
    if (!in->keyframeRequestPending) {
      in->keyframeRequestPending = true;
      const unsigned waitMs = static_cast<unsigned>((kKeyframeRequestGapUs - (us - in->lastKeyframeRequestUs)) / 1000 + 1);
      std::weak_ptr<WebRtcTransport> weak = weak_from_this();
      loop_.addTimer(waitMs, [weak, kind]() {
        if (auto self = weak.lock()) {
          if (InStream* s = self->in_[index(kind)].get()) s->keyframeRequestPending = false;
          self->requestKeyframe(kind);
        }
        return false;
      });
    }
    return;
  }
  in->lastKeyframeRequestUs = us;
  std::vector<uint8_t> rtcp;
  if (in->settings.pli || !in->settings.fir) {
    RtcpPacket::buildPli(rtcp, feedbackSsrc_, in->remoteSsrc);
    ++in->plisSent;
  } else {
    RtcpPacket::buildFir(rtcp, feedbackSsrc_, in->remoteSsrc, in->firSeq++);
    ++in->firsSent;
  }
  sendRtcp(rtcp);
}

void WebRtcTransport::forwardKeyframeRequest(MediaKind kind) {
  if (auto source = relaySource_[index(kind)].lock()) {
    source->requestKeyframe(kind);
  } else if (observer_.keyframeRequested) {
    observer_.keyframeRequested(kind);
  }
}

int64_t WebRtcTransport::wantedBitrate() const {
  int64_t bps = receivedRembBps_;
  const int64_t maxBps = maxSendBps_.load(), minBps = minSendBps_.load();
  if (maxBps > 0) bps = bps > 0 ? std::min(bps, maxBps) : maxBps;
  if (minBps > 0 && bps > 0) bps = std::max(bps, minBps);
  return bps;
}

int64_t WebRtcTransport::rembForPeer() const {
  int64_t bps = 0;
  for (const auto& w : relaySinks_[index(MediaKind::Video)]) {
    auto sink = w.lock();
    const int64_t wanted = sink ? sink->wantedBitrate() : 0;
    if (wanted <= 0) continue;
    bps = bps == 0 ? wanted : std::min(bps, wanted);
  }
  const int64_t cap = maxReceiveBps_.load();
  if (cap > 0) bps = bps == 0 ? cap : std::min(bps, cap);
  return bps;
}

void WebRtcTransport::onRtcp(const uint8_t* data, size_t size) {
  const auto handlers = Overloaded{
      [this](const SenderReport& sr) {
        for (auto& in : in_) {
          if (in && in->stats && in->remoteSsrc == sr.ssrc) in->stats->onSenderReport(sr.ntpSec, sr.ntpFrac, nowMs());
        }
        onReportBlocks(sr.reports);
      },
      [this](const ReceiverReport& rr) { onReportBlocks(rr.reports); },
      [this](const Pli& pli) {
        OutStream* out = outStream(MediaKind::Video);
        if (out && out->settings.localSsrc == pli.mediaSsrc) {
          ++out->plis;
          forwardKeyframeRequest(MediaKind::Video);
        }
      },
      [this](const Fir& fir) {
        OutStream* out = outStream(MediaKind::Video);
        if (!out) return;
        for (const FirEntry entry : fir.entries) {
          if (entry.ssrc == out->settings.localSsrc) {
            ++out->firs;
            forwardKeyframeRequest(MediaKind::Video);
            return;
          }
        }
      },
      [this](const Nack& nack) {
        for (MediaKind k : {MediaKind::Audio, MediaKind::Video}) {
          OutStream* out = outStream(k);
          if (out && out->settings.localSsrc == nack.mediaSsrc) {
            ++out->nacks;
            retransmit(k, nack.lostSequenceNumbers.toVector());
          }
        }
      },
      [this](const Remb& remb) {
        receivedRembBps_ = static_cast<int64_t>(std::min<uint64_t>(remb.bitrateBps, INT64_MAX));
        if (observer_.rembReceived && !relaySource_[index(MediaKind::Video)].lock()) observer_.rembReceived(receivedRembBps_);
      },
      [](const auto&) {}};
  RtcpPacket::visitEach(data, size, handlers);
}

void WebRtcTransport::onReportBlocks(const ReportBlocks& blocks) {
  const uint32_t arrival = ntpTimeNow().middle();
  for (const ReportBlock block : blocks) {
    if (block.lastSr == 0) continue;  // the peer has no SR of ours yet
    for (auto& out : out_) {
      if (!out || out->settings.localSsrc != block.ssrc) continue;
      // RFC 3550 §6.4.1: RTT = A - LSR - DLSR, in 1/65536 s. A negative result (clocks rounded
      // on a loopback) counts as 0; more than 10 s is a broken report.
      const int32_t rtt = static_cast<int32_t>(arrival - block.lastSr - block.delaySinceLastSr);
      const double ms = std::max(rtt, 0) * 1000.0 / 65536.0;
      if (ms > 10000) continue;
      out->rttMs = out->rttMs < 0 ? ms : (7 * out->rttMs + ms) / 8;
      if (out->history) out->history->setMaxAgeMs(historyWindowMs(out->rttMs));
    }
  }
}

void WebRtcTransport::sendReports() {
  std::vector<uint8_t> rtcp;
  const int64_t ms = nowMs();
  std::vector<ReportBlock> blocks;
  for (auto& in : in_) {
    if (!in || !in->stats || !in->stats->hasReceived()) continue;
    blocks.push_back(in->stats->reportBlock(ms));
    in->lastFractionLost = blocks.back().fractionLost;
  }
  // One SR per stream we send (the first carries the report blocks), else an RR.
  bool first = true;
  for (auto& out : out_) {
    if (!out || !out->packets) continue;
    const uint32_t elapsed = static_cast<uint32_t>((nowUs() - out->lastSendUs) * out->settings.clockRate / 1000000);
    RtcpPacket::buildSenderReport(rtcp, out->settings.localSsrc, ntpNow(out->lastTs + elapsed, out->packets, out->bytes),
                                  first ? std::span<const ReportBlock>(blocks) : std::span<const ReportBlock>());
    RtcpPacket::buildSdesCname(rtcp, out->settings.localSsrc, settings_.cname);
    first = false;
  }
  if (first) {
    RtcpPacket::buildReceiverReport(rtcp, feedbackSsrc_, blocks);
    RtcpPacket::buildSdesCname(rtcp, feedbackSsrc_, settings_.cname);
  }
  InStream* video = in_[index(MediaKind::Video)].get();
  const int64_t remb = rembForPeer();
  if (video && video->settings.remb && video->remoteSsrc != 0 && remb > 0) {
    const uint32_t ssrc = video->remoteSsrc;
    RtcpPacket::buildRemb(rtcp, feedbackSsrc_, static_cast<uint64_t>(remb), std::span<const uint32_t>(&ssrc, 1));
    sentRembBps_ = remb;
  }
  sendRtcp(rtcp);
}

void WebRtcTransport::sendTransportCcFeedback() {
  if (!transportCc_ || !transportCc_->hasPending()) return;
  uint32_t mediaSsrc = 0;
  for (const auto& in : in_) {
    if (in && in->remoteSsrc) mediaSsrc = in->remoteSsrc;  // video last: the stream that matters most
  }
  std::vector<uint8_t> rtcp;
  for (int i = 0; i < 8 && transportCc_->build(rtcp, feedbackSsrc_, mediaSsrc); ++i) {
    sendRtcp(rtcp);
    rtcp.clear();
  }
}

TransportStats WebRtcTransport::stats() const {
  TransportStats s;
  for (size_t i = 0; i < 2; ++i) {
    if (const auto& in = in_[i]) {
      auto& c = s.inbound[i];
      c.active = true;
      c.ssrc = in->remoteSsrc;
      c.packets = in->packets;
      c.bytes = in->bytes;
      c.nacks = in->nacksSent;
      c.plis = in->plisSent;
      c.firs = in->firsSent;
      if (in->stats) {
        c.packetsLost = in->stats->cumulativeLost();
        c.jitterSec = in->settings.clockRate ? static_cast<double>(in->stats->jitter()) / in->settings.clockRate : 0;
      }
      c.fractionLost = in->lastFractionLost / 256.0;
    }
    if (const auto& out = out_[i]) {
      auto& c = s.outbound[i];
      c.active = true;
      c.ssrc = out->settings.localSsrc;
      c.packets = out->packets;
      c.bytes = out->bytes;
      c.nacks = out->nacks;
      c.plis = out->plis;
      c.firs = out->firs;
      c.roundTripTimeSec = out->rttMs < 0 ? 0 : out->rttMs / 1000;
    }
  }
  s.srtpRejected = srtpRejected_;
  s.unknownPackets = unknownPackets_;
  s.bytesSent = bytesSent_;
  s.bytesReceived = bytesReceived_;
  s.dtlsState = dtls_ ? DtlsTransport::stateName(dtls_->state()) : "";
  s.localCandidate = selectedLocal_;
  s.remoteCandidate = selectedRemote_;
  s.receivedRembBps = receivedRembBps_;
  s.sentRembBps = sentRembBps_;
  s.transportCcFeedbacksSent = transportCc_ ? transportCc_->packetsSent() : 0;
  return s;
}

}  // namespace pw::transport
