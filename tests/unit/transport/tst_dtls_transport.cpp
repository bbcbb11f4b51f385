// DtlsContext + DtlsTransport against real OpenSSL, in process: two transports (or one and a
// plain OpenSSL DTLS client) wired through in-memory datagram queues. No sockets, no mocks.

#include "transport/DtlsContext.h"
#include "transport/DtlsTransport.h"
#include "transport/SrtpSession.h"

#include <QTest>

#include <openssl/bio.h>
#include <openssl/err.h>
#include <openssl/evp.h>
#include <openssl/pem.h>
#include <openssl/rsa.h>
#include <openssl/ssl.h>
#include <openssl/x509.h>
#include <openssl/x509v3.h>

#include <algorithm>
#include <chrono>
#include <deque>
#include <memory>
#include <optional>
#include <random>
#include <regex>
#include <string>
#include <thread>
#include <vector>

using pw::transport::DtlsContext;
using pw::transport::DtlsRole;
using pw::transport::DtlsTransport;
using pw::transport::SrtpKeys;
using pw::transport::SrtpProfile;
using pw::transport::SrtpSession;
using Bytes = std::vector<uint8_t>;
using Clock = std::chrono::steady_clock;

namespace {

struct SslCtxFree {
  void operator()(SSL_CTX* ctx) const { SSL_CTX_free(ctx); }
};
struct SslFree {
  void operator()(SSL* ssl) const { SSL_free(ssl); }
};
struct X509Free {
  void operator()(X509* x) const { X509_free(x); }
};
struct PkeyFree {
  void operator()(EVP_PKEY* k) const { EVP_PKEY_free(k); }
};
struct BioFree {
  void operator()(BIO* b) const { BIO_free_all(b); }
};

std::unique_ptr<X509, X509Free> leafOf(const std::string& pem) {
  std::unique_ptr<BIO, BioFree> bio(BIO_new_mem_buf(pem.data(), static_cast<int>(pem.size())));
  return std::unique_ptr<X509, X509Free>(PEM_read_bio_X509(bio.get(), nullptr, nullptr, nullptr));
}

std::string keyOnlyPem(const std::string& pem) {
  const auto begin = pem.find("-----BEGIN PRIVATE KEY-----");
  return begin == std::string::npos ? std::string() : pem.substr(begin);
}

std::string certificateOnlyPem(const std::string& pem) {
  const std::string end = "-----END CERTIFICATE-----\n";
  const auto at = pem.find(end);
  return at == std::string::npos ? std::string() : pem.substr(0, at + end.size());
}

// A self-signed RSA certificate + key as PEM (the "RSA" half of "ECDSA or RSA").
std::string rsaCertificatePem(int bits) {
  std::unique_ptr<EVP_PKEY, PkeyFree> key(EVP_RSA_gen(static_cast<unsigned int>(bits)));
  std::unique_ptr<X509, X509Free> cert(X509_new());
  if (!key || !cert) return {};
  X509_set_version(cert.get(), X509_VERSION_3);
  ASN1_INTEGER_set(X509_get_serialNumber(cert.get()), 7);
  X509_gmtime_adj(X509_getm_notBefore(cert.get()), -3600);
  X509_gmtime_adj(X509_getm_notAfter(cert.get()), 3600);
  X509_set_pubkey(cert.get(), key.get());
  X509_NAME* name = X509_get_subject_name(cert.get());
  X509_NAME_add_entry_by_txt(name, "CN", MBSTRING_ASC, reinterpret_cast<const unsigned char*>("rsa-test"), -1, -1, 0);
  X509_set_issuer_name(cert.get(), name);
  if (X509_sign(cert.get(), key.get(), EVP_sha256()) <= 0) return {};
  std::unique_ptr<BIO, BioFree> out(BIO_new(BIO_s_mem()));
  PEM_write_bio_X509(out.get(), cert.get());
  PEM_write_bio_PrivateKey(out.get(), key.get(), nullptr, nullptr, 0, nullptr, nullptr);
  char* data = nullptr;
  const long size = BIO_get_mem_data(out.get(), &data);
  return std::string(data, static_cast<size_t>(size));
}

struct Identity {
  std::string pem;
  std::shared_ptr<DtlsContext> context;
};

Identity makeIdentity() {
  Identity identity;
  std::string error;
  identity.pem = DtlsContext::generateCertificatePem(&error);
  if (!identity.pem.empty()) identity.context = DtlsContext::create(identity.pem, &error);
  if (!identity.context) qWarning("identity: %s", error.c_str());
  return identity;
}

SrtpProfile firstPreferredProfile() {
  return SrtpSession::isProfileSupported(SrtpProfile::AeadAes128Gcm) ? SrtpProfile::AeadAes128Gcm
                                                                      : SrtpProfile::Aes128CmSha1_80;
}

// One side of a test connection: what its transport sent and what its callbacks saw.
struct Peer {
  std::unique_ptr<DtlsTransport> transport;
  std::deque<Bytes> outbox;  // sent, not yet delivered
  std::vector<Bytes> sent;   // everything sent
  std::optional<SrtpKeys> keys;
  std::optional<std::string> failure;
  int connectedCalls = 0;
  int closedCalls = 0;
  std::vector<Bytes> received;  // application data
  std::function<void()> onConnected;
  std::function<void()> onFailed;

  DtlsTransport::Callbacks callbacks() {
    DtlsTransport::Callbacks c;
    c.send = [this](const uint8_t* data, size_t size) {
      outbox.emplace_back(data, data + size);
      sent.emplace_back(data, data + size);
    };
    c.connected = [this](const SrtpKeys& k) {
      keys = k;
      ++connectedCalls;
      if (onConnected) onConnected();
    };
    c.failed = [this](const std::string& reason) {
      failure = reason;
      if (onFailed) onFailed();
    };
    c.closed = [this] { ++closedCalls; };
    c.applicationData = [this](const uint8_t* data, size_t size) { received.emplace_back(data, data + size); };
    return c;
  }
};

// Two peers and the wire between them. `drop` decides per datagram (from, bytes) whether the
// network loses it.
struct Link {
  Peer client;
  Peer server;
  std::function<bool(const Peer& from, const Bytes& datagram)> drop;

  Link(const Identity& clientId, const Identity& serverId, DtlsTransport::Options options = {}) {
    client.transport = std::make_unique<DtlsTransport>(clientId.context, DtlsRole::Client, "sha-256",
                                                       serverId.context->fingerprintSha256(), client.callbacks(), options);
    server.transport = std::make_unique<DtlsTransport>(serverId.context, DtlsRole::Server, "sha-256",
                                                       clientId.context->fingerprintSha256(), server.callbacks(), options);
  }

  // Delivers what is in flight until both outboxes are empty; true when anything moved.
  bool deliver() {
    bool moved = false;
    for (int guard = 0; guard < 1000 && (!client.outbox.empty() || !server.outbox.empty()); ++guard) {
      for (auto [from, to] : {std::pair{&client, &server}, std::pair{&server, &client}}) {
        while (!from->outbox.empty()) {
          Bytes datagram = std::move(from->outbox.front());
          from->outbox.pop_front();
          moved = true;
          if (drop && drop(*from, datagram)) continue;
          if (to->transport) to->transport->receive(datagram.data(), datagram.size());
        }
      }
    }
    return moved;
  }

  static bool settled(const Peer& p) {
    if (!p.transport) return true;
    const auto s = p.transport->state();
    return s == DtlsTransport::State::Connected || s == DtlsTransport::State::Failed || s == DtlsTransport::State::Closed;
  }

  // Runs the wire and both timers until both sides settled or `budgetMs` of real time passed.
  void run(int budgetMs = 5000) {
    const auto end = Clock::now() + std::chrono::milliseconds(budgetMs);
    while (Clock::now() < end) {
      deliver();
      if (settled(client) && settled(server)) return;
      int wait = 50;
      for (Peer* p : {&client, &server}) {
        if (p->transport && p->transport->timeoutMs() >= 0) wait = std::min(wait, p->transport->timeoutMs());
      }
      if (wait > 0) std::this_thread::sleep_for(std::chrono::milliseconds(wait));
      for (Peer* p : {&client, &server}) {
        if (p->transport) p->transport->handleTimeout();
      }
    }
  }

  void start() {
    server.transport->start();
    client.transport->start();
  }
};

bool fingerprintFormat(const std::string& fingerprint, int bytes) {
  const std::regex pattern("^([0-9A-F]{2}:){" + std::to_string(bytes - 1) + "}[0-9A-F]{2}$");
  return std::regex_match(fingerprint, pattern);
}

int acceptAny(int, X509_STORE_CTX*) { return 1; }

}  // namespace

class TestDtlsTransport : public QObject {
  Q_OBJECT

 private Q_SLOTS:
  void initTestCase() {
    clientId_ = makeIdentity();
    serverId_ = makeIdentity();
    QVERIFY(clientId_.context);
    QVERIFY(serverId_.context);
    qInfo("libsrtp2 AEAD_AES_128_GCM: %s; use_srtp offered: %s",
          SrtpSession::isProfileSupported(SrtpProfile::AeadAes128Gcm) ? "supported" : "NOT supported",
          serverId_.context->srtpProfiles().c_str());
  }

  // ---- DtlsContext

  void generatedCertificateIsEcdsaP256WithFingerprint() {
    auto leaf = leafOf(serverId_.pem);
    QVERIFY(leaf);
    EVP_PKEY* key = X509_get0_pubkey(leaf.get());
    QCOMPARE(EVP_PKEY_get_base_id(key), EVP_PKEY_EC);
    QCOMPARE(EVP_PKEY_get_bits(key), 256);
    QVERIFY(X509_cmp_current_time(X509_get0_notBefore(leaf.get())) < 0);
    QVERIFY(X509_cmp_current_time(X509_get0_notAfter(leaf.get())) > 0);
    QVERIFY(X509_check_issued(leaf.get(), leaf.get()) == X509_V_OK);  // self-signed
    const std::string& fingerprint = serverId_.context->fingerprintSha256();
    QVERIFY2(fingerprintFormat(fingerprint, 32), fingerprint.c_str());
    QCOMPARE(DtlsContext::certificateFingerprint(leaf.get(), "SHA-256"), fingerprint);
    QVERIFY(fingerprintFormat(DtlsContext::certificateFingerprint(leaf.get(), "sha-1"), 20));
    QVERIFY(fingerprintFormat(DtlsContext::certificateFingerprint(leaf.get(), "sha-384"), 48));
    QVERIFY(fingerprintFormat(DtlsContext::certificateFingerprint(leaf.get(), "sha-512"), 64));
    QVERIFY(DtlsContext::certificateFingerprint(leaf.get(), "md5").empty());
    QVERIFY(clientId_.context->fingerprintSha256() != fingerprint);  // a fresh key each time
  }

  void contextSettings() {
    SSL_CTX* ctx = serverId_.context->get();
    QVERIFY(ctx);
    QCOMPARE(SSL_CTX_get_min_proto_version(ctx), DTLS1_2_VERSION);
    QVERIFY(SSL_CTX_get_verify_mode(ctx) & SSL_VERIFY_PEER);
    QVERIFY(SSL_CTX_get_verify_mode(ctx) & SSL_VERIFY_FAIL_IF_NO_PEER_CERT);
    QVERIFY(SSL_CTX_get_options(ctx) & SSL_OP_NO_QUERY_MTU);
    const std::string expected = SrtpSession::isProfileSupported(SrtpProfile::AeadAes128Gcm)
                                     ? "SRTP_AEAD_AES_128_GCM:SRTP_AES128_CM_SHA1_80:SRTP_AES128_CM_SHA1_32"
                                     : "SRTP_AES128_CM_SHA1_80:SRTP_AES128_CM_SHA1_32";
    QCOMPARE(serverId_.context->srtpProfiles(), expected);
  }

  void createRejectsUnusablePem() {
    std::string error;
    QVERIFY(!DtlsContext::create("", &error));
    QVERIFY(!error.empty());
    error.clear();
    QVERIFY(!DtlsContext::create("not a pem at all", &error));
    QVERIFY(!error.empty());
    error.clear();
    QVERIFY(!DtlsContext::create(certificateOnlyPem(serverId_.pem), &error));  // no key
    QVERIFY2(error.find("private key") != std::string::npos, error.c_str());
    error.clear();
    QVERIFY(!DtlsContext::create(keyOnlyPem(serverId_.pem), &error));  // no certificate
    QVERIFY2(error.find("certificate") != std::string::npos, error.c_str());
    error.clear();
    // A certificate with somebody else's key.
    QVERIFY(!DtlsContext::create(certificateOnlyPem(serverId_.pem) + keyOnlyPem(clientId_.pem), &error));
    QVERIFY2(error.find("does not belong") != std::string::npos, error.c_str());
    // Key first, certificate second is fine.
    error.clear();
    QVERIFY2(DtlsContext::create(keyOnlyPem(serverId_.pem) + certificateOnlyPem(serverId_.pem), &error), error.c_str());
  }

  // ---- handshake

  void handshakeCompletesWithMirroredKeys() {
    Link link(clientId_, serverId_);
    QCOMPARE(link.client.transport->state(), DtlsTransport::State::New);
    const auto begin = Clock::now();
    link.start();
    QCOMPARE(link.client.transport->state(), DtlsTransport::State::Connecting);
    QCOMPARE(link.server.transport->state(), DtlsTransport::State::Connecting);
    QCOMPARE(link.client.outbox.size(), size_t(1));  // the ClientHello
    QVERIFY(link.server.outbox.empty());
    link.deliver();
    const auto elapsedUs = std::chrono::duration_cast<std::chrono::microseconds>(Clock::now() - begin).count();

    QCOMPARE(link.client.transport->state(), DtlsTransport::State::Connected);
    QCOMPARE(link.server.transport->state(), DtlsTransport::State::Connected);
    QCOMPARE(link.client.connectedCalls, 1);
    QCOMPARE(link.server.connectedCalls, 1);
    QVERIFY(!link.client.failure && !link.server.failure);
    const SrtpKeys& c = *link.client.keys;
    const SrtpKeys& s = *link.server.keys;
    QCOMPARE(c.profile, firstPreferredProfile());
    QCOMPARE(s.profile, c.profile);
    const size_t length = SrtpSession::masterKeyLength(c.profile) + SrtpSession::masterSaltLength(c.profile);
    QCOMPARE(c.localMasterKeySalt.size(), length);
    QCOMPARE(c.remoteMasterKeySalt.size(), length);
    QVERIFY(c.localMasterKeySalt == s.remoteMasterKeySalt);
    QVERIFY(c.remoteMasterKeySalt == s.localMasterKeySalt);
    QVERIFY(c.localMasterKeySalt != c.remoteMasterKeySalt);
    QVERIFY(std::any_of(c.localMasterKeySalt.begin(), c.localMasterKeySalt.end(), [](uint8_t b) { return b != 0; }));

    // Two flights each way, nothing retransmitted, every datagram within the MTU, and the
    // server's whole first flight packed into one datagram (ECDSA certificate).
    const auto& cs = link.client.transport->handshakeStats();
    const auto& ss = link.server.transport->handshakeStats();
    QCOMPARE(cs.flightsSent, 2);
    QCOMPARE(ss.flightsSent, 2);
    QCOMPARE(cs.retransmits, 0);
    QCOMPARE(ss.retransmits, 0);
    QVERIFY(cs.durationUs >= 0 && ss.durationUs >= 0);
    for (const Peer* p : {&link.client, &link.server}) {
      for (const Bytes& d : p->sent) {
        QVERIFY(d.size() <= 1200);
        QVERIFY(DtlsTransport::isDtls(d.data(), d.size()));
      }
    }
    QCOMPARE(ss.datagramsSent, 2);  // ServerHello…ServerHelloDone, then ChangeCipherSpec+Finished
    QCOMPARE(link.client.transport->timeoutMs(), -1);
    QCOMPARE(link.server.transport->timeoutMs(), -1);
    qInfo("handshake in process: %.2f ms (client %d flights/%d datagrams, server %d flights/%d datagrams, %zu+%zu bytes)",
          elapsedUs / 1000.0, cs.flightsSent, cs.datagramsSent, ss.flightsSent, ss.datagramsSent,
          [&] { size_t n = 0; for (auto& d : link.client.sent) n += d.size(); return n; }(),
          [&] { size_t n = 0; for (auto& d : link.server.sent) n += d.size(); return n; }());
  }

  void keysWorkForSrtpBothWays() {
    Link link(clientId_, serverId_);
    link.start();
    link.deliver();
    QVERIFY(link.client.keys && link.server.keys);
    std::string error;
    auto a = SrtpSession::create(*link.client.keys, &error);
    QVERIFY2(a, error.c_str());
    auto b = SrtpSession::create(*link.server.keys, &error);
    QVERIFY2(b, error.c_str());
    for (auto [from, to] : {std::pair{a.get(), b.get()}, std::pair{b.get(), a.get()}}) {
      Bytes packet(12 + 100 + SrtpSession::kMaxTrailer, 0x33);
      packet[0] = 0x80;
      packet[1] = 96;
      packet[3] = 1;
      packet[11] = 0x42;
      const Bytes original(packet.begin(), packet.begin() + 112);
      size_t size = 112;
      QVERIFY(from->protectRtp(packet.data(), &size, packet.size()));
      QVERIFY(to->unprotectRtp(packet.data(), &size));
      QVERIFY(Bytes(packet.begin(), packet.begin() + static_cast<long>(size)) == original);
    }
  }

  void rsaCertificateWorks() {
    const std::string pem = rsaCertificatePem(2048);
    QVERIFY(!pem.empty());
    std::string error;
    Identity rsa{pem, DtlsContext::create(pem, &error)};
    QVERIFY2(rsa.context, error.c_str());
    Link link(clientId_, rsa);
    link.start();
    link.deliver();
    QCOMPARE(link.client.transport->state(), DtlsTransport::State::Connected);
    QCOMPARE(link.server.transport->state(), DtlsTransport::State::Connected);
    QVERIFY(link.client.keys->localMasterKeySalt == link.server.keys->remoteMasterKeySalt);
  }

  void fingerprintAlgorithmsAndCase() {
    auto serverLeaf = leafOf(serverId_.pem);
    auto clientLeaf = leafOf(clientId_.pem);
    for (const char* algorithm : {"sha-1", "sha-256", "SHA-384", "sha-512"}) {
      std::string toServer = DtlsContext::certificateFingerprint(serverLeaf.get(), algorithm);
      std::transform(toServer.begin(), toServer.end(), toServer.begin(), [](char ch) { return char(std::tolower(ch)); });
      Link link(clientId_, serverId_);
      link.client.transport = std::make_unique<DtlsTransport>(clientId_.context, DtlsRole::Client, algorithm, toServer,
                                                              link.client.callbacks());
      link.server.transport = std::make_unique<DtlsTransport>(
          serverId_.context, DtlsRole::Server, algorithm,
          DtlsContext::certificateFingerprint(clientLeaf.get(), algorithm), link.server.callbacks());
      link.start();
      link.deliver();
      QVERIFY2(link.client.transport->state() == DtlsTransport::State::Connected, algorithm);
      QVERIFY2(link.server.transport->state() == DtlsTransport::State::Connected, algorithm);
    }
  }

  void wrongFingerprintAtClientFailsBoth() {
    Identity stranger = makeIdentity();
    Link link(clientId_, serverId_);
    link.client.transport = std::make_unique<DtlsTransport>(clientId_.context, DtlsRole::Client, "sha-256",
                                                            stranger.context->fingerprintSha256(), link.client.callbacks());
    link.start();
    link.run(2000);
    QCOMPARE(link.client.transport->state(), DtlsTransport::State::Failed);
    QCOMPARE(link.client.failure.value_or(""), std::string("fingerprint mismatch"));
    QCOMPARE(link.client.connectedCalls, 0);
    // The client aborted with a bad_certificate alert before its Finished: the server fails too.
    QCOMPARE(link.server.transport->state(), DtlsTransport::State::Failed);
    QCOMPARE(link.server.connectedCalls, 0);
    QVERIFY2(link.server.failure.value_or("").find("bad certificate") != std::string::npos,
             link.server.failure.value_or("").c_str());
    QCOMPARE(link.client.transport->handshakeStats().flightsSent, 2);  // ClientHello, then the alert
  }

  void wrongFingerprintAtServerFailsBoth() {
    Identity stranger = makeIdentity();
    Link link(clientId_, serverId_);
    link.server.transport = std::make_unique<DtlsTransport>(serverId_.context, DtlsRole::Server, "sha-256",
                                                            stranger.context->fingerprintSha256(), link.server.callbacks());
    link.start();
    link.run(2000);
    QCOMPARE(link.server.transport->state(), DtlsTransport::State::Failed);
    QCOMPARE(link.server.failure.value_or(""), std::string("fingerprint mismatch"));
    QCOMPARE(link.server.connectedCalls, 0);
    QCOMPARE(link.client.transport->state(), DtlsTransport::State::Failed);
    QCOMPARE(link.client.connectedCalls, 0);
    QVERIFY2(link.client.failure.value_or("").find("bad certificate") != std::string::npos,
             link.client.failure.value_or("").c_str());
  }

  void unsupportedFingerprintAlgorithmFailsAtStart() {
    Peer peer;
    peer.transport = std::make_unique<DtlsTransport>(clientId_.context, DtlsRole::Client, "md5", "AB:CD", peer.callbacks());
    peer.transport->start();
    QCOMPARE(peer.transport->state(), DtlsTransport::State::Failed);
    QVERIFY2(peer.failure->find("unsupported fingerprint algorithm") != std::string::npos, peer.failure->c_str());
    QVERIFY(peer.sent.empty());
  }

  void fingerprintArrivingLateStillChecked() {
    // The offerer (DTLS server) may see the ClientHello before the SDP answer.
    for (const bool right : {true, false}) {
      Identity stranger = makeIdentity();
      Link link(clientId_, serverId_);
      link.server.transport = std::make_unique<DtlsTransport>(serverId_.context, DtlsRole::Server, "", "",
                                                              link.server.callbacks());
      link.start();
      link.deliver();
      QCOMPARE(link.server.transport->state(), DtlsTransport::State::Connecting);  // handshake done, not trusted
      QCOMPARE(link.server.connectedCalls, 0);
      QVERIFY(link.server.transport->timeoutMs() > 0);  // the deadline still runs
      QCOMPARE(link.client.transport->state(), DtlsTransport::State::Connected);
      link.server.transport->setRemoteFingerprint(
          "sha-256", right ? clientId_.context->fingerprintSha256() : stranger.context->fingerprintSha256());
      link.deliver();
      if (right) {
        QCOMPARE(link.server.transport->state(), DtlsTransport::State::Connected);
        QVERIFY(link.server.keys->remoteMasterKeySalt == link.client.keys->localMasterKeySalt);
      } else {
        QCOMPARE(link.server.transport->state(), DtlsTransport::State::Failed);
        QCOMPARE(link.server.failure.value_or(""), std::string("fingerprint mismatch"));
        QCOMPARE(link.server.connectedCalls, 0);
        QCOMPARE(link.client.closedCalls, 1);  // told with close_notify
      }
    }
  }

  void lostFirstFlightRecoveredByRetransmission() {
    DtlsTransport::Options options;
    options.initialRetransmitMs = 50;
    Link link(clientId_, serverId_, options);
    int dropped = 0;
    link.drop = [&](const Peer& from, const Bytes&) {
      if (&from == &link.client && dropped == 0) return ++dropped, true;
      return false;
    };
    link.start();
    link.deliver();
    QCOMPARE(link.server.transport->handshakeStats().flightsSent, 0);  // nothing arrived
    const int timeout = link.client.transport->timeoutMs();
    QVERIFY2(timeout > 0 && timeout <= 50, std::to_string(timeout).c_str());
    link.run(3000);
    QCOMPARE(link.client.transport->state(), DtlsTransport::State::Connected);
    QCOMPARE(link.server.transport->state(), DtlsTransport::State::Connected);
    QCOMPARE(link.client.transport->handshakeStats().retransmits, 1);
    QVERIFY(link.client.keys->localMasterKeySalt == link.server.keys->remoteMasterKeySalt);
  }

  void lostLastFlightRecoveredByClientRetransmission() {
    // The server is connected once it sent its last flight; if that is lost the client sends its
    // own last flight again and the (connected) server answers it again.
    DtlsTransport::Options options;
    options.initialRetransmitMs = 50;
    Link link(clientId_, serverId_, options);
    bool droppedOnce = false;
    link.drop = [&](const Peer& from, const Bytes&) {
      if (&from == &link.server && !droppedOnce && link.server.transport->state() == DtlsTransport::State::Connected) {
        droppedOnce = true;
        return true;
      }
      return false;
    };
    link.start();
    link.run(3000);
    QVERIFY(droppedOnce);
    QCOMPARE(link.client.transport->state(), DtlsTransport::State::Connected);
    QCOMPARE(link.server.transport->state(), DtlsTransport::State::Connected);
    QCOMPARE(link.client.transport->handshakeStats().retransmits, 1);
    QCOMPARE(link.client.transport->handshakeStats().flightsSent, 3);
    QVERIFY(link.client.keys->localMasterKeySalt == link.server.keys->remoteMasterKeySalt);
  }

  void lossyNetworkStillConnects() {
    // A quarter of all datagrams lost, at random (seeded), in both directions.
    DtlsTransport::Options options;
    options.initialRetransmitMs = 30;
    options.maxRetransmitIntervalMs = 120;
    options.maxRetransmits = 30;
    for (unsigned seed = 1; seed <= 5; ++seed) {
      Link link(clientId_, serverId_, options);
      std::mt19937 random(seed);
      int lost = 0;
      link.drop = [&](const Peer&, const Bytes&) {
        const bool drop = random() % 4 == 0;
        lost += drop;
        return drop;
      };
      link.start();
      link.run(10000);
      QVERIFY2(link.client.transport->state() == DtlsTransport::State::Connected,
               link.client.failure.value_or("still connecting").c_str());
      QCOMPARE(link.server.transport->state(), DtlsTransport::State::Connected);
      QVERIFY(link.client.keys->localMasterKeySalt == link.server.keys->remoteMasterKeySalt);
      qInfo("seed %u: %d datagrams lost, client %d retransmits, server %d", seed, lost,
            link.client.transport->handshakeStats().retransmits, link.server.transport->handshakeStats().retransmits);
    }
  }

  void silentPeerFailsAfterBoundedRetransmissions() {
    DtlsTransport::Options options;
    options.initialRetransmitMs = 20;
    options.maxRetransmitIntervalMs = 80;
    options.maxRetransmits = 4;
    Peer client;
    client.transport = std::make_unique<DtlsTransport>(clientId_.context, DtlsRole::Client, "sha-256",
                                                       serverId_.context->fingerprintSha256(), client.callbacks(), options);
    const auto begin = Clock::now();
    client.transport->start();
    int calls = 0;
    while (client.transport->state() == DtlsTransport::State::Connecting && calls < 1000) {
      const int wait = client.transport->timeoutMs();
      QVERIFY(wait >= 0);
      std::this_thread::sleep_for(std::chrono::milliseconds(wait));
      client.transport->handleTimeout();
      ++calls;
    }
    const auto elapsedMs = std::chrono::duration_cast<std::chrono::milliseconds>(Clock::now() - begin).count();
    QCOMPARE(client.transport->state(), DtlsTransport::State::Failed);
    QVERIFY2(client.failure->find("4 retransmissions") != std::string::npos, client.failure->c_str());
    QCOMPARE(client.transport->handshakeStats().retransmits, 4);
    QCOMPARE(client.transport->handshakeStats().flightsSent, 5);
    QCOMPARE(client.sent.size(), size_t(5));  // the same ClientHello five times
    for (const Bytes& d : client.sent) QCOMPARE(d.size(), client.sent.front().size());
    QCOMPARE(client.transport->timeoutMs(), -1);
    QVERIFY(elapsedMs < 2000);
    qInfo("silent peer: failed after %lld ms and %d timer calls", static_cast<long long>(elapsedMs), calls);
  }

  void silentClientFailsServerAtDeadline() {
    DtlsTransport::Options options;
    options.handshakeTimeoutMs = 150;
    Peer server;
    server.transport = std::make_unique<DtlsTransport>(serverId_.context, DtlsRole::Server, "sha-256",
                                                       clientId_.context->fingerprintSha256(), server.callbacks(), options);
    server.transport->start();
    const int first = server.transport->timeoutMs();
    QVERIFY(first > 0 && first <= 150);
    while (server.transport->state() == DtlsTransport::State::Connecting) {
      std::this_thread::sleep_for(std::chrono::milliseconds(server.transport->timeoutMs()));
      server.transport->handleTimeout();
    }
    QCOMPARE(server.transport->state(), DtlsTransport::State::Failed);
    QVERIFY2(server.failure->find("timed out") != std::string::npos, server.failure->c_str());
    QVERIFY(server.sent.empty());
  }

  void defaultTimersAreBounded() {
    Peer client;
    client.transport = std::make_unique<DtlsTransport>(clientId_.context, DtlsRole::Client, "sha-256",
                                                       serverId_.context->fingerprintSha256(), client.callbacks());
    QCOMPARE(client.transport->timeoutMs(), -1);  // not started
    client.transport->start();
    const int first = client.transport->timeoutMs();
    QVERIFY2(first > 0 && first <= 100, std::to_string(first).c_str());
    // Worst case with the defaults: 100+200+400+800+1600+3000+3000+3000 ms of retransmissions
    // then one more 3 s wait, ~15 s, under the 30 s deadline.
    const DtlsTransport::Options defaults;
    QCOMPARE(defaults.maxRetransmits, 8);
    QCOMPARE(defaults.handshakeTimeoutMs, 30000);
  }

  // ---- robustness

  void garbageNeverConnectsNorCrashes() {
    std::mt19937 random(1234);
    // Random datagrams, half of them looking like DTLS, at a fresh server.
    Peer server;
    server.transport = std::make_unique<DtlsTransport>(serverId_.context, DtlsRole::Server, "sha-256",
                                                       clientId_.context->fingerprintSha256(), server.callbacks());
    server.transport->start();
    for (int i = 0; i < 3000 && server.transport->state() == DtlsTransport::State::Connecting; ++i) {
      Bytes datagram(random() % 1500 + 1);
      for (auto& b : datagram) b = static_cast<uint8_t>(random());
      if (i % 2) {
        datagram[0] = static_cast<uint8_t>(20 + random() % 4);  // CCS, alert, handshake, data
        if (datagram.size() > 2) datagram[1] = 0xfe, datagram[2] = 0xfd;  // DTLS 1.2
      }
      server.transport->receive(datagram.data(), datagram.size());
    }
    QCOMPARE(server.connectedCalls, 0);
    QVERIFY(server.transport->state() != DtlsTransport::State::Connected);

    // Every truncation of a real ClientHello, each to its own server.
    Link probe(clientId_, serverId_);
    probe.client.transport->start();
    const Bytes hello = probe.client.outbox.front();
    for (size_t length = 1; length < hello.size(); ++length) {
      Peer victim;
      victim.transport = std::make_unique<DtlsTransport>(serverId_.context, DtlsRole::Server, "sha-256",
                                                         clientId_.context->fingerprintSha256(), victim.callbacks());
      victim.transport->start();
      victim.transport->receive(hello.data(), length);
      QCOMPARE(victim.connectedCalls, 0);
      QVERIFY(victim.transport->state() != DtlsTransport::State::Connected);
    }

    // Bit flips in the server's first flight, at a client waiting for it.
    for (int round = 0; round < 200; ++round) {
      Link link(clientId_, serverId_);
      link.start();
      link.server.transport->receive(link.client.outbox.front().data(), link.client.outbox.front().size());
      link.client.outbox.clear();
      for (Bytes& datagram : link.server.outbox) {
        datagram[random() % datagram.size()] ^= static_cast<uint8_t>(1u << (random() % 8));
        link.client.transport->receive(datagram.data(), datagram.size());
      }
      link.server.outbox.clear();
      QCOMPARE(link.client.connectedCalls, 0);
      QVERIFY(link.client.transport->state() != DtlsTransport::State::Connected);
    }
    // Empty and null input is ignored.
    server.transport->receive(nullptr, 10);
    server.transport->receive(reinterpret_cast<const uint8_t*>(""), 0);
  }

  void garbageAfterConnectIsDropped() {
    Link link(clientId_, serverId_);
    link.start();
    link.deliver();
    QCOMPARE(link.server.transport->state(), DtlsTransport::State::Connected);
    std::mt19937 random(99);
    for (int i = 0; i < 2000; ++i) {
      Bytes datagram(random() % 300 + 13);
      for (auto& b : datagram) b = static_cast<uint8_t>(random());
      datagram[0] = static_cast<uint8_t>(20 + random() % 4);
      datagram[1] = 0xfe;
      datagram[2] = 0xfd;
      link.server.transport->receive(datagram.data(), datagram.size());
    }
    // Forged records fail their MAC or are of another epoch: silently discarded (RFC 6347 §4.1.2.7).
    QCOMPARE(link.server.transport->state(), DtlsTransport::State::Connected);
    QVERIFY(link.server.received.empty());
    const Bytes hello{'h', 'i'};
    QVERIFY(link.client.transport->sendApplicationData(hello.data(), hello.size()));
    link.deliver();
    QCOMPARE(link.server.received.size(), size_t(1));
    QVERIFY(link.server.received.front() == hello);
  }

  // ---- application data, close, wiring

  void applicationDataAndClose() {
    Link link(clientId_, serverId_);
    QVERIFY(!link.client.transport->sendApplicationData(reinterpret_cast<const uint8_t*>("x"), 1));  // not connected
    link.start();
    link.deliver();
    const Bytes ping(1000, 0xab);
    const Bytes pong{1, 2, 3};
    QVERIFY(link.client.transport->sendApplicationData(ping.data(), ping.size()));
    QVERIFY(link.server.transport->sendApplicationData(pong.data(), pong.size()));
    const Bytes tooBig(16385, 0);
    QVERIFY(!link.client.transport->sendApplicationData(tooBig.data(), tooBig.size()));
    link.deliver();
    QCOMPARE(link.server.received.size(), size_t(1));
    QVERIFY(link.server.received.front() == ping);
    QCOMPARE(link.client.received.size(), size_t(1));
    QVERIFY(link.client.received.front() == pong);
    link.client.transport->close();
    QCOMPARE(link.client.transport->state(), DtlsTransport::State::Closed);
    QCOMPARE(link.client.closedCalls, 0);  // our own close is no news
    link.deliver();
    QCOMPARE(link.server.transport->state(), DtlsTransport::State::Closed);
    QCOMPARE(link.server.closedCalls, 1);
    QVERIFY(!link.server.transport->sendApplicationData(pong.data(), pong.size()));
    link.server.transport->receive(ping.data(), ping.size());  // ignored once closed
    link.server.transport->handleTimeout();
    QCOMPARE(link.server.transport->timeoutMs(), -1);
  }

  void datagramsRespectSmallMtu() {
    // An RSA-2048 certificate does not fit in 300 bytes: the handshake must fragment.
    const std::string pem = rsaCertificatePem(2048);
    std::string error;
    Identity rsa{pem, DtlsContext::create(pem, &error)};
    QVERIFY2(rsa.context, error.c_str());
    DtlsTransport::Options options;
    options.mtuBytes = 300;
    Link link(clientId_, rsa, options);
    link.start();
    link.run(3000);
    QCOMPARE(link.client.transport->state(), DtlsTransport::State::Connected);
    QCOMPARE(link.server.transport->state(), DtlsTransport::State::Connected);
    size_t largest = 0;
    for (const Peer* p : {&link.client, &link.server}) {
      for (const Bytes& d : p->sent) largest = std::max(largest, d.size());
    }
    QVERIFY2(largest <= 300, std::to_string(largest).c_str());
    QVERIFY(link.server.transport->handshakeStats().datagramsSent > 4);
  }

  void receiveBeforeStartIsKept() {
    Link link(clientId_, serverId_);
    link.client.transport->start();
    const Bytes hello = link.client.outbox.front();
    link.client.outbox.clear();
    link.server.transport->receive(hello.data(), hello.size());  // ICE delivered it early
    QVERIFY(link.server.outbox.empty());
    link.server.transport->start();
    QVERIFY(!link.server.outbox.empty());  // answered at start()
    link.deliver();
    QCOMPARE(link.client.transport->state(), DtlsTransport::State::Connected);
    QCOMPARE(link.server.transport->state(), DtlsTransport::State::Connected);
  }

  void synchronousWiringIsReentrantSafe() {
    // send() calls straight into the other side's receive(): the nested receive() is queued and
    // handled by the one already running, so the handshake completes without recursion into OpenSSL.
    Peer client, server;
    auto clientCallbacks = client.callbacks();
    auto serverCallbacks = server.callbacks();
    int depth = 0, maxDepth = 0;
    clientCallbacks.send = [&](const uint8_t* data, size_t size) {
      maxDepth = std::max(maxDepth, ++depth);
      server.transport->receive(data, size);
      --depth;
    };
    serverCallbacks.send = [&](const uint8_t* data, size_t size) {
      maxDepth = std::max(maxDepth, ++depth);
      client.transport->receive(data, size);
      --depth;
    };
    client.transport = std::make_unique<DtlsTransport>(clientId_.context, DtlsRole::Client, "sha-256",
                                                       serverId_.context->fingerprintSha256(), clientCallbacks);
    server.transport = std::make_unique<DtlsTransport>(serverId_.context, DtlsRole::Server, "sha-256",
                                                       clientId_.context->fingerprintSha256(), serverCallbacks);
    server.transport->start();
    client.transport->start();
    QCOMPARE(client.transport->state(), DtlsTransport::State::Connected);
    QCOMPARE(server.transport->state(), DtlsTransport::State::Connected);
    QVERIFY(client.keys->localMasterKeySalt == server.keys->remoteMasterKeySalt);
    QVERIFY2(maxDepth <= 2, std::to_string(maxDepth).c_str());
  }

  void callbackMayDestroyTransport() {
    {  // failed → destroy
      Identity stranger = makeIdentity();
      Link link(clientId_, serverId_);
      link.client.transport = std::make_unique<DtlsTransport>(clientId_.context, DtlsRole::Client, "sha-256",
                                                              stranger.context->fingerprintSha256(), link.client.callbacks());
      link.client.onFailed = [&] { link.client.transport.reset(); };
      link.server.onFailed = [&] { link.server.transport.reset(); };
      link.start();
      link.run(1000);
      QVERIFY(!link.client.transport);
      QVERIFY(!link.server.transport);
      QVERIFY(link.client.failure && link.server.failure);
    }
    {  // connected → destroy (the server connects inside the receive() of the client's last flight)
      Link link(clientId_, serverId_);
      link.server.onConnected = [&] { link.server.transport.reset(); };
      link.client.onConnected = [&] { link.client.transport.reset(); };
      link.start();
      link.deliver();
      QCOMPARE(link.server.connectedCalls, 1);
      QCOMPARE(link.client.connectedCalls, 1);
    }
  }

  void isDtlsDemultiplexing() {
    for (int first = 0; first < 256; ++first) {
      const uint8_t byte = static_cast<uint8_t>(first);
      QCOMPARE(DtlsTransport::isDtls(&byte, 1), first >= 20 && first <= 63);
    }
    QVERIFY(!DtlsTransport::isDtls(nullptr, 0));
    const uint8_t handshake = 22;
    QVERIFY(!DtlsTransport::isDtls(&handshake, 0));
  }

  // ---- interoperability with a DTLS client that is not ours

  void plainOpenSslClientInterop() {
    // A bare OpenSSL DTLS client offering only SRTP_AES128_CM_SHA1_32 and _80 (in that order):
    // the server must pick by its own preference (_80) and both sides must export the same keys.
    std::unique_ptr<SSL_CTX, SslCtxFree> ctx(SSL_CTX_new(DTLS_client_method()));
    QVERIFY(ctx);
    auto cert = leafOf(clientId_.pem);
    std::unique_ptr<BIO, BioFree> keyBio(BIO_new_mem_buf(clientId_.pem.data(), int(clientId_.pem.size())));
    std::unique_ptr<EVP_PKEY, PkeyFree> key(PEM_read_bio_PrivateKey(keyBio.get(), nullptr, nullptr, nullptr));
    QVERIFY(cert && key);
    QCOMPARE(SSL_CTX_use_certificate(ctx.get(), cert.get()), 1);
    QCOMPARE(SSL_CTX_use_PrivateKey(ctx.get(), key.get()), 1);
    QCOMPARE(SSL_CTX_set_tlsext_use_srtp(ctx.get(), "SRTP_AES128_CM_SHA1_32:SRTP_AES128_CM_SHA1_80"), 0);
    SSL_CTX_set_verify(ctx.get(), SSL_VERIFY_PEER, acceptAny);
    std::unique_ptr<SSL, SslFree> ssl(SSL_new(ctx.get()));
    BIO* in = BIO_new(BIO_s_mem());
    BIO* out = BIO_new(BIO_s_mem());
    BIO_set_mem_eof_return(in, -1);
    SSL_set_bio(ssl.get(), in, out);
    SSL_set_options(ssl.get(), SSL_OP_NO_QUERY_MTU);
    SSL_set_mtu(ssl.get(), 1200);
    SSL_set_connect_state(ssl.get());

    Peer server;
    server.transport = std::make_unique<DtlsTransport>(serverId_.context, DtlsRole::Server, "sha-256",
                                                       clientId_.context->fingerprintSha256(), server.callbacks());
    server.transport->start();
    bool clientDone = false;
    for (int round = 0; round < 20 && !clientDone; ++round) {
      const int r = SSL_do_handshake(ssl.get());
      clientDone = r == 1;
      if (!clientDone) QCOMPARE(SSL_get_error(ssl.get(), r), SSL_ERROR_WANT_READ);
      // Whatever the client wrote goes as one datagram (several records in it are fine in DTLS).
      Bytes datagram(static_cast<size_t>(BIO_ctrl_pending(out)));
      if (!datagram.empty()) {
        QCOMPARE(BIO_read(out, datagram.data(), int(datagram.size())), int(datagram.size()));
        server.transport->receive(datagram.data(), datagram.size());
      }
      for (const Bytes& d : server.outbox) BIO_write(in, d.data(), int(d.size()));
      server.outbox.clear();
    }
    QVERIFY(clientDone);
    QCOMPARE(server.transport->state(), DtlsTransport::State::Connected);
    QCOMPARE(server.keys->profile, SrtpProfile::Aes128CmSha1_80);
    QCOMPARE(SSL_get_selected_srtp_profile(ssl.get())->id, static_cast<unsigned long>(SRTP_AES128_CM_SHA1_80));
    // RFC 5764 §4.2 done independently on the client side.
    Bytes material(2 * (16 + 14));
    QCOMPARE(SSL_export_keying_material(ssl.get(), material.data(), material.size(), "EXTRACTOR-dtls_srtp", 19, nullptr,
                                        0, 0),
             1);
    Bytes clientKeySalt(material.begin(), material.begin() + 16);
    clientKeySalt.insert(clientKeySalt.end(), material.begin() + 32, material.begin() + 46);
    Bytes serverKeySalt(material.begin() + 16, material.begin() + 32);
    serverKeySalt.insert(serverKeySalt.end(), material.begin() + 46, material.begin() + 60);
    QVERIFY(server.keys->remoteMasterKeySalt == clientKeySalt);
    QVERIFY(server.keys->localMasterKeySalt == serverKeySalt);
    QCOMPARE(std::string(SSL_get_cipher_name(ssl.get())), std::string("ECDHE-ECDSA-AES128-GCM-SHA256"));
  }

  // ---- figures (printed, not asserted)

  void handshakeTiming() {
    constexpr int kRounds = 30;
    const auto begin = Clock::now();
    for (int i = 0; i < kRounds; ++i) {
      Link link(clientId_, serverId_);
      link.start();
      link.deliver();
      QCOMPARE(link.client.transport->state(), DtlsTransport::State::Connected);
    }
    const double totalMs = std::chrono::duration<double, std::milli>(Clock::now() - begin).count();
    qInfo("in-process DTLS handshake (ECDSA P-256 both sides, both ends' CPU): %.2f ms average over %d", totalMs / kRounds,
          kRounds);
  }

 private:
  Identity clientId_;
  Identity serverId_;
};

QTEST_GUILESS_MAIN(TestDtlsTransport)
#include "tst_dtls_transport.moc"
