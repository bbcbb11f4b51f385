// Receive-side feedback of the lean transport: RtpReceiveStats (RFC 3550 A.1, A.3, A.8 and the
// LSR/DLSR of §6.4.1), NackGenerator (RFC 4585 generic NACK scheduling) and
// RetransmissionBuffer, on constructed sequences with loss, reordering, duplicates and the
// 16-bit wrap. Time is passed in, so every timing rule is checked to the millisecond.

#include "transport/NackGenerator.h"
#include "transport/RetransmissionBuffer.h"
#include "transport/RtcpPacket.h"
#include "transport/RtpPacket.h"
#include "transport/RtpReceiveStats.h"

#include <QTest>

#include <atomic>
#include <cstdlib>
#include <new>
#include <numeric>
#include <vector>

#include "AllocationCounter.h"

using namespace pw::transport;

namespace {


// 8 kHz audio in 20 ms packets: 160 timestamp units per packet, so on-time arrivals have a
// constant transit time and zero jitter.
struct AudioClock {
  static constexpr uint32_t kRate = 8000;
  uint32_t timestampFor(uint16_t index) const { return 1000 + 160u * index; }
  int64_t arrivalFor(uint16_t index) const { return 5000 + 20 * int64_t(index); }
};

Bytes rtpPacket(uint16_t seq, size_t payloadSize) {
  Bytes b = {0x80, 96, uint8_t(seq >> 8), uint8_t(seq), 0, 0, 0, 1, 0, 0, 0, 2};
  for (size_t i = 0; i < payloadSize; ++i) b.push_back(static_cast<uint8_t>(seq + i));
  return b;
}

}  // namespace

class TestRtpFeedback : public QObject {
  Q_OBJECT

 private Q_SLOTS:
  // ---- RtpReceiveStats ----

  void statsNoLoss() {
    RtpReceiveStats stats(0xCAFE, AudioClock::kRate);
    QVERIFY(!stats.hasReceived());
    AudioClock clock;
    for (uint16_t i = 0; i < 100; ++i) QVERIFY(stats.update(i, clock.timestampFor(i), clock.arrivalFor(i), 172));
    QVERIFY(stats.hasReceived());
    QCOMPARE(stats.packetsReceived(), uint64_t(100));
    QCOMPARE(stats.bytesReceived(), uint64_t(17200));
    const ReportBlock block = stats.reportBlock(clock.arrivalFor(100));
    QCOMPARE(block.ssrc, 0xCAFEu);
    QCOMPARE(block.extHighestSeq, 99u);
    QCOMPARE(block.cumulativeLost, 0);
    QCOMPARE(block.fractionLost, uint8_t(0));
    QCOMPARE(block.jitter, 0u);
    QCOMPARE(block.lastSr, 0u);
    QCOMPARE(block.delaySinceLastSr, 0u);
  }

  void statsLossAndFraction() {
    RtpReceiveStats stats(1, AudioClock::kRate);
    AudioClock clock;
    for (uint16_t i = 0; i < 100; ++i) {
      if (i == 10 || (i >= 20 && i <= 24)) continue;  // 6 lost
      stats.update(i, clock.timestampFor(i), clock.arrivalFor(i));
    }
    QCOMPARE(stats.expectedPackets(), int64_t(100));
    QCOMPARE(stats.cumulativeLost(), int64_t(6));
    ReportBlock block = stats.reportBlock(0);
    QCOMPARE(block.cumulativeLost, 6);
    QCOMPARE(block.fractionLost, uint8_t(6 * 256 / 100));  // 15
    // The next interval loses nothing: fraction 0, cumulative unchanged.
    for (uint16_t i = 100; i < 200; ++i) stats.update(i, clock.timestampFor(i), clock.arrivalFor(i));
    block = stats.reportBlock(0);
    QCOMPARE(block.fractionLost, uint8_t(0));
    QCOMPARE(block.cumulativeLost, 6);
    QCOMPARE(block.extHighestSeq, 199u);
    // An interval with half lost: 128/256.
    for (uint16_t i = 200; i < 220; i += 2) stats.update(i, clock.timestampFor(i), clock.arrivalFor(i));
    block = stats.reportBlock(0);
    QCOMPARE(block.extHighestSeq, 218u);
    QCOMPARE(block.fractionLost, uint8_t(9 * 256 / 19));  // expected 19 (200..218), received 10
    QCOMPARE(block.cumulativeLost, 15);
    // No packet at all since the last report: nothing expected, fraction 0.
    QCOMPARE(stats.reportBlock(0).fractionLost, uint8_t(0));
  }

  void statsWrap() {
    RtpReceiveStats stats(1, AudioClock::kRate);
    uint32_t ts = 0;
    int64_t arrival = 0;
    for (uint32_t seq = 65530; seq < 65536 + 10; ++seq) {
      if (seq == 65534) continue;  // lost just before the wrap
      QVERIFY(stats.update(static_cast<uint16_t>(seq), ts += 160, arrival += 20));
    }
    const ReportBlock block = stats.reportBlock(arrival);
    QCOMPARE(block.extHighestSeq, 0x10009u);  // one cycle, seq 9
    QCOMPARE(block.cumulativeLost, 1);
    QCOMPARE(block.fractionLost, uint8_t(256 / 16));
    QCOMPARE(stats.packetsReceived(), uint64_t(15));
  }

  void statsReorderingAndDuplicates() {
    RtpReceiveStats stats(1, AudioClock::kRate);
    AudioClock clock;
    for (uint16_t i : {0, 1, 2, 4}) stats.update(i, clock.timestampFor(i), clock.arrivalFor(i));
    ReportBlock block = stats.reportBlock(0);
    QCOMPARE(block.cumulativeLost, 1);  // 3 not there yet
    QCOMPARE(block.fractionLost, uint8_t(256 / 5));
    // 3 arrives late (counted, the highest stays 4), then 5.
    for (uint16_t i : {3, 5}) stats.update(i, clock.timestampFor(i), clock.arrivalFor(i) + 5);
    block = stats.reportBlock(0);
    QCOMPARE(block.extHighestSeq, 5u);
    QCOMPARE(block.cumulativeLost, 0);
    QCOMPARE(block.fractionLost, uint8_t(0));  // more received than expected in the interval
    // A duplicate counts as received, so the loss goes negative (RFC 3550 §6.4.1).
    stats.update(5, clock.timestampFor(5), clock.arrivalFor(5));
    QCOMPARE(stats.reportBlock(0).cumulativeLost, -1);
    // Reordering across the wrap: 65535 after 0 does not count a cycle.
    RtpReceiveStats wrap(2, AudioClock::kRate);
    for (uint16_t seq : {65533, 65534, 0, 65535, 1}) wrap.update(seq, 0, 0);
    QCOMPARE(wrap.extendedHighestSequence(), 0x10001u);
    QCOMPARE(wrap.cumulativeLost(), int64_t(0));
  }

  void statsJitter() {
    RtpReceiveStats stats(1, AudioClock::kRate);
    AudioClock clock;
    for (uint16_t i = 0; i < 10; ++i) stats.update(i, clock.timestampFor(i), clock.arrivalFor(i));
    QCOMPARE(stats.jitter(), 0u);
    // 10 ms late = 80 timestamp units: J = 80/16 = 5.
    stats.update(10, clock.timestampFor(10), clock.arrivalFor(10) + 10);
    QCOMPARE(stats.jitter(), 5u);
    // Back on time: |D| = 80 again, J = 5 + (80 - 5)/16 = 9.69 (integer A.8: 9).
    stats.update(11, clock.timestampFor(11), clock.arrivalFor(11));
    QCOMPARE(stats.jitter(), 9u);
    // Arrivals alternately 0 and 2 ms late: |D| = 16 every packet, J converges to 16.
    RtpReceiveStats steady(2, AudioClock::kRate);
    for (uint16_t i = 0; i < 400; ++i) steady.update(i, clock.timestampFor(i), clock.arrivalFor(i) + (i % 2) * 2);
    QVERIFY2(steady.jitter() >= 15 && steady.jitter() <= 16, qPrintable(QString::number(steady.jitter())));
    QCOMPARE(steady.reportBlock(0).jitter, steady.jitter());
    // RTP timestamp wrap does not disturb it.
    RtpReceiveStats wrapTs(3, AudioClock::kRate);
    for (uint16_t i = 0; i < 50; ++i) wrapTs.update(i, 0xFFFFF000u + 160u * i, 20 * int64_t(i));
    QCOMPARE(wrapTs.jitter(), 0u);
  }

  void statsSequenceRestart() {
    RtpReceiveStats stats(1, AudioClock::kRate);
    for (uint16_t i = 0; i < 10; ++i) QVERIFY(stats.update(i, 0, 0));
    // A jump of 5000: not believed until its successor follows.
    QVERIFY(!stats.update(5000, 0, 0));
    QCOMPARE(stats.extendedHighestSequence(), 9u);
    QVERIFY(stats.update(5001, 0, 0));
    QCOMPARE(stats.extendedHighestSequence(), 5001u);
    QCOMPARE(stats.expectedPackets(), int64_t(1));
    QCOMPARE(stats.cumulativeLost(), int64_t(0));
    QCOMPARE(stats.packetsReceived(), uint64_t(11));
    // A single stray packet far away is dropped and the stream goes on.
    QVERIFY(!stats.update(30000, 0, 0));
    QVERIFY(stats.update(5002, 0, 0));
    QCOMPARE(stats.extendedHighestSequence(), 5002u);
    QCOMPARE(stats.cumulativeLost(), int64_t(0));
  }

  void statsLastSenderReport() {
    RtpReceiveStats stats(1, 90000);
    stats.update(1, 0, 900);
    stats.onSenderReport(0xE84B2C10, 0x80000000, 1000);
    const ReportBlock block = stats.reportBlock(2500);
    QCOMPARE(block.lastSr, 0x2C108000u);            // middle 32 bits of the NTP timestamp
    QCOMPARE(block.delaySinceLastSr, 0x18000u);     // 1.5 s in 1/65536 s
    QCOMPARE(stats.reportBlock(1000).delaySinceLastSr, 0u);
    // The block goes into an RR as is.
    Bytes rr;
    RtcpPacket::buildReceiverReport(rr, 9, std::span(&block, 1));
    bool found = false;
    RtcpPacket::forEach(rr.data(), rr.size(), [&](const RtcpItem& item) {
      found = std::get<ReceiverReport>(item).reports[0] == block;
    });
    QVERIFY(found);
  }

  // ---- NackGenerator ----

  void nackGapAtOnceThenRetries() {
    NackGenerator nack;
    QCOMPARE(nack.onReceived(100, 0), NackGenerator::Outcome::First);
    QCOMPARE(nack.onReceived(101, 0), NackGenerator::Outcome::InOrder);
    QVERIFY(nack.due(0, 50).empty());
    QCOMPARE(nack.onReceived(104, 10), NackGenerator::Outcome::InOrder);
    QCOMPARE(nack.missingCount(), size_t(2));
    QVERIFY(nack.isMissing(102) && nack.isMissing(103) && !nack.isMissing(104));
    QCOMPARE(nack.due(10, 50), (std::vector<uint16_t>{102, 103}));  // at once
    QVERIFY(nack.due(10, 50).empty());
    QVERIFY(nack.due(59, 50).empty());                               // retry after the RTT
    QCOMPARE(nack.due(60, 50), (std::vector<uint16_t>{102, 103}));
    // A short RTT still waits the 20 ms minimum.
    QVERIFY(nack.due(79, 5).empty());
    QCOMPARE(nack.due(80, 5), (std::vector<uint16_t>{102, 103}));
  }

  void nackGiveUpAfterTenTries() {
    NackGenerator nack;
    nack.onReceived(1, 0);
    nack.onReceived(3, 0);
    int tries = 0;
    for (int64_t now = 0; now < 1000; now += 20) {
      const auto due = nack.due(now, 20);
      if (!due.empty()) {
        QCOMPARE(due, std::vector<uint16_t>{2});
        ++tries;
      }
    }
    QCOMPARE(tries, 10);
    QCOMPARE(nack.missingCount(), size_t(0));
    QCOMPARE(nack.onReceived(2, 1000), NackGenerator::Outcome::Old);  // given up
  }

  void nackForgetsAfterOneSecond() {
    NackGenerator nack;
    nack.onReceived(1, 0);
    nack.onReceived(3, 0);
    std::vector<int64_t> sentAt;
    for (int64_t now = 0; now <= 2000; now += 100) {
      if (!nack.due(now, 400).empty()) sentAt.push_back(now);
    }
    QCOMPARE(sentAt, (std::vector<int64_t>{0, 400, 800}));  // then 1200 is past 1 s
    QCOMPARE(nack.missingCount(), size_t(0));
  }

  void nackReorderDelay() {
    NackGenerator::Config config;
    config.reorderDelayMs = 10;
    NackGenerator nack(config);
    nack.onReceived(1, 0);
    nack.onReceived(4, 0);
    QVERIFY(nack.due(5, 50).empty());
    // 2 was only reordered: it arrives within the delay and is never NACKed.
    QCOMPARE(nack.onReceived(2, 6), NackGenerator::Outcome::Recovered);
    QVERIFY(nack.due(9, 50).empty());
    QCOMPARE(nack.due(10, 50), std::vector<uint16_t>{3});
  }

  void nackReceivedLate() {
    NackGenerator nack;
    nack.onReceived(100, 0);
    nack.onReceived(105, 0);
    QCOMPARE(nack.due(0, 30), (std::vector<uint16_t>{101, 102, 103, 104}));
    QCOMPARE(nack.onReceived(103, 15), NackGenerator::Outcome::Recovered);  // the retransmission
    QCOMPARE(nack.onReceived(101, 16), NackGenerator::Outcome::Recovered);
    QCOMPARE(nack.onReceived(103, 17), NackGenerator::Outcome::Old);        // duplicate
    QCOMPARE(nack.onReceived(99, 17), NackGenerator::Outcome::Old);
    QCOMPARE(nack.due(30, 30), (std::vector<uint16_t>{102, 104}));
    nack.clear();
    QCOMPARE(nack.missingCount(), size_t(0));
    QCOMPARE(nack.onReceived(106, 40), NackGenerator::Outcome::InOrder);
  }

  void nackWrap() {
    NackGenerator nack;
    nack.onReceived(65533, 0);
    nack.onReceived(2, 0);
    QCOMPARE(nack.due(0, 20), (std::vector<uint16_t>{65534, 65535, 0, 1}));
    QCOMPARE(nack.onReceived(65535, 1), NackGenerator::Outcome::Recovered);
    QCOMPARE(nack.onReceived(0, 1), NackGenerator::Outcome::Recovered);
    QCOMPARE(nack.due(20, 20), (std::vector<uint16_t>{65534, 1}));
    // Entries stay while within kMaxDistance of the highest (here the 16-bit numbers wrap once
    // more), then go whatever their age.
    int64_t extended = 65536 + 3;
    for (; extended <= 65534 + NackGenerator::kMaxDistance; ++extended) {
      QCOMPARE(nack.onReceived(static_cast<uint16_t>(extended), 30), NackGenerator::Outcome::InOrder);
    }
    QCOMPARE(nack.due(40, 20), (std::vector<uint16_t>{65534, 1}));
    nack.onReceived(static_cast<uint16_t>(extended++), 41);
    QCOMPARE(nack.due(60, 20), (std::vector<uint16_t>{1}));
    for (; extended < 3 * 65536; ++extended) nack.onReceived(static_cast<uint16_t>(extended), 61);
    QCOMPARE(nack.missingCount(), size_t(0));
    QVERIFY(nack.due(80, 20).empty());
  }

  void nackBounded() {
    NackGenerator nack;
    nack.onReceived(0, 0);
    QCOMPARE(nack.onReceived(901, 0), NackGenerator::Outcome::InOrder);  // 900 missing
    QCOMPARE(nack.missingCount(), size_t(500));
    QVERIFY(!nack.isMissing(1));     // the oldest gave way
    QVERIFY(!nack.isMissing(400));
    QVERIFY(nack.isMissing(401));
    QVERIFY(nack.isMissing(900));
    std::vector<uint16_t> expected(500);
    std::iota(expected.begin(), expected.end(), uint16_t(401));
    QCOMPARE(nack.due(0, 20), expected);
    // Further gaps push out the oldest again.
    nack.onReceived(1000, 1);  // 902..999 missing: 98 more
    QCOMPARE(nack.missingCount(), size_t(500));
    QVERIFY(!nack.isMissing(498));
    QVERIFY(nack.isMissing(499));
    QVERIFY(nack.isMissing(999));
  }

  void nackBigJumpResets() {
    NackGenerator nack;
    nack.onReceived(100, 0);
    nack.onReceived(102, 0);
    QCOMPARE(nack.missingCount(), size_t(1));
    QCOMPARE(nack.onReceived(1103, 0), NackGenerator::Outcome::Reset);  // 1001 ahead
    QCOMPARE(nack.missingCount(), size_t(0));
    QVERIFY(nack.due(0, 20).empty());
    QCOMPARE(nack.onReceived(1105, 0), NackGenerator::Outcome::InOrder);
    QCOMPARE(nack.due(0, 20), std::vector<uint16_t>{1104});
    // Exactly 1000 ahead is still a gap (999 missing, 500 kept).
    QCOMPARE(nack.onReceived(2105, 0), NackGenerator::Outcome::InOrder);
    QCOMPARE(nack.missingCount(), size_t(500));
    // Far behind (and across half the sequence space) resets too.
    QCOMPARE(nack.onReceived(100, 0), NackGenerator::Outcome::Reset);
    QCOMPARE(nack.missingCount(), size_t(0));
    QCOMPARE(nack.onReceived(40000, 0), NackGenerator::Outcome::Reset);
    QCOMPARE(nack.onReceived(40001, 0), NackGenerator::Outcome::InOrder);
    QCOMPARE(nack.missingCount(), size_t(0));
    nack.reset();
    QCOMPARE(nack.onReceived(7, 0), NackGenerator::Outcome::First);
  }

  void nackFeedsBuildNack() {
    NackGenerator nack;
    nack.onReceived(65500, 0);
    nack.onReceived(40, 0);  // 75 missing across the wrap
    const auto due = nack.due(0, 20);
    QCOMPARE(due.size(), size_t(75));
    Bytes out;
    QVERIFY(RtcpPacket::buildNack(out, 1, 2, due));
    std::vector<uint16_t> parsed;
    RtcpPacket::forEach(out.data(), out.size(), [&](const RtcpItem& item) {
      parsed = std::get<Nack>(item).lostSequenceNumbers.toVector();
      QCOMPARE(std::get<Nack>(item).lostSequenceNumbers.entryCount(), size_t(5));  // ceil(75 / 17)
    });
    QCOMPARE(parsed, due);
  }

  // ---- RetransmissionBuffer ----

  void bufferGetAfterInsert() {
    RetransmissionBuffer buffer;
    QCOMPARE(buffer.capacity(), size_t(512));
    QVERIFY(!buffer.get(10, 0));
    const Bytes packet = rtpPacket(10, 100);
    QVERIFY(buffer.insert(10, packet, 0));
    const auto got = buffer.get(10, 5);
    QVERIFY(got);
    QCOMPARE(Bytes(got->begin(), got->end()), packet);
    QVERIFY(!buffer.get(11, 5));
    QVERIFY(!buffer.get(10 + 16, 5));   // same slot of the first 16, other sequence number
    QCOMPARE(buffer.slots(), size_t(16));

    // From a parsed packet.
    Bytes other = rtpPacket(11, 3);
    const auto parsed = RtpPacket::parse(other.data(), other.size());
    QVERIFY(buffer.insert(*parsed, 1));
    QCOMPARE(buffer.get(11, 2)->size(), other.size());
  }

  void bufferTooOld() {
    RetransmissionBuffer buffer;
    buffer.insert(1, rtpPacket(1, 10), 1000);
    QVERIFY(buffer.get(1, 1999));
    QVERIFY(!buffer.get(1, 2000));
    RetransmissionBuffer::Config config;
    config.maxAgeMs = 100;
    RetransmissionBuffer shortLived(config);
    shortLived.insert(1, rtpPacket(1, 10), 0);
    QVERIFY(shortLived.get(1, 99));
    QVERIFY(!shortLived.get(1, 100));
  }

  void bufferOverwritten() {
    RetransmissionBuffer buffer;
    for (uint16_t seq = 0; seq < 600; ++seq) buffer.insert(seq, rtpPacket(seq, 20), 0);
    QVERIFY(!buffer.get(0, 0));    // slot 0 now holds 512
    QVERIFY(!buffer.get(87, 0));   // slot 87 holds 599
    QVERIFY(buffer.get(88, 0));    // the oldest still there
    QVERIFY(buffer.get(512, 0));
    QCOMPARE((*buffer.get(599, 0))[3], uint8_t(599 & 0xFF));
    // A smaller packet in a slot does not keep the old one's tail.
    buffer.insert(600, rtpPacket(600, 2), 0);
    QCOMPARE(buffer.get(600, 0)->size(), size_t(14));
    buffer.clear();
    QVERIFY(!buffer.get(599, 0));
  }

  void bufferWrap() {
    RetransmissionBuffer buffer;
    for (uint32_t seq = 65530; seq < 65536 + 6; ++seq) {
      QVERIFY(buffer.insert(static_cast<uint16_t>(seq), rtpPacket(static_cast<uint16_t>(seq), 8), 0));
    }
    for (uint32_t seq = 65530; seq < 65536 + 6; ++seq) {
      const auto got = buffer.get(static_cast<uint16_t>(seq), 10);
      QVERIFY(got);
      QCOMPARE(Bytes(got->begin(), got->end()), rtpPacket(static_cast<uint16_t>(seq), 8));
    }
    QVERIFY(!buffer.get(6, 10));
    QVERIFY(!buffer.get(65529, 10));
  }

  void bufferGrowsToItsAgeWindow() {
    RetransmissionBuffer::Config config;
    config.capacityPackets = 256;
    config.initialPackets = 16;
    config.maxAgeMs = 300;
    RetransmissionBuffer buffer(config);
    QCOMPARE(buffer.slots(), size_t(0));  // nothing allocated before the first packet
    // 70 packets a second (600 kbit/s video): 300 ms hold 21, so the ring grows to 32 and stays.
    int64_t ms = 0;
    for (uint16_t seq = 0; seq < 700; ++seq, ms = seq * 1000 / 70) {
      QVERIFY(buffer.insert(seq, rtpPacket(seq, 50), ms));
      // Every packet of the last 300 ms is still there, whatever the ring's size.
      for (uint16_t back = 0; back <= seq && (seq - back) * 1000 / 70 > ms - 300; ++back) {
        const auto got = buffer.get(static_cast<uint16_t>(seq - back), ms);
        QVERIFY2(got, qPrintable(QStringLiteral("packet %1 lost at %2").arg(seq - back).arg(seq)));
        QCOMPARE((*got)[3], uint8_t((seq - back) & 0xFF));
      }
    }
    QCOMPARE(buffer.slots(), size_t(32));
    // A burst (a keyframe's 40 packets in one millisecond) makes room for itself.
    for (uint16_t seq = 700; seq < 740; ++seq) buffer.insert(seq, rtpPacket(seq, 50), 10001);
    QCOMPARE(buffer.slots(), size_t(64));
    for (uint16_t seq = 700; seq < 740; ++seq) QVERIFY(buffer.get(seq, 10002));
    // A longer window (a slow peer) lets it grow further, never past the capacity.
    buffer.setMaxAgeMs(1000);
    for (uint16_t seq = 740; seq < 2000; ++seq) buffer.insert(seq, rtpPacket(seq, 50), 10001 + (seq - 740) * 2);
    QCOMPARE(buffer.slots(), size_t(256));
    QVERIFY(buffer.get(1999 - 255, 12520));
    QVERIFY(!buffer.get(1999 - 256, 12520));  // overwritten: the ring is full
    // Across the 16-bit wrap while growing.
    RetransmissionBuffer wrapping(config);
    for (uint32_t seq = 65500; seq < 65600; ++seq) wrapping.insert(static_cast<uint16_t>(seq), rtpPacket(static_cast<uint16_t>(seq), 4), 0);
    QCOMPARE(wrapping.slots(), size_t(128));
    for (uint32_t seq = 65500; seq < 65600; ++seq) QVERIFY(wrapping.get(static_cast<uint16_t>(seq), 1));
  }

  void bufferLimitsAndCapacity() {
    RetransmissionBuffer buffer;
    QVERIFY(!buffer.insert(1, Bytes(1501, 0), 0));
    QVERIFY(!buffer.insert(1, Bytes{}, 0));
    QVERIFY(buffer.insert(1, Bytes(1500, 7), 0));
    QCOMPARE(buffer.get(1, 0)->size(), size_t(1500));
    RetransmissionBuffer::Config config;
    config.capacityPackets = 300;
    QCOMPARE(RetransmissionBuffer(config).capacity(), size_t(512));
    config.capacityPackets = 0;
    QCOMPARE(RetransmissionBuffer(config).capacity(), size_t(1));
    config.capacityPackets = 1 << 20;
    QCOMPARE(RetransmissionBuffer(config).capacity(), size_t(32768));
    config.capacityPackets = 64;
    RetransmissionBuffer small(config);
    small.insert(3, rtpPacket(3, 1), 0);
    small.insert(67, rtpPacket(67, 1), 0);
    QVERIFY(!small.get(3, 0));
    QVERIFY(small.get(67, 0));
  }

  // ---- no allocation per packet after warm-up ----

  void noAllocationPerPacket() {
    RetransmissionBuffer buffer;
    NackGenerator nack;
    RtpReceiveStats stats(1, 90000);
    std::vector<uint16_t> due;
    due.reserve(600);
    Bytes packet = rtpPacket(0, 1000);
    for (uint16_t seq = 0; seq < 2000; ++seq) buffer.insert(seq, packet, 0);  // warm-up: the ring at its size
    const long before = allocations.load();
    for (uint32_t i = 1; i < 5000; ++i) {
      const uint16_t seq = static_cast<uint16_t>(i * 3 / 2);  // every third one missing
      packet[2] = uint8_t(seq >> 8);
      packet[3] = uint8_t(seq);
      auto parsed = RtpPacket::parse(packet.data(), packet.size());
      buffer.insert(*parsed, i);
      (void)buffer.get(static_cast<uint16_t>(seq - 5), i);
      stats.update(seq, 3000 * i, i);
      nack.onReceived(seq, i);
      due.clear();
      nack.due(i, 20, due);
      if (i % 100 == 0) (void)stats.reportBlock(i);
    }
    QCOMPARE(allocations.load() - before, 0L);
    QVERIFY(stats.cumulativeLost() > 0);
  }
};

QTEST_APPLESS_MAIN(TestRtpFeedback)
#include "tst_rtp_feedback.moc"
