#include "transport/DtlsContext.h"

#include "transport/SrtpSession.h"

#include <openssl/bio.h>
#include <openssl/ec.h>
#include <openssl/err.h>
#include <openssl/evp.h>
#include <openssl/pem.h>
#include <openssl/rand.h>
#include <openssl/srtp.h>
#include <openssl/x509.h>

#include <cctype>
#include <climits>
#include <cstdint>
#include <vector>

namespace pw::transport {

namespace {

struct X509Deleter {
  void operator()(X509* certificate) const { X509_free(certificate); }
};
struct EvpPkeyDeleter {
  void operator()(EVP_PKEY* key) const { EVP_PKEY_free(key); }
};
struct BioDeleter {
  void operator()(BIO* bio) const { BIO_free_all(bio); }
};
using X509Owner = std::unique_ptr<X509, X509Deleter>;
using EvpPkeyOwner = std::unique_ptr<EVP_PKEY, EvpPkeyDeleter>;
using BioOwner = std::unique_ptr<BIO, BioDeleter>;

// Browsers' DTLS 1.2 suites: ECDHE with AEAD first, CBC-SHA last for older stacks.
constexpr const char* kCipherList =
    "ECDHE-ECDSA-AES128-GCM-SHA256:ECDHE-RSA-AES128-GCM-SHA256:"
    "ECDHE-ECDSA-AES256-GCM-SHA384:ECDHE-RSA-AES256-GCM-SHA384:"
    "ECDHE-ECDSA-CHACHA20-POLY1305:ECDHE-RSA-CHACHA20-POLY1305:"
    "ECDHE-ECDSA-AES128-SHA:ECDHE-RSA-AES128-SHA:ECDHE-ECDSA-AES256-SHA:ECDHE-RSA-AES256-SHA";
constexpr const char* kGroups = "X25519:P-256:P-384";

void setError(std::string* error, const std::string& what) {
  const std::string details = DtlsContext::takeOpenSslErrors();
  if (error) *error = details.empty() ? what : what + " (" + details + ")";
}

BioOwner readOnlyBio(const std::string& text) {
  if (text.size() > static_cast<size_t>(INT_MAX)) return nullptr;
  return BioOwner(BIO_new_mem_buf(text.data(), static_cast<int>(text.size())));
}

// An encrypted key fails to load instead of OpenSSL prompting on the terminal.
int refusePassphrase(char* /*buffer*/, int /*size*/, int /*writing*/, void* /*userData*/) { return -1; }

// WebRTC peers present self-signed certificates; their identity is the SDP fingerprint, which
// DtlsTransport checks. Requesting the certificate is what matters here.
int acceptAnyCertificate(int /*preverifyOk*/, X509_STORE_CTX* /*store*/) { return 1; }

bool equalsIgnoringCase(std::string_view a, std::string_view b) {
  if (a.size() != b.size()) return false;
  for (size_t i = 0; i < a.size(); ++i) {
    if (std::tolower(static_cast<unsigned char>(a[i])) != std::tolower(static_cast<unsigned char>(b[i]))) return false;
  }
  return true;
}

}  // namespace

void DtlsContext::SslCtxDeleter::operator()(SSL_CTX* ctx) const { SSL_CTX_free(ctx); }

DtlsContext::DtlsContext(std::unique_ptr<SSL_CTX, SslCtxDeleter> ctx, std::string fingerprintSha256, std::string srtpProfiles)
    : ctx_(std::move(ctx)), fingerprintSha256_(std::move(fingerprintSha256)), srtpProfiles_(std::move(srtpProfiles)) {}

DtlsContext::~DtlsContext() = default;

std::string DtlsContext::takeOpenSslErrors() {
  std::string text;
  while (const unsigned long code = ERR_get_error()) {
    char buffer[256];
    ERR_error_string_n(code, buffer, sizeof(buffer));
    if (!text.empty()) text += "; ";
    text += buffer;
  }
  return text;
}

const EVP_MD* DtlsContext::fingerprintDigest(std::string_view algorithm) {
  if (equalsIgnoringCase(algorithm, "sha-256")) return EVP_sha256();
  if (equalsIgnoringCase(algorithm, "sha-1")) return EVP_sha1();
  if (equalsIgnoringCase(algorithm, "sha-224")) return EVP_sha224();
  if (equalsIgnoringCase(algorithm, "sha-384")) return EVP_sha384();
  if (equalsIgnoringCase(algorithm, "sha-512")) return EVP_sha512();
  return nullptr;
}

std::string DtlsContext::certificateFingerprint(X509* certificate, std::string_view algorithm) {
  const EVP_MD* digest = fingerprintDigest(algorithm);
  if (!certificate || !digest) return {};
  unsigned char bytes[EVP_MAX_MD_SIZE];
  unsigned int length = 0;
  if (X509_digest(certificate, digest, bytes, &length) != 1) return {};
  static constexpr char kHex[] = "0123456789ABCDEF";
  std::string text;
  text.reserve(length * 3);
  for (unsigned int i = 0; i < length; ++i) {
    if (i > 0) text += ':';
    text += kHex[bytes[i] >> 4];
    text += kHex[bytes[i] & 0x0f];
  }
  return text;
}

std::string DtlsContext::generateCertificatePem(std::string* error) {
  ERR_clear_error();
  EvpPkeyOwner key(EVP_EC_gen("P-256"));
  X509Owner certificate(X509_new());
  if (!key || !certificate) {
    setError(error, "could not create an ECDSA P-256 key");
    return {};
  }
  uint64_t serial = 0;
  if (RAND_bytes(reinterpret_cast<unsigned char*>(&serial), sizeof(serial)) != 1) {
    setError(error, "no random serial number");
    return {};
  }
  serial &= 0x7fffffffffffffffULL;  // a positive INTEGER
  X509_NAME* name = X509_get_subject_name(certificate.get());
  const bool built =
      X509_set_version(certificate.get(), X509_VERSION_3) == 1 &&
      ASN1_INTEGER_set_uint64(X509_get_serialNumber(certificate.get()), serial) == 1 &&
      X509_gmtime_adj(X509_getm_notBefore(certificate.get()), -24L * 3600) != nullptr &&
      X509_gmtime_adj(X509_getm_notAfter(certificate.get()), 365L * 24 * 3600) != nullptr &&
      X509_set_pubkey(certificate.get(), key.get()) == 1 &&
      X509_NAME_add_entry_by_txt(name, "CN", MBSTRING_ASC, reinterpret_cast<const unsigned char*>("pipewright"), -1, -1,
                                 0) == 1 &&
      X509_set_issuer_name(certificate.get(), name) == 1 && X509_sign(certificate.get(), key.get(), EVP_sha256()) > 0;
  if (!built) {
    setError(error, "could not build the self-signed certificate");
    return {};
  }
  BioOwner out(BIO_new(BIO_s_mem()));
  if (!out || PEM_write_bio_X509(out.get(), certificate.get()) != 1 ||
      PEM_write_bio_PrivateKey(out.get(), key.get(), nullptr, nullptr, 0, nullptr, nullptr) != 1) {
    setError(error, "could not write the certificate as PEM");
    return {};
  }
  char* data = nullptr;
  const long size = BIO_get_mem_data(out.get(), &data);
  if (size <= 0 || !data) {
    setError(error, "could not write the certificate as PEM");
    return {};
  }
  return std::string(data, static_cast<size_t>(size));
}

std::shared_ptr<DtlsContext> DtlsContext::create(const std::string& certificateAndKeyPem, std::string* error) {
  ERR_clear_error();
  // The leaf is the first CERTIFICATE block; PEM reading skips blocks of other kinds (the key).
  BioOwner certificateBio = readOnlyBio(certificateAndKeyPem);
  X509Owner leaf(certificateBio ? PEM_read_bio_X509(certificateBio.get(), nullptr, nullptr, nullptr) : nullptr);
  if (!leaf) {
    setError(error, "the PEM holds no certificate");
    return nullptr;
  }
  std::vector<X509Owner> chain;
  while (X509* extra = PEM_read_bio_X509(certificateBio.get(), nullptr, nullptr, nullptr)) chain.emplace_back(extra);
  ERR_clear_error();  // the end of the text reads as "no start line"

  BioOwner keyBio = readOnlyBio(certificateAndKeyPem);
  EvpPkeyOwner key(keyBio ? PEM_read_bio_PrivateKey(keyBio.get(), nullptr, refusePassphrase, nullptr) : nullptr);
  if (!key) {
    setError(error, "the PEM holds no unencrypted private key");
    return nullptr;
  }
  const std::string fingerprint = certificateFingerprint(leaf.get(), "sha-256");
  if (fingerprint.empty()) {
    setError(error, "could not compute the certificate's SHA-256 fingerprint");
    return nullptr;
  }

  std::unique_ptr<SSL_CTX, SslCtxDeleter> ctx(SSL_CTX_new(DTLS_method()));
  if (!ctx) {
    setError(error, "SSL_CTX_new(DTLS_method()) failed");
    return nullptr;
  }
  if (SSL_CTX_set_min_proto_version(ctx.get(), DTLS1_2_VERSION) != 1) {
    setError(error, "cannot require DTLS 1.2");
    return nullptr;
  }
  if (SSL_CTX_use_certificate(ctx.get(), leaf.get()) != 1) {
    setError(error, "OpenSSL refused the certificate");
    return nullptr;
  }
  for (const X509Owner& extra : chain) {
    if (SSL_CTX_add1_chain_cert(ctx.get(), extra.get()) != 1) {
      setError(error, "OpenSSL refused a chain certificate");
      return nullptr;
    }
  }
  if (SSL_CTX_use_PrivateKey(ctx.get(), key.get()) != 1 || SSL_CTX_check_private_key(ctx.get()) != 1) {
    setError(error, "the private key does not belong to the certificate");
    return nullptr;
  }
  if (SSL_CTX_set_cipher_list(ctx.get(), kCipherList) != 1) {
    setError(error, "OpenSSL accepts none of the DTLS ciphers");
    return nullptr;
  }
  if (SSL_CTX_set1_groups_list(ctx.get(), kGroups) != 1) {
    setError(error, "OpenSSL accepts none of the ECDH groups");
    return nullptr;
  }
  // ECDH group selection is automatic in OpenSSL 3 (SSL_CTX_set_ecdh_auto is a no-op there).

  std::string profiles;
  for (SrtpProfile profile : {SrtpProfile::AeadAes128Gcm, SrtpProfile::Aes128CmSha1_80, SrtpProfile::Aes128CmSha1_32}) {
    if (!SrtpSession::isProfileSupported(profile)) continue;
    if (!profiles.empty()) profiles += ':';
    profiles += srtpProfileName(profile);
  }
  if (profiles.empty()) {
    setError(error, "libsrtp2 supports none of the DTLS-SRTP profiles");
    return nullptr;
  }
  // Unlike most of OpenSSL, 0 means success here.
  if (SSL_CTX_set_tlsext_use_srtp(ctx.get(), profiles.c_str()) != 0) {
    setError(error, "OpenSSL refused the use_srtp profiles " + profiles);
    return nullptr;
  }

  SSL_CTX_set_verify(ctx.get(), SSL_VERIFY_PEER | SSL_VERIFY_FAIL_IF_NO_PEER_CERT, acceptAnyCertificate);
  SSL_CTX_set_verify_depth(ctx.get(), 4);
  // Every handshake is a full one: resumption would skip the certificate the fingerprint is of.
  SSL_CTX_set_session_cache_mode(ctx.get(), SSL_SESS_CACHE_OFF);
  // The MTU is DtlsTransport's to set (no socket to ask); no tickets, no renegotiation.
  SSL_CTX_set_options(ctx.get(), SSL_OP_NO_QUERY_MTU | SSL_OP_NO_TICKET | SSL_OP_NO_RENEGOTIATION |
                                     SSL_OP_CIPHER_SERVER_PREFERENCE);
  ERR_clear_error();
  return std::shared_ptr<DtlsContext>(new DtlsContext(std::move(ctx), fingerprint, profiles));
}

}  // namespace pw::transport
