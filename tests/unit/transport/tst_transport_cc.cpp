// TransportCcFeedback (draft-holmer-rmcat-transport-wide-cc-extensions-01 §3.1), the receiver side
// of Chromium's send-side bandwidth estimation: what it reports for constructed arrivals (in
// order, lost, reordered, late, duplicated, across the 16-bit wrap, minutes apart, a flood), read
// back by a decoder written here from the draft's figures and by RtcpPacket's own parser.

#include "transport/RtcpPacket.h"
#include "transport/TransportCcFeedback.h"

#include <QTest>

#include <cstdint>
#include <optional>
#include <vector>

using namespace pw::transport;

namespace {

struct Status {
  uint16_t sequenceNumber = 0;
  bool received = false;
  int64_t arrivalTicks = 0;  // absolute, in 250 µs, from the reference time and the deltas
};

struct Decoded {
  uint32_t senderSsrc = 0, mediaSsrc = 0;
  uint16_t base = 0;
  uint16_t count = 0;
  int32_t referenceTime = 0;
  uint8_t feedbackCount = 0;
  bool padded = false;
  std::vector<Status> statuses;
};

uint16_t be16(const uint8_t* p) { return static_cast<uint16_t>(p[0] << 8 | p[1]); }
uint32_t be32(const uint8_t* p) { return uint32_t(be16(p)) << 16 | be16(p + 2); }

// One feedback packet at the start of `b`; `used` gets its size. Fails the test on any
// structural error.
std::optional<Decoded> decode(const std::vector<uint8_t>& b, size_t offset, size_t* used) {
  if (b.size() < offset + 20) return std::nullopt;
  const uint8_t* p = b.data() + offset;
  if ((p[0] >> 6) != 2 || (p[0] & 0x1f) != 15 || p[1] != 205) return std::nullopt;
  const size_t length = (size_t(be16(p + 2)) + 1) * 4;
  if (offset + length > b.size()) return std::nullopt;
  *used = length;
  size_t end = length;
  Decoded d;
  d.padded = (p[0] & 0x20) != 0;
  if (d.padded) end -= p[length - 1];
  d.senderSsrc = be32(p + 4);
  d.mediaSsrc = be32(p + 8);
  d.base = be16(p + 12);
  d.count = be16(p + 14);
  const uint32_t ref = uint32_t(p[16]) << 16 | uint32_t(p[17]) << 8 | p[18];
  d.referenceTime = (ref & 0x800000) ? int32_t(ref) - 0x1000000 : int32_t(ref);
  d.feedbackCount = p[19];
  std::vector<int> symbols;
  size_t at = 20;
  while (symbols.size() < d.count) {
    if (at + 2 > end) return std::nullopt;
    const uint16_t chunk = be16(p + at);
    at += 2;
    if (!(chunk & 0x8000)) {  // run length
      const int symbol = (chunk >> 13) & 3;
      for (int i = 0; i < (chunk & 0x1fff); ++i) symbols.push_back(symbol);
    } else if (!(chunk & 0x4000)) {  // one-bit vector of 14
      for (int i = 13; i >= 0; --i) symbols.push_back((chunk >> i) & 1);
    } else {  // two-bit vector of 7
      for (int i = 6; i >= 0; --i) symbols.push_back((chunk >> (2 * i)) & 3);
    }
  }
  symbols.resize(d.count);
  int64_t ticks = int64_t(d.referenceTime) * 256;
  for (size_t i = 0; i < symbols.size(); ++i) {
    Status s;
    s.sequenceNumber = static_cast<uint16_t>(d.base + i);
    if (symbols[i] == 1) {
      if (at + 1 > end) return std::nullopt;
      ticks += p[at];
      at += 1;
      s.received = true;
    } else if (symbols[i] == 2) {
      if (at + 2 > end) return std::nullopt;
      ticks += static_cast<int16_t>(be16(p + at));
      at += 2;
      s.received = true;
    } else if (symbols[i] != 0) {
      return std::nullopt;  // 3 is reserved
    }
    s.arrivalTicks = ticks;
    d.statuses.push_back(s);
  }
  if (at > end) return std::nullopt;
  return d;
}

std::vector<Decoded> drain(TransportCcFeedback& fb, int maxPackets = 100) {
  std::vector<Decoded> out;
  for (int i = 0; i < maxPackets; ++i) {
    std::vector<uint8_t> b;
    if (!fb.build(b, 0x11111111, 0x22222222)) break;
    size_t used = 0;
    auto d = decode(b, 0, &used);
    if (!d || used != b.size() || b.size() % 4 != 0) {
      qWarning("undecodable feedback of %zu bytes", b.size());
      return {};
    }
    // RtcpPacket, the transport's own parser, reads the same fixed fields.
    int items = 0;
    const bool whole = RtcpPacket::forEach(b.data(), b.size(), [&](const RtcpItem& item) {
      if (const auto* cc = std::get_if<TransportCc>(&item)) {
        ++items;
        if (cc->baseSequenceNumber != d->base || cc->packetStatusCount != d->count || cc->feedbackPacketCount != d->feedbackCount ||
            cc->referenceTime != d->referenceTime || cc->mediaSsrc != 0x22222222u) {
          items = -100;
        }
      }
    });
    if (!whole || items != 1) {
      qWarning("RtcpPacket does not read the feedback alike");
      return {};
    }
    out.push_back(*d);
  }
  return out;
}

}  // namespace

class TestTransportCc : public QObject {
  Q_OBJECT

 private Q_SLOTS:
  void nothingPendingNothingBuilt() {
    TransportCcFeedback fb;
    std::vector<uint8_t> b;
    QVERIFY(!fb.build(b, 1, 2));
    QVERIFY(b.empty());
  }

  void inOrderArrivals() {
    TransportCcFeedback fb;
    const int64_t t0 = 1'000'000'000;  // µs
    for (int i = 0; i < 30; ++i) fb.onPacket(static_cast<uint16_t>(100 + i), t0 + i * 1000);  // 1 ms apart
    auto list = drain(fb);
    QCOMPARE(list.size(), size_t(1));
    const auto& d = list[0];
    QCOMPARE(d.senderSsrc, 0x11111111u);
    QCOMPARE(d.base, uint16_t(100));
    QCOMPARE(d.count, uint16_t(30));
    QCOMPARE(d.feedbackCount, uint8_t(0));
    QCOMPARE(d.referenceTime, int32_t(t0 / 64000));
    for (int i = 0; i < 30; ++i) {
      QVERIFY(d.statuses[i].received);
      QCOMPARE(d.statuses[i].arrivalTicks, (t0 + i * 1000) / 250);  // to the 250 µs tick
    }
    QVERIFY(!fb.hasPending());
  }

  void lostAndReordered() {
    TransportCcFeedback fb;
    const int64_t t0 = 5'000'000;
    // 10, 11, (12 lost), 14 before 13, then 15; 16–19 lost; 20.
    fb.onPacket(10, t0);
    fb.onPacket(11, t0 + 2000);
    fb.onPacket(14, t0 + 4000);
    fb.onPacket(13, t0 + 5000);  // arrives after 14: a negative delta for 14
    fb.onPacket(15, t0 + 6000);
    fb.onPacket(20, t0 + 100000);  // 94 ms later: a two-byte delta
    auto list = drain(fb);
    QCOMPARE(list.size(), size_t(1));
    const auto& s = list[0].statuses;
    QCOMPARE(s.size(), size_t(11));
    const bool expected[] = {true, true, false, true, true, true, false, false, false, false, true};
    for (size_t i = 0; i < s.size(); ++i) QCOMPARE(s[i].received, expected[i]);
    QCOMPARE(s[3].arrivalTicks, (t0 + 5000) / 250);
    QCOMPARE(s[4].arrivalTicks, (t0 + 4000) / 250);
    QCOMPARE(s[10].arrivalTicks, (t0 + 100000) / 250);
  }

  void nextFeedbackContinuesAndLatePacketsAreDropped() {
    TransportCcFeedback fb;
    fb.onPacket(1, 1000000);
    fb.onPacket(3, 1001000);
    auto first = drain(fb);
    QCOMPARE(first.size(), size_t(1));
    fb.onPacket(2, 1002000);  // reported lost already
    QVERIFY(!fb.hasPending());
    fb.onPacket(3, 1003000);  // a duplicate of a reported one
    QVERIFY(!fb.hasPending());
    fb.onPacket(6, 1004000);
    auto second = drain(fb);
    QCOMPARE(second.size(), size_t(1));
    QCOMPARE(second[0].base, uint16_t(4));  // 4 and 5 lost, then 6
    QCOMPARE(second[0].count, uint16_t(3));
    QCOMPARE(second[0].feedbackCount, uint8_t(1));
    QVERIFY(!second[0].statuses[0].received && !second[0].statuses[1].received && second[0].statuses[2].received);
  }

  void acrossTheSequenceWrap() {
    TransportCcFeedback fb;
    for (int i = 0; i < 6; ++i) fb.onPacket(static_cast<uint16_t>(65533 + i), 2'000'000 + i * 500);
    auto list = drain(fb);
    QCOMPARE(list.size(), size_t(1));
    QCOMPARE(list[0].base, uint16_t(65533));
    QCOMPARE(list[0].count, uint16_t(6));
    QCOMPARE(list[0].statuses[5].sequenceNumber, uint16_t(2));
    for (const auto& s : list[0].statuses) QVERIFY(s.received);
  }

  void manyPacketsMakeSeveralFeedbacks() {
    TransportCcFeedback fb;
    const int n = TransportCcFeedback::kMaxStatusesPerPacket * 2 + 17;
    for (int i = 0; i < n; ++i) {
      if (i % 5 != 4) fb.onPacket(static_cast<uint16_t>(i), 3'000'000 + i * 300);  // every 5th lost
    }
    auto list = drain(fb);
    QCOMPARE(list.size(), size_t(3));
    int covered = 0;
    for (size_t k = 0; k < list.size(); ++k) {
      QCOMPARE(list[k].base, uint16_t(covered));
      QCOMPARE(list[k].feedbackCount, uint8_t(k));
      for (const auto& s : list[k].statuses) {
        QCOMPARE(s.received, covered % 5 != 4);
        if (s.received) QCOMPARE(s.arrivalTicks, (3'000'000 + covered * 300) / 250);
        ++covered;
      }
    }
    // The last packet ends with the last arrival (number n - 1 is the 4th of its group of 5).
    QCOMPARE(covered, n);
  }

  void deltaBeyondSixteenBitsStartsANewReference() {
    TransportCcFeedback fb;
    fb.onPacket(50, 10'000'000);
    fb.onPacket(51, 10'000'000 + 20'000'000);  // 20 s later: more than ±8 s of 250 µs ticks
    auto list = drain(fb);
    QCOMPARE(list.size(), size_t(2));
    QCOMPARE(list[0].count, uint16_t(1));
    QCOMPARE(list[1].base, uint16_t(51));
    QCOMPARE(list[1].statuses[0].arrivalTicks, int64_t(30'000'000 / 250));
  }

  void paddedToThirtyTwoBits() {
    for (int n = 1; n <= 9; ++n) {
      TransportCcFeedback fb;
      for (int i = 0; i < n; ++i) fb.onPacket(static_cast<uint16_t>(i), 1'000'000 + i * 1000);
      std::vector<uint8_t> b;
      QVERIFY(fb.build(b, 1, 2));
      QCOMPARE(b.size() % 4, size_t(0));
      const size_t content = 20 + 2 + n;  // header and fixed FCI, one chunk (a vector, or a run from 7 on), 1-byte deltas
      QCOMPARE(b.size(), (content + 3) / 4 * 4);
      const bool padded = (b[0] & 0x20) != 0;
      QCOMPARE(padded, b.size() != content);
      if (padded) {
        QCOMPARE(size_t(b.back()), b.size() - content);
        for (size_t i = content; i + 1 < b.size(); ++i) QCOMPARE(b[i], uint8_t(0));
      }
    }
  }

  void aFloodOfNumbersStaysBounded() {
    TransportCcFeedback fb;
    for (int i = 0; i < 200000; ++i) fb.onPacket(static_cast<uint16_t>(i * 7), 1'000'000 + i);
    auto list = drain(fb, 10000);
    QVERIFY(!list.empty());
    size_t received = 0;
    for (const auto& d : list) {
      for (const auto& s : d.statuses) received += s.received ? 1 : 0;
    }
    QVERIFY(received <= TransportCcFeedback::kMaxPending);
    QVERIFY(!fb.hasPending());
  }
};

QTEST_APPLESS_MAIN(TestTransportCc)
#include "tst_transport_cc.moc"
