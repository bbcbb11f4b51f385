#pragma once

// Keyframe detection on an RTP payload (the bytes after the RTP header, without padding), for
// the relay's "wait for a keyframe" and PLI logic. Only the payload descriptor and the first
// bytes of the codec data are read; nothing is decoded.

#include <cstddef>
#include <cstdint>

namespace pw::transport {

enum class VideoCodec { Vp8, Vp9, H264 };

// True when this packet starts a keyframe:
//  - VP8 (RFC 7741 §4.2, §4.3): S=1 and PID=0 in the payload descriptor (so the VP8 payload
//    header follows it), and that header's P bit (inverse key frame flag) is 0.
//  - VP9 (RFC 9628, formerly draft-ietf-payload-vp9): B=1 (start of a frame) and P=0 (not
//    inter-picture predicted); with layer indices present, only the base spatial layer
//    (SID 0) starts a keyframe. The descriptor must fit (picture id, layer indices,
//    TL0PICIDX in non-flexible mode) with at least one byte of frame data after it.
//  - H.264 (RFC 6184 §5): an IDR slice (NAL type 5) or an SPS (7) as a single NAL unit, as
//    any NAL unit of a STAP-A (24) or STAP-B (25), or as the start (S=1) of an FU-A (28) or
//    FU-B (29).
// False for anything else, including truncated or malformed descriptors.
bool isKeyframeStart(VideoCodec codec, const uint8_t* payload, size_t size);

}  // namespace pw::transport
