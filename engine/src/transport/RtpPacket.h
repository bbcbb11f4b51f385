#pragma once

// RTP packet view (RFC 3550 §5.1) with RFC 8285 header extensions, and the RTP/RTCP demux of
// RFC 5761 §4. A view never owns or copies: it points into the caller's buffer, which must
// outlive it. parse() checks every length against the buffer, so all accessors stay in bounds.

#include <cstddef>
#include <cstdint>
#include <optional>
#include <utility>

namespace pw::transport {

// RFC 5761 §4 demux on one datagram that is RTP or RTCP (RFC 7983: first byte 128..191):
// version 2 and a second byte of 192..223 (RTCP packet types SR..XR and the feedback types;
// RTP payload types 64..95 with the marker bit would collide, so they are never negotiated).
bool looksLikeRtcp(const uint8_t* data, size_t size);
// Version 2, at least the 12-byte fixed header, and not RTCP by the rule above.
bool looksLikeRtp(const uint8_t* data, size_t size);

// How the header extension block is laid out (RFC 8285 §4.2, §4.3).
enum class RtpExtensionFormat {
  None,     // X bit clear
  OneByte,  // profile 0xBEDE: ids 1..14, 1..16 data bytes
  TwoByte,  // profile 0x100 + 4 app bits: ids 1..255, 0..255 data bytes
  Other,    // some other profile (RFC 3550 §5.3.1): opaque to this class
};

class RtpPacket {
 public:
  static constexpr size_t kFixedHeaderSize = 12;

  // nullopt unless: size >= 12, version 2, the CSRC list and the extension block (its 4-byte
  // header and stated length) fit, and with the P bit a padding count of 1..what is left after
  // the header. Extension elements are not checked here: extension() stops at a malformed one.
  static std::optional<RtpPacket> parse(uint8_t* data, size_t size);

  uint8_t payloadType() const;
  bool marker() const;
  uint16_t sequenceNumber() const;
  uint32_t timestamp() const;
  uint32_t ssrc() const;
  bool hasPadding() const;
  uint8_t csrcCount() const;
  uint32_t csrc(size_t index) const;  // index < csrcCount()

  // Setters write the header bytes in place; payloadType keeps the marker bit and vice versa.
  void setPayloadType(uint8_t payloadType);  // 0..127 (the high bit is dropped)
  void setMarker(bool marker);
  void setSequenceNumber(uint16_t sequenceNumber);
  void setTimestamp(uint32_t timestamp);
  void setSsrc(uint32_t ssrc);

  const uint8_t* payload() const;
  size_t payloadSize() const;  // without padding
  size_t paddingSize() const;  // the padding count byte included; 0 without the P bit
  size_t headerSize() const;   // fixed header + CSRCs + extension block
  size_t size() const;
  uint8_t* data() const;

  RtpExtensionFormat extensionFormat() const;
  uint16_t extensionProfile() const;  // 0 without extension block
  // The extension block's elements (after its 4-byte header), empty without one.
  const uint8_t* extensionData() const;
  size_t extensionDataSize() const;

  // RFC 8285: the data of the element with `id`, if any (one-byte ids 1..14, two-byte 1..255).
  // A two-byte element may have 0 data bytes. A one-byte id 15 ends the walk (§4.2); an
  // element running past the block makes it end too. Other profiles have no elements.
  std::optional<std::pair<const uint8_t*, size_t>> extension(int id) const;
  // Rewrites the element's id in place (relays map ids between peers). False when absent or
  // when newId cannot be written in this format (one-byte 1..14, two-byte 1..255).
  bool setExtensionId(int oldId, int newId);
  // Turns the element (its header and data) into padding bytes (RFC 8285 §4.2/§4.3: id 0),
  // so a receiver skips it; for ids the sink did not negotiate. False when absent.
  bool removeExtension(int id);

  // Calls f(id, data, size) per element in order, until f returns false or the block ends.
  // Returns false if the walk met a malformed element (the elements before it were given).
  template <class F>
  bool forEachExtension(F&& f) const;

 private:
  RtpPacket() = default;
  struct Element {
    size_t headerOffset;  // offset of the element's first header byte in the packet
    size_t headerSize;    // 1 or 2
    size_t dataSize;
    int id;
  };
  // Next element at or after `offset` (padding skipped); nullopt at the end or when malformed
  // (`malformed` tells which).
  std::optional<Element> nextElement(size_t& offset, bool& malformed) const;
  std::optional<Element> findElement(int id) const;

  uint8_t* data_ = nullptr;
  size_t size_ = 0;
  size_t headerSize_ = 0;
  size_t paddingSize_ = 0;
  size_t extensionOffset_ = 0;  // first element byte; 0 without extension block
  size_t extensionSize_ = 0;
  uint16_t extensionProfile_ = 0;
  RtpExtensionFormat extensionFormat_ = RtpExtensionFormat::None;
};

template <class F>
bool RtpPacket::forEachExtension(F&& f) const {
  size_t offset = extensionOffset_;
  bool malformed = false;
  while (auto element = nextElement(offset, malformed)) {
    if (!f(element->id, data_ + element->headerOffset + element->headerSize, element->dataSize)) return true;
  }
  return !malformed;
}

}  // namespace pw::transport
