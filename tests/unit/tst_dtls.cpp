// The DTLS certificate WebRtcEndpoints present: generated ECDSA P-256 by default, or the PEM
// file the config names (checked: certificate and matching key), with its real fingerprint.

#include "elements/webrtc/DtlsCertificate.h"
#include "pipewright/engine/Config.h"

#include <QFile>
#include <QProcess>
#include <QTemporaryDir>
#include <QTest>

#include <openssl/bio.h>
#include <openssl/evp.h>
#include <openssl/pem.h>
#include <openssl/x509.h>

class TestDtls : public QObject {
  Q_OBJECT

 private Q_SLOTS:
  void generatedCertificateIsEcdsaP256() {
    QString error;
    const QByteArray pem = pw::DtlsCertificate::generateEcdsa(&error);
    QVERIFY2(!pem.isEmpty(), qPrintable(error));
    BIO* bio = BIO_new_mem_buf(pem.constData(), static_cast<int>(pem.size()));
    X509* cert = PEM_read_bio_X509(bio, nullptr, nullptr, nullptr);
    BIO_free(bio);
    QVERIFY(cert);
    EVP_PKEY* key = X509_get0_pubkey(cert);
    QCOMPARE(EVP_PKEY_get_base_id(key), EVP_PKEY_EC);
    QCOMPARE(EVP_PKEY_get_bits(key), 256);
    QVERIFY(X509_cmp_current_time(X509_get0_notAfter(cert)) > 0);
    X509_free(cert);
    QVERIFY(pem.contains("PRIVATE KEY"));
  }

  void oneCertificatePerProcess() {
    pw::Config config;
    QString error;
    const auto a = pw::DtlsCertificate::get(config, &error);
    const auto b = pw::DtlsCertificate::get(config, &error);
    QVERIFY(!a.pem.isEmpty());
    QCOMPARE(a.pem, b.pem);
    QCOMPARE(a.sha256.size(), 32 * 3 - 1);
  }

  void configuredFileIsUsedAndChecked() {
    QTemporaryDir dir;
    QCOMPARE(QProcess::execute("openssl", {"req", "-x509", "-newkey", "rsa:2048", "-nodes", "-days", "2", "-subj", "/CN=test",
                                           "-keyout", dir.filePath("key.pem"), "-out", dir.filePath("cert.pem")}),
             0);
    QFile out(dir.filePath("dtls.pem"));
    QVERIFY(out.open(QIODevice::WriteOnly));
    for (const char* part : {"cert.pem", "key.pem"}) {
      QFile f(dir.filePath(part));
      QVERIFY(f.open(QIODevice::ReadOnly));
      out.write(f.readAll());
    }
    out.close();
    pw::Config config;
    config.pemCertificate = out.fileName();
    QString error;
    const auto identity = pw::DtlsCertificate::get(config, &error);
    QVERIFY2(identity.pem.contains("BEGIN CERTIFICATE"), qPrintable(error));
    // The fingerprint is the certificate's, as openssl computes it.
    QProcess openssl;
    openssl.start("openssl", {"x509", "-in", dir.filePath("cert.pem"), "-noout", "-fingerprint", "-sha256"});
    QVERIFY(openssl.waitForFinished());
    const QString expected = QString::fromUtf8(openssl.readAllStandardOutput()).section(u'=', 1).trimmed().toUpper();
    QCOMPARE(identity.sha256, expected);

    // A certificate without its key, or no file, is refused with a reason.
    config.pemCertificate = dir.filePath("cert.pem");
    QVERIFY(pw::DtlsCertificate::get(config, &error).pem.isEmpty());
    QVERIFY2(error.contains("private key"), qPrintable(error));
    config.pemCertificate = dir.filePath("missing.pem");
    QVERIFY(pw::DtlsCertificate::get(config, &error).pem.isEmpty());
    QVERIFY2(error.contains("cannot be read"), qPrintable(error));
  }
};

QTEST_GUILESS_MAIN(TestDtls)
#include "tst_dtls.moc"
