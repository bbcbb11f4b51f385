// WebRtcTransport end to end: two transports on one media loop connect to each other over
// 127.0.0.1 (real libnice ICE, OpenSSL DTLS, libsrtp2), A sends VP8-shaped RTP with gaps, and the
// RTCP each side sends reaches the other's handlers: B's NACKs for the gaps are counted by A, B's
// PLI asks A's source for a keyframe, and A measures the round trip from B's receiver reports
// on A's sender reports (RFC 3550 §6.4.1). These handlers once received nothing at all (the
// compound's items arrived as the variant, which only the catch-all accepted).

#include "transport/DtlsContext.h"
#include "transport/MediaLoop.h"
#include "transport/WebRtcTransport.h"

#include <QTest>

#include <atomic>
#include <chrono>
#include <functional>
#include <thread>
#include <vector>

using namespace pw::transport;

namespace {

bool waitFor(const std::function<bool()>& condition, int timeoutMs) {
  const auto deadline = std::chrono::steady_clock::now() + std::chrono::milliseconds(timeoutMs);
  while (!condition()) {
    if (std::chrono::steady_clock::now() > deadline) return false;
    std::this_thread::sleep_for(std::chrono::milliseconds(20));
  }
  return true;
}

// A plain RTP packet whose VP8 payload starts a keyframe (descriptor S=1, PID 0; P bit 0).
std::vector<uint8_t> vp8Packet(uint16_t seq, uint32_t timestamp) {
  std::vector<uint8_t> p = {0x80, 96, uint8_t(seq >> 8), uint8_t(seq), uint8_t(timestamp >> 24), uint8_t(timestamp >> 16),
                            uint8_t(timestamp >> 8), uint8_t(timestamp), 0x11, 0x22, 0x33, 0x44};
  const uint8_t payload[] = {0x10, 0x00, 0x00, 0x00, 0x9d, 0x01, 0x2a, 0x40, 0x01, 0xf0, 0x00};
  p.insert(p.end(), std::begin(payload), std::end(payload));
  p.resize(p.size() + 900, 0x5a);
  return p;
}

StreamSettings videoStream(uint32_t ssrc) {
  StreamSettings s;
  s.kind = MediaKind::Video;
  s.payloadType = 96;
  s.clockRate = 90000;
  s.codec = VideoCodec::Vp8;
  s.send = true;
  s.receive = true;
  s.localSsrc = ssrc;
  s.nack = s.pli = s.fir = true;
  return s;
}

}  // namespace

class TestWebRtcTransport : public QObject {
  Q_OBJECT
 private Q_SLOTS:
  void rtcpFeedbackReachesTheSender() {
    std::string error;
    const auto dtls = DtlsContext::create(DtlsContext::generateCertificatePem(&error), &error);
    QVERIFY2(dtls, error.c_str());
    // Everything the loop's tasks touch is declared before the loop, so it outlives the loop's
    // thread even when a check fails half-way.
    std::shared_ptr<WebRtcTransport> a, b;
    std::atomic<int> connected{0};
    std::atomic<int> keyframeRequests{0};
    std::atomic<int> packetsAtB{0};
    std::atomic<bool> started{false};
    std::atomic<int> sent{0};
    std::atomic<uint64_t> nacksAtA{0};
    std::atomic<double> rttAtA{0};
    std::atomic<bool> closed{false};
    MediaLoop loop("transport-pair");

    IceAgent::Settings ice;
    ice.localAddresses = {"127.0.0.1"};
    WebRtcTransport::Observer oa, ob;
    oa.localCandidate = [&](const std::string& line) { loop.post([&b, line] { if (b) b->addRemoteCandidate(line); }); };
    ob.localCandidate = [&](const std::string& line) { loop.post([&a, line] { if (a) a->addRemoteCandidate(line); }); };
    oa.connected = [&] { ++connected; };
    ob.connected = [&] { ++connected; };
    oa.keyframeRequested = [&](MediaKind kind) { if (kind == MediaKind::Video) ++keyframeRequests; };
    ob.junctionRtp = [&](MediaKind kind, const uint8_t*, size_t) { if (kind == MediaKind::Video) ++packetsAtB; };

    loop.post([&] {
      IceAgent::Settings controlling = ice;
      controlling.controlling = true;
      a = WebRtcTransport::create(loop, dtls, controlling, oa);
      b = WebRtcTransport::create(loop, dtls, ice, ob);
      std::string e;
      if (!a->start(&e) || !b->start(&e)) return;
      TransportSettings sa, sb;
      sa.dtlsRole = DtlsRole::Client;
      sb.dtlsRole = DtlsRole::Server;
      sa.remoteFingerprintAlgorithm = sb.remoteFingerprintAlgorithm = "sha-256";
      sa.remoteFingerprint = sb.remoteFingerprint = dtls->fingerprintSha256();
      sa.remoteUfrag = b->iceUfrag();
      sa.remotePassword = b->icePassword();
      sb.remoteUfrag = a->iceUfrag();
      sb.remotePassword = a->icePassword();
      sa.streams = {videoStream(0x0A0A0A0A)};
      sb.streams = {videoStream(0x0B0B0B0B)};
      sa.cname = "a";
      sb.cname = "b";
      a->configure(sa);
      b->configure(sb);
      b->setJunctionOpen(MediaKind::Video, true);
      a->gather();
      b->gather();
      started = true;
    });
    QVERIFY(waitFor([&] { return started.load(); }, 5000));
    QVERIFY2(waitFor([&] { return connected.load() == 2; }, 15000), "ICE + DTLS between the two transports");

    // 3 s of 100 packets a second from A, every 10th sequence number missing: B NACKs them.
    loop.addTimer(10, [&] {
      const int i = sent++;
      if (i >= 300 || !a) return false;  // all sent, or the transports are gone
      const uint16_t seq = static_cast<uint16_t>(1000 + i + i / 9);  // skips one after every 9
      const auto packet = vp8Packet(seq, 3000u * static_cast<uint32_t>(i / 3));
      a->sendRtp(MediaKind::Video, packet.data(), packet.size(), 1);
      return true;
    });
    QVERIFY2(waitFor([&] { return packetsAtB.load() >= 100; }, 10000), "B receives A's video");

    const auto readStats = [&] {
      loop.post([&] {
        const TransportStats s = a->stats();
        nacksAtA = s.outbound[static_cast<size_t>(MediaKind::Video)].nacks;
        rttAtA = s.outbound[static_cast<size_t>(MediaKind::Video)].roundTripTimeSec;
      });
    };
    QVERIFY2(waitFor([&] { readStats(); return nacksAtA.load() > 0; }, 10000), "A counts B's NACKs for the gaps");

    loop.post([&] { b->requestKeyframe(MediaKind::Video); });
    QVERIFY2(waitFor([&] { return keyframeRequests.load() > 0; }, 5000), "B's PLI reaches A's source");

    // SRs go out once a second; B's next report answers one of them.
    QVERIFY2(waitFor([&] { readStats(); return rttAtA.load() > 0; }, 10000), "A measures the round trip");
    QVERIFY2(rttAtA.load() < 0.5, qPrintable(QString::number(rttAtA.load())));

    loop.post([&] {
      a->close();
      b->close();
      a.reset();
      b.reset();
      closed = true;
    });
    QVERIFY(waitFor([&] { return closed.load(); }, 5000));
  }
};

QTEST_APPLESS_MAIN(TestWebRtcTransport)
#include "tst_web_rtc_transport.moc"
