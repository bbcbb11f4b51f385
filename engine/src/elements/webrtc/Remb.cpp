#include "Remb.h"

#include "media/SinkInput.h"

#include <gst/rtp/gstrtcpbuffer.h>

#include <algorithm>
#include <climits>
#include <vector>

namespace pw {
namespace {

using RembPtr = std::shared_ptr<Remb>;

void deleteRembPtr(gpointer p, GClosure*) { delete static_cast<RembPtr*>(p); }

// RTPSession::on-feedback-rtcp (streaming thread).
void onFeedback(GObject*, guint type, guint fbtype, guint, guint, GstBuffer* fci, gpointer user) {
  if (type != GST_RTCP_TYPE_PSFB || fbtype != GST_RTCP_PSFB_TYPE_AFB || !fci) return;
  GstMapInfo map;
  if (!gst_buffer_map(fci, &map, GST_MAP_READ)) return;
  const qint64 bps = Remb::parseFci(map.data, map.size);
  gst_buffer_unmap(fci, &map);
  if (bps >= 0) (*static_cast<RembPtr*>(user))->onRembReceived(static_cast<guint64>(bps));
}

// RTPSession::on-sending-rtcp (streaming thread): TRUE keeps an early packet we added to.
gboolean onSendingRtcp(GObject*, GstBuffer* buffer, gboolean, gpointer user) {
  return (*static_cast<RembPtr*>(user))->addRembTo(buffer) ? TRUE : FALSE;
}

// GstBin::deep-element-added on the endpoint's bin: a new rtpbin session (ours or webrtcbin's).
void onElementAdded(GstBin*, GstBin*, GstElement* element, gpointer user) {
  GstElementFactory* f = gst_element_get_factory(element);
  if (!f || g_strcmp0(GST_OBJECT_NAME(f), "rtpsession") != 0) return;
  GObjectRef<GObject> session;
  g_object_get(element, "internal-session", session.out(), nullptr);
  if (!session) return;
  (*static_cast<RembPtr*>(user))->watchSession(session.get());
}

}  // namespace

std::shared_ptr<Remb> Remb::install(GstElement* endpointBin, GstElement* videoTee) {
  std::shared_ptr<Remb> remb(new Remb());
  g_signal_connect_data(endpointBin, "deep-element-added", G_CALLBACK(onElementAdded), new RembPtr(remb), deleteRembPtr,
                        GConnectFlags(0));
  if (videoTee) {
    PadRef sink = PadRef::adopt(gst_element_get_static_pad(videoTee, "sink"));
    gst_pad_add_probe(
        sink.get(), GST_PAD_PROBE_TYPE_EVENT_UPSTREAM,
        [](GstPad*, GstPadProbeInfo* info, gpointer user) -> GstPadProbeReturn {
          const auto bps = SinkInput::bitrateRequest(GST_PAD_PROBE_INFO_EVENT(info));
          if (!bps) return GST_PAD_PROBE_OK;
          if (auto r = static_cast<std::weak_ptr<Remb>*>(user)->lock()) r->onBitrateRequest(*bps);
          return GST_PAD_PROBE_DROP;
        },
        new std::weak_ptr<Remb>(remb), [](gpointer u) { delete static_cast<std::weak_ptr<Remb>*>(u); });
  }
  return remb;
}

Remb::~Remb() = default;

void Remb::watchSession(GObject* session) {
  g_signal_connect_data(session, "on-feedback-rtcp", G_CALLBACK(onFeedback), new RembPtr(shared_from_this()), deleteRembPtr,
                        GConnectFlags(0));
  g_signal_connect_data(session, "on-sending-rtcp", G_CALLBACK(onSendingRtcp), new RembPtr(shared_from_this()), deleteRembPtr,
                        GConnectFlags(0));
  WeakRef<GObject> ref(session);
  std::lock_guard lock(mutex_);
  sessions_.push_back(std::move(ref));
}

qint64 Remb::parseFci(const guint8* d, gsize size) {
  // "REMB", num SSRC (8 bits), BR exp (6 bits), BR mantissa (18 bits), SSRC list.
  if (size < 8 || d[0] != 'R' || d[1] != 'E' || d[2] != 'M' || d[3] != 'B') return -1;
  const int exp = d[5] >> 2;
  const quint64 mantissa = (quint64(d[5] & 0x3) << 16) | (quint64(d[6]) << 8) | d[7];
  // An 18-bit mantissa shifted by more than 31 is above INT_MAX anyway; shifting it by up to 63
  // would drop its high bits (2^80 bit/s read as 0).
  if (mantissa != 0 && exp > 31) return INT_MAX;
  return static_cast<qint64>(std::min<quint64>(mantissa << exp, INT_MAX));
}

void Remb::setEnabled(bool on) {
  enabled_ = on;
  apply();
}

void Remb::setSendLimits(int minBps, int maxBps) {
  minSendBps_ = std::max(0, minBps);
  maxSendBps_ = std::max(0, maxBps);
  apply();
}

void Remb::setVideoInput(const std::shared_ptr<SinkInput>& input) {
  {
    std::lock_guard lock(mutex_);
    videoInput_ = input;
  }
  apply();
}

void Remb::addVideoSsrc(guint32 ssrc) {
  std::lock_guard lock(mutex_);
  videoSsrcs_.insert(ssrc);
}

void Remb::onRembReceived(guint64 bps) {
  if (!enabled_) return;
  receivedBps_ = static_cast<int>(std::min<guint64>(std::max<guint64>(bps, 1), INT_MAX));
  apply();
}

// The wish of our video input: the peer's REMB within [minVideoSendBandwidth,
// maxVideoSendBandwidth]; without a REMB, maxVideoSendBandwidth alone (0 = no limit).
void Remb::apply() {
  std::shared_ptr<SinkInput> input;
  {
    std::lock_guard lock(mutex_);
    input = videoInput_.lock();
  }
  if (!input) return;
  const int maxBps = maxSendBps_;
  int wish = enabled_ ? receivedBps_.load() : 0;
  if (wish > 0) {
    wish = std::max(wish, minSendBps_.load());
    if (maxBps > 0) wish = std::min(wish, maxBps);
  } else {
    wish = maxBps;
  }
  input->setBitrateWish(wish);
}

void Remb::onBitrateRequest(int bps) {
  bps = std::max(0, bps);
  const int before = forwardBps_.exchange(bps);
  if (before == bps || !enabled_) return;
  // Back to "no limit": a sender keeps the last REMB as its ceiling, so lift it explicitly in
  // the next few RTCP packets.
  if (bps == 0) releasesLeft_ = 3;
  // A new value: ask for an early RTCP packet (AVPF) rather than waiting for the next one.
  std::vector<GObjectRef<GObject>> sessions;
  {
    std::lock_guard lock(mutex_);
    for (const WeakRef<GObject>& ref : sessions_) {
      if (GObjectRef<GObject> s = ref.lock()) sessions.push_back(std::move(s));
    }
  }
  for (GObjectRef<GObject>& s : sessions) {
    g_signal_emit_by_name(s.get(), "send-rtcp", static_cast<guint64>(20 * GST_MSECOND));
    s.reset();
  }
}

bool Remb::addRembTo(GstBuffer* buffer) {
  int bps = forwardBps_;
  if (bps <= 0 && releasesLeft_.load() > 0) bps = kNoLimitBps;
  if (bps <= 0 || !enabled_) return false;
  std::set<guint32> video;
  {
    std::lock_guard lock(mutex_);
    video = videoSsrcs_;
  }
  if (video.empty()) return false;
  GstRTCPBuffer rtcp = GST_RTCP_BUFFER_INIT;
  if (!gst_rtcp_buffer_map(buffer, GST_MAP_READWRITE, &rtcp)) return false;
  // Only the session receiving the video reports on it: take the SSRCs of its report blocks.
  std::vector<guint32> about;
  GstRTCPPacket packet;
  for (gboolean more = gst_rtcp_buffer_get_first_packet(&rtcp, &packet); more; more = gst_rtcp_packet_move_to_next(&packet)) {
    const GstRTCPType type = gst_rtcp_packet_get_type(&packet);
    if (type != GST_RTCP_TYPE_SR && type != GST_RTCP_TYPE_RR) continue;
    for (guint i = 0; i < gst_rtcp_packet_get_rb_count(&packet); ++i) {
      guint32 ssrc = 0;
      guint8 fraction = 0;
      gint32 lost = 0;
      guint32 seq = 0, jitter = 0, lsr = 0, dlsr = 0;
      gst_rtcp_packet_get_rb(&packet, i, &ssrc, &fraction, &lost, &seq, &jitter, &lsr, &dlsr);
      if (video.contains(ssrc)) about.push_back(ssrc);
    }
  }
  guint32 sender = 0;
  if (gst_rtcp_buffer_get_first_packet(&rtcp, &packet)) {
    const GstRTCPType type = gst_rtcp_packet_get_type(&packet);
    if (type == GST_RTCP_TYPE_RR) sender = gst_rtcp_packet_rr_get_ssrc(&packet);
    else if (type == GST_RTCP_TYPE_SR) gst_rtcp_packet_sr_get_sender_info(&packet, &sender, nullptr, nullptr, nullptr, nullptr);
  }
  bool added = false;
  if (!about.empty() && gst_rtcp_buffer_add_packet(&rtcp, GST_RTCP_TYPE_PSFB, &packet)) {
    int exp = 0;
    quint64 mantissa = static_cast<quint64>(bps);
    while (mantissa >= (1u << 18)) {
      mantissa >>= 1;
      ++exp;
    }
    gst_rtcp_packet_fb_set_type(&packet, GST_RTCP_PSFB_TYPE_AFB);
    gst_rtcp_packet_fb_set_sender_ssrc(&packet, sender);
    gst_rtcp_packet_fb_set_media_ssrc(&packet, 0);
    const guint words = 2 + static_cast<guint>(about.size());
    if (gst_rtcp_packet_fb_set_fci_length(&packet, static_cast<guint16>(words))) {
      guint8* fci = gst_rtcp_packet_fb_get_fci(&packet);
      fci[0] = 'R';
      fci[1] = 'E';
      fci[2] = 'M';
      fci[3] = 'B';
      fci[4] = static_cast<guint8>(about.size());
      fci[5] = static_cast<guint8>((exp << 2) | ((mantissa >> 16) & 0x3));
      fci[6] = static_cast<guint8>((mantissa >> 8) & 0xff);
      fci[7] = static_cast<guint8>(mantissa & 0xff);
      for (size_t i = 0; i < about.size(); ++i) GST_WRITE_UINT32_BE(fci + 8 + 4 * i, about[i]);
      added = true;
    } else {
      gst_rtcp_packet_remove(&packet);
    }
  }
  gst_rtcp_buffer_unmap(&rtcp);
  if (added && bps == kNoLimitBps) --releasesLeft_;
  return added;
}

}  // namespace pw
