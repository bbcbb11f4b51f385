#pragma once
// The process's DTLS identity and settings: one SSL_CTX shared by every DtlsTransport
// (RFC 5763/5764). Immutable once created, so endpoints on any thread may share it.

#include <openssl/ssl.h>

#include <memory>
#include <string>
#include <string_view>

namespace pw::transport {

// DTLS 1.2 (DTLS_method, minimum DTLS 1.2); the certificate + private key of one PEM text;
// use_srtp offering the profiles this process's libsrtp2 can run, most preferred first
// (AEAD_AES_128_GCM, AES128_CM_SHA1_80, AES128_CM_SHA1_32); the peer's certificate requested
// and accepted whatever its issuer (self-signed is normal in WebRTC: DtlsTransport checks it
// against the SDP fingerprint); ECDHE-ECDSA/RSA AEAD ciphers (CBC-SHA after them for older
// stacks); no session resumption (every handshake shows the peer's certificate).
class DtlsContext {
 public:
  // nullptr and *error set when the PEM lacks a certificate or its (unencrypted) key, they don't
  // belong together, or OpenSSL refuses a setting. Further certificates in the PEM go into the
  // chain after the first (the leaf, whose fingerprint is announced).
  static std::shared_ptr<DtlsContext> create(const std::string& certificateAndKeyPem, std::string* error);

  // A self-signed ECDSA P-256 certificate (SHA-256, valid from a day ago for a year) followed by
  // its PKCS#8 private key, as PEM: for tests and when no PEM is configured. Empty on error.
  static std::string generateCertificatePem(std::string* error);

  // "AB:CD:…" (uppercase hex, colon-separated) digest of a certificate's DER with the SDP hash
  // name ("sha-1", "sha-224", "sha-256", "sha-384", "sha-512"; case-insensitive). Empty when the
  // algorithm is unknown or OpenSSL fails.
  static std::string certificateFingerprint(X509* certificate, std::string_view algorithm);
  // The digest for an SDP hash name (RFC 8122 §5), or nullptr when unsupported.
  static const EVP_MD* fingerprintDigest(std::string_view algorithm);
  // Everything OpenSSL queued on this thread's error queue, oldest first ("; "-separated); the
  // queue is empty afterwards.
  static std::string takeOpenSslErrors();

  ~DtlsContext();
  DtlsContext(const DtlsContext&) = delete;
  DtlsContext& operator=(const DtlsContext&) = delete;

  const std::string& fingerprintSha256() const { return fingerprintSha256_; }  // for a=fingerprint:sha-256
  const std::string& srtpProfiles() const { return srtpProfiles_; }            // the use_srtp list set
  SSL_CTX* get() const { return ctx_.get(); }

 private:
  struct SslCtxDeleter {
    void operator()(SSL_CTX* ctx) const;
  };
  DtlsContext(std::unique_ptr<SSL_CTX, SslCtxDeleter> ctx, std::string fingerprintSha256, std::string srtpProfiles);

  std::unique_ptr<SSL_CTX, SslCtxDeleter> ctx_;
  std::string fingerprintSha256_;
  std::string srtpProfiles_;
};

}  // namespace pw::transport
