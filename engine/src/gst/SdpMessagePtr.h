#pragma once

// The sole owner of a GstSDPMessage (freed with gst_sdp_message_free):
//   SdpMessagePtr sdp; gst_sdp_message_new(sdp.out());
// A call that takes the message over (gst_webrtc_session_description_new) gets sdp.release();
// makeSessionDescription() in WebRtcSessionDescriptionPtr.h does exactly that.

#include "UniqueOwner.h"

#include <gst/sdp/sdp.h>

namespace pw {

struct SdpMessageFree {
  void operator()(GstSDPMessage* m) const { gst_sdp_message_free(m); }
};

using SdpMessagePtr = UniqueOwner<GstSDPMessage, SdpMessageFree>;

// The same for a lone GstSDPMedia (gst_sdp_media_new / gst_sdp_media_free).
struct SdpMediaFree {
  void operator()(GstSDPMedia* m) const { gst_sdp_media_free(m); }
};

using SdpMediaPtr = UniqueOwner<GstSDPMedia, SdpMediaFree>;

}  // namespace pw
