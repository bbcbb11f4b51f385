#include "DtlsCertificate.h"

#include "pipewright/engine/Config.h"

#include <QFile>

#include <openssl/bio.h>
#include <openssl/evp.h>
#include <openssl/pem.h>
#include <openssl/x509.h>

#include <ctime>
#include <memory>
#include <mutex>

namespace pw {

namespace {

template <typename T, void (*Free)(T*)>
struct Deleter {
  void operator()(T* p) const { Free(p); }
};
using PKey = std::unique_ptr<EVP_PKEY, Deleter<EVP_PKEY, EVP_PKEY_free>>;
using Cert = std::unique_ptr<X509, Deleter<X509, X509_free>>;
using Bio = std::unique_ptr<BIO, Deleter<BIO, BIO_free_all>>;

Bio memory(const QByteArray& bytes) { return Bio(BIO_new_mem_buf(bytes.constData(), static_cast<int>(bytes.size()))); }

// Usable when it holds a certificate and the unencrypted private key that belongs to it.
bool checkPem(const QByteArray& pem, QString* error) {
  Bio certBio = memory(pem);
  Cert cert(PEM_read_bio_X509(certBio.get(), nullptr, nullptr, nullptr));
  Bio keyBio = memory(pem);
  PKey key(PEM_read_bio_PrivateKey(keyBio.get(), nullptr, nullptr, nullptr));
  if (!cert || !key) {
    *error = QStringLiteral("needs a certificate and its unencrypted private key, both in PEM form");
    return false;
  }
  if (X509_check_private_key(cert.get(), key.get()) != 1) {
    *error = QStringLiteral("holds a private key that does not belong to the certificate");
    return false;
  }
  return true;
}

}  // namespace

QByteArray DtlsCertificate::generateEcdsa(QString* error) {
  PKey key(EVP_EC_gen("P-256"));
  Cert cert(X509_new());
  if (!key || !cert) {
    *error = QStringLiteral("OpenSSL could not create an ECDSA key");
    return {};
  }
  X509_set_version(cert.get(), 2);
  ASN1_INTEGER_set(X509_get_serialNumber(cert.get()), static_cast<long>(std::time(nullptr)));
  X509_gmtime_adj(X509_getm_notBefore(cert.get()), -24 * 3600);
  X509_gmtime_adj(X509_getm_notAfter(cert.get()), 365L * 24 * 3600);
  X509_set_pubkey(cert.get(), key.get());
  X509_NAME* name = X509_get_subject_name(cert.get());
  X509_NAME_add_entry_by_txt(name, "CN", MBSTRING_ASC, reinterpret_cast<const unsigned char*>("Pipewright"), -1, -1, 0);
  X509_set_issuer_name(cert.get(), name);
  if (X509_sign(cert.get(), key.get(), EVP_sha256()) <= 0) {
    *error = QStringLiteral("OpenSSL could not sign the certificate");
    return {};
  }
  Bio out(BIO_new(BIO_s_mem()));
  PEM_write_bio_X509(out.get(), cert.get());
  PEM_write_bio_PrivateKey(out.get(), key.get(), nullptr, nullptr, 0, nullptr, nullptr);
  char* data = nullptr;
  const long size = BIO_get_mem_data(out.get(), &data);
  return QByteArray(data, static_cast<int>(size));
}

QString DtlsCertificate::fingerprintSha256(const QByteArray& pem) {
  Bio bio = memory(pem);
  Cert cert(PEM_read_bio_X509(bio.get(), nullptr, nullptr, nullptr));
  if (!cert) return {};
  unsigned char digest[EVP_MAX_MD_SIZE];
  unsigned int length = 0;
  if (X509_digest(cert.get(), EVP_sha256(), digest, &length) != 1) return {};
  QStringList bytes;
  for (unsigned int i = 0; i < length; ++i) bytes.append(QStringLiteral("%1").arg(digest[i], 2, 16, QLatin1Char('0')).toUpper());
  return bytes.join(u':');
}

DtlsCertificate::Identity DtlsCertificate::get(const Config& config, QString* error) {
  // One certificate per process and configured file; the first endpoint pays for it.
  static std::mutex mutex;
  static QString cachedFor;
  static Identity cached;
  std::lock_guard lock(mutex);
  if (!cached.pem.isEmpty() && cachedFor == config.pemCertificate) return cached;
  QByteArray pem;
  if (config.pemCertificate.isEmpty()) {
    pem = generateEcdsa(error);
  } else {
    QFile file(config.pemCertificate);
    if (!file.open(QIODevice::ReadOnly)) {
      *error = QStringLiteral("pemCertificate %1 cannot be read: %2").arg(config.pemCertificate, file.errorString());
      return {};
    }
    pem = file.readAll();
    QString why;
    if (!checkPem(pem, &why)) {
      *error = QStringLiteral("pemCertificate %1 %2").arg(config.pemCertificate, why);
      return {};
    }
  }
  if (pem.isEmpty()) return {};
  cached = Identity{pem, fingerprintSha256(pem)};
  cachedFor = config.pemCertificate;
  return cached;
}

}  // namespace pw
