#include "transport/CodecKeyframe.h"

namespace pw::transport {

namespace {

bool isVp8KeyframeStart(const uint8_t* p, size_t size) {
  // RFC 7741 §4.2 payload descriptor: |X|R|N|S|R| PID |
  if (size < 1) return false;
  const bool extended = p[0] & 0x80;
  const bool startOfPartition = p[0] & 0x10;
  const int partitionIndex = p[0] & 0x07;
  if (!startOfPartition || partitionIndex != 0) return false;
  size_t offset = 1;
  if (extended) {
    // |I|L|T|K| RSV |
    if (size <= offset) return false;
    const uint8_t flags = p[offset++];
    if (flags & 0x80) {  // I: PictureID, 15 bits when its M bit is set
      if (size <= offset) return false;
      offset += (p[offset] & 0x80) ? 2 : 1;
    }
    if (flags & 0x40) ++offset;          // L: TL0PICIDX
    if (flags & 0x30) ++offset;          // T or K: |TID|Y| KEYIDX |
  }
  // §4.3 VP8 payload header: |Size0|H| VER |P|, P is the inverse key frame flag.
  if (size <= offset) return false;
  return (p[offset] & 0x01) == 0;
}

bool isVp9KeyframeStart(const uint8_t* p, size_t size) {
  // RFC 9628 §4.2 payload descriptor: |I|P|L|F|B|E|V|Z|
  if (size < 1) return false;
  const uint8_t flags = p[0];
  const bool pictureId = flags & 0x80;
  const bool interPredicted = flags & 0x40;
  const bool layerIndices = flags & 0x20;
  const bool flexible = flags & 0x10;
  const bool beginningOfFrame = flags & 0x08;
  const bool scalabilityStructure = flags & 0x02;
  if (!beginningOfFrame || interPredicted) return false;
  size_t offset = 1;
  if (pictureId) {
    if (size <= offset) return false;
    offset += (p[offset] & 0x80) ? 2 : 1;
  }
  if (layerIndices) {
    // |  TID  |U|  SID  |D|, then TL0PICIDX in non-flexible mode.
    if (size <= offset) return false;
    const int spatialLayer = (p[offset] >> 1) & 0x07;
    if (spatialLayer != 0) return false;
    offset += flexible ? 1 : 2;
  }
  // With P=0 there are no reference indices (P_DIFF) in flexible mode.
  if (scalabilityStructure) {
    // §4.2.1: |N_S|Y|G|RSV|, Y: (N_S+1) x (width 16, height 16), G: N_G then per picture
    // |TID|U| R |RSV| and R P_DIFF bytes.
    if (size <= offset) return false;
    const uint8_t ss = p[offset++];
    const size_t spatialLayers = size_t(ss >> 5) + 1;
    if (ss & 0x10) offset += 4 * spatialLayers;
    if (ss & 0x08) {
      if (size <= offset) return false;
      const size_t pictures = p[offset++];
      for (size_t i = 0; i < pictures; ++i) {
        if (size <= offset) return false;
        const size_t references = (p[offset] >> 2) & 0x03;
        offset += 1 + references;
      }
    }
  }
  return size > offset;  // the frame data starts after the descriptor
}

bool isH264KeyNalType(int type) { return type == 5 || type == 7; }

bool isH264KeyframeStart(const uint8_t* p, size_t size) {
  // RFC 6184 §5.3 NAL unit header: |F|NRI| Type |
  if (size < 1) return false;
  const int type = p[0] & 0x1F;
  if (type >= 1 && type <= 23) return isH264KeyNalType(type);
  if (type == 24 || type == 25) {
    // §5.7.1 STAP-A: (16-bit size, NAL unit)*; STAP-B has a 16-bit DON first.
    size_t offset = type == 24 ? 1 : 3;
    while (size >= offset && size - offset >= 2) {
      const size_t nalSize = (size_t(p[offset]) << 8) | p[offset + 1];
      offset += 2;
      if (nalSize == 0 || size - offset < nalSize) return false;
      if (isH264KeyNalType(p[offset] & 0x1F)) return true;
      offset += nalSize;
    }
    return false;
  }
  if (type == 28 || type == 29) {
    // §5.8 FU indicator, then FU header |S|E|R| Type |; FU-B carries a DON after it.
    if (size < (type == 28 ? 2u : 4u)) return false;
    const bool start = p[1] & 0x80;
    return start && isH264KeyNalType(p[1] & 0x1F);
  }
  return false;  // MTAPs (26, 27) and reserved types
}

}  // namespace

bool isKeyframeStart(VideoCodec codec, const uint8_t* payload, size_t size) {
  if (!payload) return false;
  switch (codec) {
    case VideoCodec::Vp8:
      return isVp8KeyframeStart(payload, size);
    case VideoCodec::Vp9:
      return isVp9KeyframeStart(payload, size);
    case VideoCodec::H264:
      return isH264KeyframeStart(payload, size);
  }
  return false;
}

}  // namespace pw::transport
