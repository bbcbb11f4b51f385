#pragma once

// REMB (RTCP PSFB/AFB "REMB", draft-alvestrand-rmcat-remb) for the RTP endpoints, both ways:
//  * Received from the endpoint's peer: the bitrate the peer can take, clamped to the
//    endpoint's min/maxVideoSendBandwidth, becomes the bitrate wish of the endpoint's video
//    input. The feeding Branch applies the lowest wish of its targets to its encoder, or, when
//    it passes media through, asks upstream (a bitrate request event, like a keyframe request).
//  * A bitrate request reaching the endpoint's own out-video tee from its sinks is sent to the
//    peer that sends us the video: a REMB is added to every RTCP packet of the session that
//    receives it, and an early RTCP packet is asked for when the value changes.
// The rtpbin sessions (the RtpEndpoint's own, or the one inside webrtcbin) are found with the
// endpoint bin's deep-element-added signal. All state is atomics or under a mutex: the
// handlers run on streaming threads.

#include "gst/GstRef.h"
#include "gst/WeakRef.h"

#include <QList>

#include <atomic>
#include <memory>
#include <mutex>
#include <set>
#include <vector>

namespace pw {

class SinkInput;

class Remb : public std::enable_shared_from_this<Remb> {
 public:
  // Watches `endpointBin` for RTP sessions and `videoTee`'s sink pad for bitrate requests.
  static std::shared_ptr<Remb> install(GstElement* endpointBin, GstElement* videoTee);
  ~Remb();

  // Whether REMB was negotiated (goog-remb); when off, received REMBs are ignored and none are sent.
  void setEnabled(bool on);
  // minVideoSendBandwidth / maxVideoSendBandwidth in bps (0 = none); re-applies the wish.
  void setSendLimits(int minBps, int maxBps);
  // The endpoint's video input (created by the negotiation).
  void setVideoInput(const std::shared_ptr<SinkInput>& input);
  // SSRC of a video stream the peer sends us (what our REMBs are about).
  void addVideoSsrc(guint32 ssrc);

  int lastReceivedBps() const { return receivedBps_.load(); }
  int forwardedBps() const { return forwardBps_.load(); }

  // Streaming threads (signal handlers).
  void onRembReceived(guint64 bps);
  void onBitrateRequest(int bps);
  bool addRembTo(GstBuffer* rtcp);
  void watchSession(GObject* session);

  // Bitrate of a REMB FCI ("REMB", count, exp/mantissa, SSRCs); -1 when it is no REMB.
  static qint64 parseFci(const guint8* data, gsize size);

 private:
  Remb() = default;
  void apply();

  std::atomic<bool> enabled_{true};
  std::atomic<int> receivedBps_{0};
  std::atomic<int> minSendBps_{0};
  std::atomic<int> maxSendBps_{0};
  std::atomic<int> forwardBps_{0};
  std::atomic<int> releasesLeft_{0};        // REMBs of kNoLimitBps still to send
  static constexpr int kNoLimitBps = 100000000;  // 100 Mbit/s: "no limit" for a sender
  mutable std::mutex mutex_;
  std::weak_ptr<SinkInput> videoInput_;
  std::set<guint32> videoSsrcs_;
  std::vector<WeakRef<GObject>> sessions_;  // RTPSession objects, for early RTCP
};

}  // namespace pw
