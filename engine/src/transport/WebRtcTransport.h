#pragma once

// The lean media path of one WebRTC endpoint (design §4, docs/architecture.md): ICE (IceAgent),
// DTLS-SRTP (DtlsTransport, SrtpSession), RTP/RTCP (receive statistics, NACK both ways with a
// retransmission buffer, PLI/FIR, REMB) and the relay to other endpoints' transports, all on one
// MediaLoop thread. Every method runs on that thread unless it says otherwise; the observer's
// callbacks are invoked there too (the engine side posts them to its own thread).
//
// A packet received from the peer goes, with no GStreamer in between, to every transport linked
// as a relay sink for its media kind (sendRtp rewrites SSRC, payload type, sequence number and
// timestamp for the sink's own stream), and to the GStreamer junction when one is open.

#include "CodecKeyframe.h"
#include "DtlsContext.h"
#include "DtlsTransport.h"
#include "IceAgent.h"
#include "MediaLoop.h"
#include "RtcpPacket.h"
#include "SrtpSession.h"

#include <array>
#include <atomic>
#include <cstdint>
#include <functional>
#include <memory>
#include <optional>
#include <string>
#include <vector>

namespace pw::transport {

class NackGenerator;
class TransportCcFeedback;
class RetransmissionBuffer;
class RtpReceiveStats;

enum class MediaKind { Audio = 0, Video = 1 };

struct StreamSettings {
  MediaKind kind = MediaKind::Video;
  uint8_t payloadType = 0;  // negotiated payload type (the same both ways)
  uint32_t clockRate = 90000;
  VideoCodec codec = VideoCodec::Vp8;  // video: what keyframes look like
  bool send = false;        // we send this kind to the peer
  bool receive = false;     // the peer sends this kind to us
  uint32_t localSsrc = 0;   // SSRC of what we send
  bool nack = false, pli = false, fir = false, remb = false;  // feedback the peer accepts
};

struct TransportSettings {
  DtlsRole dtlsRole = DtlsRole::Client;
  std::string remoteFingerprintAlgorithm;  // "sha-256"
  std::string remoteFingerprint;
  std::string remoteUfrag, remotePassword;
  std::vector<StreamSettings> streams;     // at most one per kind
  std::string cname;
  // The id of the transport-wide sequence number header extension the peer sends and wants
  // feedback for (a=extmap + a=rtcp-fb transport-cc); 0 = not negotiated.
  int transportCcExtensionId = 0;
};

struct StreamCounters {
  bool active = false;
  uint32_t ssrc = 0;
  uint64_t packets = 0, bytes = 0;
  uint64_t nacks = 0, plis = 0, firs = 0;  // received (outbound) or sent (inbound)
  int64_t packetsLost = 0;
  double fractionLost = 0, jitterSec = 0;
  double roundTripTimeSec = 0;  // outbound: from the peer's receiver reports (0 before the first)
};

struct TransportStats {
  std::array<StreamCounters, 2> inbound;   // by MediaKind
  std::array<StreamCounters, 2> outbound;  // by MediaKind
  uint64_t srtpRejected = 0;
  uint64_t unknownPackets = 0;
  std::string localCandidate, remoteCandidate;  // the selected pair's candidate lines ("" before)
  uint64_t bytesSent = 0, bytesReceived = 0;     // every datagram through ICE (DTLS, SRTP, SRTCP, STUN excluded)
  std::string dtlsState;                          // DtlsTransport::stateName, "" before DTLS starts
  int64_t receivedRembBps = 0, sentRembBps = 0;
  uint64_t transportCcFeedbacksSent = 0;
};

class WebRtcTransport : public std::enable_shared_from_this<WebRtcTransport> {
 public:
  struct Observer {
    std::function<void(const std::string& line)> localCandidate;
    std::function<void()> gatheringDone;
    std::function<void(IceAgent::State)> iceState;
    std::function<void(const std::string& local, const std::string& remote)> selectedPair;
    std::function<void()> connected;                         // DTLS done, SRTP keys in place
    std::function<void(const std::string& reason)> failed;   // ICE or DTLS failed
    std::function<void()> closed;                            // the peer closed DTLS
    // The DTLS connection changed state (New when it is made, Connecting once started, then
    // Connected, Failed or Closed), before the connected/failed/closed callbacks above.
    std::function<void(DtlsTransport::State)> dtlsState;
    // Junction: a plain RTP packet the peer sent (only while the junction is open).
    std::function<void(MediaKind, const uint8_t* data, size_t size)> junctionRtp;
    // The peer asked for a keyframe of what we send, and our source is not another transport.
    std::function<void(MediaKind)> keyframeRequested;
    // The peer's REMB (bps) for what we send.
    std::function<void(int64_t bps)> rembReceived;
  };

  // Any thread. The transport is destroyed on its loop's thread whoever drops the last reference.
  static std::shared_ptr<WebRtcTransport> create(MediaLoop& loop, std::shared_ptr<DtlsContext> dtls,
                                                 IceAgent::Settings ice, Observer observer);
  ~WebRtcTransport();

  MediaLoop& loop() const { return loop_; }
  // Any thread: our ICE credentials and certificate fingerprint, for the SDP.
  const std::string& iceUfrag() const { return ice_->localUfrag(); }
  const std::string& icePassword() const { return ice_->localPassword(); }
  const std::string& fingerprintSha256() const { return dtlsContext_->fingerprintSha256(); }

  bool start(std::string* error);  // creates the ICE agent
  void configure(const TransportSettings& settings);  // the remote description is known
  void gather();
  void addRemoteCandidate(const std::string& line);
  // ICE restart with new credentials on both sides (IceAgent::restart); DTLS and SRTP go on.
  bool restartIce(const std::string& localUfrag, const std::string& localPassword, const std::string& remoteUfrag,
                  const std::string& remotePassword);
  void close();

  // Relay: what `source` receives of `kind` is sent by `sink` to its peer. Loop thread of both
  // (the endpoints of one pipeline share a loop).
  static void link(MediaKind kind, const std::shared_ptr<WebRtcTransport>& source, const std::shared_ptr<WebRtcTransport>& sink);
  static void unlink(MediaKind kind, const std::shared_ptr<WebRtcTransport>& source, const std::shared_ptr<WebRtcTransport>& sink);

  // Sends a plain RTP packet of `kind` to the peer: SSRC, payload type, sequence number and
  // timestamp are rewritten onto this transport's own stream (continuous across source changes;
  // `sourceId` names the source). Kept for retransmission, then SRTP-protected and sent.
  void sendRtp(MediaKind kind, const uint8_t* data, size_t size, uintptr_t sourceId);
  // Asks the peer for a keyframe of what it sends (PLI, or FIR when only that was negotiated).
  void requestKeyframe(MediaKind kind);
  // The GStreamer junction wants the peer's packets (observer.junctionRtp) or not any more.
  void setJunctionOpen(MediaKind kind, bool open) { junctionOpen_[index(kind)] = open; }
  // Bitrate (bps) we ask the peer to send at most (REMB), 0 = only what the relay sinks ask.
  void setMaxReceiveBitrate(int64_t bps) { maxReceiveBps_ = bps; }
  // Floor and ceiling (bps, 0 = none) on what this transport, as a relay sink, asks its source
  // for: the peer's REMB clamped (minVideoSendBandwidth / maxVideoSendBandwidth).
  void setSendBitrateLimits(int64_t minBps, int64_t maxBps) {
    minSendBps_ = minBps;
    maxSendBps_ = maxBps;
  }
  // What this transport, as a relay sink, asks its source to send (bps, 0 = nothing to ask).
  int64_t wantedBitrate() const;

  TransportStats stats() const;

  // Any thread: monotonic µs of the last packet received from the peer / sent to it, per kind.
  int64_t lastReceivedUs(MediaKind kind) const { return lastReceivedUs_[index(kind)].load(); }
  int64_t lastSentUs(MediaKind kind) const { return lastSentUs_[index(kind)].load(); }
  // RTP bytes (headers included, before SRTP) sent to the peer for `kind` so far, relayed and from
  // the junction alike; any thread (the studio's wire bitrates).
  uint64_t sentBytes(MediaKind kind) const { return sentBytes_[index(kind)].load(std::memory_order_relaxed); }

 private:
  struct OutStream;
  struct InStream;
  WebRtcTransport(MediaLoop& loop, std::shared_ptr<DtlsContext> dtls, IceAgent::Settings ice, Observer observer);
  static size_t index(MediaKind k) { return static_cast<size_t>(k); }
  void onIceState(IceAgent::State state);
  void onReceived(const uint8_t* data, size_t size);
  bool sendDatagram(const uint8_t* data, size_t size);  // through ICE, counted
  void onRtp(uint8_t* data, size_t size);
  void onRtcp(const uint8_t* data, size_t size);
  void onReportBlocks(const ReportBlocks& blocks);
  void startDtls();
  void scheduleDtlsTimer();
  void onDtlsConnected(const SrtpKeys& keys);
  bool sendRtcp(std::vector<uint8_t>& packet);
  bool sendProtectedRtp(uint8_t* data, size_t size, size_t capacity);
  void sendReports();
  void sendTransportCcFeedback();
  void retransmit(MediaKind kind, const std::vector<uint16_t>& sequenceNumbers);
  void forwardKeyframeRequest(MediaKind kind);
  int64_t rembForPeer() const;
  OutStream* outStream(MediaKind kind);
  InStream* inStreamByPayload(uint8_t pt);

  MediaLoop& loop_;
  std::shared_ptr<DtlsContext> dtlsContext_;
  Observer observer_;
  std::unique_ptr<IceAgent> ice_;
  std::unique_ptr<DtlsTransport> dtls_;
  std::unique_ptr<SrtpSession> srtp_;
  TransportSettings settings_;
  bool configured_ = false;
  bool closed_ = false;
  unsigned dtlsTimer_ = 0;
  unsigned reportTimer_ = 0;
  unsigned transportCcTimer_ = 0;
  std::unique_ptr<TransportCcFeedback> transportCc_;  // when the peer negotiated transport-cc
  static constexpr size_t kMaxEarlyPackets = 256;
  std::vector<std::vector<uint8_t>> earlyPackets_;  // SRTP/SRTCP that came before our keys
  std::array<std::unique_ptr<OutStream>, 2> out_;
  std::array<std::unique_ptr<InStream>, 2> in_;
  std::array<std::vector<std::weak_ptr<WebRtcTransport>>, 2> relaySinks_;
  std::array<std::weak_ptr<WebRtcTransport>, 2> relaySource_;
  std::array<std::atomic<bool>, 2> junctionOpen_{};
  std::array<std::atomic<int64_t>, 2> lastReceivedUs_{};
  std::array<std::atomic<int64_t>, 2> lastSentUs_{};
  std::array<std::atomic<uint64_t>, 2> sentBytes_{};  // written by the loop thread only
  std::atomic<int64_t> maxReceiveBps_{0};
  std::atomic<int64_t> minSendBps_{0};
  std::atomic<int64_t> maxSendBps_{0};
  int64_t receivedRembBps_ = 0;
  int64_t sentRembBps_ = 0;
  uint64_t srtpRejected_ = 0;
  uint64_t unknownPackets_ = 0;
  uint64_t bytesSent_ = 0, bytesReceived_ = 0;
  uint32_t feedbackSsrc_ = 0;  // sender SSRC of our RTCP when we send no media
  std::string selectedLocal_, selectedRemote_;
};

}  // namespace pw::transport
