// libFuzzer target: DtlsTransport (engine/src/transport), the code that takes every datagram a
// peer -- or anyone who knows a media port -- sends with a first byte of 20..63. The first input
// byte picks one of two games:
//
//   lone (even):   one transport, Client or Server, with or without the remote fingerprint,
//                  gets length-prefixed datagrams from the input: some before start(), the rest
//                  after it, with handleTimeout(), setRemoteFingerprint() and close() in between.
//                  Nobody here holds the private key of the certificate it expects, so it must
//                  never report `connected`.
//   handshake (odd): the transport under test and a genuine DtlsTransport peer run a real
//                  handshake through in-memory queues; an op script from the input delivers,
//                  drops, duplicates, corrupts or truncates the peer's datagrams, injects datagrams
//                  of its own and times out, then everything left is delivered faithfully and the
//                  injected datagrams are replayed (after the handshake: the connected state).
//                  The transport under test expects the peer's real fingerprint or another one
//                  (wrong certificate, or an algorithm it cannot check), given at construction
//                  or later through setRemoteFingerprint().
//
// Besides the sanitizers: `connected` only with the peer's real fingerprint, at most once, and
// then state() is Connected and the SRTP keys of both sides mirror each other; `failed` at most
// once; a lone transport never connects. Plain C++: links pipewright_transport only.

#include "transport/DtlsContext.h"
#include "transport/DtlsTransport.h"
#include "transport/SrtpSession.h"

#include <openssl/bio.h>
#include <openssl/pem.h>
#include <openssl/x509.h>

#include <cstdint>
#include <cstdio>
#include <cstdlib>
#include <deque>
#include <memory>
#include <optional>
#include <string>
#include <vector>

#define FUZZ_CHECK(condition)                                                                    \
  do {                                                                                           \
    if (!(condition)) {                                                                          \
      std::fprintf(stderr, "fuzz_dtls: broken invariant at line %d: %s\n", __LINE__, #condition); \
      std::abort();                                                                              \
    }                                                                                            \
  } while (0)

using namespace pw::transport;

namespace {

using Bytes = std::vector<uint8_t>;

struct Identity {
  std::shared_ptr<DtlsContext> context;
  std::string sha256, sha1;  // fingerprints of its certificate
};

Identity makeIdentity() {
  std::string error;
  const std::string pem = DtlsContext::generateCertificatePem(&error);
  Identity identity;
  identity.context = pem.empty() ? nullptr : DtlsContext::create(pem, &error);
  BIO* bio = BIO_new_mem_buf(pem.data(), static_cast<int>(pem.size()));
  X509* certificate = bio ? PEM_read_bio_X509(bio, nullptr, nullptr, nullptr) : nullptr;
  if (certificate) {
    identity.sha256 = DtlsContext::certificateFingerprint(certificate, "sha-256");
    identity.sha1 = DtlsContext::certificateFingerprint(certificate, "sha-1");
  }
  X509_free(certificate);
  BIO_free(bio);
  if (!identity.context || identity.sha256.empty() || identity.sha1.empty()) {
    std::fprintf(stderr, "fuzz_dtls: cannot make a DTLS identity: %s\n", error.c_str());
    std::exit(1);
  }
  return identity;
}

// Made once: certificate generation costs far more than an input.
const Identity& tested() {  // the transport under test
  static const Identity identity = makeIdentity();
  return identity;
}
const Identity& genuine() {  // the peer that really handshakes
  static const Identity identity = makeIdentity();
  return identity;
}
const Identity& stranger() {  // a certificate nobody in the game uses
  static const Identity identity = makeIdentity();
  return identity;
}

// FUZZ_DTLS_VERBOSE=1: one line per handshake game (what connected), for checking seeds.
bool verbose() {
  static const bool on = std::getenv("FUZZ_DTLS_VERBOSE") != nullptr;
  return on;
}

// Reads values off the input; zeros when it runs out.
class Reader {
 public:
  Reader(const uint8_t* data, size_t size) : data_(data), size_(size) {}
  uint8_t u8() { return offset_ < size_ ? data_[offset_++] : 0; }
  uint16_t u16() { return static_cast<uint16_t>((u8() << 8) | u8()); }
  Bytes bytes(size_t n) {
    n = std::min(n, size_ - offset_);
    Bytes out(data_ + offset_, data_ + offset_ + n);
    offset_ += n;
    return out;
  }
  bool done() const { return offset_ >= size_; }

 private:
  const uint8_t* data_;
  size_t size_;
  size_t offset_ = 0;
};

// One transport and what its callbacks saw.
struct Side {
  std::unique_ptr<DtlsTransport> transport;
  std::deque<Bytes> outbox;
  std::optional<SrtpKeys> keys;
  int connectedCalls = 0;
  int failedCalls = 0;
  int closedCalls = 0;

  DtlsTransport::Callbacks callbacks() {
    DtlsTransport::Callbacks c;
    c.send = [this](const uint8_t* data, size_t size) {
      if (outbox.size() < 256) outbox.emplace_back(data, data + size);
    };
    c.connected = [this](const SrtpKeys& k) {
      keys = k;
      ++connectedCalls;
    };
    c.failed = [this](const std::string&) { ++failedCalls; };
    c.closed = [this] { ++closedCalls; };
    c.applicationData = [](const uint8_t*, size_t) {};
    return c;
  }
  void make(const Identity& identity, DtlsRole role, const std::string& algorithm, const std::string& fingerprint) {
    DtlsTransport::Options options;
    options.maxRetransmits = 3;
    transport = std::make_unique<DtlsTransport>(identity.context, role, algorithm, fingerprint, callbacks(), options);
  }
  void deliver(const Bytes& datagram) {
    if (!datagram.empty()) transport->receive(datagram.data(), datagram.size());
  }
  void timeoutIfDue() {
    if (transport->timeoutMs() == 0) transport->handleTimeout();
  }
  void checkCallbacks() const {
    FUZZ_CHECK(connectedCalls <= 1);
    FUZZ_CHECK(failedCalls <= 1);
    FUZZ_CHECK(closedCalls <= 1);
  }
};

// ---- lone transport: arbitrary datagrams, nobody can complete a handshake

void lone(Reader& in, uint8_t mode) {
  const DtlsRole role = (mode & 2) ? DtlsRole::Server : DtlsRole::Client;
  const bool fingerprintLater = (mode & 4) != 0;
  Side side;
  side.make(tested(), role, "sha-256", fingerprintLater ? std::string() : genuine().sha256);
  const size_t beforeStart = in.u8() % 8;
  bool started = false;
  for (size_t n = 0; !in.done() && n < 64; ++n) {
    if (!started && n >= beforeStart) {
      side.transport->start();
      started = true;
    }
    const uint8_t op = in.u8();
    switch (op % 16) {
      case 13:
        side.timeoutIfDue();
        break;
      case 14:
        side.transport->setRemoteFingerprint("sha-256", genuine().sha256);
        break;
      case 15:
        if ((op & 0x30) == 0x30) side.transport->close();
        break;
      default:
        break;
    }
    side.deliver(in.bytes(in.u16() % 2048));
    side.outbox.clear();
    side.checkCallbacks();
    FUZZ_CHECK(side.connectedCalls == 0);
    FUZZ_CHECK(side.transport->state() != DtlsTransport::State::Connected);
  }
  if (!started) side.transport->start();
  side.transport->setRemoteFingerprint("sha-256", genuine().sha256);
  side.checkCallbacks();
  FUZZ_CHECK(side.connectedCalls == 0);
  FUZZ_CHECK(side.transport->state() != DtlsTransport::State::Connected);
}

// ---- a genuine handshake, disturbed

// What the transport under test is told to expect, and whether that is the peer's certificate.
struct Expectation {
  std::string algorithm, fingerprint;
  bool matchesPeer = false;
};

Expectation expectation(uint8_t pick) {
  switch (pick % 6) {
    case 0:
    case 1: return {"sha-256", genuine().sha256, true};
    case 2: return {"sha-1", genuine().sha1, true};
    case 3: return {"sha-256", stranger().sha256, false};              // another certificate
    case 4: return {"sha-1", genuine().sha256, false};                 // right digest, wrong algorithm
    default: return {"md5", genuine().sha256, false};                  // an algorithm we cannot check
  }
}

void handshake(Reader& in, uint8_t mode) {
  const DtlsRole role = (mode & 2) ? DtlsRole::Server : DtlsRole::Client;
  const bool fingerprintLater = (mode & 4) != 0;
  const bool peerFirst = (mode & 8) != 0;
  const Expectation expected = expectation(in.u8());

  Side subject, peer;
  subject.make(tested(), role, fingerprintLater ? std::string() : expected.algorithm,
               fingerprintLater ? std::string() : expected.fingerprint);
  peer.make(genuine(), role == DtlsRole::Client ? DtlsRole::Server : DtlsRole::Client, "sha-256", tested().sha256);
  if (peerFirst) {
    peer.transport->start();
    subject.transport->start();
  } else {
    subject.transport->start();
    peer.transport->start();
  }

  std::vector<Bytes> injected;
  Bytes last;  // the last genuine datagram the tested side saw
  bool fingerprintGiven = !fingerprintLater;
  auto giveFingerprint = [&] {
    if (fingerprintGiven) return;
    fingerprintGiven = true;
    subject.transport->setRemoteFingerprint(expected.algorithm, expected.fingerprint);
  };
  auto next = [&](Side& from) -> std::optional<Bytes> {
    if (from.outbox.empty()) return std::nullopt;
    Bytes d = std::move(from.outbox.front());
    from.outbox.pop_front();
    return d;
  };

  for (size_t n = 0; !in.done() && n < 256; ++n) {
    const uint8_t op = in.u8();
    switch (op % 10) {
      case 0:  // peer → tested, as sent
        if (auto d = next(peer)) {
          last = *d;
          subject.deliver(*d);
        }
        break;
      case 1:  // peer → tested, one byte changed
        if (auto d = next(peer)) {
          if (!d->empty()) (*d)[in.u16() % d->size()] ^= static_cast<uint8_t>(in.u8() | 1);
          subject.deliver(*d);
        }
        break;
      case 2:  // peer's datagram lost
        next(peer);
        break;
      case 3:  // peer → tested twice
        if (auto d = next(peer)) {
          subject.deliver(*d);
          subject.deliver(*d);
        }
        break;
      case 4: {  // a datagram of the input's own
        Bytes d = in.bytes(in.u16() % 1500);
        subject.deliver(d);
        injected.push_back(std::move(d));
        break;
      }
      case 5:  // tested → peer
        if (auto d = next(subject)) peer.deliver(*d);
        break;
      case 6:  // the last genuine datagram again, cut short
        if (!last.empty()) {
          Bytes d(last.begin(), last.begin() + static_cast<std::ptrdiff_t>(in.u16() % last.size()));
          subject.deliver(d);
        }
        break;
      case 7:  // the last genuine datagram with its record header's epoch / sequence changed
        if (last.size() >= 13) {
          Bytes d = last;
          d[3 + in.u8() % 8] = in.u8();
          subject.deliver(d);
          injected.push_back(std::move(d));
        }
        break;
      case 8:
        subject.timeoutIfDue();
        peer.timeoutIfDue();
        break;
      default:
        giveFingerprint();
        break;
    }
    subject.checkCallbacks();
    if (subject.connectedCalls) FUZZ_CHECK(expected.matchesPeer && fingerprintGiven);
  }

  // Everything left goes through faithfully, then the injected datagrams come again.
  giveFingerprint();
  for (int rounds = 0; rounds < 64 && (!peer.outbox.empty() || !subject.outbox.empty()); ++rounds) {
    while (auto d = next(peer)) subject.deliver(*d);
    while (auto d = next(subject)) peer.deliver(*d);
  }
  for (const Bytes& d : injected) subject.deliver(d);
  subject.outbox.clear();

  subject.checkCallbacks();
  peer.checkCallbacks();
  if (subject.connectedCalls) {
    FUZZ_CHECK(expected.matchesPeer);
    FUZZ_CHECK(subject.keys.has_value());
    if (peer.keys) {  // both connected: the same session from both ends
      FUZZ_CHECK(subject.keys->profile == peer.keys->profile);
      FUZZ_CHECK(subject.keys->localMasterKeySalt == peer.keys->remoteMasterKeySalt);
      FUZZ_CHECK(subject.keys->remoteMasterKeySalt == peer.keys->localMasterKeySalt);
    }
  }
  if (subject.transport->state() == DtlsTransport::State::Connected) FUZZ_CHECK(subject.connectedCalls == 1);
  if (!expected.matchesPeer) FUZZ_CHECK(subject.connectedCalls == 0);
  if (verbose()) {
    std::fprintf(stderr, "fuzz_dtls: handshake %s, expecting %s %s: subject connected %d failed %d, peer connected %d failed %d\n",
                 role == DtlsRole::Client ? "client" : "server", expected.algorithm.c_str(),
                 expected.matchesPeer ? "(the peer's)" : "(not the peer's)", subject.connectedCalls, subject.failedCalls,
                 peer.connectedCalls, peer.failedCalls);
  }
}

}  // namespace

extern "C" int LLVMFuzzerInitialize(int*, char***) {
  tested();
  genuine();
  stranger();
  return 0;
}

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  if (size == 0) return 0;
  Reader in(data, size);
  const uint8_t mode = in.u8();
  if (mode & 1) {
    handshake(in, mode);
  } else {
    lone(in, mode);
  }
  return 0;
}
