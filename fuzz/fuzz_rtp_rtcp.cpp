// libFuzzer target: the RTP/RTCP packet layer of the lean transport (engine/src/transport), the
// first code that reads what a peer sends after SRTP/SRTCP. Each input is read four ways:
//   1. as an RTP packet: RtpPacket::parse, header setters, RFC 8285 extension remap/remove and
//      keyframe detection;
//   2. as an RTCP compound: RtcpPacket::forEach / parseNext, each item rebuilt with the builders,
//      and rewriteMediaSsrc / rewriteSenderSsrc;
//   3. as parameters for the builders, whose output must parse back;
//   4. as a sequence of (seq, timestamp, time) driving RtpReceiveStats, NackGenerator and
//      RetransmissionBuffer.
// Besides the sanitizers: every view a parser gives lies inside the input; setters write what
// re-parsing reads; remapping or removing an extension element changes that element only; a
// rewritten SSRC is map(old) and rewriting with an involution twice restores the bytes; builders'
// output parses back to their parameters; the feedback classes keep their bounds and order.
// Plain C++: no Qt and no engine (links pipewright_transport only).

#include "transport/CodecKeyframe.h"
#include "transport/NackGenerator.h"
#include "transport/RetransmissionBuffer.h"
#include "transport/RtcpPacket.h"
#include "transport/RtpPacket.h"
#include "transport/RtpReceiveStats.h"

#include <algorithm>
#include <cstdint>
#include <cstdio>
#include <cstdlib>
#include <cstring>
#include <set>
#include <string>
#include <vector>

#define FUZZ_CHECK(condition)                                                                        \
  do {                                                                                               \
    if (!(condition)) {                                                                              \
      std::fprintf(stderr, "fuzz_rtp_rtcp: broken invariant at line %d: %s\n", __LINE__, #condition); \
      std::abort();                                                                                  \
    }                                                                                                \
  } while (0)

using namespace pw::transport;

namespace {

using Bytes = std::vector<uint8_t>;

bool inside(const uint8_t* p, size_t n, const uint8_t* begin, size_t size) {
  return n == 0 || (p >= begin && n <= size && p - begin <= static_cast<std::ptrdiff_t>(size - n));
}

// Reads values off the input; zeros when it runs out.
class Reader {
 public:
  Reader(const uint8_t* data, size_t size) : data_(data), size_(size) {}
  uint8_t u8() { return offset_ < size_ ? data_[offset_++] : 0; }
  uint16_t u16() { return static_cast<uint16_t>((u8() << 8) | u8()); }
  uint32_t u32() { return (uint32_t(u16()) << 16) | u16(); }
  uint64_t u64() { return (uint64_t(u32()) << 32) | u32(); }
  bool done() const { return offset_ >= size_; }

 private:
  const uint8_t* data_;
  size_t size_;
  size_t offset_ = 0;
};

// ---- 1. RTP ----

struct Element {
  int id;
  const uint8_t* data;
  size_t size;
  bool operator==(const Element&) const = default;
};

std::vector<Element> elementsOf(const RtpPacket& packet, bool* wellFormed) {
  std::vector<Element> out;
  *wellFormed = packet.forEachExtension([&](int id, const uint8_t* data, size_t size) {
    out.push_back(Element{id, data, size});
    return true;
  });
  return out;
}

void checkRtpLayout(const RtpPacket& packet, const uint8_t* buffer, size_t size) {
  FUZZ_CHECK(packet.data() == buffer && packet.size() == size);
  FUZZ_CHECK(packet.headerSize() >= RtpPacket::kFixedHeaderSize);
  FUZZ_CHECK(packet.headerSize() == 12 + 4u * packet.csrcCount() +
                                        (packet.extensionFormat() == RtpExtensionFormat::None ? 0 : 4 + packet.extensionDataSize()));
  FUZZ_CHECK(packet.headerSize() + packet.payloadSize() + packet.paddingSize() == size);
  FUZZ_CHECK(packet.payload() == buffer + packet.headerSize());
  FUZZ_CHECK(packet.hasPadding() == (packet.paddingSize() > 0));
  if (packet.hasPadding()) FUZZ_CHECK(packet.paddingSize() == buffer[size - 1]);
  if (packet.extensionFormat() != RtpExtensionFormat::None) {
    FUZZ_CHECK(packet.extensionData() == buffer + 12 + 4u * packet.csrcCount() + 4);
  }
}

void checkRtp(const uint8_t* input, size_t size) {
  Bytes buffer(input, input + size);  // exactly sized: ASan sees any read past it
  auto packet = RtpPacket::parse(buffer.data(), buffer.size());
  if (!packet) return;
  checkRtpLayout(*packet, buffer.data(), buffer.size());
  for (VideoCodec codec : {VideoCodec::Vp8, VideoCodec::Vp9, VideoCodec::H264}) {
    (void)isKeyframeStart(codec, packet->payload(), packet->payloadSize());
  }

  bool wellFormed = false;
  const std::vector<Element> elements = elementsOf(*packet, &wellFormed);
  const bool oneByte = packet->extensionFormat() == RtpExtensionFormat::OneByte;
  for (size_t i = 0; i < elements.size(); ++i) {
    const Element& e = elements[i];
    FUZZ_CHECK(inside(e.data, e.size, packet->extensionData(), packet->extensionDataSize()));
    FUZZ_CHECK(oneByte ? (e.id >= 1 && e.id <= 14 && e.size >= 1 && e.size <= 16) : (e.id >= 1 && e.id <= 255));
    // extension(id) is the first element with that id.
    const auto found = packet->extension(e.id);
    FUZZ_CHECK(found);
    const auto first = std::find_if(elements.begin(), elements.end(), [&](const Element& x) { return x.id == e.id; });
    FUZZ_CHECK(found->first == first->data && found->second == first->size);
  }
  if (packet->extensionFormat() == RtpExtensionFormat::None || packet->extensionFormat() == RtpExtensionFormat::Other) {
    FUZZ_CHECK(elements.empty());
  }

  // Header setters: re-parsing reads what was written, and nothing else moved.
  const Bytes payloadBefore(packet->payload(), packet->payload() + packet->payloadSize());
  const uint8_t payloadType = static_cast<uint8_t>(input[size - 1] ^ 0x5A);
  const bool marker = !packet->marker();
  const uint16_t seq = static_cast<uint16_t>(packet->sequenceNumber() ^ 0xA5C3);
  const uint32_t timestamp = packet->timestamp() + 0x9E3779B9u;
  const uint32_t ssrc = ~packet->ssrc();
  const uint32_t csrc0 = packet->csrc(0);
  packet->setPayloadType(payloadType);
  packet->setMarker(marker);
  packet->setSequenceNumber(seq);
  packet->setTimestamp(timestamp);
  packet->setSsrc(ssrc);
  const auto reparsed = RtpPacket::parse(buffer.data(), buffer.size());
  FUZZ_CHECK(reparsed);
  FUZZ_CHECK(reparsed->payloadType() == (payloadType & 0x7F));
  FUZZ_CHECK(reparsed->marker() == marker);
  FUZZ_CHECK(reparsed->sequenceNumber() == seq);
  FUZZ_CHECK(reparsed->timestamp() == timestamp);
  FUZZ_CHECK(reparsed->ssrc() == ssrc);
  FUZZ_CHECK(reparsed->csrc(0) == csrc0);
  FUZZ_CHECK(reparsed->headerSize() == packet->headerSize() && reparsed->paddingSize() == packet->paddingSize());
  FUZZ_CHECK(std::equal(payloadBefore.begin(), payloadBefore.end(), reparsed->payload()));
  bool stillWellFormed = false;
  FUZZ_CHECK(elementsOf(*reparsed, &stillWellFormed) == elements && stillWellFormed == wellFormed);

  if (elements.empty()) {
    FUZZ_CHECK(!packet->setExtensionId(1, 2) && !packet->removeExtension(1));
    return;
  }
  // Remap the first element's id: the walk sees the same elements with that one id changed.
  const int newId = oneByte ? (elements[0].id % 14) + 1 : (elements[0].id % 255) + 1;
  FUZZ_CHECK(!packet->setExtensionId(elements[0].id, oneByte ? 15 : 256));
  FUZZ_CHECK(!packet->setExtensionId(elements[0].id, 0));
  FUZZ_CHECK(packet->setExtensionId(elements[0].id, newId));
  std::vector<Element> expected = elements;
  expected[0].id = newId;
  FUZZ_CHECK(elementsOf(*packet, &stillWellFormed) == expected && stillWellFormed == wellFormed);
  FUZZ_CHECK(packet->extension(newId)->first == elements[0].data);

  // Remove it: it turns into padding bytes, every other element stays where it was.
  FUZZ_CHECK(packet->removeExtension(newId));
  const size_t headerBytes = oneByte ? 1 : 2;
  for (const uint8_t* p = elements[0].data - headerBytes; p < elements[0].data + elements[0].size; ++p) FUZZ_CHECK(*p == 0);
  expected.erase(expected.begin());
  FUZZ_CHECK(elementsOf(*packet, &stillWellFormed) == expected && stillWellFormed == wellFormed);
  const auto afterRemove = RtpPacket::parse(buffer.data(), buffer.size());
  FUZZ_CHECK(afterRemove && afterRemove->payloadSize() == payloadBefore.size());
  FUZZ_CHECK(std::equal(payloadBefore.begin(), payloadBefore.end(), afterRemove->payload()));
}

// ---- 2. RTCP ----

// An involution that keeps 0 as 0 and non-zero as non-zero (the media-SSRC rule skips 0).
uint32_t swapSsrc(uint32_t ssrc) {
  constexpr uint32_t kKey = 0x5A5A5A5A;
  return (ssrc == 0 || ssrc == kKey) ? ssrc : ssrc ^ kKey;
}

struct Summary {
  std::vector<size_t> kinds;
  std::vector<uint32_t> mediaSsrcs;   // what rewriteMediaSsrc maps, in order
  std::vector<uint32_t> senderSsrcs;  // what rewriteSenderSsrc maps, in order
};

Summary summarize(const uint8_t* buffer, size_t size, bool* complete) {
  Summary summary;
  auto feedbackMedia = [&](uint32_t media) {
    if (media != 0) summary.mediaSsrcs.push_back(media);
  };
  *complete = RtcpPacket::forEach(buffer, size, [&](const RtcpItem& item) {
    summary.kinds.push_back(item.index());
    std::visit(Overloaded{
                   [&](const SenderReport& sr) {
                     summary.senderSsrcs.push_back(sr.ssrc);
                     for (const ReportBlock& block : sr.reports) summary.mediaSsrcs.push_back(block.ssrc);
                   },
                   [&](const ReceiverReport& rr) {
                     summary.senderSsrcs.push_back(rr.ssrc);
                     for (const ReportBlock& block : rr.reports) summary.mediaSsrcs.push_back(block.ssrc);
                   },
                   [&](const Pli& pli) {
                     summary.senderSsrcs.push_back(pli.senderSsrc);
                     feedbackMedia(pli.mediaSsrc);
                   },
                   [&](const Fir& fir) {
                     summary.senderSsrcs.push_back(fir.senderSsrc);
                     feedbackMedia(fir.mediaSsrc);
                     for (const FirEntry& entry : fir.entries) summary.mediaSsrcs.push_back(entry.ssrc);
                   },
                   [&](const Remb& remb) {
                     summary.senderSsrcs.push_back(remb.senderSsrc);
                     feedbackMedia(remb.mediaSsrc);
                     for (uint32_t s : remb.ssrcs) summary.mediaSsrcs.push_back(s);
                   },
                   [&](const Nack& nack) {
                     summary.senderSsrcs.push_back(nack.senderSsrc);
                     feedbackMedia(nack.mediaSsrc);
                   },
                   [&](const TransportCc& cc) {
                     summary.senderSsrcs.push_back(cc.senderSsrc);
                     feedbackMedia(cc.mediaSsrc);
                   },
                   [&](const Other& other) {
                     if (other.packetType == 205 || other.packetType == 206) {
                       summary.senderSsrcs.push_back(rtcpdetail::readBe32(other.packet.data() + 4));
                       feedbackMedia(rtcpdetail::readBe32(other.packet.data() + 8));
                     }
                   },
                   [](const auto&) {},
               },
               item);
  });
  return summary;
}

// Every view of an item lies inside the buffer; the item rebuilt with the builders parses back.
void checkItem(const RtcpItem& item, const uint8_t* buffer, size_t size) {
  Bytes rebuilt;
  bool complete = false;
  std::vector<RtcpItem> back;
  auto parseRebuilt = [&]() {
    back.clear();
    complete = RtcpPacket::forEach(rebuilt.data(), rebuilt.size(), [&](const RtcpItem& i) { back.push_back(i); });
    FUZZ_CHECK(complete && rebuilt.size() % 4 == 0);
  };
  auto sameBlocks = [](const ReportBlocks& blocks, const std::vector<RtcpItem>& items, bool senderFirst) {
    std::vector<ReportBlock> parsed;
    for (size_t i = 0; i < items.size(); ++i) {
      const ReportBlocks& part = (i == 0 && senderFirst) ? std::get<SenderReport>(items[i]).reports
                                                         : std::get<ReceiverReport>(items[i]).reports;
      for (const ReportBlock& block : part) parsed.push_back(block);
    }
    return parsed == blocks.toVector();
  };

  std::visit(
      Overloaded{
          [&](const SenderReport& sr) {
            FUZZ_CHECK(inside(sr.reports.bytes(), 24 * sr.reports.size(), buffer, size));
            const std::vector<ReportBlock> blocks = sr.reports.toVector();
            RtcpPacket::buildSenderReport(rebuilt, sr.ssrc,
                                          SenderInfo{sr.ntpSec, sr.ntpFrac, sr.rtpTimestamp, sr.packetCount, sr.octetCount},
                                          blocks);
            parseRebuilt();
            const auto& again = std::get<SenderReport>(back.at(0));
            FUZZ_CHECK(again.ssrc == sr.ssrc && again.ntpSec == sr.ntpSec && again.ntpFrac == sr.ntpFrac &&
                       again.rtpTimestamp == sr.rtpTimestamp && again.packetCount == sr.packetCount &&
                       again.octetCount == sr.octetCount);
            FUZZ_CHECK(sameBlocks(sr.reports, back, true));
          },
          [&](const ReceiverReport& rr) {
            FUZZ_CHECK(inside(rr.reports.bytes(), 24 * rr.reports.size(), buffer, size));
            RtcpPacket::buildReceiverReport(rebuilt, rr.ssrc, rr.reports.toVector());
            parseRebuilt();
            FUZZ_CHECK(std::get<ReceiverReport>(back.at(0)).ssrc == rr.ssrc);
            FUZZ_CHECK(sameBlocks(rr.reports, back, false));
          },
          [&](const Sdes& sdes) {
            FUZZ_CHECK(inside(sdes.body, sdes.bodySize, buffer, size));
            sdes.forEachItem([&](const SdesItem& i) {
              FUZZ_CHECK(i.type != 0);
              FUZZ_CHECK(inside(reinterpret_cast<const uint8_t*>(i.text.data()), i.text.size(), sdes.body, sdes.bodySize));
            });
            if (const auto cname = sdes.cname()) {
              FUZZ_CHECK(cname->type == 1);
              FUZZ_CHECK(RtcpPacket::buildSdesCname(rebuilt, cname->ssrc, cname->text));
              parseRebuilt();
              const auto again = std::get<Sdes>(back.at(0)).cname();
              FUZZ_CHECK(again && again->ssrc == cname->ssrc && again->text == cname->text);
            }
          },
          [&](const Bye& bye) {
            FUZZ_CHECK(inside(bye.ssrcs.bytes(), 4 * bye.ssrcs.size(), buffer, size));
            FUZZ_CHECK(inside(reinterpret_cast<const uint8_t*>(bye.reason.data()), bye.reason.size(), buffer, size));
            const std::vector<uint32_t> ssrcs = bye.ssrcs.toVector();
            FUZZ_CHECK(RtcpPacket::buildBye(rebuilt, ssrcs, bye.reason));  // a parsed BYE always fits
            parseRebuilt();
            const auto& again = std::get<Bye>(back.at(0));
            FUZZ_CHECK(again.ssrcs.toVector() == ssrcs && again.reason == bye.reason);
          },
          [&](const Pli& pli) {
            RtcpPacket::buildPli(rebuilt, pli.senderSsrc, pli.mediaSsrc);
            parseRebuilt();
            const auto& again = std::get<Pli>(back.at(0));
            FUZZ_CHECK(again.senderSsrc == pli.senderSsrc && again.mediaSsrc == pli.mediaSsrc);
          },
          [&](const Fir& fir) {
            FUZZ_CHECK(!fir.entries.empty() && inside(fir.entries.bytes(), 8 * fir.entries.size(), buffer, size));
            RtcpPacket::buildFir(rebuilt, fir.senderSsrc, fir.entries[0].ssrc, fir.entries[0].seqNr);
            parseRebuilt();
            const auto& again = std::get<Fir>(back.at(0));
            FUZZ_CHECK(again.senderSsrc == fir.senderSsrc && again.mediaSsrc == 0 && again.entries.size() == 1 &&
                       again.entries[0] == fir.entries[0]);
          },
          [&](const Remb& remb) {
            FUZZ_CHECK(inside(remb.ssrcs.bytes(), 4 * remb.ssrcs.size(), buffer, size));
            FUZZ_CHECK(remb.bitrateBps == RtcpPacket::decodeRembBitrate(remb.exponent, remb.mantissa));
            const std::vector<uint32_t> ssrcs = remb.ssrcs.toVector();
            FUZZ_CHECK(RtcpPacket::buildRemb(rebuilt, remb.senderSsrc, remb.bitrateBps, ssrcs));
            parseRebuilt();
            const auto& again = std::get<Remb>(back.at(0));
            // Re-encoding may round down (a saturated or non-canonical exponent), never up.
            FUZZ_CHECK(again.bitrateBps <= remb.bitrateBps);
            FUZZ_CHECK(remb.bitrateBps - again.bitrateBps < (uint64_t(1) << again.exponent));
            FUZZ_CHECK(again.senderSsrc == remb.senderSsrc && again.ssrcs.toVector() == ssrcs);
          },
          [&](const Nack& nack) {
            const std::vector<uint16_t> lost = nack.lostSequenceNumbers.toVector();
            FUZZ_CHECK(lost.size() == nack.lostSequenceNumbers.size());
            FUZZ_CHECK(nack.lostSequenceNumbers.entryCount() >= 1 && 4 * nack.lostSequenceNumbers.entryCount() <= size);
            FUZZ_CHECK(RtcpPacket::buildNack(rebuilt, nack.senderSsrc, nack.mediaSsrc, lost));
            parseRebuilt();
            const auto& again = std::get<Nack>(back.at(0));
            FUZZ_CHECK(again.senderSsrc == nack.senderSsrc && again.mediaSsrc == nack.mediaSsrc);
            const std::vector<uint16_t> lostAgain = again.lostSequenceNumbers.toVector();
            FUZZ_CHECK(std::set<uint16_t>(lost.begin(), lost.end()) == std::set<uint16_t>(lostAgain.begin(), lostAgain.end()));
            FUZZ_CHECK(again.lostSequenceNumbers.entryCount() <= lost.size());
          },
          [&](const TransportCc& cc) {
            FUZZ_CHECK(cc.fci.size() >= 8 && inside(cc.fci.data(), cc.fci.size(), buffer, size));
            FUZZ_CHECK(cc.referenceTime >= -0x800000 && cc.referenceTime <= 0x7FFFFF);
          },
          [&](const Other& other) {
            FUZZ_CHECK(other.packet.size() >= 4 && inside(other.packet.data(), other.packet.size(), buffer, size));
            FUZZ_CHECK(other.packet[1] == other.packetType && (other.packet[0] & 0x1F) == other.fmt);
          },
      },
      item);
}

void checkRtcp(const uint8_t* input, size_t size) {
  Bytes buffer(input, input + size);
  // parseNext steps whole 32-bit words, never past the end.
  size_t offset = 0;
  bool malformed = false;
  size_t steps = 0;
  while (true) {
    const size_t before = offset;
    const auto item = RtcpPacket::parseNext(buffer.data(), buffer.size(), offset, malformed);
    if (!item) {
      FUZZ_CHECK(offset == before);
      FUZZ_CHECK(malformed == (offset < buffer.size()));
      break;
    }
    FUZZ_CHECK(offset > before && offset <= buffer.size() && (offset - before) % 4 == 0);
    checkItem(*item, buffer.data(), buffer.size());
    ++steps;
  }

  bool complete = false;
  const Summary original = summarize(buffer.data(), buffer.size(), &complete);
  FUZZ_CHECK(complete == !malformed && original.kinds.size() == steps);
  if (steps == 0) return;

  // Media SSRCs: each becomes map(old), the rest stays; twice with an involution restores all.
  FUZZ_CHECK(RtcpPacket::rewriteMediaSsrc(buffer.data(), buffer.size(), swapSsrc) == complete);
  const Summary rewritten = summarize(buffer.data(), buffer.size(), &complete);
  FUZZ_CHECK(complete == !malformed && rewritten.kinds == original.kinds);
  FUZZ_CHECK(rewritten.senderSsrcs == original.senderSsrcs);
  FUZZ_CHECK(rewritten.mediaSsrcs.size() == original.mediaSsrcs.size());
  for (size_t i = 0; i < original.mediaSsrcs.size(); ++i) FUZZ_CHECK(rewritten.mediaSsrcs[i] == swapSsrc(original.mediaSsrcs[i]));
  FUZZ_CHECK(RtcpPacket::rewriteMediaSsrc(buffer.data(), buffer.size(), swapSsrc) == complete);
  FUZZ_CHECK(std::equal(buffer.begin(), buffer.end(), input));

  // Sender SSRCs likewise.
  FUZZ_CHECK(RtcpPacket::rewriteSenderSsrc(buffer.data(), buffer.size(), swapSsrc) == complete);
  const Summary senders = summarize(buffer.data(), buffer.size(), &complete);
  FUZZ_CHECK(senders.kinds == original.kinds && senders.mediaSsrcs == original.mediaSsrcs);
  for (size_t i = 0; i < original.senderSsrcs.size(); ++i) FUZZ_CHECK(senders.senderSsrcs[i] == swapSsrc(original.senderSsrcs[i]));
  FUZZ_CHECK(RtcpPacket::rewriteSenderSsrc(buffer.data(), buffer.size(), swapSsrc) == complete);
  FUZZ_CHECK(std::equal(buffer.begin(), buffer.end(), input));
}

// ---- 3. Builders from input parameters ----

std::vector<RtcpItem> parseAll(const Bytes& out) {
  std::vector<RtcpItem> items;
  const bool complete = RtcpPacket::forEach(out.data(), out.size(), [&](const RtcpItem& i) { items.push_back(i); });
  FUZZ_CHECK(complete && out.size() % 4 == 0);
  return items;
}

void checkBuilders(const uint8_t* input, size_t size) {
  Reader in(input, size);
  const uint32_t sender = in.u32();
  const uint32_t media = in.u32();
  Bytes out;

  RtcpPacket::buildPli(out, sender, media);
  const auto pli = std::get<Pli>(parseAll(out).at(0));
  FUZZ_CHECK(out.size() == 12 && pli.senderSsrc == sender && pli.mediaSsrc == media);

  out.clear();
  const uint8_t firSeq = in.u8();
  RtcpPacket::buildFir(out, sender, media, firSeq);
  const auto fir = std::get<Fir>(parseAll(out).at(0));
  FUZZ_CHECK(fir.entries.size() == 1 && fir.entries[0] == (FirEntry{media, firSeq}));

  out.clear();
  const uint64_t bitrate = in.u64() >> (in.u8() % 64);
  std::vector<uint32_t> ssrcs(in.u8() % 8);
  for (uint32_t& s : ssrcs) s = in.u32();
  FUZZ_CHECK(RtcpPacket::buildRemb(out, sender, bitrate, ssrcs));
  const auto remb = std::get<Remb>(parseAll(out).at(0));
  FUZZ_CHECK(remb.mantissa <= 0x3FFFF);
  FUZZ_CHECK(remb.bitrateBps == ((bitrate >> remb.exponent) << remb.exponent));  // rounded down...
  FUZZ_CHECK(remb.exponent == 0 || (bitrate >> (remb.exponent - 1)) > 0x3FFFF);  // ...with the least exponent
  FUZZ_CHECK(remb.senderSsrc == sender && remb.ssrcs.toVector() == ssrcs);

  out.clear();
  std::vector<uint16_t> lost(in.u8() % 64);
  const uint16_t base = in.u16();
  for (uint16_t& seq : lost) seq = static_cast<uint16_t>(base + (in.u8() % 40));
  if (!lost.empty() && in.u8() % 2) std::sort(lost.begin(), lost.end());
  FUZZ_CHECK(RtcpPacket::buildNack(out, sender, media, lost) == !lost.empty());
  if (!lost.empty()) {
    const auto nack = std::get<Nack>(parseAll(out).at(0));
    const std::vector<uint16_t> parsed = nack.lostSequenceNumbers.toVector();
    FUZZ_CHECK(std::set<uint16_t>(parsed.begin(), parsed.end()) == std::set<uint16_t>(lost.begin(), lost.end()));
    FUZZ_CHECK(nack.mediaSsrc == media);
  } else {
    FUZZ_CHECK(out.empty());
  }

  out.clear();
  std::vector<ReportBlock> blocks(in.u8() % 40);
  for (ReportBlock& b : blocks) {
    b = ReportBlock{in.u32(), in.u8(), static_cast<int32_t>(in.u32()), in.u32(), in.u32(), in.u32(), in.u32()};
  }
  const bool asSender = in.u8() % 2;
  if (asSender) {
    RtcpPacket::buildSenderReport(out, sender, SenderInfo{in.u32(), in.u32(), in.u32(), in.u32(), in.u32()}, blocks);
  } else {
    RtcpPacket::buildReceiverReport(out, sender, blocks);
  }
  const auto reports = parseAll(out);
  FUZZ_CHECK(reports.size() == std::max<size_t>(1, (blocks.size() + 30) / 31));
  std::vector<ReportBlock> parsedBlocks;
  for (size_t i = 0; i < reports.size(); ++i) {
    const ReportBlocks& part = (i == 0 && asSender) ? std::get<SenderReport>(reports[i]).reports
                                                    : std::get<ReceiverReport>(reports[i]).reports;
    for (const ReportBlock& b : part) parsedBlocks.push_back(b);
  }
  for (ReportBlock& b : blocks) b.cumulativeLost = std::clamp(b.cumulativeLost, -0x800000, 0x7FFFFF);
  FUZZ_CHECK(parsedBlocks == blocks);

  out.clear();
  std::string cname(in.u8() % 64, '\0');
  for (char& c : cname) c = static_cast<char>(in.u8());
  FUZZ_CHECK(RtcpPacket::buildSdesCname(out, sender, cname));
  const auto sdes = std::get<Sdes>(parseAll(out).at(0)).cname();
  FUZZ_CHECK(sdes && sdes->ssrc == sender && sdes->text == cname);

  out.clear();
  std::vector<uint32_t> byeSsrcs(in.u8() % 32);
  for (uint32_t& s : byeSsrcs) s = in.u32();
  std::string reason(in.u8() % 16, 'r');
  FUZZ_CHECK(RtcpPacket::buildBye(out, byeSsrcs, reason));
  const auto bye = std::get<Bye>(parseAll(out).at(0));
  FUZZ_CHECK(bye.ssrcs.toVector() == byeSsrcs && bye.reason == reason);
}

// ---- 4. Receive statistics, NACKs, retransmissions ----

void checkFeedback(const uint8_t* input, size_t size) {
  Reader in(input, size);
  NackGenerator::Config nackConfig;
  nackConfig.reorderDelayMs = in.u8() % 16;
  NackGenerator nack(nackConfig);
  RetransmissionBuffer::Config bufferConfig;
  bufferConfig.capacityPackets = 64;
  bufferConfig.maxPacketBytes = 64;
  RetransmissionBuffer buffer(bufferConfig);
  RtpReceiveStats stats(1, 90000);
  int64_t nowMs = 0;
  std::vector<uint16_t> due;
  for (int step = 0; step < 512 && !in.done(); ++step) {
    const uint16_t seq = in.u16();
    const uint8_t flags = in.u8();
    nowMs += in.u8();

    const auto outcome = nack.onReceived(seq, nowMs);
    FUZZ_CHECK(!nack.isMissing(seq));
    FUZZ_CHECK(nack.missingCount() <= nackConfig.maxTracked);
    if (outcome == NackGenerator::Outcome::Reset || outcome == NackGenerator::Outcome::First) FUZZ_CHECK(nack.missingCount() == 0);
    if (flags & 1) {
      due.clear();
      nack.due(nowMs, flags >> 2, due);
      for (size_t i = 0; i < due.size(); ++i) {
        FUZZ_CHECK(nack.isMissing(due[i]));
        if (i) FUZZ_CHECK(static_cast<int16_t>(static_cast<uint16_t>(due[i] - due[i - 1])) > 0);
      }
    }

    const int64_t expectedBefore = stats.expectedPackets();
    const bool counted = stats.update(seq, uint32_t(seq) * 3000u + (flags & 0x30), nowMs, flags);
    FUZZ_CHECK(stats.expectedPackets() >= 1 || (!counted && expectedBefore == 0));
    if (flags & 2) {
      const ReportBlock block = stats.reportBlock(nowMs);
      FUZZ_CHECK(block.cumulativeLost >= -0x800000 && block.cumulativeLost <= 0x7FFFFF);
      FUZZ_CHECK(block.extHighestSeq == stats.extendedHighestSequence());
    }

    const size_t packetSize = 1 + flags % 64;
    Bytes packet(packetSize, static_cast<uint8_t>(seq));
    FUZZ_CHECK(buffer.insert(seq, packet, nowMs));
    const auto stored = buffer.get(seq, nowMs);
    FUZZ_CHECK(stored && std::equal(stored->begin(), stored->end(), packet.begin(), packet.end()));
    const auto neighbour = buffer.get(static_cast<uint16_t>(seq + 64), nowMs);
    FUZZ_CHECK(!neighbour);  // same slot, other sequence number
  }
}

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  if (size == 0) return 0;
  FUZZ_CHECK(!(looksLikeRtp(data, size) && looksLikeRtcp(data, size)));
  checkRtp(data, size);
  checkRtcp(data, size);
  checkBuilders(data, size);
  checkFeedback(data, size);
  return 0;
}
