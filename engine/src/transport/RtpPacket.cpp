#include "transport/RtpPacket.h"

#include <cstring>

namespace pw::transport {

namespace {

constexpr uint16_t kOneByteProfile = 0xBEDE;
constexpr uint16_t kTwoByteProfileMask = 0xFFF0;
constexpr uint16_t kTwoByteProfile = 0x1000;

uint16_t readBe16(const uint8_t* p) { return static_cast<uint16_t>((p[0] << 8) | p[1]); }
uint32_t readBe32(const uint8_t* p) {
  return (uint32_t(p[0]) << 24) | (uint32_t(p[1]) << 16) | (uint32_t(p[2]) << 8) | uint32_t(p[3]);
}
void writeBe16(uint8_t* p, uint16_t v) {
  p[0] = static_cast<uint8_t>(v >> 8);
  p[1] = static_cast<uint8_t>(v);
}
void writeBe32(uint8_t* p, uint32_t v) {
  p[0] = static_cast<uint8_t>(v >> 24);
  p[1] = static_cast<uint8_t>(v >> 16);
  p[2] = static_cast<uint8_t>(v >> 8);
  p[3] = static_cast<uint8_t>(v);
}

bool isVersion2(const uint8_t* data, size_t size) { return data && size >= 1 && (data[0] >> 6) == 2; }

}  // namespace

bool looksLikeRtcp(const uint8_t* data, size_t size) {
  // The smallest RTCP packet is a 4-byte header; anything shorter cannot be either.
  return isVersion2(data, size) && size >= 4 && data[1] >= 192 && data[1] <= 223;
}

bool looksLikeRtp(const uint8_t* data, size_t size) {
  return isVersion2(data, size) && size >= RtpPacket::kFixedHeaderSize && !(data[1] >= 192 && data[1] <= 223);
}

std::optional<RtpPacket> RtpPacket::parse(uint8_t* data, size_t size) {
  if (!isVersion2(data, size) || size < kFixedHeaderSize) return std::nullopt;
  RtpPacket packet;
  packet.data_ = data;
  packet.size_ = size;
  size_t offset = kFixedHeaderSize + 4u * (data[0] & 0x0F);
  if (offset > size) return std::nullopt;
  if (data[0] & 0x10) {
    if (size - offset < 4) return std::nullopt;
    const uint16_t profile = readBe16(data + offset);
    const size_t length = 4u * readBe16(data + offset + 2);
    offset += 4;
    if (size - offset < length) return std::nullopt;
    packet.extensionProfile_ = profile;
    packet.extensionOffset_ = offset;
    packet.extensionSize_ = length;
    if (profile == kOneByteProfile) {
      packet.extensionFormat_ = RtpExtensionFormat::OneByte;
    } else if ((profile & kTwoByteProfileMask) == kTwoByteProfile) {
      packet.extensionFormat_ = RtpExtensionFormat::TwoByte;
    } else {
      packet.extensionFormat_ = RtpExtensionFormat::Other;
    }
    offset += length;
  }
  packet.headerSize_ = offset;
  if (data[0] & 0x20) {
    // RFC 3550 §5.1: the last octet counts the padding octets, itself included.
    const size_t padding = data[size - 1];
    if (padding == 0 || padding > size - offset) return std::nullopt;
    packet.paddingSize_ = padding;
  }
  return packet;
}

uint8_t RtpPacket::payloadType() const { return data_[1] & 0x7F; }
bool RtpPacket::marker() const { return (data_[1] & 0x80) != 0; }
uint16_t RtpPacket::sequenceNumber() const { return readBe16(data_ + 2); }
uint32_t RtpPacket::timestamp() const { return readBe32(data_ + 4); }
uint32_t RtpPacket::ssrc() const { return readBe32(data_ + 8); }
bool RtpPacket::hasPadding() const { return (data_[0] & 0x20) != 0; }
uint8_t RtpPacket::csrcCount() const { return data_[0] & 0x0F; }
uint32_t RtpPacket::csrc(size_t index) const { return index < csrcCount() ? readBe32(data_ + 12 + 4 * index) : 0; }

void RtpPacket::setPayloadType(uint8_t payloadType) {
  data_[1] = static_cast<uint8_t>((data_[1] & 0x80) | (payloadType & 0x7F));
}
void RtpPacket::setMarker(bool marker) {
  data_[1] = static_cast<uint8_t>((data_[1] & 0x7F) | (marker ? 0x80 : 0));
}
void RtpPacket::setSequenceNumber(uint16_t sequenceNumber) { writeBe16(data_ + 2, sequenceNumber); }
void RtpPacket::setTimestamp(uint32_t timestamp) { writeBe32(data_ + 4, timestamp); }
void RtpPacket::setSsrc(uint32_t ssrc) { writeBe32(data_ + 8, ssrc); }

const uint8_t* RtpPacket::payload() const { return data_ + headerSize_; }
size_t RtpPacket::payloadSize() const { return size_ - headerSize_ - paddingSize_; }
size_t RtpPacket::paddingSize() const { return paddingSize_; }
size_t RtpPacket::headerSize() const { return headerSize_; }
size_t RtpPacket::size() const { return size_; }
uint8_t* RtpPacket::data() const { return data_; }

RtpExtensionFormat RtpPacket::extensionFormat() const { return extensionFormat_; }
uint16_t RtpPacket::extensionProfile() const { return extensionProfile_; }
const uint8_t* RtpPacket::extensionData() const { return extensionOffset_ ? data_ + extensionOffset_ : nullptr; }
size_t RtpPacket::extensionDataSize() const { return extensionSize_; }

std::optional<RtpPacket::Element> RtpPacket::nextElement(size_t& offset, bool& malformed) const {
  malformed = false;
  const size_t end = extensionOffset_ + extensionSize_;
  if (extensionFormat_ == RtpExtensionFormat::OneByte) {
    while (offset < end) {
      const uint8_t byte = data_[offset];
      const int id = byte >> 4;
      if (id == 0) {  // padding byte
        ++offset;
        continue;
      }
      if (id == 15) return std::nullopt;  // RFC 8285 §4.2: reserved, processing stops here
      const size_t dataSize = size_t(byte & 0x0F) + 1;
      if (end - offset - 1 < dataSize) {
        malformed = true;
        return std::nullopt;
      }
      Element element{offset, 1, dataSize, id};
      offset += 1 + dataSize;
      return element;
    }
  } else if (extensionFormat_ == RtpExtensionFormat::TwoByte) {
    while (offset < end) {
      const int id = data_[offset];
      if (id == 0) {  // padding byte
        ++offset;
        continue;
      }
      if (end - offset < 2 || end - offset - 2 < data_[offset + 1]) {
        malformed = true;
        return std::nullopt;
      }
      Element element{offset, 2, data_[offset + 1], id};
      offset += 2 + element.dataSize;
      return element;
    }
  }
  return std::nullopt;
}

std::optional<RtpPacket::Element> RtpPacket::findElement(int id) const {
  if (id <= 0 || id > 255) return std::nullopt;
  size_t offset = extensionOffset_;
  bool malformed = false;
  while (auto element = nextElement(offset, malformed)) {
    if (element->id == id) return element;
  }
  return std::nullopt;
}

std::optional<std::pair<const uint8_t*, size_t>> RtpPacket::extension(int id) const {
  const auto element = findElement(id);
  if (!element) return std::nullopt;
  return std::make_pair(static_cast<const uint8_t*>(data_ + element->headerOffset + element->headerSize),
                        element->dataSize);
}

bool RtpPacket::setExtensionId(int oldId, int newId) {
  const auto element = findElement(oldId);
  if (!element) return false;
  if (extensionFormat_ == RtpExtensionFormat::OneByte) {
    if (newId < 1 || newId > 14) return false;
    uint8_t& byte = data_[element->headerOffset];
    byte = static_cast<uint8_t>((newId << 4) | (byte & 0x0F));
    return true;
  }
  if (newId < 1 || newId > 255) return false;
  data_[element->headerOffset] = static_cast<uint8_t>(newId);
  return true;
}

bool RtpPacket::removeExtension(int id) {
  const auto element = findElement(id);
  if (!element) return false;
  std::memset(data_ + element->headerOffset, 0, element->headerSize + element->dataSize);
  return true;
}

}  // namespace pw::transport
