// RtpPacket (RFC 3550 §5.1, RFC 8285 header extensions), the RFC 5761 demux and keyframe
// detection (CodecKeyframe) on hand-built packets. Truncated and garbage inputs are parsed from
// exactly-sized heap copies, so the sanitizer tree catches any read past the end.

#include "transport/CodecKeyframe.h"
#include "transport/RtpPacket.h"

#include <QTest>

#include <atomic>
#include <cstdlib>
#include <cstring>
#include <memory>
#include <new>
#include <random>
#include <vector>

#include "AllocationCounter.h"

using namespace pw::transport;

namespace {


// Fixed header: V=2, given P/X/CC, marker, PT, seq 0x1234, ts 0xDEADBEEF, SSRC 0x01020304.
Bytes fixedHeader(bool padding, bool extension, int csrcCount, bool marker, int payloadType) {
  return bytes({0x80 | (padding ? 0x20 : 0) | (extension ? 0x10 : 0) | csrcCount, (marker ? 0x80 : 0) | payloadType, 0x12,
                0x34, 0xDE, 0xAD, 0xBE, 0xEF, 0x01, 0x02, 0x03, 0x04});
}

// One-byte extension block: id 1 (1 byte, audio level 0x85), id 3 (3 bytes, abs-send-time
// 0x0A0B0C), two padding bytes: 8 bytes = 2 words.
Bytes oneByteBlock() { return bytes({0xBE, 0xDE, 0x00, 0x02, 0x10, 0x85, 0x32, 0x0A, 0x0B, 0x0C, 0x00, 0x00}); }

// Two-byte extension block (profile 0x1000): id 1 with no data, id 200 with "abc", one padding
// byte: 8 bytes = 2 words.
Bytes twoByteBlock() { return bytes({0x10, 0x00, 0x00, 0x02, 0x01, 0x00, 0xC8, 0x03, 'a', 'b', 'c', 0x00}); }

// The richest packet: 2 CSRCs, one-byte extensions, payload "media", 3 bytes of padding.
Bytes fullPacket() {
  return concat({fixedHeader(true, true, 2, true, 96), bytes({0xAA, 0xAA, 0xAA, 0xAA, 0xBB, 0xBB, 0xBB, 0xBB}),
                 oneByteBlock(), bytes({'m', 'e', 'd', 'i', 'a'}), bytes({0x00, 0x00, 0x03})});
}

// Parses a heap copy of exactly `size` bytes (ASan sees one byte too far).
struct ExactCopy {
  explicit ExactCopy(const uint8_t* data, size_t size) : buffer(new uint8_t[size ? size : 1]), size(size) {
    if (size) std::memcpy(buffer.get(), data, size);
  }
  std::unique_ptr<uint8_t[]> buffer;
  size_t size;
};

// Every view a parsed packet gives lies within its buffer, and the parts add up.
void checkInvariants(const RtpPacket& packet, const uint8_t* data, size_t size) {
  QCOMPARE(packet.data(), data);
  QCOMPARE(packet.size(), size);
  QVERIFY(packet.headerSize() >= RtpPacket::kFixedHeaderSize);
  QCOMPARE(packet.headerSize() + packet.payloadSize() + packet.paddingSize(), size);
  QCOMPARE(packet.payload(), data + packet.headerSize());
  if (packet.extensionFormat() != RtpExtensionFormat::None) {
    QVERIFY(packet.extensionData() >= data + 16);
    QVERIFY(packet.extensionData() + packet.extensionDataSize() <= data + packet.headerSize());
  }
  packet.forEachExtension([&](int id, const uint8_t* element, size_t elementSize) {
    if (!(id >= 1 && id <= 255)) qFatal("extension id %d", id);
    if (!(element >= packet.extensionData() &&
          element + elementSize <= packet.extensionData() + packet.extensionDataSize())) {
      qFatal("extension element out of its block");
    }
    return true;
  });
}

}  // namespace

class TestRtpPacket : public QObject {
  Q_OBJECT

 private Q_SLOTS:
  void demux() {
    const Bytes sr = bytes({0x80, 200, 0x00, 0x06});
    QVERIFY(looksLikeRtcp(sr.data(), sr.size()));
    QVERIFY(!looksLikeRtp(sr.data(), sr.size()));
    const Bytes rtp = fixedHeader(false, false, 0, false, 96);
    QVERIFY(looksLikeRtp(rtp.data(), rtp.size()));
    QVERIFY(!looksLikeRtcp(rtp.data(), rtp.size()));
    // Edges of the 192..223 range: 191 is PT 63 with marker, 224 is PT 96 with marker.
    for (int second : {192, 205, 206, 223}) {
      const Bytes b = bytes({0x80, second, 0, 1, 0, 0, 0, 0, 0, 0, 0, 0});
      QVERIFY2(looksLikeRtcp(b.data(), b.size()), qPrintable(QString::number(second)));
      QVERIFY(!looksLikeRtp(b.data(), b.size()));
    }
    for (int second : {0, 96, 127, 191, 224, 255}) {
      const Bytes b = bytes({0x80, second, 0, 1, 0, 0, 0, 0, 0, 0, 0, 0});
      QVERIFY2(looksLikeRtp(b.data(), b.size()), qPrintable(QString::number(second)));
      QVERIFY(!looksLikeRtcp(b.data(), b.size()));
    }
    // RFC 7983 neighbours: STUN (0..3), DTLS (20..63), and version 0/1/3 are neither.
    for (int first : {0x00, 0x01, 0x16, 0x17, 0x40, 0xC0}) {
      const Bytes b = bytes({first, 200, 0, 1, 0, 0, 0, 0, 0, 0, 0, 0});
      QVERIFY(!looksLikeRtcp(b.data(), b.size()));
      QVERIFY(!looksLikeRtp(b.data(), b.size()));
    }
    QVERIFY(!looksLikeRtp(rtp.data(), 11));
    QVERIFY(!looksLikeRtcp(sr.data(), 3));
    QVERIFY(!looksLikeRtp(nullptr, 0));
    QVERIFY(!looksLikeRtcp(nullptr, 0));
  }

  void fixedHeaderFields() {
    Bytes b = concat({fixedHeader(false, false, 0, true, 111), bytes({'h', 'e', 'l', 'l', 'o'})});
    const auto packet = RtpPacket::parse(b.data(), b.size());
    QVERIFY(packet);
    QCOMPARE(packet->payloadType(), uint8_t(111));
    QVERIFY(packet->marker());
    QCOMPARE(packet->sequenceNumber(), uint16_t(0x1234));
    QCOMPARE(packet->timestamp(), 0xDEADBEEFu);
    QCOMPARE(packet->ssrc(), 0x01020304u);
    QCOMPARE(packet->csrcCount(), uint8_t(0));
    QVERIFY(!packet->hasPadding());
    QCOMPARE(packet->headerSize(), size_t(12));
    QCOMPARE(packet->payloadSize(), size_t(5));
    QCOMPARE(std::memcmp(packet->payload(), "hello", 5), 0);
    QCOMPARE(packet->paddingSize(), size_t(0));
    QCOMPARE(packet->extensionFormat(), RtpExtensionFormat::None);
    QVERIFY(!packet->extension(1));
    checkInvariants(*packet, b.data(), b.size());

    Bytes headerOnly = fixedHeader(false, false, 0, false, 0);
    const auto empty = RtpPacket::parse(headerOnly.data(), headerOnly.size());
    QVERIFY(empty);
    QCOMPARE(empty->payloadSize(), size_t(0));
    QVERIFY(!empty->marker());
  }

  void csrcsExtensionAndPadding() {
    Bytes b = fullPacket();
    const auto packet = RtpPacket::parse(b.data(), b.size());
    QVERIFY(packet);
    QCOMPARE(packet->csrcCount(), uint8_t(2));
    QCOMPARE(packet->csrc(0), 0xAAAAAAAAu);
    QCOMPARE(packet->csrc(1), 0xBBBBBBBBu);
    QCOMPARE(packet->csrc(2), 0u);
    QVERIFY(packet->hasPadding());
    QCOMPARE(packet->paddingSize(), size_t(3));
    QCOMPARE(packet->headerSize(), size_t(12 + 8 + 12));
    QCOMPARE(packet->payloadSize(), size_t(5));
    QCOMPARE(std::memcmp(packet->payload(), "media", 5), 0);
    QCOMPARE(packet->extensionFormat(), RtpExtensionFormat::OneByte);
    QCOMPARE(packet->extensionProfile(), uint16_t(0xBEDE));
    QCOMPARE(packet->extensionDataSize(), size_t(8));
    checkInvariants(*packet, b.data(), b.size());
  }

  void oneByteExtensions() {
    Bytes b = concat({fixedHeader(false, true, 0, false, 111), oneByteBlock(), bytes({1, 2, 3})});
    const auto packet = RtpPacket::parse(b.data(), b.size());
    QVERIFY(packet);
    const auto level = packet->extension(1);
    QVERIFY(level);
    QCOMPARE(level->second, size_t(1));
    QCOMPARE(level->first, b.data() + 17);
    QCOMPARE(level->first[0], uint8_t(0x85));
    const auto sendTime = packet->extension(3);
    QVERIFY(sendTime);
    QCOMPARE(sendTime->second, size_t(3));
    QCOMPARE(sendTime->first[0], uint8_t(0x0A));
    QCOMPARE(sendTime->first[2], uint8_t(0x0C));
    QVERIFY(!packet->extension(2));
    QVERIFY(!packet->extension(0));
    QVERIFY(!packet->extension(15));
    QVERIFY(!packet->extension(256));
    QVERIFY(!packet->extension(-1));
    std::vector<int> ids;
    QVERIFY(packet->forEachExtension([&](int id, const uint8_t*, size_t) {
      ids.push_back(id);
      return true;
    }));
    QCOMPARE(ids, (std::vector<int>{1, 3}));
    QCOMPARE(packet->payloadSize(), size_t(3));
  }

  void twoByteExtensions() {
    Bytes b = concat({fixedHeader(false, true, 0, false, 100), twoByteBlock(), bytes({9, 9})});
    const auto packet = RtpPacket::parse(b.data(), b.size());
    QVERIFY(packet);
    QCOMPARE(packet->extensionFormat(), RtpExtensionFormat::TwoByte);
    const auto emptyElement = packet->extension(1);
    QVERIFY(emptyElement);
    QCOMPARE(emptyElement->second, size_t(0));
    const auto abc = packet->extension(200);
    QVERIFY(abc);
    QCOMPARE(abc->second, size_t(3));
    QCOMPARE(std::memcmp(abc->first, "abc", 3), 0);
    QVERIFY(!packet->extension(2));

    // The 4 app bits of 0x100X still mean the two-byte format.
    b[13] = 0x0F;
    b[12] = 0x10;
    QCOMPARE(RtpPacket::parse(b.data(), b.size())->extensionFormat(), RtpExtensionFormat::TwoByte);
    // Any other profile is opaque.
    b[12] = 0x12;
    const auto other = RtpPacket::parse(b.data(), b.size());
    QVERIFY(other);
    QCOMPARE(other->extensionFormat(), RtpExtensionFormat::Other);
    QVERIFY(!other->extension(200));
    QCOMPARE(other->payloadSize(), size_t(2));
  }

  void setterBytes() {
    const Bytes original = fullPacket();
    Bytes b = original;
    auto packet = RtpPacket::parse(b.data(), b.size());
    QVERIFY(packet);

    Bytes expected = original;
    packet->setPayloadType(0x7F);
    expected[1] = 0x80 | 0x7F;  // marker kept
    QCOMPARE(b, expected);
    packet->setMarker(false);
    expected[1] = 0x7F;  // payload type kept
    QCOMPARE(b, expected);
    packet->setPayloadType(0xE1);  // high bit dropped
    expected[1] = 0x61;
    QCOMPARE(b, expected);
    packet->setMarker(true);
    expected[1] = 0xE1;
    QCOMPARE(b, expected);
    packet->setSequenceNumber(0xFFFE);
    expected[2] = 0xFF;
    expected[3] = 0xFE;
    QCOMPARE(b, expected);
    packet->setTimestamp(0x11223344);
    expected[4] = 0x11;
    expected[5] = 0x22;
    expected[6] = 0x33;
    expected[7] = 0x44;
    QCOMPARE(b, expected);
    packet->setSsrc(0xCAFEBABE);
    expected[8] = 0xCA;
    expected[9] = 0xFE;
    expected[10] = 0xBA;
    expected[11] = 0xBE;
    QCOMPARE(b, expected);

    const auto reparsed = RtpPacket::parse(b.data(), b.size());
    QVERIFY(reparsed);
    QCOMPARE(reparsed->payloadType(), uint8_t(0x61));
    QVERIFY(reparsed->marker());
    QCOMPARE(reparsed->sequenceNumber(), uint16_t(0xFFFE));
    QCOMPARE(reparsed->timestamp(), 0x11223344u);
    QCOMPARE(reparsed->ssrc(), 0xCAFEBABEu);
    QCOMPARE(reparsed->csrc(1), 0xBBBBBBBBu);
    QCOMPARE(reparsed->payloadSize(), size_t(5));
  }

  void extensionRemapAndRemoveOneByte() {
    Bytes b = concat({fixedHeader(false, true, 0, false, 111), oneByteBlock(), bytes({1, 2, 3})});
    auto packet = RtpPacket::parse(b.data(), b.size());
    QVERIFY(packet);
    Bytes expected = b;

    QVERIFY(packet->setExtensionId(3, 5));
    expected[18] = 0x52;  // id 5, L 2
    QCOMPARE(b, expected);
    QVERIFY(!packet->extension(3));
    QCOMPARE(packet->extension(5)->second, size_t(3));
    QCOMPARE(packet->extension(5)->first[1], uint8_t(0x0B));

    QVERIFY(!packet->setExtensionId(5, 15));  // reserved in the one-byte form
    QVERIFY(!packet->setExtensionId(5, 0));
    QVERIFY(!packet->setExtensionId(5, 16));
    QVERIFY(!packet->setExtensionId(9, 2));  // absent
    QCOMPARE(b, expected);

    QVERIFY(packet->removeExtension(1));
    expected[16] = 0;
    expected[17] = 0;
    QCOMPARE(b, expected);
    QVERIFY(!packet->extension(1));
    QVERIFY(packet->extension(5));
    QVERIFY(!packet->removeExtension(1));
    QVERIFY(packet->removeExtension(5));
    expected[18] = expected[19] = expected[20] = expected[21] = 0;
    QCOMPARE(b, expected);

    // What is left parses as an extension block of padding only; the payload is untouched.
    const auto reparsed = RtpPacket::parse(b.data(), b.size());
    QVERIFY(reparsed);
    int elements = 0;
    QVERIFY(reparsed->forEachExtension([&](int, const uint8_t*, size_t) { return ++elements, true; }));
    QCOMPARE(elements, 0);
    QCOMPARE(reparsed->payloadSize(), size_t(3));
    QCOMPARE(reparsed->payload()[2], uint8_t(3));
  }

  void extensionRemapAndRemoveTwoByte() {
    Bytes b = concat({fixedHeader(false, true, 0, false, 100), twoByteBlock()});
    auto packet = RtpPacket::parse(b.data(), b.size());
    QVERIFY(packet);
    Bytes expected = b;
    QVERIFY(packet->setExtensionId(200, 250));
    expected[18] = 250;
    QCOMPARE(b, expected);
    QVERIFY(packet->setExtensionId(1, 14));
    expected[16] = 14;
    QCOMPARE(b, expected);
    QVERIFY(!packet->setExtensionId(250, 256));
    QVERIFY(!packet->setExtensionId(250, 0));
    QCOMPARE(packet->extension(250)->second, size_t(3));

    QVERIFY(packet->removeExtension(250));
    expected[18] = expected[19] = expected[20] = expected[21] = expected[22] = 0;
    QCOMPARE(b, expected);
    QVERIFY(!packet->extension(250));
    QCOMPARE(packet->extension(14)->second, size_t(0));
  }

  void malformedExtensionElements() {
    // One-byte: id 15 ends the walk; elements after it are not seen.
    Bytes stop = concat({fixedHeader(false, true, 0, false, 96),
                         bytes({0xBE, 0xDE, 0x00, 0x02, 0x10, 0x01, 0xF0, 0x00, 0x20, 0x02, 0x00, 0x00})});
    auto packet = RtpPacket::parse(stop.data(), stop.size());
    QVERIFY(packet);
    QVERIFY(packet->extension(1));
    QVERIFY(!packet->extension(2));
    QVERIFY(packet->forEachExtension([](int, const uint8_t*, size_t) { return true; }));

    // An element longer than its block: the ones before it stay readable, it is not.
    Bytes overrun = concat({fixedHeader(false, true, 0, false, 96),
                            bytes({0xBE, 0xDE, 0x00, 0x01, 0x10, 0x01, 0x2F, 0x00}), bytes({7, 7, 7, 7, 7, 7, 7, 7})});
    packet = RtpPacket::parse(overrun.data(), overrun.size());
    QVERIFY(packet);
    QVERIFY(packet->extension(1));
    QVERIFY(!packet->extension(2));
    QVERIFY(!packet->removeExtension(2));
    QVERIFY(!packet->forEachExtension([](int, const uint8_t*, size_t) { return true; }));

    // Two-byte: a header cut by the end of the block, and a length past it.
    Bytes cut = concat({fixedHeader(false, true, 0, false, 96), bytes({0x10, 0x00, 0x00, 0x01, 0x00, 0x00, 0x00, 0x05})});
    packet = RtpPacket::parse(cut.data(), cut.size());
    QVERIFY(packet);
    QVERIFY(!packet->extension(5));
    QVERIFY(!packet->forEachExtension([](int, const uint8_t*, size_t) { return true; }));
    Bytes longer = concat({fixedHeader(false, true, 0, false, 96), bytes({0x10, 0x00, 0x00, 0x01, 0x05, 0x03, 0x00, 0x00}),
                           bytes({1, 2, 3})});
    packet = RtpPacket::parse(longer.data(), longer.size());
    QVERIFY(packet);
    QVERIFY(!packet->extension(5));
  }

  void lyingLengths() {
    // CSRC count larger than the packet.
    Bytes b = concat({fixedHeader(false, false, 15, false, 96), Bytes(56, 0)});
    QVERIFY(!RtpPacket::parse(b.data(), b.size()));
    b.resize(b.size() + 4);
    QVERIFY(RtpPacket::parse(b.data(), b.size()));

    // Extension length past the end; exactly to the end is fine.
    b = concat({fixedHeader(false, true, 0, false, 96), bytes({0xBE, 0xDE, 0x00, 0x03}), Bytes(8, 0)});
    QVERIFY(!RtpPacket::parse(b.data(), b.size()));
    b.resize(b.size() + 4);
    QCOMPARE(RtpPacket::parse(b.data(), b.size())->payloadSize(), size_t(0));
    // X bit with no room for the extension header.
    b = concat({fixedHeader(false, true, 0, false, 96), bytes({0xBE, 0xDE, 0x00})});
    QVERIFY(!RtpPacket::parse(b.data(), b.size()));

    // Padding: count 0 is invalid; a count over the payload too; exactly the payload is fine.
    b = concat({fixedHeader(true, false, 0, false, 96), bytes({1, 2, 3, 0})});
    QVERIFY(!RtpPacket::parse(b.data(), b.size()));
    b.back() = 5;
    QVERIFY(!RtpPacket::parse(b.data(), b.size()));
    b.back() = 4;
    const auto allPadding = RtpPacket::parse(b.data(), b.size());
    QVERIFY(allPadding);
    QCOMPARE(allPadding->payloadSize(), size_t(0));
    QCOMPARE(allPadding->paddingSize(), size_t(4));
    b = fixedHeader(true, false, 0, false, 96);  // the count byte would be the SSRC's
    b.back() = 1;
    QVERIFY(!RtpPacket::parse(b.data(), b.size()));

    // Wrong versions.
    b = fixedHeader(false, false, 0, false, 96);
    for (int version : {0, 1, 3}) {
      b[0] = static_cast<uint8_t>((version << 6) | (b[0] & 0x3F));
      QVERIFY(!RtpPacket::parse(b.data(), b.size()));
    }
    QVERIFY(!RtpPacket::parse(nullptr, 0));
  }

  void everyPrefix() {
    const std::vector<Bytes> packets = {
        fullPacket(),
        concat({fixedHeader(false, true, 1, false, 100), bytes({1, 2, 3, 4}), twoByteBlock(), bytes({9, 8, 7})}),
        concat({fixedHeader(false, false, 0, true, 0), bytes({1})}),
    };
    for (const Bytes& packet : packets) {
      const auto whole = RtpPacket::parse(const_cast<uint8_t*>(packet.data()), packet.size());
      QVERIFY(whole);
      for (size_t size = 0; size < packet.size(); ++size) {
        ExactCopy copy(packet.data(), size);
        const auto prefix = RtpPacket::parse(copy.buffer.get(), copy.size);
        if (size < whole->headerSize()) {
          QVERIFY2(!prefix, qPrintable(QStringLiteral("prefix of %1 bytes").arg(size)));
          continue;
        }
        // A prefix that still holds the whole header is a shorter packet, or with the P bit its
        // last byte is read as the padding count: accepted only if consistent.
        if (prefix) {
          checkInvariants(*prefix, copy.buffer.get(), copy.size);
          if (QTest::currentTestFailed()) return;
          QCOMPARE(prefix->headerSize(), whole->headerSize());
          prefix->extension(1);
          prefix->extension(200);
        }
      }
    }
  }

  void randomBytes() {
    std::mt19937 random(20240611);
    int parsed = 0;
    for (int round = 0; round < 20000; ++round) {
      const size_t size = random() % 80;
      Bytes b(size);
      for (auto& byte : b) byte = static_cast<uint8_t>(random());
      // Mostly version 2 and a small CSRC count, so that parsing gets past the first checks.
      if (size && round % 4 != 0) b[0] = static_cast<uint8_t>(0x80 | (b[0] & 0x30) | (b[0] & 0x03));
      // Often a one-byte extension profile where the extension header would be.
      const size_t profileAt = size ? 12 + 4 * size_t(b[0] & 0x0F) : 0;
      if (size && profileAt + 1 < size && round % 3 == 0) {
        b[profileAt] = 0xBE;
        b[profileAt + 1] = 0xDE;
      }
      ExactCopy copy(b.data(), b.size());
      auto packet = RtpPacket::parse(copy.buffer.get(), copy.size);
      if (!packet) continue;
      ++parsed;
      checkInvariants(*packet, copy.buffer.get(), copy.size);
      if (QTest::currentTestFailed()) return;
      for (int id = 0; id < 16; ++id) {
        if (const auto element = packet->extension(id)) {
          QVERIFY(element->first >= packet->extensionData());
          QVERIFY(element->first + element->second <= packet->extensionData() + packet->extensionDataSize());
        }
      }
      packet->setExtensionId(1, 2);
      packet->removeExtension(3);
      checkInvariants(*packet, copy.buffer.get(), copy.size);
    }
    QVERIFY(parsed > 1000);  // the generator reaches the parser's inner paths
  }

  // VP8, RFC 7741: payload descriptor then the VP8 payload header (frame tag).
  void vp8Keyframes() {
    // A 640x480 key frame tag: P=0, version 0, show_frame 1, then the start code 9d 01 2a.
    const Bytes keyTag = bytes({0x50, 0x42, 0x00, 0x9D, 0x01, 0x2A, 0x80, 0x02, 0xE0, 0x01});
    const Bytes deltaTag = bytes({0x51, 0x03, 0x00, 0x11, 0x22});
    auto key = [](const Bytes& b) { return isKeyframeStart(VideoCodec::Vp8, b.data(), b.size()); };

    QVERIFY(key(concat({bytes({0x10}), keyTag})));                           // S=1, PID 0, no X
    QVERIFY(key(concat({bytes({0x90, 0x80, 0x80, 0x2A}), keyTag})));         // X, I with 15-bit picture id
    QVERIFY(key(concat({bytes({0x90, 0xE0, 0x12, 0x05, 0x40}), keyTag})));   // X, I 7-bit, L, T
    QVERIFY(key(concat({bytes({0xB0, 0xF0, 0x81, 0x00, 0x05, 0x40}), keyTag})));  // N set, I 15-bit, L, T, K
    QVERIFY(!key(concat({bytes({0x10}), deltaTag})));                        // P=1: interframe
    QVERIFY(!key(concat({bytes({0x90, 0x80, 0x12}), deltaTag})));
    QVERIFY(!key(concat({bytes({0x00}), keyTag})));                          // S=0: continuation
    QVERIFY(!key(concat({bytes({0x11}), keyTag})));                          // PID 1
    QVERIFY(!key(bytes({0x10})));                                            // no payload header
    QVERIFY(!key(bytes({0x90, 0x80, 0x80})));                                // truncated picture id
    QVERIFY(!key(bytes({0x90, 0xC0, 0x05})));                                // TL0PICIDX missing
    QVERIFY(!key(Bytes{}));
  }

  // VP9, RFC 9628 §4.2.
  void vp9Keyframes() {
    auto key = [](const Bytes& b) { return isKeyframeStart(VideoCodec::Vp9, b.data(), b.size()); };
    const Bytes frame = bytes({0x82, 0x49, 0x83, 0x42, 0x00});  // frame marker, profile 0, key frame sync code
    // Non-flexible: I, L, B, V; 15-bit picture id; layer TID0/SID0; TL0PICIDX; SS with one
    // spatial layer of 640x480 (Y) and one picture group entry (G).
    const Bytes ss = bytes({0x18, 0x02, 0x80, 0x01, 0xE0, 0x01, 0x00});
    QVERIFY(key(concat({bytes({0xAA, 0x80, 0x01, 0x00, 0x00}), ss, frame})));
    // The same without SS, and without layer indices.
    QVERIFY(key(concat({bytes({0xA8, 0x80, 0x01, 0x00, 0x00}), frame})));
    QVERIFY(key(concat({bytes({0x88, 0x05}), frame})));
    // Flexible mode, P=0: no reference indices.
    QVERIFY(key(concat({bytes({0x98, 0x05}), frame})));
    QVERIFY(key(concat({bytes({0xB8, 0x05, 0x00}), frame})));  // with layer byte, SID 0, no TL0PICIDX
    // Upper spatial layer (SID 1) of a keyframe: not its start.
    QVERIFY(!key(concat({bytes({0xA8, 0x80, 0x01, 0x02, 0x00}), frame})));
    // Inter-predicted (P=1), or not the start of a frame (B=0).
    QVERIFY(!key(concat({bytes({0xC8, 0x05}), frame})));
    QVERIFY(!key(concat({bytes({0x80, 0x05}), frame})));
    // Truncated: picture id, layer byte, SS, and no frame data after the descriptor.
    QVERIFY(!key(bytes({0x88, 0x80})));
    QVERIFY(!key(bytes({0xA8, 0x05})));
    QVERIFY(!key(bytes({0x8A, 0x05, 0x18, 0x02, 0x80})));
    QVERIFY(!key(bytes({0x88, 0x05})));
    QVERIFY(!key(Bytes{}));
  }

  // H.264, RFC 6184 §5.6-5.8.
  void h264Keyframes() {
    auto key = [](const Bytes& b) { return isKeyframeStart(VideoCodec::H264, b.data(), b.size()); };
    const Bytes sps = bytes({0x67, 0x42, 0xC0, 0x1F, 0xDA, 0x01, 0x40});
    const Bytes pps = bytes({0x68, 0xCE, 0x3C, 0x80});
    const Bytes idr = bytes({0x65, 0x88, 0x84, 0x00, 0x33});
    const Bytes pSlice = bytes({0x41, 0x9A, 0x02, 0x04});
    const Bytes sei = bytes({0x06, 0x05, 0x01, 0x00});
    auto stapA = [](std::initializer_list<Bytes> nals) {
      Bytes out = bytes({0x78});  // F 0, NRI 3, type 24
      for (const Bytes& nal : nals) {
        out.push_back(static_cast<uint8_t>(nal.size() >> 8));
        out.push_back(static_cast<uint8_t>(nal.size()));
        out.insert(out.end(), nal.begin(), nal.end());
      }
      return out;
    };

    QVERIFY(key(idr));                     // single NAL unit, IDR slice
    QVERIFY(key(sps));                     // single NAL unit, SPS
    QVERIFY(!key(pSlice));                 // non-IDR slice
    QVERIFY(!key(pps));
    QVERIFY(!key(sei));
    QVERIFY(key(stapA({sps, pps})));       // STAP-A with SPS and PPS (what browsers send first)
    QVERIFY(key(stapA({sei, pps, idr})));  // IDR later in the aggregate
    QVERIFY(!key(stapA({sei, pps})));
    QVERIFY(!key(stapA({pSlice})));
    Bytes lying = stapA({pps, sps});
    lying[2] = 0x40;  // first NAL size 64: runs past the end
    QVERIFY(!key(lying));
    QVERIFY(!key(bytes({0x78, 0x00, 0x00, 0x67})));  // zero-size NAL
    QVERIFY(!key(bytes({0x78, 0x00})));
    // STAP-B carries a DON before the units.
    Bytes stapB = stapA({sps});
    stapB[0] = 0x79;
    stapB.insert(stapB.begin() + 1, {0x00, 0x07});
    QVERIFY(key(stapB));

    // FU-A: indicator (NRI 3, type 28), header |S|E|R|type|.
    QVERIFY(key(bytes({0x7C, 0x85, 0x88, 0x84})));    // start of an IDR
    QVERIFY(!key(bytes({0x7C, 0x05, 0x88, 0x84})));   // middle of an IDR
    QVERIFY(!key(bytes({0x7C, 0x45, 0x88, 0x84})));   // end of an IDR
    QVERIFY(!key(bytes({0x5C, 0x81, 0x9A, 0x02})));   // start of a non-IDR slice
    QVERIFY(!key(bytes({0x7C})));
    QVERIFY(key(bytes({0x7D, 0x85, 0x00, 0x01})));    // FU-B start of an IDR (with DON)
    QVERIFY(!key(bytes({0x7D, 0x85, 0x00})));
    QVERIFY(!key(bytes({0x7A, 0x00, 0x00})));          // MTAP16: not looked into
    QVERIFY(!key(Bytes{}));
    QVERIFY(!isKeyframeStart(VideoCodec::H264, nullptr, 0));
  }

  void noAllocation() {
    Bytes b = fullPacket();
    Bytes h264 = concat({fixedHeader(false, false, 0, true, 96), bytes({0x78, 0x00, 0x02, 0x67, 0x42, 0x00, 0x01, 0x65})});
    const long before = allocations.load();
    size_t sink = 0;
    for (int i = 0; i < 1000; ++i) {
      auto packet = RtpPacket::parse(b.data(), b.size());
      packet->setSequenceNumber(static_cast<uint16_t>(i));
      packet->setSsrc(packet->ssrc() + 1);
      packet->setExtensionId(i % 2 ? 5 : 3, i % 2 ? 3 : 5);
      if (const auto level = packet->extension(1)) sink += level->second;
      sink += looksLikeRtp(b.data(), b.size());
      const auto video = RtpPacket::parse(h264.data(), h264.size());
      sink += isKeyframeStart(VideoCodec::H264, video->payload(), video->payloadSize());
    }
    QCOMPARE(allocations.load() - before, 0L);
    QCOMPARE(sink, size_t(3000));
  }

  // Keyframe detection on a parsed packet's payload, padding excluded.
  void keyframeInPacket() {
    Bytes b = concat({fixedHeader(true, true, 0, true, 96), oneByteBlock(), bytes({0x7C, 0x85, 0x88}), bytes({0, 2})});
    const auto packet = RtpPacket::parse(b.data(), b.size());
    QVERIFY(packet);
    QCOMPARE(packet->payloadSize(), size_t(3));
    QVERIFY(isKeyframeStart(VideoCodec::H264, packet->payload(), packet->payloadSize()));
  }
};

QTEST_APPLESS_MAIN(TestRtpPacket)
#include "tst_rtp_packet.moc"
