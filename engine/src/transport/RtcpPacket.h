#pragma once

// RTCP compound packets (RFC 3550 §6), feedback (RFC 4585 generic NACK and PLI, RFC 5104 FIR),
// REMB (draft-alvestrand-rmcat-remb) and transport-wide congestion control feedback
// (draft-holmer-rmcat-transport-wide-cc-extensions): typed iteration over a caller's buffer,
// builders that append to a std::vector, and in-place SSRC rewriting for relayed feedback.
//
// Parsing never allocates: the items hold views (pointers into the caller's buffer, valid while
// it is) and list fields decode on access. Reduced-size RTCP (RFC 5506) is accepted: a compound
// need not start with SR/RR.

#include <bit>
#include <cstddef>
#include <cstdint>
#include <functional>
#include <iterator>
#include <optional>
#include <span>
#include <string_view>
#include <type_traits>
#include <variant>
#include <vector>

namespace pw::transport {

namespace rtcpdetail {
inline uint16_t readBe16(const uint8_t* p) { return static_cast<uint16_t>((p[0] << 8) | p[1]); }
inline uint32_t readBe32(const uint8_t* p) {
  return (uint32_t(p[0]) << 24) | (uint32_t(p[1]) << 16) | (uint32_t(p[2]) << 8) | uint32_t(p[3]);
}
inline void appendBe16(std::vector<uint8_t>& out, uint16_t v) {
  out.push_back(static_cast<uint8_t>(v >> 8));
  out.push_back(static_cast<uint8_t>(v));
}
inline void appendBe32(std::vector<uint8_t>& out, uint32_t v) {
  appendBe16(out, static_cast<uint16_t>(v >> 16));
  appendBe16(out, static_cast<uint16_t>(v));
}
}  // namespace rtcpdetail

// RFC 3550 §6.4.1 report block.
struct ReportBlock {
  uint32_t ssrc = 0;             // the source this block reports on
  uint8_t fractionLost = 0;      // lost since the last report, in 1/256
  int32_t cumulativeLost = 0;    // 24-bit signed on the wire (builders clamp)
  uint32_t extHighestSeq = 0;    // cycles << 16 | highest sequence number
  uint32_t jitter = 0;           // interarrival jitter, RTP timestamp units
  uint32_t lastSr = 0;           // middle 32 bits of the last SR's NTP timestamp, 0 if none
  uint32_t delaySinceLastSr = 0; // in 1/65536 s, 0 if no SR yet
  bool operator==(const ReportBlock&) const = default;
};

// RFC 5104 §4.3.1.1 FIR FCI entry.
struct FirEntry {
  uint32_t ssrc = 0;
  uint8_t seqNr = 0;
  bool operator==(const FirEntry&) const = default;
};

namespace rtcpdetail {
inline ReportBlock decodeReportBlock(const uint8_t* p) {
  ReportBlock block;
  block.ssrc = readBe32(p);
  block.fractionLost = p[4];
  const uint32_t lost = (uint32_t(p[5]) << 16) | (uint32_t(p[6]) << 8) | p[7];
  block.cumulativeLost = (lost & 0x800000) ? static_cast<int32_t>(lost) - 0x1000000 : static_cast<int32_t>(lost);
  block.extHighestSeq = readBe32(p + 8);
  block.jitter = readBe32(p + 12);
  block.lastSr = readBe32(p + 16);
  block.delaySinceLastSr = readBe32(p + 20);
  return block;
}
inline FirEntry decodeFirEntry(const uint8_t* p) { return FirEntry{readBe32(p), p[4]}; }
}  // namespace rtcpdetail

// A read-only run of fixed-size records in the caller's buffer, decoded on access.
template <class T, size_t Stride, T (*Decode)(const uint8_t*)>
class RtcpRecordView {
 public:
  class Iterator {
   public:
    using iterator_category = std::forward_iterator_tag;
    using value_type = T;
    using difference_type = std::ptrdiff_t;
    using pointer = void;
    using reference = T;
    Iterator() = default;
    explicit Iterator(const uint8_t* at) : at_(at) {}
    T operator*() const { return Decode(at_); }
    Iterator& operator++() {
      at_ += Stride;
      return *this;
    }
    Iterator operator++(int) {
      Iterator before = *this;
      at_ += Stride;
      return before;
    }
    bool operator==(const Iterator&) const = default;

   private:
    const uint8_t* at_ = nullptr;
  };

  RtcpRecordView() = default;
  RtcpRecordView(const uint8_t* bytes, size_t count) : bytes_(bytes), count_(count) {}
  size_t size() const { return count_; }
  bool empty() const { return count_ == 0; }
  T operator[](size_t index) const { return Decode(bytes_ + index * Stride); }  // index < size()
  Iterator begin() const { return Iterator(bytes_); }
  Iterator end() const { return Iterator(bytes_ + count_ * Stride); }
  const uint8_t* bytes() const { return bytes_; }
  std::vector<T> toVector() const { return std::vector<T>(begin(), end()); }

 private:
  const uint8_t* bytes_ = nullptr;
  size_t count_ = 0;
};

using ReportBlocks = RtcpRecordView<ReportBlock, 24, &rtcpdetail::decodeReportBlock>;
using SsrcList = RtcpRecordView<uint32_t, 4, &rtcpdetail::readBe32>;
using FirEntries = RtcpRecordView<FirEntry, 8, &rtcpdetail::decodeFirEntry>;

// The lost sequence numbers of a generic NACK (RFC 4585 §6.2.1), expanded from its (PID, BLP)
// entries in wire order: PID, then PID+i+1 for each set bit i of BLP (wrapping at 65535).
class NackList {
 public:
  class Iterator {
   public:
    using iterator_category = std::forward_iterator_tag;
    using value_type = uint16_t;
    using difference_type = std::ptrdiff_t;
    using pointer = void;
    using reference = uint16_t;
    Iterator() = default;
    explicit Iterator(const uint8_t* entry) : entry_(entry) {}
    uint16_t operator*() const { return static_cast<uint16_t>(rtcpdetail::readBe16(entry_) + bit_ + 1); }
    Iterator& operator++() {
      const uint16_t mask = rtcpdetail::readBe16(entry_ + 2);
      for (++bit_; bit_ < 16; ++bit_) {
        if (mask & (1u << bit_)) return *this;
      }
      entry_ += 4;
      bit_ = -1;
      return *this;
    }
    Iterator operator++(int) {
      Iterator before = *this;
      ++*this;
      return before;
    }
    bool operator==(const Iterator& other) const { return entry_ == other.entry_ && bit_ == other.bit_; }

   private:
    const uint8_t* entry_ = nullptr;
    int bit_ = -1;  // -1: the PID itself, else the BLP bit
  };

  NackList() = default;
  NackList(const uint8_t* fci, size_t entries) : fci_(fci), entries_(entries) {}
  size_t entryCount() const { return entries_; }
  size_t size() const {
    size_t count = entries_;
    for (size_t i = 0; i < entries_; ++i) count += std::popcount(rtcpdetail::readBe16(fci_ + 4 * i + 2));
    return count;
  }
  bool empty() const { return entries_ == 0; }
  Iterator begin() const { return Iterator(fci_); }
  Iterator end() const { return Iterator(fci_ + 4 * entries_); }
  std::vector<uint16_t> toVector() const { return std::vector<uint16_t>(begin(), end()); }

 private:
  const uint8_t* fci_ = nullptr;
  size_t entries_ = 0;
};

// SR (PT 200). The report blocks are those of the SR itself; RFC 3550 §6.4.2 puts more than 31
// in RRs that follow, which come as ReceiverReport items.
struct SenderReport {
  uint32_t ssrc = 0;
  uint32_t ntpSec = 0;
  uint32_t ntpFrac = 0;
  uint32_t rtpTimestamp = 0;
  uint32_t packetCount = 0;
  uint32_t octetCount = 0;
  ReportBlocks reports;
};

// RR (PT 201).
struct ReceiverReport {
  uint32_t ssrc = 0;
  ReportBlocks reports;
};

// SDES items (RFC 3550 §6.5): type 1 CNAME, 2 NAME, ... 8 PRIV.
struct SdesItem {
  uint32_t ssrc = 0;  // of the chunk
  uint8_t type = 0;
  std::string_view text;
};

// SDES (PT 202): chunks already checked; items decode on access.
struct Sdes {
  const uint8_t* body = nullptr;  // first chunk
  size_t bodySize = 0;
  uint8_t chunkCount = 0;

  // f(const SdesItem&) per item of every chunk, in order.
  template <class F>
  void forEachItem(F&& f) const;
  // The first CNAME item, if any.
  std::optional<SdesItem> cname() const;
};

// BYE (PT 203).
struct Bye {
  SsrcList ssrcs;
  std::string_view reason;  // empty when absent
};

// PSFB FMT 1 (RFC 4585 §6.3.1).
struct Pli {
  uint32_t senderSsrc = 0;
  uint32_t mediaSsrc = 0;
};

// PSFB FMT 4 (RFC 5104 §4.3.1). mediaSsrc is unused by the RFC (0); entries name the sources.
struct Fir {
  uint32_t senderSsrc = 0;
  uint32_t mediaSsrc = 0;
  FirEntries entries;
};

// PSFB FMT 15 with the "REMB" identifier (draft-alvestrand-rmcat-remb §2.2): bitrate is
// mantissa * 2^exp, saturated at UINT64_MAX.
struct Remb {
  uint32_t senderSsrc = 0;
  uint32_t mediaSsrc = 0;  // 0 per the draft
  uint64_t bitrateBps = 0;
  uint8_t exponent = 0;
  uint32_t mantissa = 0;
  SsrcList ssrcs;
};

// RTPFB FMT 1 (RFC 4585 §6.2.1).
struct Nack {
  uint32_t senderSsrc = 0;
  uint32_t mediaSsrc = 0;
  NackList lostSequenceNumbers;
};

// RTPFB FMT 15 (draft-holmer-rmcat-transport-wide-cc-extensions §3.1): the fixed part of the
// FCI is decoded; the packet status chunks and deltas stay raw.
struct TransportCc {
  uint32_t senderSsrc = 0;
  uint32_t mediaSsrc = 0;
  uint16_t baseSequenceNumber = 0;
  uint16_t packetStatusCount = 0;
  int32_t referenceTime = 0;  // 24-bit signed, in 64 ms
  uint8_t feedbackPacketCount = 0;
  std::span<const uint8_t> fci;  // the whole FCI, fixed part included
};

// Any other well-framed packet: APP, XR, other feedback types, PSFB FMT 15 that is not REMB.
struct Other {
  uint8_t packetType = 0;
  uint8_t fmt = 0;                  // the 5-bit count/FMT field
  std::span<const uint8_t> packet;  // header included, padding excluded
};

using RtcpItem = std::variant<SenderReport, ReceiverReport, Sdes, Bye, Pli, Fir, Remb, Nack, TransportCc, Other>;

namespace rtcpdetail {
struct NotAnRtcpItem {};
}  // namespace rtcpdetail

// What RtcpPacket::forEach takes: a callable of the whole RtcpItem variant, and not one that
// takes anything (a generic lambda, or an overload set with a catch-all): handed the variant,
// such a set silently picks its catch-all and never its typed handlers, which is how the lean
// transport once ignored every SR, RR, PLI, NACK and REMB. Typed handlers go to visitEach.
template <class F>
concept RtcpItemVisitor = std::is_invocable_v<F&, const RtcpItem&> && !std::is_invocable_v<F&, const rtcpdetail::NotAnRtcpItem&>;

// Overloaded{[](const Pli&) {...}, [](const auto&) {}}: a handler set for visitEach.
template <class... F>
struct Overloaded : F... {
  using F::operator()...;
};
template <class... F>
Overloaded(F...) -> Overloaded<F...>;

// Parameters of an SR's sender info (RFC 3550 §6.4.1).
struct SenderInfo {
  uint32_t ntpSec = 0;
  uint32_t ntpFrac = 0;
  uint32_t rtpTimestamp = 0;
  uint32_t packetCount = 0;
  uint32_t octetCount = 0;
};

class RtcpPacket {
 public:
  enum class Type : uint8_t {
    SenderReport = 200,
    ReceiverReport = 201,
    Sdes = 202,
    Bye = 203,
    App = 204,
    RtpFeedback = 205,
    PayloadFeedback = 206,
    ExtendedReport = 207,
  };

  // Calls visitor(const RtcpItem&) per packet of the compound, in order. The visitor may return
  // void, or bool (false stops). Iteration stops at the first malformed packet: wrong version,
  // a length running past the buffer, a bad padding count, a packet type outside 192..223, or a
  // known type whose body is too short for what its count fields state. Returns true when the
  // whole buffer was walked (or the visitor stopped), false when a malformed packet ended it.
  template <RtcpItemVisitor F>
  static bool forEach(const uint8_t* data, size_t size, F&& visitor);
  // forEach with std::visit: `handlers` (e.g. an Overloaded set) is called with each item's own
  // type (const Pli&, const Nack&, ...); it must handle every type (a catch-all may).
  template <class H>
  static bool visitEach(const uint8_t* data, size_t size, H&& handlers) {
    return forEach(data, size, [&handlers](const RtcpItem& item) { std::visit(handlers, item); });
  }

  // One step of forEach: the item at `offset`, advancing it past the packet. nullopt at the end
  // (offset == size) or when the packet at offset is malformed (`malformed` set, offset kept).
  static std::optional<RtcpItem> parseNext(const uint8_t* data, size_t size, size_t& offset, bool& malformed);

  // Builders: each appends complete RTCP packets (V=2, no padding) to `out`.
  // RR; with more than 31 blocks, further RRs carry the rest (RFC 3550 §6.4.2).
  static void buildReceiverReport(std::vector<uint8_t>& out, uint32_t senderSsrc, std::span<const ReportBlock> blocks);
  // SR with up to 31 blocks, further RRs for the rest.
  static void buildSenderReport(std::vector<uint8_t>& out, uint32_t senderSsrc, const SenderInfo& info,
                                std::span<const ReportBlock> blocks);
  // SDES with one chunk holding one CNAME item; false (nothing appended) if cname > 255 bytes.
  static bool buildSdesCname(std::vector<uint8_t>& out, uint32_t ssrc, std::string_view cname);
  // BYE; false if more than 31 SSRCs or reason > 255 bytes.
  static bool buildBye(std::vector<uint8_t>& out, std::span<const uint32_t> ssrcs, std::string_view reason = {});
  static void buildPli(std::vector<uint8_t>& out, uint32_t senderSsrc, uint32_t mediaSsrc);
  // FIR with one FCI entry for mediaSsrc (the header's media SSRC field is 0 per RFC 5104).
  static void buildFir(std::vector<uint8_t>& out, uint32_t senderSsrc, uint32_t mediaSsrc, uint8_t seqNr);
  // REMB: the smallest exponent whose 18-bit mantissa holds the bitrate, rounded down. False if
  // more than 255 SSRCs.
  static bool buildRemb(std::vector<uint8_t>& out, uint32_t senderSsrc, uint64_t bitrateBps,
                        std::span<const uint32_t> ssrcs);
  // Generic NACK: each sequence number joins the previous FCI entry when within its 16 following
  // numbers (wrap-aware), else opens a new entry; ascending input gives the fewest entries.
  // False (nothing appended) for an empty list.
  static bool buildNack(std::vector<uint8_t>& out, uint32_t senderSsrc, uint32_t mediaSsrc,
                        std::span<const uint16_t> lostSequenceNumbers);

  // REMB exponent/mantissa of a bitrate as buildRemb writes it, and back.
  static std::pair<uint8_t, uint32_t> encodeRembBitrate(uint64_t bitrateBps);
  static uint64_t decodeRembBitrate(uint8_t exponent, uint32_t mantissa);

  // In place, for relaying feedback between peers: replaces every media-source SSRC by
  // map(ssrc): report-block SSRCs of SR/RR, the media SSRC of every RTPFB/PSFB packet when
  // not 0 (PLI, NACK, transport-cc, ...), FIR entries and REMB SSRC lists. Stops at the first
  // malformed packet like forEach (what came before is rewritten) and returns false then.
  static bool rewriteMediaSsrc(uint8_t* data, size_t size, const std::function<uint32_t(uint32_t)>& map);
  // In place: the packet-sender SSRC of SR, RR, RTPFB and PSFB packets (the relay reports as
  // itself). Same stopping rule.
  static bool rewriteSenderSsrc(uint8_t* data, size_t size, const std::function<uint32_t(uint32_t)>& map);
};

template <RtcpItemVisitor F>
bool RtcpPacket::forEach(const uint8_t* data, size_t size, F&& visitor) {
  size_t offset = 0;
  bool malformed = false;
  while (auto item = parseNext(data, size, offset, malformed)) {
    if constexpr (std::is_same_v<std::invoke_result_t<F&, const RtcpItem&>, bool>) {
      if (!visitor(static_cast<const RtcpItem&>(*item))) return true;
    } else {
      visitor(static_cast<const RtcpItem&>(*item));
    }
  }
  return !malformed;
}

template <class F>
void Sdes::forEachItem(F&& f) const {
  // parseNext checked the chunk structure, so this walk stays within body.
  size_t offset = 0;
  for (uint8_t chunk = 0; chunk < chunkCount; ++chunk) {
    const uint32_t ssrc = rtcpdetail::readBe32(body + offset);
    offset += 4;
    while (body[offset] != 0) {
      const uint8_t length = body[offset + 1];
      f(SdesItem{ssrc, body[offset], std::string_view(reinterpret_cast<const char*>(body + offset + 2), length)});
      offset += 2 + length;
    }
    offset = (offset + 4) & ~size_t(3);  // the null item and padding to the next 32-bit boundary
  }
}

}  // namespace pw::transport
