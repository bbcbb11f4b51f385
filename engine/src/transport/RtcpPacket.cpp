#include "transport/RtcpPacket.h"

#include <algorithm>
#include <limits>

namespace pw::transport {

namespace {

using rtcpdetail::readBe16;
using rtcpdetail::readBe32;

constexpr uint8_t kSr = 200;
constexpr uint8_t kRr = 201;
constexpr uint8_t kSdes = 202;
constexpr uint8_t kBye = 203;
constexpr uint8_t kRtpfb = 205;
constexpr uint8_t kPsfb = 206;

constexpr uint8_t kFmtNack = 1;
constexpr uint8_t kFmtTransportCc = 15;
constexpr uint8_t kFmtPli = 1;
constexpr uint8_t kFmtFir = 4;
constexpr uint8_t kFmtAfb = 15;

constexpr size_t kHeaderSize = 4;
constexpr size_t kReportBlockSize = 24;
constexpr size_t kSenderInfoSize = 20;
constexpr size_t kMaxReportBlocks = 31;

void writeBe32(uint8_t* p, uint32_t v) {
  p[0] = static_cast<uint8_t>(v >> 24);
  p[1] = static_cast<uint8_t>(v >> 16);
  p[2] = static_cast<uint8_t>(v >> 8);
  p[3] = static_cast<uint8_t>(v);
}

using rtcpdetail::appendBe16;
using rtcpdetail::appendBe32;

// Appends a header whose length field is patched by finishPacket; returns the packet's offset.
size_t beginPacket(std::vector<uint8_t>& out, uint8_t countOrFmt, uint8_t packetType) {
  const size_t start = out.size();
  out.push_back(static_cast<uint8_t>(0x80 | (countOrFmt & 0x1F)));
  out.push_back(packetType);
  appendBe16(out, 0);
  return start;
}

void finishPacket(std::vector<uint8_t>& out, size_t start) {
  while ((out.size() - start) % 4) out.push_back(0);
  const size_t words = (out.size() - start) / 4 - 1;
  out[start + 2] = static_cast<uint8_t>(words >> 8);
  out[start + 3] = static_cast<uint8_t>(words);
}

void appendReportBlock(std::vector<uint8_t>& out, const ReportBlock& block) {
  appendBe32(out, block.ssrc);
  out.push_back(block.fractionLost);
  const int32_t lost = std::clamp<int32_t>(block.cumulativeLost, -0x800000, 0x7FFFFF);
  const uint32_t wire = static_cast<uint32_t>(lost) & 0xFFFFFF;
  out.push_back(static_cast<uint8_t>(wire >> 16));
  out.push_back(static_cast<uint8_t>(wire >> 8));
  out.push_back(static_cast<uint8_t>(wire));
  appendBe32(out, block.extHighestSeq);
  appendBe32(out, block.jitter);
  appendBe32(out, block.lastSr);
  appendBe32(out, block.delaySinceLastSr);
}

// RRs for blocks[from..], 31 per packet.
void appendReceiverReports(std::vector<uint8_t>& out, uint32_t senderSsrc, std::span<const ReportBlock> blocks) {
  do {
    const size_t count = std::min(blocks.size(), kMaxReportBlocks);
    const size_t start = beginPacket(out, static_cast<uint8_t>(count), kRr);
    appendBe32(out, senderSsrc);
    for (size_t i = 0; i < count; ++i) appendReportBlock(out, blocks[i]);
    finishPacket(out, start);
    blocks = blocks.subspan(count);
  } while (!blocks.empty());
}

bool validSdesChunks(const uint8_t* body, size_t bodySize, uint8_t chunks) {
  size_t offset = 0;
  for (uint8_t chunk = 0; chunk < chunks; ++chunk) {
    if (bodySize - offset < 4) return false;
    offset += 4;
    for (;;) {
      if (offset >= bodySize) return false;
      if (body[offset] == 0) break;
      if (bodySize - offset < 2 || bodySize - offset - 2 < body[offset + 1]) return false;
      offset += 2 + body[offset + 1];
    }
    offset = (offset + 4) & ~size_t(3);
    if (offset > bodySize) return false;
  }
  return true;
}

std::optional<RtcpItem> parseFeedback(uint8_t packetType, uint8_t fmt, const uint8_t* packet, size_t packetSize,
                                      const uint8_t* body, size_t bodySize) {
  if (bodySize < 8) return std::nullopt;
  const uint32_t senderSsrc = readBe32(body);
  const uint32_t mediaSsrc = readBe32(body + 4);
  const uint8_t* fci = body + 8;
  const size_t fciSize = bodySize - 8;
  if (packetType == kRtpfb && fmt == kFmtNack) {
    if (fciSize == 0 || fciSize % 4) return std::nullopt;
    return Nack{senderSsrc, mediaSsrc, NackList(fci, fciSize / 4)};
  }
  if (packetType == kRtpfb && fmt == kFmtTransportCc) {
    if (fciSize < 8) return std::nullopt;
    TransportCc cc;
    cc.senderSsrc = senderSsrc;
    cc.mediaSsrc = mediaSsrc;
    cc.baseSequenceNumber = readBe16(fci);
    cc.packetStatusCount = readBe16(fci + 2);
    const uint32_t reference = (uint32_t(fci[4]) << 16) | (uint32_t(fci[5]) << 8) | fci[6];
    cc.referenceTime = (reference & 0x800000) ? static_cast<int32_t>(reference) - 0x1000000 : static_cast<int32_t>(reference);
    cc.feedbackPacketCount = fci[7];
    cc.fci = std::span<const uint8_t>(fci, fciSize);
    return cc;
  }
  if (packetType == kPsfb && fmt == kFmtPli) return Pli{senderSsrc, mediaSsrc};
  if (packetType == kPsfb && fmt == kFmtFir) {
    if (fciSize == 0 || fciSize % 8) return std::nullopt;
    return Fir{senderSsrc, mediaSsrc, FirEntries(fci, fciSize / 8)};
  }
  if (packetType == kPsfb && fmt == kFmtAfb && fciSize >= 4 && fci[0] == 'R' && fci[1] == 'E' && fci[2] == 'M' &&
      fci[3] == 'B') {
    if (fciSize < 8) return std::nullopt;
    const size_t ssrcCount = fci[4];
    if ((fciSize - 8) / 4 < ssrcCount) return std::nullopt;
    Remb remb;
    remb.senderSsrc = senderSsrc;
    remb.mediaSsrc = mediaSsrc;
    remb.exponent = fci[5] >> 2;
    remb.mantissa = (uint32_t(fci[5] & 0x03) << 16) | (uint32_t(fci[6]) << 8) | fci[7];
    remb.bitrateBps = RtcpPacket::decodeRembBitrate(remb.exponent, remb.mantissa);
    remb.ssrcs = SsrcList(fci + 8, ssrcCount);
    return remb;
  }
  return Other{packetType, fmt, std::span<const uint8_t>(packet, packetSize)};
}

std::optional<RtcpItem> parseBody(uint8_t packetType, uint8_t count, const uint8_t* packet, size_t packetSize,
                                  const uint8_t* body, size_t bodySize) {
  switch (packetType) {
    case kSr: {
      if (bodySize < 4 + kSenderInfoSize || (bodySize - 4 - kSenderInfoSize) / kReportBlockSize < count) {
        return std::nullopt;
      }
      SenderReport sr;
      sr.ssrc = readBe32(body);
      sr.ntpSec = readBe32(body + 4);
      sr.ntpFrac = readBe32(body + 8);
      sr.rtpTimestamp = readBe32(body + 12);
      sr.packetCount = readBe32(body + 16);
      sr.octetCount = readBe32(body + 20);
      sr.reports = ReportBlocks(body + 24, count);
      return sr;
    }
    case kRr: {
      if (bodySize < 4 || (bodySize - 4) / kReportBlockSize < count) return std::nullopt;
      return ReceiverReport{readBe32(body), ReportBlocks(body + 4, count)};
    }
    case kSdes: {
      if (!validSdesChunks(body, bodySize, count)) return std::nullopt;
      return Sdes{body, bodySize, count};
    }
    case kBye: {
      if (bodySize / 4 < count) return std::nullopt;
      Bye bye;
      bye.ssrcs = SsrcList(body, count);
      const size_t reasonAt = 4u * count;
      if (bodySize > reasonAt) {
        const size_t length = body[reasonAt];
        if (bodySize - reasonAt - 1 < length) return std::nullopt;
        bye.reason = std::string_view(reinterpret_cast<const char*>(body + reasonAt + 1), length);
      }
      return bye;
    }
    case kRtpfb:
    case kPsfb:
      return parseFeedback(packetType, count, packet, packetSize, body, bodySize);
    default:
      return Other{packetType, count, std::span<const uint8_t>(packet, packetSize)};
  }
}

// Walks the compound, calling f(packetOffset, item) per packet; false if a malformed one ended it.
template <class F>
bool walk(const uint8_t* data, size_t size, F&& f) {
  size_t offset = 0;
  bool malformed = false;
  for (;;) {
    const size_t start = offset;
    const auto item = RtcpPacket::parseNext(data, size, offset, malformed);
    if (!item) break;
    f(start, *item);
  }
  return !malformed;
}

void mapAt(uint8_t* p, const std::function<uint32_t(uint32_t)>& map) { writeBe32(p, map(readBe32(p))); }

}  // namespace

std::optional<RtcpItem> RtcpPacket::parseNext(const uint8_t* data, size_t size, size_t& offset, bool& malformed) {
  malformed = false;
  if (!data || offset >= size) return std::nullopt;
  const uint8_t* packet = data + offset;
  const size_t remaining = size - offset;
  if (remaining < kHeaderSize || (packet[0] >> 6) != 2) {
    malformed = true;
    return std::nullopt;
  }
  const size_t packetSize = 4 * (size_t(readBe16(packet + 2)) + 1);
  const uint8_t packetType = packet[1];
  if (packetSize > remaining || packetType < 192 || packetType > 223) {
    malformed = true;
    return std::nullopt;
  }
  size_t contentSize = packetSize;
  if (packet[0] & 0x20) {
    // RFC 3550 §6.4.1: the last octet counts the padding octets, itself included.
    const size_t padding = packet[packetSize - 1];
    if (padding == 0 || padding > packetSize - kHeaderSize) {
      malformed = true;
      return std::nullopt;
    }
    contentSize -= padding;
  }
  auto item = parseBody(packetType, packet[0] & 0x1F, packet, contentSize, packet + kHeaderSize,
                        contentSize - kHeaderSize);
  if (!item) {
    malformed = true;
    return std::nullopt;
  }
  offset += packetSize;
  return item;
}

std::optional<SdesItem> Sdes::cname() const {
  std::optional<SdesItem> found;
  forEachItem([&](const SdesItem& item) {
    if (!found && item.type == 1) found = item;
  });
  return found;
}

void RtcpPacket::buildReceiverReport(std::vector<uint8_t>& out, uint32_t senderSsrc,
                                     std::span<const ReportBlock> blocks) {
  appendReceiverReports(out, senderSsrc, blocks);
}

void RtcpPacket::buildSenderReport(std::vector<uint8_t>& out, uint32_t senderSsrc, const SenderInfo& info,
                                   std::span<const ReportBlock> blocks) {
  const size_t count = std::min(blocks.size(), kMaxReportBlocks);
  const size_t start = beginPacket(out, static_cast<uint8_t>(count), kSr);
  appendBe32(out, senderSsrc);
  appendBe32(out, info.ntpSec);
  appendBe32(out, info.ntpFrac);
  appendBe32(out, info.rtpTimestamp);
  appendBe32(out, info.packetCount);
  appendBe32(out, info.octetCount);
  for (size_t i = 0; i < count; ++i) appendReportBlock(out, blocks[i]);
  finishPacket(out, start);
  if (blocks.size() > count) appendReceiverReports(out, senderSsrc, blocks.subspan(count));
}

bool RtcpPacket::buildSdesCname(std::vector<uint8_t>& out, uint32_t ssrc, std::string_view cname) {
  if (cname.size() > 255) return false;
  const size_t start = beginPacket(out, 1, kSdes);
  appendBe32(out, ssrc);
  out.push_back(1);  // CNAME
  out.push_back(static_cast<uint8_t>(cname.size()));
  out.insert(out.end(), cname.begin(), cname.end());
  out.push_back(0);  // end of the item list; finishPacket pads with more nulls
  finishPacket(out, start);
  return true;
}

bool RtcpPacket::buildBye(std::vector<uint8_t>& out, std::span<const uint32_t> ssrcs, std::string_view reason) {
  if (ssrcs.size() > kMaxReportBlocks || reason.size() > 255) return false;
  const size_t start = beginPacket(out, static_cast<uint8_t>(ssrcs.size()), kBye);
  for (const uint32_t ssrc : ssrcs) appendBe32(out, ssrc);
  if (!reason.empty()) {
    out.push_back(static_cast<uint8_t>(reason.size()));
    out.insert(out.end(), reason.begin(), reason.end());
  }
  finishPacket(out, start);
  return true;
}

void RtcpPacket::buildPli(std::vector<uint8_t>& out, uint32_t senderSsrc, uint32_t mediaSsrc) {
  const size_t start = beginPacket(out, kFmtPli, kPsfb);
  appendBe32(out, senderSsrc);
  appendBe32(out, mediaSsrc);
  finishPacket(out, start);
}

void RtcpPacket::buildFir(std::vector<uint8_t>& out, uint32_t senderSsrc, uint32_t mediaSsrc, uint8_t seqNr) {
  const size_t start = beginPacket(out, kFmtFir, kPsfb);
  appendBe32(out, senderSsrc);
  appendBe32(out, 0);
  appendBe32(out, mediaSsrc);
  out.push_back(seqNr);
  out.push_back(0);
  out.push_back(0);
  out.push_back(0);
  finishPacket(out, start);
}

std::pair<uint8_t, uint32_t> RtcpPacket::encodeRembBitrate(uint64_t bitrateBps) {
  uint8_t exponent = 0;
  while ((bitrateBps >> exponent) > 0x3FFFF) ++exponent;
  return {exponent, static_cast<uint32_t>(bitrateBps >> exponent)};
}

uint64_t RtcpPacket::decodeRembBitrate(uint8_t exponent, uint32_t mantissa) {
  exponent &= 0x3F;
  mantissa &= 0x3FFFF;
  if (mantissa > (std::numeric_limits<uint64_t>::max() >> exponent)) return std::numeric_limits<uint64_t>::max();
  return uint64_t(mantissa) << exponent;
}

bool RtcpPacket::buildRemb(std::vector<uint8_t>& out, uint32_t senderSsrc, uint64_t bitrateBps,
                           std::span<const uint32_t> ssrcs) {
  if (ssrcs.size() > 255) return false;
  const auto [exponent, mantissa] = encodeRembBitrate(bitrateBps);
  const size_t start = beginPacket(out, kFmtAfb, kPsfb);
  appendBe32(out, senderSsrc);
  appendBe32(out, 0);  // media source: unused by REMB
  out.insert(out.end(), {'R', 'E', 'M', 'B'});
  out.push_back(static_cast<uint8_t>(ssrcs.size()));
  out.push_back(static_cast<uint8_t>((exponent << 2) | (mantissa >> 16)));
  out.push_back(static_cast<uint8_t>(mantissa >> 8));
  out.push_back(static_cast<uint8_t>(mantissa));
  for (const uint32_t ssrc : ssrcs) appendBe32(out, ssrc);
  finishPacket(out, start);
  return true;
}

bool RtcpPacket::buildNack(std::vector<uint8_t>& out, uint32_t senderSsrc, uint32_t mediaSsrc,
                           std::span<const uint16_t> lostSequenceNumbers) {
  if (lostSequenceNumbers.empty()) return false;
  const size_t start = beginPacket(out, kFmtNack, kRtpfb);
  appendBe32(out, senderSsrc);
  appendBe32(out, mediaSsrc);
  size_t entry = 0;  // offset of the open FCI entry; 0: none yet
  uint16_t pid = 0;
  for (const uint16_t seq : lostSequenceNumbers) {
    const uint16_t distance = static_cast<uint16_t>(seq - pid);
    if (entry && distance == 0) continue;
    if (entry && distance <= 16) {
      const uint16_t mask = static_cast<uint16_t>(readBe16(&out[entry + 2]) | (1u << (distance - 1)));
      out[entry + 2] = static_cast<uint8_t>(mask >> 8);
      out[entry + 3] = static_cast<uint8_t>(mask);
      continue;
    }
    entry = out.size();
    pid = seq;
    appendBe16(out, seq);
    appendBe16(out, 0);
  }
  finishPacket(out, start);
  return true;
}

bool RtcpPacket::rewriteMediaSsrc(uint8_t* data, size_t size, const std::function<uint32_t(uint32_t)>& map) {
  return walk(data, size, [&](size_t start, const RtcpItem& item) {
    // Views point into data; their offsets locate the same bytes for writing.
    auto mutableAt = [&](const uint8_t* p) { return data + (p - data); };
    const uint8_t packetType = data[start + 1];
    if (packetType == kRtpfb || packetType == kPsfb) {
      if (readBe32(data + start + 8) != 0) mapAt(data + start + 8, map);
    }
    if (const auto* sr = std::get_if<SenderReport>(&item)) {
      for (size_t i = 0; i < sr->reports.size(); ++i) mapAt(mutableAt(sr->reports.bytes()) + i * kReportBlockSize, map);
    } else if (const auto* rr = std::get_if<ReceiverReport>(&item)) {
      for (size_t i = 0; i < rr->reports.size(); ++i) mapAt(mutableAt(rr->reports.bytes()) + i * kReportBlockSize, map);
    } else if (const auto* fir = std::get_if<Fir>(&item)) {
      for (size_t i = 0; i < fir->entries.size(); ++i) mapAt(mutableAt(fir->entries.bytes()) + i * 8, map);
    } else if (const auto* remb = std::get_if<Remb>(&item)) {
      for (size_t i = 0; i < remb->ssrcs.size(); ++i) mapAt(mutableAt(remb->ssrcs.bytes()) + i * 4, map);
    }
  });
}

bool RtcpPacket::rewriteSenderSsrc(uint8_t* data, size_t size, const std::function<uint32_t(uint32_t)>& map) {
  return walk(data, size, [&](size_t start, const RtcpItem&) {
    const uint8_t packetType = data[start + 1];
    if (packetType == kSr || packetType == kRr || packetType == kRtpfb || packetType == kPsfb) {
      mapAt(data + start + 4, map);
    }
  });
}

}  // namespace pw::transport
