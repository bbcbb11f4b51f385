#include "transport/DtlsTransport.h"

#include <openssl/bio.h>
#include <openssl/crypto.h>
#include <openssl/err.h>
#include <openssl/srtp.h>
#include <openssl/x509.h>

#include <algorithm>
#include <cctype>
#include <climits>
#include <cstring>
#include <optional>
#include <utility>

namespace pw::transport {

namespace {

using Clock = std::chrono::steady_clock;

constexpr size_t kMaxQueuedDatagrams = 64;           // inbound, while not started / awaiting the fingerprint
constexpr size_t kMaxApplicationDataBytes = 16384;   // one record's plaintext (TLS max fragment)
constexpr const char kSrtpExporterLabel[] = "EXTRACTOR-dtls_srtp";  // RFC 5764 §4.2

struct BioMethodDeleter {
  void operator()(BIO_METHOD* method) const { BIO_meth_free(method); }
};

int millisecondsCeil(const timeval& remaining) {
  const long long us = static_cast<long long>(remaining.tv_sec) * 1000000LL + remaining.tv_usec;
  return static_cast<int>(std::min<long long>((us + 999) / 1000, INT_MAX));
}

int millisecondsUntil(Clock::time_point deadline) {
  const auto left = std::chrono::ceil<std::chrono::milliseconds>(deadline - Clock::now()).count();
  return static_cast<int>(std::clamp<long long>(left, 0, INT_MAX));
}

std::string normalisedFingerprint(const std::string& text) {
  std::string out;
  out.reserve(text.size());
  for (char c : text) {
    if (std::isspace(static_cast<unsigned char>(c))) continue;
    out += static_cast<char>(std::toupper(static_cast<unsigned char>(c)));
  }
  return out;
}

std::optional<SrtpProfile> profileFromId(unsigned long id) {
  switch (id) {
    case SRTP_AES128_CM_SHA1_80: return SrtpProfile::Aes128CmSha1_80;
    case SRTP_AES128_CM_SHA1_32: return SrtpProfile::Aes128CmSha1_32;
    case SRTP_AEAD_AES_128_GCM: return SrtpProfile::AeadAes128Gcm;
    default: return std::nullopt;
  }
}

}  // namespace

// ---- the datagram BIO: each read is one received datagram, writes are packed into datagrams of
// at most mtuBytes (OpenSSL asks BIO_wpending and flushes before a record would not fit).

BIO_METHOD* DtlsTransport::datagramBioMethod() {
  static const std::unique_ptr<BIO_METHOD, BioMethodDeleter> method = [] {
    std::unique_ptr<BIO_METHOD, BioMethodDeleter> created(
        BIO_meth_new(BIO_get_new_index() | BIO_TYPE_SOURCE_SINK, "pipewright DTLS datagrams"));
    if (created && (BIO_meth_set_write(created.get(), bioWrite) != 1 || BIO_meth_set_read(created.get(), bioRead) != 1 ||
                    BIO_meth_set_ctrl(created.get(), bioCtrl) != 1 || BIO_meth_set_create(created.get(), bioCreate) != 1)) {
      created.reset();
    }
    return created;
  }();
  return method.get();
}

int DtlsTransport::bioCreate(BIO* bio) {
  BIO_set_init(bio, 1);
  return 1;
}

int DtlsTransport::bioWrite(BIO* bio, const char* data, int size) {
  auto* datagrams = static_cast<Datagrams*>(BIO_get_data(bio));
  if (!datagrams || !data || size < 0) return -1;
  try {
    const auto bytes = static_cast<size_t>(size);
    if (!datagrams->pending.empty() && datagrams->pending.size() + bytes > datagrams->mtuBytes) {
      datagrams->outbound.push_back(std::move(datagrams->pending));
      datagrams->pending.clear();
    }
    datagrams->pending.insert(datagrams->pending.end(), data, data + bytes);
  } catch (...) {  // nothing may unwind through OpenSSL
    return -1;
  }
  return size;
}

int DtlsTransport::bioRead(BIO* bio, char* data, int size) {
  auto* datagrams = static_cast<Datagrams*>(BIO_get_data(bio));
  BIO_clear_retry_flags(bio);
  if (!datagrams || !data || size <= 0) return -1;
  if (datagrams->inbound.empty()) {
    BIO_set_retry_read(bio);
    return -1;
  }
  // Like recvfrom(): one datagram per read, cut to the buffer.
  const std::vector<uint8_t>& front = datagrams->inbound.front();
  const size_t bytes = std::min(front.size(), static_cast<size_t>(size));
  std::memcpy(data, front.data(), bytes);
  datagrams->inbound.pop_front();
  return static_cast<int>(bytes);
}

long DtlsTransport::bioCtrl(BIO* bio, int command, long /*number*/, void* /*pointer*/) {
  auto* datagrams = static_cast<Datagrams*>(BIO_get_data(bio));
  if (!datagrams) return 0;
  switch (command) {
    case BIO_CTRL_FLUSH:
      if (!datagrams->pending.empty()) {
        try {
          datagrams->outbound.push_back(std::move(datagrams->pending));
        } catch (...) {
          return 0;
        }
        datagrams->pending.clear();
      }
      return 1;
    case BIO_CTRL_WPENDING:
      return static_cast<long>(datagrams->pending.size());
    case BIO_CTRL_PENDING:
      return datagrams->inbound.empty() ? 0 : static_cast<long>(datagrams->inbound.front().size());
    case BIO_CTRL_DGRAM_QUERY_MTU:
    case BIO_CTRL_DGRAM_GET_FALLBACK_MTU:
      return static_cast<long>(datagrams->mtuBytes);
    case BIO_CTRL_DGRAM_GET_MTU_OVERHEAD:
      return 0;  // mtuBytes is already the DTLS payload size
    default:
      return 0;
  }
}

// ---- OpenSSL callbacks

int DtlsTransport::verifyCallback(int /*preverifyOk*/, X509_STORE_CTX* store) {
  // Self-signed is normal: the identity is the SDP fingerprint of the leaf (depth 0). Checking it
  // here, inside the handshake, makes a mismatch abort with a bad_certificate alert before any
  // Finished, so neither side connects. With no fingerprint yet the check waits for the SDP.
  auto* ssl = static_cast<SSL*>(X509_STORE_CTX_get_ex_data(store, SSL_get_ex_data_X509_STORE_CTX_idx()));
  auto* self = ssl ? static_cast<DtlsTransport*>(SSL_get_app_data(ssl)) : nullptr;
  if (!self) return 0;
  if (X509_STORE_CTX_get_error_depth(store) != 0 || self->remoteFingerprint_.empty()) return 1;
  bool matches = false;
  try {
    matches = self->remoteFingerprintMatches(X509_STORE_CTX_get_current_cert(store));
  } catch (...) {
    matches = false;
  }
  if (matches) return 1;
  self->fingerprintRejected_ = true;
  X509_STORE_CTX_set_error(store, X509_V_ERR_CERT_REJECTED);  // sent as a bad_certificate alert
  return 0;
}

unsigned int DtlsTransport::timerCallback(SSL* ssl, unsigned int previousUs) {
  const auto* self = static_cast<const DtlsTransport*>(SSL_get_app_data(ssl));
  const unsigned int initialUs = self ? static_cast<unsigned int>(std::max(self->options_.initialRetransmitMs, 1)) * 1000u : 1000000u;
  const unsigned int capUs =
      self ? static_cast<unsigned int>(std::max(self->options_.maxRetransmitIntervalMs, 1)) * 1000u : 60000000u;
  if (previousUs == 0) return std::min(initialUs, capUs);
  return previousUs >= capUs / 2 ? capUs : previousUs * 2;
}

// ---- the transport

void DtlsTransport::SslDeleter::operator()(SSL* ssl) const { SSL_free(ssl); }

DtlsTransport::DtlsTransport(std::shared_ptr<DtlsContext> context, DtlsRole role, std::string remoteFingerprintAlgorithm,
                             std::string remoteFingerprint, Callbacks callbacks)
    : DtlsTransport(std::move(context), role, std::move(remoteFingerprintAlgorithm), std::move(remoteFingerprint),
                    std::move(callbacks), Options{}) {}

DtlsTransport::DtlsTransport(std::shared_ptr<DtlsContext> context, DtlsRole role, std::string remoteFingerprintAlgorithm,
                             std::string remoteFingerprint, Callbacks callbacks, Options options)
    : context_(std::move(context)), role_(role), options_(options), callbacks_(std::move(callbacks)) {
  storeRemoteFingerprint(std::move(remoteFingerprintAlgorithm), std::move(remoteFingerprint));
  datagrams_.mtuBytes = options_.mtuBytes;
  readBuffer_.resize(kMaxApplicationDataBytes);
  if (!context_ || !context_->get()) {
    setupError_ = "no DTLS context";
    return;
  }
  BIO_METHOD* method = datagramBioMethod();
  if (!method) {
    setupError_ = "cannot create the datagram BIO method: " + DtlsContext::takeOpenSslErrors();
    return;
  }
  ERR_clear_error();
  ssl_.reset(SSL_new(context_->get()));
  BIO* bio = ssl_ ? BIO_new(method) : nullptr;
  if (!bio) {
    setupError_ = "SSL_new/BIO_new failed: " + DtlsContext::takeOpenSslErrors();
    ssl_.reset();
    return;
  }
  BIO_set_data(bio, &datagrams_);
  SSL_set_bio(ssl_.get(), bio, bio);  // one reference, owned by the SSL from here
  SSL_set_app_data(ssl_.get(), this);
  SSL_set_verify(ssl_.get(), SSL_VERIFY_PEER | SSL_VERIFY_FAIL_IF_NO_PEER_CERT, verifyCallback);
  SSL_set_options(ssl_.get(), SSL_OP_NO_QUERY_MTU);
  if (options_.mtuBytes > static_cast<size_t>(LONG_MAX) || SSL_set_mtu(ssl_.get(), static_cast<long>(options_.mtuBytes)) <= 0) {
    setupError_ = "DTLS MTU " + std::to_string(options_.mtuBytes) + " refused";
    ssl_.reset();
    return;
  }
  DTLS_set_timer_cb(ssl_.get(), timerCallback);
  if (role_ == DtlsRole::Client) {
    SSL_set_connect_state(ssl_.get());
  } else {
    SSL_set_accept_state(ssl_.get());
  }
}

DtlsTransport::~DtlsTransport() = default;

bool DtlsTransport::isDtls(const uint8_t* data, size_t size) {
  return data && size > 0 && data[0] >= 20 && data[0] <= 63;
}

void DtlsTransport::storeRemoteFingerprint(std::string algorithm, std::string fingerprint) {
  remoteAlgorithm_ = std::move(algorithm);
  remoteFingerprint_ = normalisedFingerprint(fingerprint);
}

bool DtlsTransport::remoteFingerprintMatches(X509* certificate) const {
  if (!certificate || remoteFingerprint_.empty()) return false;
  const std::string actual = DtlsContext::certificateFingerprint(certificate, remoteAlgorithm_);
  return !actual.empty() && actual == remoteFingerprint_;
}

std::string DtlsTransport::fingerprintFailure() const {
  if (!DtlsContext::fingerprintDigest(remoteAlgorithm_)) return "unsupported fingerprint algorithm '" + remoteAlgorithm_ + "'";
  return "fingerprint mismatch";
}

std::string DtlsTransport::describeSslError(int sslError) {
  std::string details = DtlsContext::takeOpenSslErrors();
  if (fingerprintRejected_) return fingerprintFailure();
  if (details.empty()) details = "SSL error " + std::to_string(sslError);
  return "DTLS " + std::string(handshakeDone_ ? "" : "handshake ") + "failed: " + details;
}

template <typename Callback, typename... Args>
bool DtlsTransport::invoke(const Callback& callback, Args&&... args) {
  if (!callback) return true;
  const std::weak_ptr<char> alive = alive_;
  const Callback copy = callback;  // the call may destroy the transport, and `callback` with it
  copy(std::forward<Args>(args)...);
  return !alive.expired();
}

const char* DtlsTransport::stateName(State s) {
  switch (s) {
    case State::New: return "NEW";
    case State::Connecting: return "CONNECTING";
    case State::Connected: return "CONNECTED";
    case State::Failed: return "FAILED";
    case State::Closed: return "CLOSED";
  }
  return "NEW";
}

bool DtlsTransport::fail(const std::string& reason) {
  if (state_ == State::Failed || state_ == State::Closed) return true;
  state_ = State::Failed;
  failureReason_ = reason;
  datagrams_.inbound.clear();
  const std::string copy = failureReason_;  // the callback may destroy the member
  return invoke(callbacks_.failed, copy);
}

bool DtlsTransport::flushOutput() {
  if (!datagrams_.pending.empty()) {
    datagrams_.outbound.push_back(std::move(datagrams_.pending));
    datagrams_.pending.clear();
  }
  if (datagrams_.outbound.empty()) return true;
  const std::vector<std::vector<uint8_t>> batch = std::move(datagrams_.outbound);
  datagrams_.outbound.clear();
  const bool handshaking = state_ == State::Connecting;
  if (handshaking) {
    ++stats_.flightsSent;
    stats_.datagramsSent += static_cast<int>(batch.size());
  }
  for (const std::vector<uint8_t>& datagram : batch) {
    if (!invoke(callbacks_.send, datagram.data(), datagram.size())) return false;
  }
  return true;
}

void DtlsTransport::start() {
  if (state_ != State::New) return;
  if (!ssl_) {
    fail(setupError_.empty() ? std::string("DTLS setup failed") : setupError_);
    return;
  }
  if (!remoteFingerprint_.empty() && !DtlsContext::fingerprintDigest(remoteAlgorithm_)) {
    fail(fingerprintFailure());
    return;
  }
  state_ = State::Connecting;
  startedAt_ = Clock::now();
  deadline_ = startedAt_ + std::chrono::milliseconds(std::max(options_.handshakeTimeoutMs, 0));
  pump(role_ == DtlsRole::Client);
}

void DtlsTransport::receive(const uint8_t* data, size_t size) {
  if (!data || size == 0) return;
  if (state_ != State::New && state_ != State::Connecting && state_ != State::Connected) return;
  if (datagrams_.inbound.size() >= kMaxQueuedDatagrams) {
    ++droppedDatagrams_;
    return;
  }
  datagrams_.inbound.emplace_back(data, data + size);
  if (state_ != State::New) pump(false);
}

void DtlsTransport::setRemoteFingerprint(std::string algorithm, std::string fingerprint) {
  if (state_ == State::Failed || state_ == State::Closed || state_ == State::Connected) return;
  storeRemoteFingerprint(std::move(algorithm), std::move(fingerprint));
  if (state_ == State::Connecting && handshakeDone_) pump(true);
}

void DtlsTransport::pump(bool stepOnce) {
  if (busy_) {  // a pump further up the stack (we are in one of its callbacks) does the work
    stepRequested_ = stepRequested_ || stepOnce;
    return;
  }
  busy_ = true;
  stepRequested_ = stepOnce;
  while (stepRequested_ || !datagrams_.inbound.empty()) {
    stepRequested_ = false;
    if (state_ != State::Connecting && state_ != State::Connected) {
      datagrams_.inbound.clear();
      break;
    }
    const Step step = advance();
    if (step == Step::Destroyed) return;  // no member may be touched any more
    if (step == Step::Idle && !stepRequested_) break;
  }
  busy_ = false;
}

DtlsTransport::Step DtlsTransport::advance() {
  if (state_ == State::Connected) return readApplicationData();
  if (state_ != State::Connecting) return Step::Idle;
  if (handshakeDone_) {
    // OpenSSL is done but the remote SDP has not told us the fingerprint yet; keep the input.
    return remoteFingerprint_.empty() ? Step::Idle : completeConnection();
  }
  ERR_clear_error();
  const int result = SSL_do_handshake(ssl_.get());
  const int sslError = result == 1 ? SSL_ERROR_NONE : SSL_get_error(ssl_.get(), result);
  const bool fatal = result != 1 && sslError != SSL_ERROR_WANT_READ && sslError != SSL_ERROR_WANT_WRITE;
  const std::string reason = fatal ? describeSslError(sslError) : std::string();
  ERR_clear_error();
  if (!flushOutput()) return Step::Destroyed;  // the flight, or the alert of a failure
  if (state_ != State::Connecting) return Step::Idle;  // a send callback closed us
  if (fatal) return fail(reason) ? Step::Idle : Step::Destroyed;
  if (result != 1) return Step::Ran;
  handshakeDone_ = true;
  if (remoteFingerprint_.empty()) return Step::Idle;
  return completeConnection();
}

DtlsTransport::Step DtlsTransport::completeConnection() {
  // Authoritative check of the certificate the handshake was made with, before any key leaves.
  if (!remoteFingerprintMatches(SSL_get0_peer_certificate(ssl_.get()))) {
    const std::string reason = fingerprintFailure();
    ERR_clear_error();
    SSL_shutdown(ssl_.get());  // close_notify: the peer may think it is connected
    ERR_clear_error();
    state_ = State::Failed;
    failureReason_ = reason;
    datagrams_.inbound.clear();
    if (!flushOutput()) return Step::Destroyed;
    return invoke(callbacks_.failed, reason) ? Step::Idle : Step::Destroyed;
  }
  const SRTP_PROTECTION_PROFILE* selected = SSL_get_selected_srtp_profile(ssl_.get());
  const std::optional<SrtpProfile> profile = selected ? profileFromId(selected->id) : std::nullopt;
  if (!profile) {
    return fail(selected ? "negotiated an unknown SRTP profile " + std::string(selected->name)
                         : std::string("the peer negotiated no SRTP profile (use_srtp)"))
               ? Step::Idle
               : Step::Destroyed;
  }
  const size_t keyLength = SrtpSession::masterKeyLength(*profile);
  const size_t saltLength = SrtpSession::masterSaltLength(*profile);
  std::vector<uint8_t> material(2 * (keyLength + saltLength));
  ERR_clear_error();
  if (SSL_export_keying_material(ssl_.get(), material.data(), material.size(), kSrtpExporterLabel,
                                 sizeof(kSrtpExporterLabel) - 1, nullptr, 0, 0) != 1) {
    return fail("SRTP key export failed: " + DtlsContext::takeOpenSslErrors()) ? Step::Idle : Step::Destroyed;
  }
  // RFC 5764 §4.2: client_write_key | server_write_key | client_write_salt | server_write_salt.
  const uint8_t* clientKey = material.data();
  const uint8_t* serverKey = clientKey + keyLength;
  const uint8_t* clientSalt = serverKey + keyLength;
  const uint8_t* serverSalt = clientSalt + saltLength;
  auto keyAndSalt = [&](const uint8_t* key, const uint8_t* salt) {
    std::vector<uint8_t> out(key, key + keyLength);
    out.insert(out.end(), salt, salt + saltLength);
    return out;
  };
  SrtpKeys keys;
  keys.profile = *profile;
  const bool client = role_ == DtlsRole::Client;
  keys.localMasterKeySalt = client ? keyAndSalt(clientKey, clientSalt) : keyAndSalt(serverKey, serverSalt);
  keys.remoteMasterKeySalt = client ? keyAndSalt(serverKey, serverSalt) : keyAndSalt(clientKey, clientSalt);
  OPENSSL_cleanse(material.data(), material.size());

  state_ = State::Connected;
  stats_.durationUs = std::chrono::duration_cast<std::chrono::microseconds>(Clock::now() - startedAt_).count();
  const bool alive = invoke(callbacks_.connected, std::as_const(keys));
  OPENSSL_cleanse(keys.localMasterKeySalt.data(), keys.localMasterKeySalt.size());
  OPENSSL_cleanse(keys.remoteMasterKeySalt.data(), keys.remoteMasterKeySalt.size());
  if (!alive) return Step::Destroyed;
  // Records that came in the same datagrams as the last flight (application data) wait in OpenSSL.
  return state_ == State::Connected ? readApplicationData() : Step::Idle;
}

DtlsTransport::Step DtlsTransport::readApplicationData() {
  for (;;) {
    ERR_clear_error();
    const int result = SSL_read(ssl_.get(), readBuffer_.data(), static_cast<int>(readBuffer_.size()));
    if (result > 0) {
      if (!flushOutput()) return Step::Destroyed;
      if (!invoke(callbacks_.applicationData, static_cast<const uint8_t*>(readBuffer_.data()), static_cast<size_t>(result))) {
        return Step::Destroyed;
      }
      if (state_ != State::Connected) return Step::Idle;
      continue;
    }
    const int sslError = SSL_get_error(ssl_.get(), result);
    if (sslError == SSL_ERROR_WANT_READ || sslError == SSL_ERROR_WANT_WRITE) {
      ERR_clear_error();
      // A retransmitted client Finished makes OpenSSL send its last flight again.
      return flushOutput() ? Step::Ran : Step::Destroyed;
    }
    if (sslError == SSL_ERROR_ZERO_RETURN) {  // close_notify from the peer: answer it, then Closed
      ERR_clear_error();
      SSL_shutdown(ssl_.get());
      ERR_clear_error();
      state_ = State::Closed;
      datagrams_.inbound.clear();
      if (!flushOutput()) return Step::Destroyed;
      return invoke(callbacks_.closed) ? Step::Idle : Step::Destroyed;
    }
    const std::string reason = describeSslError(sslError);
    if (!flushOutput()) return Step::Destroyed;  // our fatal alert, if any
    return fail(reason) ? Step::Idle : Step::Destroyed;
  }
}

int DtlsTransport::timeoutMs() const {
  if (state_ != State::Connecting && state_ != State::Connected) return -1;
  timeval remaining{};
  const bool timerRunning = ssl_ && !handshakeDone_ ? DTLSv1_get_timeout(ssl_.get(), &remaining) == 1 : false;
  if (state_ == State::Connected) return timerRunning ? millisecondsCeil(remaining) : -1;
  const int untilDeadline = millisecondsUntil(deadline_);
  return timerRunning ? std::min(millisecondsCeil(remaining), untilDeadline) : untilDeadline;
}

void DtlsTransport::handleTimeout() {
  if (state_ == State::Connecting) {
    if (Clock::now() >= deadline_) {
      fail("DTLS handshake timed out after " + std::to_string(options_.handshakeTimeoutMs) + " ms");
      return;
    }
    if (handshakeDone_) return;  // waiting for the remote fingerprint: only the deadline applies
  } else if (state_ != State::Connected) {
    return;
  }
  timeval remaining{};
  if (DTLSv1_get_timeout(ssl_.get(), &remaining) != 1 || remaining.tv_sec != 0 || remaining.tv_usec != 0) return;
  if (state_ == State::Connecting && stats_.retransmits >= options_.maxRetransmits) {
    fail("no DTLS answer after " + std::to_string(stats_.retransmits) + " retransmissions");
    return;
  }
  ERR_clear_error();
  const int result = DTLSv1_handle_timeout(ssl_.get());
  const std::string reason = result < 0 ? describeSslError(SSL_ERROR_SSL) : std::string();
  ERR_clear_error();
  if (result > 0 && state_ == State::Connecting) ++stats_.retransmits;
  if (!flushOutput()) return;
  if (result < 0) fail(reason);
}

bool DtlsTransport::sendApplicationData(const uint8_t* data, size_t size) {
  if (state_ != State::Connected || !data || size == 0 || size > kMaxApplicationDataBytes) return false;
  ERR_clear_error();
  const int result = SSL_write(ssl_.get(), data, static_cast<int>(size));
  ERR_clear_error();
  flushOutput();  // whatever happens in `send`, nothing of ours is touched after it
  return result == static_cast<int>(size);
}

void DtlsTransport::close() {
  if (state_ == State::Connected) {
    ERR_clear_error();
    SSL_shutdown(ssl_.get());
    ERR_clear_error();
    state_ = State::Closed;
    datagrams_.inbound.clear();
    flushOutput();
    return;
  }
  if (state_ == State::New || state_ == State::Connecting) {
    state_ = State::Closed;
    datagrams_.inbound.clear();
  }
}

}  // namespace pw::transport
