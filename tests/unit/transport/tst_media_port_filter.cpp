// MediaPortFilter in the real kernel: a UDP socket on 127.0.0.1 carrying the filter, a "peer"
// socket and a "stranger" socket sending to it; what arrives is what the filter let through.
// Loopback only.

#include "transport/MediaPortFilter.h"

#include <QtTest>

#include <arpa/inet.h>
#include <netinet/in.h>
#include <poll.h>
#include <sys/socket.h>
#include <unistd.h>

#include <cstring>
#include <string>
#include <vector>

using pw::transport::MediaPortFilter;
using Bytes = std::vector<uint8_t>;

namespace {

struct Udp {
  int fd = -1;
  uint16_t port = 0;
  Udp() {
    fd = socket(AF_INET, SOCK_DGRAM | SOCK_CLOEXEC | SOCK_NONBLOCK, 0);
    sockaddr_in a{};
    a.sin_family = AF_INET;
    a.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
    bind(fd, reinterpret_cast<sockaddr*>(&a), sizeof a);
    socklen_t len = sizeof a;
    getsockname(fd, reinterpret_cast<sockaddr*>(&a), &len);
    port = ntohs(a.sin_port);
  }
  ~Udp() { close(fd); }
  void sendTo(const Udp& to, const Bytes& data) const {
    sockaddr_in a{};
    a.sin_family = AF_INET;
    a.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
    a.sin_port = htons(to.port);
    sendto(fd, data.data(), data.size(), 0, reinterpret_cast<sockaddr*>(&a), sizeof a);
  }
  // Every datagram queued now (a marker sent last tells when the queue is complete).
  std::vector<Bytes> drain() const {
    std::vector<Bytes> out;
    pollfd p{fd, POLLIN, 0};
    while (poll(&p, 1, 200) > 0) {
      Bytes buffer(2048);
      const ssize_t n = recv(fd, buffer.data(), buffer.size(), 0);
      if (n < 0) break;
      buffer.resize(static_cast<size_t>(n));
      out.push_back(buffer);
    }
    return out;
  }
};

void put16(Bytes& b, uint16_t v) {
  b.push_back(static_cast<uint8_t>(v >> 8));
  b.push_back(static_cast<uint8_t>(v));
}

void attribute(Bytes& b, uint16_t type, const std::string& value) {
  put16(b, type);
  put16(b, static_cast<uint16_t>(value.size()));
  b.insert(b.end(), value.begin(), value.end());
  while (b.size() % 4) b.push_back(0);
}

// A STUN message (no integrity: the filter does not check it, libnice does).
Bytes stun(uint16_t type, const std::vector<std::pair<uint16_t, std::string>>& attributes) {
  Bytes body;
  for (const auto& [t, v] : attributes) attribute(body, t, v);
  Bytes m;
  put16(m, type);
  put16(m, static_cast<uint16_t>(body.size()));
  for (uint8_t c : {0x21, 0x12, 0xA4, 0x42}) m.push_back(c);
  for (int i = 0; i < 12; ++i) m.push_back(static_cast<uint8_t>(i * 7));
  m.insert(m.end(), body.begin(), body.end());
  return m;
}

Bytes bytes(std::initializer_list<int> values) {
  Bytes b;
  for (int v : values) b.push_back(static_cast<uint8_t>(v));
  return b;
}

constexpr char kUfrag[] = "Ab3+/xYz";

}  // namespace

class TestMediaPortFilter : public QObject {
  Q_OBJECT

 private:
  // Sends each datagram from `from`, then reports which ones `to` received (by index).
  static std::vector<size_t> passed(const Udp& from, const Udp& to, const std::vector<Bytes>& datagrams) {
    for (size_t i = 0; i < datagrams.size(); ++i) {
      Bytes tagged = datagrams[i];
      from.sendTo(to, tagged);
    }
    const std::vector<Bytes> got = to.drain();
    std::vector<size_t> out;
    for (const Bytes& g : got) {
      for (size_t i = 0; i < datagrams.size(); ++i) {
        if (datagrams[i] == g) {
          out.push_back(i);
          break;
        }
      }
    }
    return out;
  }

  const Bytes rtp = bytes({0x80, 96, 0, 1, 0, 0, 0, 1, 0, 0, 0, 9, 1, 2, 3, 4});
  const Bytes dtls = bytes({22, 0xfe, 0xfd, 0, 0, 0, 0, 0, 0, 0, 1, 0, 1, 1});
  const Bytes empty{};
  const Bytes rightUser = stun(0x0001, {{0x0006, std::string(kUfrag) + ":peer"}, {0x0024, "prio"}});
  const Bytes rightUserFourth = stun(0x0001, {{0x0024, "prio"}, {0x0025, ""}, {0x802A, "tiebreak"}, {0x0006, std::string(kUfrag) + ":peer"}});
  const Bytes wrongUser = stun(0x0001, {{0x0006, "zzzzzzzz:peer"}});
  const Bytes prefixOnly = stun(0x0001, {{0x0006, std::string(kUfrag) + "x:peer"}});  // longer ufrag
  const Bytes noUser = stun(0x0001, {{0x0024, "prio"}});
  const Bytes response = stun(0x0101, {{0x0020, "xormapped"}});
  const Bytes indication = stun(0x0011, {});

 private Q_SLOTS:
  void strangerBeforeAnyPeer() {
    Udp media, stranger;
    QVERIFY(MediaPortFilter::attach(media.fd, MediaPortFilter::build(kUfrag, 0, 0)));
    // Non-STUN passes (libnice decides); STUN requests need our ufrag; other STUN passes.
    const std::vector<Bytes> d{rtp, dtls, rightUser, rightUserFourth, wrongUser, prefixOnly, noUser, response, indication};
    QCOMPARE(passed(stranger, media, d), (std::vector<size_t>{0, 1, 2, 3, 7, 8}));
  }

  void strangerWithPeer() {
    Udp media, peer, stranger;
    QVERIFY(MediaPortFilter::attach(media.fd, MediaPortFilter::build(kUfrag, INADDR_LOOPBACK, peer.port)));
    const std::vector<Bytes> d{rtp, dtls, empty, rightUser, rightUserFourth, wrongUser, prefixOnly, noUser, response, indication};
    QCOMPARE(passed(stranger, media, d), (std::vector<size_t>{3, 4, 8, 9}));
  }

  void peerPassesEverything() {
    Udp media, peer;
    QVERIFY(MediaPortFilter::attach(media.fd, MediaPortFilter::build(kUfrag, INADDR_LOOPBACK, peer.port)));
    const std::vector<Bytes> d{rtp, dtls, empty, rightUser, wrongUser, response, bytes({0x40, 0, 0, 4, 1, 2, 3, 4})};
    QCOMPARE(passed(peer, media, d), (std::vector<size_t>{0, 1, 2, 3, 4, 5, 6}));
  }

  void replacedAndDetached() {
    Udp media, peer, stranger;
    QVERIFY(MediaPortFilter::attach(media.fd, MediaPortFilter::build(kUfrag, INADDR_LOOPBACK, stranger.port)));
    QCOMPARE(passed(peer, media, {rtp}), (std::vector<size_t>{}));
    QVERIFY(MediaPortFilter::attach(media.fd, MediaPortFilter::build(kUfrag, INADDR_LOOPBACK, peer.port)));
    QCOMPARE(passed(peer, media, {rtp}), (std::vector<size_t>{0}));
    QVERIFY(MediaPortFilter::detach(media.fd));
    QCOMPARE(passed(stranger, media, {rtp, wrongUser}), (std::vector<size_t>{0, 1}));
  }

  void oddUfragLengths() {
    for (const std::string ufrag : {"abcd", "abcde", "a", "0123456789+/abcdefghij"}) {
      Udp media, stranger;
      QVERIFY(MediaPortFilter::attach(media.fd, MediaPortFilter::build(ufrag, 0, 0)));
      const Bytes good = stun(0x0001, {{0x0006, ufrag + ":x"}});
      Bytes bad = good;
      bad[20 + 4 + ufrag.size() - 1] ^= 1;  // the ufrag's last character
      const Bytes shorter = stun(0x0001, {{0x0006, ufrag.substr(0, ufrag.size() - 1) + ":x"}});
      QCOMPARE(passed(stranger, media, {good, bad, shorter}), (std::vector<size_t>{0}));
    }
  }
};

QTEST_GUILESS_MAIN(TestMediaPortFilter)
#include "tst_media_port_filter.moc"
