// SrtpSession against real libsrtp2: round trips for each profile, authentication, replay,
// re-protection of a NACKed packet, keys from a real DTLS handshake. Timings are printed only.

#include "transport/DtlsContext.h"
#include "transport/DtlsTransport.h"
#include "transport/SrtpSession.h"

#include <QTest>

#include <srtp2/srtp.h>

#include <chrono>
#include <cstring>
#include <memory>
#include <optional>
#include <random>
#include <string>
#include <vector>

using pw::transport::DtlsContext;
using pw::transport::DtlsRole;
using pw::transport::DtlsTransport;
using pw::transport::SrtpKeys;
using pw::transport::SrtpProfile;
using pw::transport::SrtpSession;
using pw::transport::srtpProfileName;
using Bytes = std::vector<uint8_t>;

Q_DECLARE_METATYPE(SrtpProfile)

namespace {

// An RTP packet of `size` bytes (12-byte header, patterned payload) in a buffer with room for
// the trailer; `packet.size()` is the capacity, the length is returned separately.
struct Packet {
  Bytes buffer;
  size_t size = 0;
  Bytes bytes() const { return Bytes(buffer.begin(), buffer.begin() + static_cast<long>(size)); }
};

Packet rtp(uint16_t sequence, uint32_t ssrc, size_t size = 200) {
  Packet p;
  p.size = std::max<size_t>(size, 12);
  p.buffer.assign(p.size + SrtpSession::kMaxTrailer, 0);
  uint8_t* h = p.buffer.data();
  h[0] = 0x80;
  h[1] = 96;
  h[2] = static_cast<uint8_t>(sequence >> 8);
  h[3] = static_cast<uint8_t>(sequence);
  const uint32_t timestamp = sequence * 3000u;
  for (int i = 0; i < 4; ++i) h[4 + i] = static_cast<uint8_t>(timestamp >> (24 - 8 * i));
  for (int i = 0; i < 4; ++i) h[8 + i] = static_cast<uint8_t>(ssrc >> (24 - 8 * i));
  for (size_t i = 12; i < p.size; ++i) h[i] = static_cast<uint8_t>(i * 7 + sequence);
  return p;
}

// A sender report (28 bytes).
Packet rtcp(uint32_t ssrc, uint32_t packetCount) {
  Packet p;
  p.size = 28;
  p.buffer.assign(p.size + SrtpSession::kMaxTrailer, 0);
  uint8_t* h = p.buffer.data();
  h[0] = 0x80;
  h[1] = 200;
  h[3] = 6;
  for (int i = 0; i < 4; ++i) h[4 + i] = static_cast<uint8_t>(ssrc >> (24 - 8 * i));
  for (size_t i = 8; i < 20; ++i) h[i] = static_cast<uint8_t>(i);
  for (int i = 0; i < 4; ++i) h[20 + i] = static_cast<uint8_t>(packetCount >> (24 - 8 * i));
  return p;
}

Bytes randomBytes(std::mt19937& random, size_t size) {
  Bytes out(size);
  for (auto& b : out) b = static_cast<uint8_t>(random());
  return out;
}

// Two endpoints' keys, mirrored as a DTLS-SRTP export would give them.
std::pair<SrtpKeys, SrtpKeys> mirroredKeys(SrtpProfile profile, unsigned seed = 1) {
  std::mt19937 random(seed);
  const size_t length = SrtpSession::masterKeyLength(profile) + SrtpSession::masterSaltLength(profile);
  SrtpKeys a{profile, randomBytes(random, length), randomBytes(random, length)};
  SrtpKeys b{profile, a.remoteMasterKeySalt, a.localMasterKeySalt};
  return {a, b};
}

std::vector<SrtpProfile> allProfiles() {
  return {SrtpProfile::Aes128CmSha1_80, SrtpProfile::Aes128CmSha1_32, SrtpProfile::AeadAes128Gcm};
}

}  // namespace

class TestSrtpSession : public QObject {
  Q_OBJECT

  void profileRows() {
    QTest::addColumn<SrtpProfile>("profile");
    for (SrtpProfile profile : allProfiles()) QTest::newRow(srtpProfileName(profile)) << profile;
  }

  // Both sessions of a profile, or a skip when this libsrtp2 cannot run it (then create() must
  // say so instead of succeeding).
  bool makePair(SrtpProfile profile, std::unique_ptr<SrtpSession>* a, std::unique_ptr<SrtpSession>* b) {
    const auto [ka, kb] = mirroredKeys(profile);
    std::string error;
    *a = SrtpSession::create(ka, &error);
    if (!SrtpSession::isProfileSupported(profile)) {
      if (*a || error.empty()) qWarning("unsupported profile created a session");
      return false;
    }
    if (!*a) qWarning("create: %s", error.c_str());
    *b = SrtpSession::create(kb, &error);
    if (!*b) qWarning("create: %s", error.c_str());
    return *a && *b;
  }

 private Q_SLOTS:
  void initTestCase() {
    // As GStreamer's srtp plugin does when the old webrtcbin path is used in the same process:
    // libsrtp is initialised before SrtpSession's own srtp_init(), which then answers bad_param.
    QCOMPARE(srtp_init(), srtp_err_status_ok);
    qInfo("libsrtp2 profiles: _80 %d, _32 %d, AEAD_AES_128_GCM %d", SrtpSession::isProfileSupported(SrtpProfile::Aes128CmSha1_80),
          SrtpSession::isProfileSupported(SrtpProfile::Aes128CmSha1_32),
          SrtpSession::isProfileSupported(SrtpProfile::AeadAes128Gcm));
    QVERIFY(SrtpSession::isProfileSupported(SrtpProfile::Aes128CmSha1_80));
    QVERIFY(SrtpSession::isProfileSupported(SrtpProfile::Aes128CmSha1_32));
  }

  void rtpRoundTrip_data() { profileRows(); }
  void rtpRoundTrip() {
    QFETCH(SrtpProfile, profile);
    std::unique_ptr<SrtpSession> a, b;
    if (!makePair(profile, &a, &b)) {
      QVERIFY(!SrtpSession::isProfileSupported(profile));
      QSKIP("this libsrtp2 cannot run the profile");
    }
    QCOMPARE(a->profile(), profile);
    uint16_t sequence = 65500;  // crosses the rollover
    for (size_t size : {12, 13, 100, 1200, 1400}) {
      for (int i = 0; i < 20; ++i, ++sequence) {
        for (auto [from, to] : {std::pair{a.get(), b.get()}, std::pair{b.get(), a.get()}}) {
          Packet p = rtp(sequence, 0x11223344, size);
          const Bytes original = p.bytes();
          QVERIFY(from->protectRtp(p.buffer.data(), &p.size, p.buffer.size()));
          QCOMPARE(p.size, original.size() + SrtpSession::rtpTrailerLength(profile));
          QVERIFY(std::memcmp(p.buffer.data(), original.data(), 12) == 0);  // header in clear
          if (size > 12) QVERIFY(p.bytes() != original);
          QVERIFY(to->unprotectRtp(p.buffer.data(), &p.size));
          QVERIFY(p.bytes() == original);
        }
      }
    }
    QCOMPARE(a->rtpRejected(), uint64_t(0));
    QCOMPARE(b->rtpRejected(), uint64_t(0));
  }

  void rtcpRoundTrip_data() { profileRows(); }
  void rtcpRoundTrip() {
    QFETCH(SrtpProfile, profile);
    std::unique_ptr<SrtpSession> a, b;
    if (!makePair(profile, &a, &b)) QSKIP("this libsrtp2 cannot run the profile");
    for (uint32_t i = 0; i < 50; ++i) {
      Packet p = rtcp(0xcafe0000 + i % 3, i);
      const Bytes original = p.bytes();
      QVERIFY(a->protectRtcp(p.buffer.data(), &p.size, p.buffer.size()));
      QCOMPARE(p.size, original.size() + SrtpSession::rtcpTrailerLength(profile));
      QVERIFY(b->unprotectRtcp(p.buffer.data(), &p.size));
      QVERIFY(p.bytes() == original);
    }
    QCOMPARE(b->rtcpRejected(), uint64_t(0));
  }

  void tamperedPacketRejected_data() { profileRows(); }
  void tamperedPacketRejected() {
    QFETCH(SrtpProfile, profile);
    std::unique_ptr<SrtpSession> a, b;
    if (!makePair(profile, &a, &b)) QSKIP("this libsrtp2 cannot run the profile");
    Packet p = rtp(10, 0xabcdef01, 300);
    QVERIFY(a->protectRtp(p.buffer.data(), &p.size, p.buffer.size()));
    uint64_t rejected = 0;
    // A byte of the header (authenticated), of the payload, and of the tag.
    for (size_t at : {size_t(5), size_t(100), p.size - 1}) {
      Packet copy = p;
      copy.buffer[at] ^= 0x01;
      const size_t before = copy.size;
      QVERIFY(!b->unprotectRtp(copy.buffer.data(), &copy.size));
      QCOMPARE(copy.size, before);
      QCOMPARE(b->rtpRejected(), ++rejected);
    }
    Packet truncated = p;
    truncated.size -= 1;
    QVERIFY(!b->unprotectRtp(truncated.buffer.data(), &truncated.size));
    QCOMPARE(b->rtpRejected(), ++rejected);
    QCOMPARE(b->rtpReplayed(), uint64_t(0));
    QVERIFY(b->unprotectRtp(p.buffer.data(), &p.size));  // the genuine one still passes

    Packet c = rtcp(0xabcdef01, 1);
    QVERIFY(a->protectRtcp(c.buffer.data(), &c.size, c.buffer.size()));
    Packet forged = c;
    forged.buffer[10] ^= 0x80;
    QVERIFY(!b->unprotectRtcp(forged.buffer.data(), &forged.size));
    QCOMPARE(b->rtcpRejected(), uint64_t(1));
    QCOMPARE(b->rtpRejected(), rejected);
    QVERIFY(b->unprotectRtcp(c.buffer.data(), &c.size));
  }

  void replayRejected_data() { profileRows(); }
  void replayRejected() {
    QFETCH(SrtpProfile, profile);
    std::unique_ptr<SrtpSession> a, b;
    if (!makePair(profile, &a, &b)) QSKIP("this libsrtp2 cannot run the profile");
    Packet p = rtp(77, 0x01020304);
    QVERIFY(a->protectRtp(p.buffer.data(), &p.size, p.buffer.size()));
    Packet again = p;
    QVERIFY(b->unprotectRtp(p.buffer.data(), &p.size));
    QVERIFY(!b->unprotectRtp(again.buffer.data(), &again.size));
    QCOMPARE(b->rtpRejected(), uint64_t(1));
    QCOMPARE(b->rtpReplayed(), uint64_t(1));

    Packet c = rtcp(0x01020304, 5);
    QVERIFY(a->protectRtcp(c.buffer.data(), &c.size, c.buffer.size()));
    Packet cAgain = c;
    QVERIFY(b->unprotectRtcp(c.buffer.data(), &c.size));
    QVERIFY(!b->unprotectRtcp(cAgain.buffer.data(), &cAgain.size));
    QCOMPARE(b->rtcpRejected(), uint64_t(1));
    QCOMPARE(b->rtcpReplayed(), uint64_t(1));
  }

  void replayWindowIs1024Packets() {
    std::unique_ptr<SrtpSession> a, b;
    QVERIFY(makePair(SrtpProfile::Aes128CmSha1_80, &a, &b));
    auto protect = [&](uint16_t sequence) {
      Packet p = rtp(sequence, 0x55555555);
      a->protectRtp(p.buffer.data(), &p.size, p.buffer.size());
      return p;
    };
    Packet late = protect(1), inWindow = protect(200), newest = protect(1101);
    QVERIFY(b->unprotectRtp(newest.buffer.data(), &newest.size));
    QVERIFY(b->unprotectRtp(inWindow.buffer.data(), &inWindow.size));  // 901 behind: within 1024 (libsrtp's default is 128)
    QVERIFY(!b->unprotectRtp(late.buffer.data(), &late.size));         // 1100 behind: too old
    QCOMPARE(b->rtpReplayed(), uint64_t(1));
  }

  void reprotectingSameSequenceAllowed_data() { profileRows(); }
  void reprotectingSameSequenceAllowed() {
    // A NACKed packet is protected again with its sequence number (allow_repeat_tx).
    QFETCH(SrtpProfile, profile);
    std::unique_ptr<SrtpSession> a, b;
    if (!makePair(profile, &a, &b)) QSKIP("this libsrtp2 cannot run the profile");
    Packet first = rtp(5, 0x77777777), next = rtp(6, 0x77777777), retransmission = rtp(5, 0x77777777);
    QVERIFY(a->protectRtp(first.buffer.data(), &first.size, first.buffer.size()));  // lost on the way
    QVERIFY(a->protectRtp(next.buffer.data(), &next.size, next.buffer.size()));
    QVERIFY(a->protectRtp(retransmission.buffer.data(), &retransmission.size, retransmission.buffer.size()));
    QVERIFY(retransmission.bytes() == first.bytes());  // same key, same index, same bytes
    QVERIFY(b->unprotectRtp(next.buffer.data(), &next.size));
    QVERIFY(b->unprotectRtp(retransmission.buffer.data(), &retransmission.size));
    QVERIFY(retransmission.bytes() == rtp(5, 0x77777777).bytes());
  }

  void manySsrcsOnOneSession() {
    std::unique_ptr<SrtpSession> a, b;
    QVERIFY(makePair(SrtpProfile::Aes128CmSha1_80, &a, &b));
    for (uint16_t sequence = 0; sequence < 30; ++sequence) {
      for (uint32_t ssrc : {1u, 0xdeadbeefu, 0x12345678u}) {
        Packet p = rtp(static_cast<uint16_t>(sequence + ssrc), ssrc);
        const Bytes original = p.bytes();
        QVERIFY(a->protectRtp(p.buffer.data(), &p.size, p.buffer.size()));
        QVERIFY(b->unprotectRtp(p.buffer.data(), &p.size));
        QVERIFY(p.bytes() == original);
      }
    }
  }

  void wrongKeyRejects_data() { profileRows(); }
  void wrongKeyRejects() {
    QFETCH(SrtpProfile, profile);
    if (!SrtpSession::isProfileSupported(profile)) QSKIP("this libsrtp2 cannot run the profile");
    const auto [ka, kb] = mirroredKeys(profile, 1);
    const auto [kx, ky] = mirroredKeys(profile, 2);
    std::string error;
    auto a = SrtpSession::create(ka, &error);
    auto stranger = SrtpSession::create(ky, &error);
    QVERIFY(a && stranger);
    Packet p = rtp(1, 42);
    QVERIFY(a->protectRtp(p.buffer.data(), &p.size, p.buffer.size()));
    QVERIFY(!stranger->unprotectRtp(p.buffer.data(), &p.size));
    QCOMPARE(stranger->rtpRejected(), uint64_t(1));
    QCOMPARE(stranger->rtpReplayed(), uint64_t(0));
    Packet c = rtcp(42, 1);
    QVERIFY(a->protectRtcp(c.buffer.data(), &c.size, c.buffer.size()));
    QVERIFY(!stranger->unprotectRtcp(c.buffer.data(), &c.size));
    QCOMPARE(stranger->rtcpRejected(), uint64_t(1));
  }

  void badInputRefused() {
    std::string error;
    SrtpKeys shortKeys{SrtpProfile::Aes128CmSha1_80, Bytes(29, 1), Bytes(30, 2)};
    QVERIFY(!SrtpSession::create(shortKeys, &error));
    QVERIFY2(error.find("30-byte") != std::string::npos, error.c_str());
    // AEAD wants 16+12: a 30-byte AES-CM key||salt is not one.
    SrtpKeys gcmWithCmLength{SrtpProfile::AeadAes128Gcm, Bytes(30, 1), Bytes(30, 2)};
    error.clear();
    QVERIFY(!SrtpSession::create(gcmWithCmLength, &error));
    QVERIFY(!error.empty());

    std::unique_ptr<SrtpSession> a, b;
    QVERIFY(makePair(SrtpProfile::Aes128CmSha1_80, &a, &b));
    Packet p = rtp(1, 9);
    const Bytes original = p.bytes();
    QVERIFY(!a->protectRtp(p.buffer.data(), &p.size, p.size + SrtpSession::kMaxTrailer - 1));  // no room
    QVERIFY(p.bytes() == original);
    QVERIFY(!a->protectRtp(nullptr, &p.size, 1000));
    Packet tiny = rtp(1, 9);
    tiny.size = 5;  // not an RTP header
    QVERIFY(!a->protectRtp(tiny.buffer.data(), &tiny.size, tiny.buffer.size()));
    QCOMPARE(tiny.size, size_t(5));
    Packet c = rtcp(9, 1);
    QVERIFY(!a->protectRtcp(c.buffer.data(), &c.size, c.size + SrtpSession::kMaxTrailer - 1));
    size_t zero = 0;
    QVERIFY(!b->unprotectRtp(p.buffer.data(), &zero));
    QVERIFY(!b->unprotectRtcp(c.buffer.data(), &zero));
  }

  void keysFromRealHandshake() {
    std::string error;
    auto clientContext = DtlsContext::create(DtlsContext::generateCertificatePem(&error), &error);
    auto serverContext = DtlsContext::create(DtlsContext::generateCertificatePem(&error), &error);
    QVERIFY2(clientContext && serverContext, error.c_str());
    std::unique_ptr<DtlsTransport> client, server;
    std::optional<SrtpKeys> clientKeys, serverKeys;
    DtlsTransport::Callbacks c, s;
    c.send = [&](const uint8_t* data, size_t size) { server->receive(data, size); };
    s.send = [&](const uint8_t* data, size_t size) { client->receive(data, size); };
    c.connected = [&](const SrtpKeys& keys) { clientKeys = keys; };
    s.connected = [&](const SrtpKeys& keys) { serverKeys = keys; };
    client = std::make_unique<DtlsTransport>(clientContext, DtlsRole::Client, "sha-256", serverContext->fingerprintSha256(), c);
    server = std::make_unique<DtlsTransport>(serverContext, DtlsRole::Server, "sha-256", clientContext->fingerprintSha256(), s);
    server->start();
    client->start();
    QVERIFY(clientKeys && serverKeys);
    auto a = SrtpSession::create(*clientKeys, &error);
    auto b = SrtpSession::create(*serverKeys, &error);
    QVERIFY2(a && b, error.c_str());
    for (auto [from, to] : {std::pair{a.get(), b.get()}, std::pair{b.get(), a.get()}}) {
      Packet p = rtp(1000, 0x31323334, 1200);
      const Bytes original = p.bytes();
      QVERIFY(from->protectRtp(p.buffer.data(), &p.size, p.buffer.size()));
      QVERIFY(to->unprotectRtp(p.buffer.data(), &p.size));
      QVERIFY(p.bytes() == original);
      Packet r = rtcp(0x31323334, 3);
      const Bytes rtcpOriginal = r.bytes();
      QVERIFY(from->protectRtcp(r.buffer.data(), &r.size, r.buffer.size()));
      QVERIFY(to->unprotectRtcp(r.buffer.data(), &r.size));
      QVERIFY(r.bytes() == rtcpOriginal);
    }
    // A session with the wrong direction's key (local = remote) cannot read its peer.
    SrtpKeys swapped{clientKeys->profile, clientKeys->remoteMasterKeySalt, clientKeys->remoteMasterKeySalt};
    auto confused = SrtpSession::create(swapped, &error);
    QVERIFY(confused);
    Packet p = rtp(1, 1);
    QVERIFY(b->protectRtp(p.buffer.data(), &p.size, p.buffer.size()));
    Packet q = p;
    QVERIFY(a->unprotectRtp(q.buffer.data(), &q.size));
    SrtpKeys reversed{clientKeys->profile, clientKeys->remoteMasterKeySalt, clientKeys->localMasterKeySalt};
    auto backwards = SrtpSession::create(reversed, &error);
    QVERIFY(!backwards->unprotectRtp(p.buffer.data(), &p.size));
  }

  // ---- figures (printed, not asserted)

  void protectUnprotectTiming_data() { profileRows(); }
  void protectUnprotectTiming() {
    QFETCH(SrtpProfile, profile);
    std::unique_ptr<SrtpSession> a, b;
    if (!makePair(profile, &a, &b)) QSKIP("this libsrtp2 cannot run the profile");
    constexpr int kPackets = 20000;
    const Packet plain = rtp(0, 0x42424242, 1200);
    std::vector<Packet> packets(kPackets);
    for (int i = 0; i < kPackets; ++i) packets[i] = rtp(static_cast<uint16_t>(i), 0x42424242, 1200);
    using Clock = std::chrono::steady_clock;
    const auto begin = Clock::now();
    for (Packet& p : packets) {
      if (!a->protectRtp(p.buffer.data(), &p.size, p.buffer.size())) QFAIL("protect");
    }
    const auto middle = Clock::now();
    for (Packet& p : packets) {
      if (!b->unprotectRtp(p.buffer.data(), &p.size)) QFAIL("unprotect");
    }
    const auto end = Clock::now();
    const double protectNs = std::chrono::duration<double, std::nano>(middle - begin).count() / kPackets;
    const double unprotectNs = std::chrono::duration<double, std::nano>(end - middle).count() / kPackets;
    qInfo("%s, 1200-byte RTP: protect %.0f ns + unprotect %.0f ns = %.0f ns/packet", srtpProfileName(profile), protectNs,
          unprotectNs, protectNs + unprotectNs);
    QVERIFY(packets.back().size == plain.size);
  }
};

QTEST_GUILESS_MAIN(TestSrtpSession)
#include "tst_srtp_session.moc"
