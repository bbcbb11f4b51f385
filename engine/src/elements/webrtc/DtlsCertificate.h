#pragma once

// The one DTLS certificate every WebRtcEndpoint presents (issue 3 §1): loaded from the PEM file
// the config names (`pemCertificate`: certificate and private key, ECDSA or RSA), or an ECDSA
// P-256 certificate generated once per process — never on an endpoint's create path after the
// first.

#include <QByteArray>
#include <QString>

namespace pw {

struct Config;

class DtlsCertificate {
 public:
  struct Identity {
    QByteArray pem;          // certificate + private key
    QString sha256;          // "AB:CD:..." of the certificate (for a=fingerprint)
  };
  // The identity for `config`; empty pem with `error` set when the configured file is unusable.
  static Identity get(const Config& config, QString* error);
  // Creates a self-signed ECDSA P-256 certificate and key in PEM form (empty on failure).
  static QByteArray generateEcdsa(QString* error);
  // The SHA-256 fingerprint of the first certificate in `pem` ("AB:CD:..."), empty if none.
  static QString fingerprintSha256(const QByteArray& pem);
};

}  // namespace pw
