// RtcpPacket: builders checked against hand-written wire bytes (RFC 3550 §6.4-6.6, RFC 4585
// §6.2-6.3, RFC 5104 §4.3.1, draft-alvestrand-rmcat-remb §2.2, transport-cc §3.1), builder
// output parsed back, a browser-like compound written byte by byte from the RFC layouts,
// truncated and lying inputs, and in-place SSRC rewriting.

#include "transport/RtcpPacket.h"

#include <QTest>

#include <atomic>
#include <cstdlib>
#include <cstring>
#include <memory>
#include <new>
#include <numeric>
#include <vector>

#include "AllocationCounter.h"

using namespace pw::transport;

namespace {


std::vector<RtcpItem> items(const Bytes& b, bool* complete = nullptr) {
  std::vector<RtcpItem> out;
  const bool ok = RtcpPacket::forEach(b.data(), b.size(), [&](const RtcpItem& item) { out.push_back(item); });
  if (complete) *complete = ok;
  return out;
}

// Parses a heap copy of exactly `size` bytes (ASan sees one byte too far); counts items.
size_t countItemsExact(const uint8_t* data, size_t size, bool* complete) {
  std::unique_ptr<uint8_t[]> copy(new uint8_t[size ? size : 1]);
  if (size) std::memcpy(copy.get(), data, size);
  size_t count = 0;
  *complete = RtcpPacket::forEach(copy.get(), size, [&](const RtcpItem& item) {
    ++count;
    // Touch every decoded field so that views are read while the buffer is alive.
    std::visit(Overloaded{
                   [](const SenderReport& sr) { (void)sr.reports.toVector(); },
                   [](const ReceiverReport& rr) { (void)rr.reports.toVector(); },
                   [](const Sdes& sdes) { sdes.forEachItem([](const SdesItem& i) { (void)i.text.size(); }); },
                   [](const Bye& bye) { (void)bye.ssrcs.toVector(); },
                   [](const Fir& fir) { (void)fir.entries.toVector(); },
                   [](const Remb& remb) { (void)remb.ssrcs.toVector(); },
                   [](const Nack& nack) { (void)nack.lostSequenceNumbers.toVector(); },
                   [](const auto&) {},
               },
               item);
  });
  return count;
}

ReportBlock block(uint32_t ssrc, uint8_t fraction, int32_t lost) {
  ReportBlock b;
  b.ssrc = ssrc;
  b.fractionLost = fraction;
  b.cumulativeLost = lost;
  b.extHighestSeq = 0x00010000u + ssrc % 1000;
  b.jitter = 0x2A + ssrc % 7;
  b.lastSr = 0x4B2C1080 + ssrc;
  b.delaySinceLastSr = 0x18000 + ssrc % 11;
  return b;
}

// A browser's compound as it goes on the wire, written from the RFC layouts: SR with one
// report block, SDES with the CNAME, REMB; then a transport-cc feedback with the P bit (the
// status chunk and deltas are padded to 32 bits), a generic NACK and a PLI (reduced size).
const Bytes kBrowserSr = bytes({
    0x81, 0xC8, 0x00, 0x0C,  // V2, RC 1, SR, length 12 (52 bytes)
    0x11, 0x22, 0x33, 0x44,  // sender SSRC
    0xE8, 0x4B, 0x2C, 0x10,  // NTP seconds
    0x80, 0x00, 0x00, 0x00,  // NTP fraction (0.5 s)
    0x00, 0x01, 0x5F, 0x90,  // RTP timestamp 90000
    0x00, 0x00, 0x01, 0x2C,  // packet count 300
    0x00, 0x04, 0x93, 0xE0,  // octet count 300000
    0x55, 0x66, 0x77, 0x88,  // report block: source
    0x19, 0x00, 0x00, 0x0A,  // fraction 25/256, cumulative lost 10
    0x00, 0x01, 0x00, 0x05,  // extended highest seq: 1 cycle, seq 5
    0x00, 0x00, 0x00, 0x2A,  // jitter 42
    0x4B, 0x2C, 0x10, 0x80,  // LSR
    0x00, 0x01, 0x80, 0x00,  // DLSR 1.5 s
});
const Bytes kBrowserSdes = bytes({
    0x81, 0xCA, 0x00, 0x06,  // V2, SC 1, SDES, length 6 (28 bytes)
    0x11, 0x22, 0x33, 0x44,  // chunk SSRC
    0x01, 0x10, 'a', 'b', 'c', 'd', 'E', 'F', 'G', 'H', '1', '2', '3', '4', '5', '6', '7', '8',  // CNAME, 16
    0x00, 0x00,              // end of items, padding to 32 bits
});
const Bytes kBrowserRemb = bytes({
    0x8F, 0xCE, 0x00, 0x05,  // V2, FMT 15, PSFB, length 5 (24 bytes)
    0x11, 0x22, 0x33, 0x44,  // sender SSRC
    0x00, 0x00, 0x00, 0x00,  // media SSRC: unused
    'R', 'E', 'M', 'B',      //
    0x01, 0x0E, 0xDC, 0x6C,  // 1 SSRC, exp 3, mantissa 187500: 1.5 Mbps
    0x55, 0x66, 0x77, 0x88,  //
});
const Bytes kBrowserTransportCc = bytes({
    0xAF, 0xCD, 0x00, 0x06,  // V2, P, FMT 15, RTPFB, length 6 (28 bytes)
    0x11, 0x22, 0x33, 0x44,  // sender SSRC
    0x55, 0x66, 0x77, 0x88,  // media SSRC
    0x01, 0x02, 0x00, 0x03,  // base sequence 258, status count 3
    0xFF, 0xFF, 0xFE, 0x05,  // reference time -2 (x 64 ms), feedback packet count 5
    0x20, 0x03,              // run length chunk: small delta, 3 packets
    0x04, 0x04, 0x04,        // receive deltas
    0x00, 0x00, 0x03,        // padding, its count 3
});
const Bytes kBrowserNack = bytes({
    0x81, 0xCD, 0x00, 0x03,  // V2, FMT 1, RTPFB, length 3 (16 bytes)
    0x11, 0x22, 0x33, 0x44,  // sender SSRC
    0x55, 0x66, 0x77, 0x88,  // media SSRC
    0x00, 0x64, 0x00, 0x05,  // PID 100, BLP bits 0 and 2: 101, 103
});
const Bytes kBrowserPli = bytes({
    0x81, 0xCE, 0x00, 0x02,  // V2, FMT 1, PSFB, length 2 (12 bytes)
    0x11, 0x22, 0x33, 0x44,  // sender SSRC
    0x55, 0x66, 0x77, 0x88,  // media SSRC
});

Bytes browserCompoundBytes() {
  return concat({kBrowserSr, kBrowserSdes, kBrowserRemb, kBrowserTransportCc, kBrowserNack, kBrowserPli});
}

}  // namespace

class TestRtcpPacket : public QObject {
  Q_OBJECT

 private Q_SLOTS:
  void receiverReportWire() {
    Bytes out;
    ReportBlock b{0x55667788, 0x19, 10, 0x00010005, 0x2A, 0x4B2C1080, 0x18000};
    RtcpPacket::buildReceiverReport(out, 0x11223344, std::span(&b, 1));
    const Bytes expected = bytes({0x81, 0xC9, 0x00, 0x07, 0x11, 0x22, 0x33, 0x44, 0x55, 0x66, 0x77, 0x88, 0x19, 0x00,
                                  0x00, 0x0A, 0x00, 0x01, 0x00, 0x05, 0x00, 0x00, 0x00, 0x2A, 0x4B, 0x2C, 0x10, 0x80,
                                  0x00, 0x01, 0x80, 0x00});
    QCOMPARE(out, expected);

    Bytes empty;
    RtcpPacket::buildReceiverReport(empty, 0x01020304, {});
    QCOMPARE(empty, bytes({0x80, 0xC9, 0x00, 0x01, 0x01, 0x02, 0x03, 0x04}));
    bool complete = false;
    const auto parsed = items(empty, &complete);
    QVERIFY(complete);
    QCOMPARE(parsed.size(), size_t(1));
    QCOMPARE(std::get<ReceiverReport>(parsed[0]).ssrc, 0x01020304u);
    QVERIFY(std::get<ReceiverReport>(parsed[0]).reports.empty());
  }

  void receiverReportRoundTrip() {
    std::vector<ReportBlock> blocks = {block(1, 0, 0), block(0xFFFFFFFF, 255, -1), block(7, 128, 0x7FFFFF),
                                       block(8, 3, -0x800000)};
    Bytes out;
    RtcpPacket::buildReceiverReport(out, 0xABCDEF01, blocks);
    bool complete = false;
    const auto parsed = items(out, &complete);
    QVERIFY(complete);
    QCOMPARE(parsed.size(), size_t(1));
    const auto& rr = std::get<ReceiverReport>(parsed[0]);
    QCOMPARE(rr.ssrc, 0xABCDEF01u);
    QCOMPARE(rr.reports.toVector(), blocks);
    QCOMPARE(rr.reports[1].cumulativeLost, -1);

    // Cumulative loss outside 24 bits is clamped, not wrapped.
    std::vector<ReportBlock> extreme = {block(1, 0, 10'000'000), block(2, 0, -9'000'000)};
    out.clear();
    RtcpPacket::buildReceiverReport(out, 1, extreme);
    const auto clamped = std::get<ReceiverReport>(items(out)[0]);
    QCOMPARE(clamped.reports[0].cumulativeLost, 0x7FFFFF);
    QCOMPARE(clamped.reports[1].cumulativeLost, -0x800000);
  }

  void moreThan31Blocks() {
    std::vector<ReportBlock> blocks;
    for (uint32_t i = 0; i < 40; ++i) blocks.push_back(block(1000 + i, uint8_t(i), int32_t(i) - 20));
    Bytes rr;
    RtcpPacket::buildReceiverReport(rr, 42, blocks);
    auto parsed = items(rr);
    QCOMPARE(parsed.size(), size_t(2));
    QCOMPARE(std::get<ReceiverReport>(parsed[0]).reports.size(), size_t(31));
    QCOMPARE(std::get<ReceiverReport>(parsed[1]).reports.size(), size_t(9));
    QCOMPARE(std::get<ReceiverReport>(parsed[1]).ssrc, 42u);
    QCOMPARE(std::get<ReceiverReport>(parsed[1]).reports[8], blocks[39]);

    Bytes sr;
    RtcpPacket::buildSenderReport(sr, 42, SenderInfo{1, 2, 3, 4, 5}, blocks);
    parsed = items(sr);
    QCOMPARE(parsed.size(), size_t(2));
    QCOMPARE(std::get<SenderReport>(parsed[0]).reports.size(), size_t(31));
    QCOMPARE(std::get<SenderReport>(parsed[0]).reports[30], blocks[30]);
    QCOMPARE(std::get<ReceiverReport>(parsed[1]).reports[0], blocks[31]);
  }

  void senderReportRoundTrip() {
    Bytes out;
    const SenderInfo info{0xE84B2C10, 0x80000000, 90000, 300, 300000};
    const ReportBlock b{0x55667788, 0x19, 10, 0x00010005, 0x2A, 0x4B2C1080, 0x18000};
    RtcpPacket::buildSenderReport(out, 0x11223344, info, std::span(&b, 1));
    QCOMPARE(out, kBrowserSr);  // the same bytes as written by hand
    const auto sr = std::get<SenderReport>(items(out)[0]);
    QCOMPARE(sr.ssrc, 0x11223344u);
    QCOMPARE(sr.ntpSec, 0xE84B2C10u);
    QCOMPARE(sr.ntpFrac, 0x80000000u);
    QCOMPARE(sr.rtpTimestamp, 90000u);
    QCOMPARE(sr.packetCount, 300u);
    QCOMPARE(sr.octetCount, 300000u);
    QCOMPARE(sr.reports.size(), size_t(1));
    QCOMPARE(sr.reports[0], b);

    out.clear();
    RtcpPacket::buildSenderReport(out, 9, SenderInfo{}, {});
    QCOMPARE(out.size(), size_t(28));
    QCOMPARE(std::get<SenderReport>(items(out)[0]).reports.size(), size_t(0));
  }

  void sdesCname() {
    Bytes out;
    QVERIFY(RtcpPacket::buildSdesCname(out, 0x11223344, "abcdEFGH12345678"));
    QCOMPARE(out, kBrowserSdes);
    // Every CNAME length pads its chunk to 32 bits with at least one null octet.
    for (size_t length = 0; length <= 255; ++length) {
      out.clear();
      const std::string cname(length, 'x');
      QVERIFY(RtcpPacket::buildSdesCname(out, 77, cname));
      QCOMPARE(out.size() % 4, size_t(0));
      QCOMPARE(out.size(), 4 + ((4 + 2 + length) / 4 + 1) * 4);
      bool complete = false;
      const auto parsed = items(out, &complete);
      QVERIFY(complete);
      const auto found = std::get<Sdes>(parsed.at(0)).cname();
      QVERIFY(found);
      QCOMPARE(found->ssrc, 77u);
      QCOMPARE(std::string(found->text), cname);
    }
    out.clear();
    QVERIFY(!RtcpPacket::buildSdesCname(out, 1, std::string(256, 'x')));
    QVERIFY(out.empty());
  }

  void sdesSeveralChunks() {
    // Two chunks: one with NAME then CNAME, one with no items (just the null octets).
    const Bytes b = bytes({0x82, 0xCA, 0x00, 0x06, 0x00, 0x00, 0x00, 0x01, 0x02, 0x01, 'n', 0x01, 0x02, 'c', 'd', 0x00,
                           0x00, 0x00, 0x00, 0x02, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00});
    bool complete = false;
    const auto parsed = items(b, &complete);
    QVERIFY(complete);
    const auto& sdes = std::get<Sdes>(parsed.at(0));
    QCOMPARE(sdes.chunkCount, uint8_t(2));
    std::vector<std::pair<uint8_t, std::string>> seen;
    sdes.forEachItem([&](const SdesItem& item) { seen.emplace_back(item.type, std::string(item.text)); });
    QCOMPARE(seen.size(), size_t(2));
    QCOMPARE(seen[0].first, uint8_t(2));
    QCOMPARE(seen[0].second, std::string("n"));
    QCOMPARE(seen[1].second, std::string("cd"));
    QCOMPARE(sdes.cname()->ssrc, 1u);

    // A chunk without its null octet, and a chunk count larger than the chunks.
    Bytes noNull = bytes({0x81, 0xCA, 0x00, 0x02, 0x00, 0x00, 0x00, 0x01, 0x01, 0x02, 'a', 'b'});
    QVERIFY(items(noNull, &complete).empty());
    QVERIFY(!complete);
    Bytes tooMany = bytes({0x83, 0xCA, 0x00, 0x02, 0x00, 0x00, 0x00, 0x01, 0x01, 0x01, 'a', 0x00});
    QVERIFY(items(tooMany, &complete).empty());
    QVERIFY(!complete);
  }

  void bye() {
    Bytes out;
    const uint32_t ssrcs[] = {0x01020304, 0x05060708};
    QVERIFY(RtcpPacket::buildBye(out, ssrcs, "done"));
    QCOMPARE(out, bytes({0x82, 0xCB, 0x00, 0x04, 0x01, 0x02, 0x03, 0x04, 0x05, 0x06, 0x07, 0x08, 0x04, 'd', 'o', 'n',
                         'e', 0x00, 0x00, 0x00}));
    const auto parsed = std::get<Bye>(items(out).at(0));
    QCOMPARE(parsed.ssrcs.toVector(), (std::vector<uint32_t>{0x01020304, 0x05060708}));
    QCOMPARE(parsed.reason, std::string_view("done"));
    out.clear();
    QVERIFY(RtcpPacket::buildBye(out, std::span(ssrcs, 1)));
    QCOMPARE(out.size(), size_t(8));
    QVERIFY(std::get<Bye>(items(out).at(0)).reason.empty());
    const std::vector<uint32_t> many(32, 1);
    QVERIFY(!RtcpPacket::buildBye(out, many));
  }

  void pliAndFir() {
    Bytes out;
    RtcpPacket::buildPli(out, 0x11223344, 0x55667788);
    QCOMPARE(out, kBrowserPli);
    const auto pli = std::get<Pli>(items(out).at(0));
    QCOMPARE(pli.senderSsrc, 0x11223344u);
    QCOMPARE(pli.mediaSsrc, 0x55667788u);

    out.clear();
    RtcpPacket::buildFir(out, 0x11223344, 0x55667788, 7);
    QCOMPARE(out, bytes({0x84, 0xCE, 0x00, 0x04, 0x11, 0x22, 0x33, 0x44, 0x00, 0x00, 0x00, 0x00, 0x55, 0x66, 0x77, 0x88,
                         0x07, 0x00, 0x00, 0x00}));
    const auto fir = std::get<Fir>(items(out).at(0));
    QCOMPARE(fir.senderSsrc, 0x11223344u);
    QCOMPARE(fir.mediaSsrc, 0u);
    QCOMPARE(fir.entries.size(), size_t(1));
    QCOMPARE(fir.entries[0], (FirEntry{0x55667788, 7}));
  }

  void remb_data() {
    QTest::addColumn<quint64>("bitrate");
    QTest::addColumn<int>("exponent");
    QTest::addColumn<quint64>("parsed");
    QTest::newRow("0") << quint64(0) << 0 << quint64(0);
    QTest::newRow("1 kbps") << quint64(1000) << 0 << quint64(1000);
    QTest::newRow("2^18-1") << quint64(262143) << 0 << quint64(262143);
    QTest::newRow("2^18") << quint64(262144) << 1 << quint64(262144);
    QTest::newRow("300 kbps") << quint64(300000) << 1 << quint64(300000);
    QTest::newRow("2.5 Mbps") << quint64(2500000) << 4 << quint64(2500000);
    QTest::newRow("2.5 Mbps + 1") << quint64(2500001) << 4 << quint64(2500000);  // rounded down
    // 1e10 >> 15 = 305175 needs 19 bits; 1e10 >> 16 = 152587, and 152587 << 16 = 9999941632.
    QTest::newRow("10 Gbps") << quint64(10'000'000'000ULL) << 16 << quint64(9'999'941'632ULL);
    QTest::newRow("max") << quint64(UINT64_MAX) << 46 << quint64(0x3FFFFULL << 46);
  }

  void remb() {
    QFETCH(quint64, bitrate);
    QFETCH(int, exponent);
    QFETCH(quint64, parsed);
    Bytes out;
    const std::vector<uint32_t> ssrcs = {0x55667788, 0x99AABBCC};
    QVERIFY(RtcpPacket::buildRemb(out, 0x11223344, bitrate, ssrcs));
    QCOMPARE(out.size(), size_t(4 + 8 + 8 + 8));
    QCOMPARE(out[0], uint8_t(0x8F));
    QCOMPARE(out[1], uint8_t(206));
    QCOMPARE(out[16], uint8_t(2));
    QCOMPARE(out[17] >> 2, exponent);
    bool complete = false;
    const auto list = items(out, &complete);
    QVERIFY(complete);
    const auto& r = std::get<Remb>(list.at(0));
    QCOMPARE(r.senderSsrc, 0x11223344u);
    QCOMPARE(int(r.exponent), exponent);
    QVERIFY(r.mantissa <= 0x3FFFF);
    QCOMPARE(quint64(r.bitrateBps), parsed);
    QVERIFY(r.bitrateBps <= bitrate);
    QVERIFY(bitrate - r.bitrateBps < (1ULL << exponent));
    QCOMPARE(r.ssrcs.toVector(), ssrcs);
  }

  void rembEdges() {
    QCOMPARE(std::get<Remb>(items(kBrowserRemb).at(0)).bitrateBps, uint64_t(1'500'000));
    // The largest exponent with the largest mantissa saturates instead of wrapping.
    QCOMPARE(RtcpPacket::decodeRembBitrate(63, 0x3FFFF), UINT64_MAX);
    QCOMPARE(RtcpPacket::decodeRembBitrate(46, 0x3FFFF), 0x3FFFFULL << 46);
    QCOMPARE(RtcpPacket::decodeRembBitrate(63, 1), 1ULL << 63);
    Bytes out;
    QVERIFY(RtcpPacket::buildRemb(out, 1, 5000, {}));
    QVERIFY(std::get<Remb>(items(out).at(0)).ssrcs.empty());
    const std::vector<uint32_t> tooMany(256, 1);
    QVERIFY(!RtcpPacket::buildRemb(out, 1, 5000, tooMany));

    // Another PSFB FMT 15 (not "REMB") is Other; a REMB whose SSRC count runs past it is malformed.
    Bytes afb = kBrowserRemb;
    afb[12] = 'X';
    QCOMPARE(std::get<Other>(items(afb).at(0)).packetType, uint8_t(206));
    QCOMPARE(std::get<Other>(items(afb).at(0)).fmt, uint8_t(15));
    Bytes lying = kBrowserRemb;
    lying[16] = 2;
    bool complete = true;
    QVERIFY(items(lying, &complete).empty());
    QVERIFY(!complete);
  }

  void nack() {
    Bytes out;
    const std::vector<uint16_t> lost = {100, 101, 116, 117, 200, 65535, 0, 5};
    QVERIFY(RtcpPacket::buildNack(out, 0x11223344, 0x55667788, lost));
    // PID 100 + BLP {101 (bit 0), 116 (bit 15)}, PID 117, PID 200, PID 65535 + BLP {0 (bit 0), 5 (bit 5)}.
    QCOMPARE(out, bytes({0x81, 0xCD, 0x00, 0x06, 0x11, 0x22, 0x33, 0x44, 0x55, 0x66, 0x77, 0x88, 0x00, 0x64, 0x80, 0x01,
                         0x00, 0x75, 0x00, 0x00, 0x00, 0xC8, 0x00, 0x00, 0xFF, 0xFF, 0x00, 0x21}));
    const auto parsed = std::get<Nack>(items(out).at(0));
    QCOMPARE(parsed.senderSsrc, 0x11223344u);
    QCOMPARE(parsed.mediaSsrc, 0x55667788u);
    QCOMPARE(parsed.lostSequenceNumbers.entryCount(), size_t(4));
    QCOMPARE(parsed.lostSequenceNumbers.size(), lost.size());
    QCOMPARE(parsed.lostSequenceNumbers.toVector(), lost);

    // 50 in a row: entries of 17 (PID + 16 bits), 17 and 16.
    std::vector<uint16_t> run(50);
    std::iota(run.begin(), run.end(), uint16_t(65520));  // wraps at 65535
    out.clear();
    QVERIFY(RtcpPacket::buildNack(out, 1, 2, run));
    const auto runParsed = std::get<Nack>(items(out).at(0));
    QCOMPARE(runParsed.lostSequenceNumbers.entryCount(), size_t(3));
    QCOMPARE(runParsed.lostSequenceNumbers.toVector(), run);

    // Gaps larger than 16 each open an entry; duplicates are dropped.
    const std::vector<uint16_t> sparse = {10, 10, 40, 80, 80, 81};
    out.clear();
    QVERIFY(RtcpPacket::buildNack(out, 1, 2, sparse));
    const auto sparseParsed = std::get<Nack>(items(out).at(0));
    QCOMPARE(sparseParsed.lostSequenceNumbers.entryCount(), size_t(3));
    QCOMPARE(sparseParsed.lostSequenceNumbers.toVector(), (std::vector<uint16_t>{10, 40, 80, 81}));

    out.clear();
    QVERIFY(!RtcpPacket::buildNack(out, 1, 2, {}));
    QVERIFY(out.empty());
  }

  void compoundInOrder() {
    Bytes out;
    const ReportBlock b = block(5, 1, 2);
    RtcpPacket::buildReceiverReport(out, 1, std::span(&b, 1));
    const uint32_t ssrc = 5;
    QVERIFY(RtcpPacket::buildRemb(out, 1, 300000, std::span(&ssrc, 1)));
    RtcpPacket::buildPli(out, 1, 5);
    std::vector<size_t> order;
    const bool complete = RtcpPacket::forEach(out.data(), out.size(), [&](const RtcpItem& item) { order.push_back(item.index()); });
    QVERIFY(complete);
    QCOMPARE(order, (std::vector<size_t>{1, 6, 4}));  // ReceiverReport, Remb, Pli in RtcpItem

    // The visitor can stop early by returning false.
    int seen = 0;
    QVERIFY(RtcpPacket::forEach(out.data(), out.size(), [&](const RtcpItem&) { return ++seen < 2; }));
    QCOMPARE(seen, 2);
    // Nothing is a complete, empty compound.
    QVERIFY(RtcpPacket::forEach(out.data(), 0, [&](const RtcpItem&) { QFAIL("no item expected"); }));
  }

  // forEach hands over the variant, so it refuses (at compile time) visitors that take anything:
  // typed handlers beside a catch-all would never be called. visitEach calls the typed ones.
  void typedHandlersGoToVisitEach() {
    auto typed = Overloaded{[](const Pli&) {}, [](const auto&) {}};
    auto generic = [](const auto&) {};
    auto whole = [](const RtcpItem&) {};
    static_assert(!RtcpItemVisitor<decltype(typed)>);
    static_assert(!RtcpItemVisitor<decltype(generic)>);
    static_assert(RtcpItemVisitor<decltype(whole)>);

    Bytes out;
    const ReportBlock b = block(5, 1, 2);
    RtcpPacket::buildReceiverReport(out, 1, std::span(&b, 1));
    RtcpPacket::buildPli(out, 1, 5);
    const uint16_t lost[] = {7, 9};
    QVERIFY(RtcpPacket::buildNack(out, 1, 5, lost));
    int reports = 0, plis = 0, nacks = 0, others = 0;
    QVERIFY(RtcpPacket::visitEach(out.data(), out.size(),
                                  Overloaded{[&](const ReceiverReport& rr) { reports += static_cast<int>(rr.reports.size()); },
                                             [&](const Pli& pli) { plis += pli.mediaSsrc == 5; },
                                             [&](const Nack& nack) { nacks += static_cast<int>(nack.lostSequenceNumbers.toVector().size()); },
                                             [&](const auto&) { ++others; }}));
    QCOMPARE(reports, 1);
    QCOMPARE(plis, 1);
    QCOMPARE(nacks, 2);
    QCOMPARE(others, 0);
  }

  void browserCompound() {
    const Bytes b = browserCompoundBytes();
    bool complete = false;
    const auto list = items(b, &complete);
    QVERIFY(complete);
    QCOMPARE(list.size(), size_t(6));

    const auto& sr = std::get<SenderReport>(list[0]);
    QCOMPARE(sr.ssrc, 0x11223344u);
    QCOMPARE(sr.rtpTimestamp, 90000u);
    QCOMPARE(sr.reports.size(), size_t(1));
    const ReportBlock rb = sr.reports[0];
    QCOMPARE(rb.ssrc, 0x55667788u);
    QCOMPARE(rb.fractionLost, uint8_t(25));
    QCOMPARE(rb.cumulativeLost, 10);
    QCOMPARE(rb.extHighestSeq, 0x00010005u);
    QCOMPARE(rb.jitter, 42u);
    QCOMPARE(rb.lastSr, 0x4B2C1080u);
    QCOMPARE(rb.delaySinceLastSr, 0x18000u);

    const auto cname = std::get<Sdes>(list[1]).cname();
    QVERIFY(cname);
    QCOMPARE(cname->ssrc, 0x11223344u);
    QCOMPARE(cname->text, std::string_view("abcdEFGH12345678"));

    const auto& remb = std::get<Remb>(list[2]);
    QCOMPARE(remb.bitrateBps, uint64_t(1'500'000));
    QCOMPARE(remb.ssrcs.toVector(), (std::vector<uint32_t>{0x55667788}));

    const auto& cc = std::get<TransportCc>(list[3]);
    QCOMPARE(cc.senderSsrc, 0x11223344u);
    QCOMPARE(cc.mediaSsrc, 0x55667788u);
    QCOMPARE(cc.baseSequenceNumber, uint16_t(258));
    QCOMPARE(cc.packetStatusCount, uint16_t(3));
    QCOMPARE(cc.referenceTime, -2);
    QCOMPARE(cc.feedbackPacketCount, uint8_t(5));
    QCOMPARE(cc.fci.size(), size_t(13));  // padding excluded
    QCOMPARE(cc.fci[8], uint8_t(0x20));

    const auto& nack = std::get<Nack>(list[4]);
    QCOMPARE(nack.lostSequenceNumbers.toVector(), (std::vector<uint16_t>{100, 101, 103}));
    QCOMPARE(std::get<Pli>(list[5]).mediaSsrc, 0x55667788u);
  }

  void truncatedPrefixes() {
    const Bytes b = browserCompoundBytes();
    std::vector<size_t> boundaries = {0};
    for (const Bytes* part : {&kBrowserSr, &kBrowserSdes, &kBrowserRemb, &kBrowserTransportCc, &kBrowserNack, &kBrowserPli}) {
      boundaries.push_back(boundaries.back() + part->size());
    }
    for (size_t size = 0; size <= b.size(); ++size) {
      bool complete = false;
      const size_t count = countItemsExact(b.data(), size, &complete);
      // Exactly the packets that fit whole are given; the walk is complete only at a boundary.
      size_t whole = 0;
      while (whole + 1 < boundaries.size() && boundaries[whole + 1] <= size) ++whole;
      QCOMPARE(count, whole);
      const bool atBoundary = std::find(boundaries.begin(), boundaries.end(), size) != boundaries.end();
      QCOMPARE(complete, atBoundary);
    }
  }

  void lyingFields() {
    bool complete = true;
    auto expectStop = [&](const Bytes& b, size_t itemsBefore) {
      complete = true;
      const size_t count = countItemsExact(b.data(), b.size(), &complete);
      return count == itemsBefore && !complete;
    };
    // Length field past the end of the buffer.
    Bytes b = kBrowserPli;
    b[3] = 0x03;
    QVERIFY(expectStop(b, 0));
    b[2] = 0xFF;
    QVERIFY(expectStop(b, 0));
    // RC says two report blocks, the packet holds one.
    b = kBrowserSr;
    b[0] = 0x82;
    QVERIFY(expectStop(b, 0));
    // A valid packet, then one whose length lies: the first is still given.
    QVERIFY(expectStop(concat({kBrowserPli, bytes({0x81, 0xC9, 0x00, 0x07, 0, 0, 0, 1})}), 1));
    // Padding count 0, and larger than the packet.
    b = kBrowserTransportCc;
    b.back() = 0;
    QVERIFY(expectStop(b, 0));
    b.back() = 29;
    QVERIFY(expectStop(b, 0));
    // Padding that eats into the fixed part (base sequence, status count...).
    b.back() = 20;
    QVERIFY(expectStop(b, 0));
    // Version 1, a packet type outside 192..223 (RTP), a short header.
    b = kBrowserPli;
    b[0] = 0x41;
    QVERIFY(expectStop(b, 0));
    b = kBrowserPli;
    b[1] = 96;
    QVERIFY(expectStop(b, 0));
    QVERIFY(expectStop(bytes({0x81, 0xCE, 0x00}), 0));
    // Feedback without room for both SSRCs; NACK and FIR with partial FCI entries.
    QVERIFY(expectStop(bytes({0x81, 0xCE, 0x00, 0x01, 0, 0, 0, 1}), 0));
    QVERIFY(expectStop(bytes({0x81, 0xCD, 0x00, 0x02, 0, 0, 0, 1, 0, 0, 0, 2}), 0));  // NACK without FCI
    QVERIFY(expectStop(bytes({0x84, 0xCE, 0x00, 0x03, 0, 0, 0, 1, 0, 0, 0, 0, 0, 0, 0, 2}), 0));  // FIR, 4 of 8 bytes
    QVERIFY(expectStop(bytes({0x8F, 0xCD, 0x00, 0x03, 0, 0, 0, 1, 0, 0, 0, 2, 0, 1, 0, 1}), 0));  // TCC, 4 of 8 bytes
    // BYE whose reason length runs past the packet.
    QVERIFY(expectStop(bytes({0x81, 0xCB, 0x00, 0x02, 0, 0, 0, 1, 0x09, 'a', 'b', 'c'}), 0));
    // Unknown but well-framed types are Other, and the walk goes on.
    const Bytes app = bytes({0x80, 0xCC, 0x00, 0x02, 0, 0, 0, 1, 'n', 'a', 'm', 'e'});
    const auto list = items(concat({app, kBrowserPli}), &complete);
    QVERIFY(complete);
    QCOMPARE(list.size(), size_t(2));
    QCOMPARE(std::get<Other>(list[0]).packetType, uint8_t(204));
    QCOMPARE(std::get<Other>(list[0]).packet.size(), size_t(12));
  }

  void noAllocationParsingOrRewriting() {
    Bytes b = browserCompoundBytes();
    const uint32_t offset = 7;
    const uint32_t* offsetPointer = &offset;
    const std::function<uint32_t(uint32_t)> map = [offsetPointer](uint32_t ssrc) { return ssrc + *offsetPointer; };
    const long before = allocations.load();
    uint64_t sink = 0;
    for (int i = 0; i < 1000; ++i) {
      RtcpPacket::forEach(b.data(), b.size(), [&](const RtcpItem& item) {
        std::visit(Overloaded{
                       [&](const SenderReport& sr) { for (const ReportBlock& rb : sr.reports) sink += rb.jitter; },
                       [&](const Nack& nack) { for (uint16_t seq : nack.lostSequenceNumbers) sink += seq; },
                       [&](const Remb& remb) { sink += remb.bitrateBps; },
                       [&](const Sdes& sdes) { sink += sdes.cname()->text.size(); },
                       [&](const auto&) { ++sink; },
                   },
                   item);
      });
      RtcpPacket::rewriteMediaSsrc(b.data(), b.size(), map);
      RtcpPacket::rewriteMediaSsrc(b.data(), b.size(), [](uint32_t ssrc) { return ssrc - 7; });
    }
    QCOMPARE(allocations.load() - before, 0L);
    QCOMPARE(b, browserCompoundBytes());
    QCOMPARE(sink, uint64_t(1000) * (42 + 16 + 1'500'000 + 1 + (100 + 101 + 103) + 1));
  }

  void rewriteMediaSsrc() {
    Bytes b;
    const std::vector<ReportBlock> blocks = {block(0x55667788, 1, 1), block(0x99AABBCC, 2, 2)};
    RtcpPacket::buildReceiverReport(b, 0x11223344, blocks);
    RtcpPacket::buildPli(b, 0x11223344, 0x55667788);
    RtcpPacket::buildFir(b, 0x11223344, 0x99AABBCC, 3);
    const uint16_t lost[] = {7, 8};
    QVERIFY(RtcpPacket::buildNack(b, 0x11223344, 0x55667788, lost));
    const uint32_t rembSsrcs[] = {0x55667788, 0x99AABBCC};
    QVERIFY(RtcpPacket::buildRemb(b, 0x11223344, 800000, rembSsrcs));
    QVERIFY(RtcpPacket::buildSdesCname(b, 0x55667788, "cname"));
    b.insert(b.end(), kBrowserTransportCc.begin(), kBrowserTransportCc.end());
    const Bytes before = b;

    int calls = 0;
    const auto map = [&](uint32_t ssrc) {
      ++calls;
      if (ssrc == 0x55667788) return 0xA0000001u;
      if (ssrc == 0x99AABBCC) return 0xA0000002u;
      return ssrc;
    };
    QVERIFY(RtcpPacket::rewriteMediaSsrc(b.data(), b.size(), map));
    QCOMPARE(calls, 2 + 1 + 1 + 1 + 2 + 1);  // RR blocks, PLI, FIR entry, NACK, REMB list, TCC

    const auto list = items(b);
    QCOMPARE(list.size(), size_t(7));
    const auto& rr = std::get<ReceiverReport>(list[0]);
    QCOMPARE(rr.ssrc, 0x11223344u);  // the reporter is not a media source
    QCOMPARE(rr.reports[0].ssrc, 0xA0000001u);
    QCOMPARE(rr.reports[1].ssrc, 0xA0000002u);
    QCOMPARE(rr.reports[1].jitter, blocks[1].jitter);  // the rest of the block untouched
    QCOMPARE(std::get<Pli>(list[1]).mediaSsrc, 0xA0000001u);
    QCOMPARE(std::get<Pli>(list[1]).senderSsrc, 0x11223344u);
    QCOMPARE(std::get<Fir>(list[2]).mediaSsrc, 0u);  // stays 0 (unused by FIR)
    QCOMPARE(std::get<Fir>(list[2]).entries[0], (FirEntry{0xA0000002, 3}));
    QCOMPARE(std::get<Nack>(list[3]).mediaSsrc, 0xA0000001u);
    QCOMPARE(std::get<Nack>(list[3]).lostSequenceNumbers.toVector(), (std::vector<uint16_t>{7, 8}));
    QCOMPARE(std::get<Remb>(list[4]).ssrcs.toVector(), (std::vector<uint32_t>{0xA0000001, 0xA0000002}));
    QCOMPARE(std::get<Remb>(list[4]).bitrateBps, uint64_t(800000));
    QCOMPARE(std::get<Sdes>(list[5]).cname()->ssrc, 0x55667788u);  // SDES describes, it is not feedback
    QCOMPARE(std::get<TransportCc>(list[6]).mediaSsrc, 0xA0000001u);
    QCOMPARE(b.size(), before.size());

    // Mapping back restores the original bytes exactly.
    QVERIFY(RtcpPacket::rewriteMediaSsrc(b.data(), b.size(), [](uint32_t ssrc) {
      if (ssrc == 0xA0000001) return 0x55667788u;
      if (ssrc == 0xA0000002) return 0x99AABBCCu;
      return ssrc;
    }));
    QCOMPARE(b, before);

    // Sender SSRCs: RR, PLI, FIR, NACK, REMB, TCC (not SDES).
    QVERIFY(RtcpPacket::rewriteSenderSsrc(b.data(), b.size(), [](uint32_t ssrc) { return ssrc == 0x11223344 ? 0xBu : ssrc; }));
    const auto senders = items(b);
    QCOMPARE(std::get<ReceiverReport>(senders[0]).ssrc, 0xBu);
    QCOMPARE(std::get<Pli>(senders[1]).senderSsrc, 0xBu);
    QCOMPARE(std::get<Fir>(senders[2]).senderSsrc, 0xBu);
    QCOMPARE(std::get<Nack>(senders[3]).senderSsrc, 0xBu);
    QCOMPARE(std::get<Remb>(senders[4]).senderSsrc, 0xBu);
    QCOMPARE(std::get<TransportCc>(senders[6]).senderSsrc, 0xBu);
    QCOMPARE(std::get<Pli>(senders[1]).mediaSsrc, 0x55667788u);

    // A malformed tail: what came before is rewritten, and the result says it stopped.
    Bytes broken = concat({kBrowserPli, bytes({0x81, 0xCE, 0x00, 0x09})});
    QVERIFY(!RtcpPacket::rewriteMediaSsrc(broken.data(), broken.size(), [](uint32_t) { return 0xEEEEEEEEu; }));
    QCOMPARE(std::get<Pli>(items(broken).at(0)).mediaSsrc, 0xEEEEEEEEu);
  }
};

QTEST_APPLESS_MAIN(TestRtcpPacket)
#include "tst_rtcp_packet.moc"
