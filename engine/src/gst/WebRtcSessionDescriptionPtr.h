#pragma once

// The sole owner of a GstWebRTCSessionDescription (freed with
// gst_webrtc_session_description_free, which also frees the SDP message it holds).
// webrtcbin's set-local/remote-description signals copy the description (transfer none), so the
// owner keeps it; gst_structure_get() of a promise reply's "offer"/"answer" gives a copy to adopt.

#include "SdpMessagePtr.h"
#include "UniqueOwner.h"

#include <gst/webrtc/webrtc.h>

#include <utility>

namespace pw {

struct WebRtcSessionDescriptionFree {
  void operator()(GstWebRTCSessionDescription* d) const { gst_webrtc_session_description_free(d); }
};

using WebRtcSessionDescriptionPtr = UniqueOwner<GstWebRTCSessionDescription, WebRtcSessionDescriptionFree>;

// A description of `type` that takes `sdp` over (gst_webrtc_session_description_new is
// transfer full for the message): `sdp` is empty afterwards.
inline WebRtcSessionDescriptionPtr makeSessionDescription(GstWebRTCSDPType type, SdpMessagePtr sdp) {
  return WebRtcSessionDescriptionPtr::adopt(gst_webrtc_session_description_new(type, sdp.release()));
}

// Puts `sdp` into `desc` in place of the message it held, which is freed.
inline void replaceSdp(GstWebRTCSessionDescription* desc, SdpMessagePtr sdp) {
  SdpMessagePtr old = SdpMessagePtr::adopt(std::exchange(desc->sdp, sdp.release()));
}

}  // namespace pw
