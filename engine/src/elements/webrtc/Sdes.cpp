#include "Sdes.h"

#include "pipewright/engine/KurentoError.h"

#include <QRandomGenerator>
#include <QStringList>

#include <array>

namespace pw {
namespace {

constexpr std::array<SrtpSuite, 4> kSuites{{
    {"AES_128_CM_HMAC_SHA1_80", "AES_CM_128_HMAC_SHA1_80", "aes-128-icm", "hmac-sha1-80", "hmac-sha1-80", 30},
    {"AES_128_CM_HMAC_SHA1_32", "AES_CM_128_HMAC_SHA1_32", "aes-128-icm", "hmac-sha1-32", "hmac-sha1-80", 30},
    {"AES_256_CM_HMAC_SHA1_80", "AES_256_CM_HMAC_SHA1_80", "aes-256-icm", "hmac-sha1-80", "hmac-sha1-80", 46},
    {"AES_256_CM_HMAC_SHA1_32", "AES_256_CM_HMAC_SHA1_32", "aes-256-icm", "hmac-sha1-32", "hmac-sha1-80", 46},
}};

GstRef<GstBuffer> keyBuffer(const QByteArray& key) {
  return GstRef<GstBuffer>::adopt(gst_buffer_new_memdup(key.constData(), static_cast<gsize>(key.size())));
}

}  // namespace

const SrtpSuite* srtpSuiteByApiName(const QString& name) {
  for (const auto& s : kSuites) {
    if (name == QLatin1String(s.apiName)) return &s;
  }
  return nullptr;
}

const SrtpSuite* srtpSuiteBySdpName(const QString& name) {
  for (const auto& s : kSuites) {
    // Some peers write the API spelling (AES_128_CM_…) for the 128-bit suites too.
    if (name == QLatin1String(s.sdpName) || name == QLatin1String(s.apiName)) return &s;
  }
  return nullptr;
}

SrtpKey sdesFromParams(const QJsonObject& sdes) {
  const QString suiteName = sdes.value(u"crypto").toString();
  const bool hasKey = sdes.contains(u"key") && !sdes.value(u"key").toString().isEmpty();
  const bool hasBase64 = sdes.contains(u"keyBase64") && !sdes.value(u"keyBase64").toString().isEmpty();
  SrtpKey out;
  if (suiteName.isEmpty()) {
    if (hasKey || hasBase64) {
      throw KurentoException(KurentoError::illegalParam(
          QStringLiteral("SDES: a key needs a crypto suite ('crypto': AES_128_CM_HMAC_SHA1_80, AES_128_CM_HMAC_SHA1_32, "
                         "AES_256_CM_HMAC_SHA1_80 or AES_256_CM_HMAC_SHA1_32)")));
    }
    return out;  // no suite: plain RTP
  }
  out.suite = srtpSuiteByApiName(suiteName);
  if (!out.suite) throw KurentoException(KurentoError::illegalParam(QStringLiteral("SDES: unknown crypto suite '%1'").arg(suiteName)));
  if (hasKey && hasBase64) {
    throw KurentoException(KurentoError::illegalParam(QStringLiteral("SDES: give either 'key' or 'keyBase64', not both")));
  }
  if (hasKey) {
    out.key = sdes.value(u"key").toString().toLatin1();
  } else if (hasBase64) {
    const auto decoded = QByteArray::fromBase64Encoding(sdes.value(u"keyBase64").toString().toLatin1(),
                                                        QByteArray::AbortOnBase64DecodingErrors);
    if (!decoded) throw KurentoException(KurentoError::illegalParam(QStringLiteral("SDES: 'keyBase64' is not valid base64")));
    out.key = *decoded;
  } else {
    out.key.resize(out.suite->keyLength);
    QRandomGenerator::system()->generate(out.key.begin(), out.key.end());
  }
  if (out.key.size() != out.suite->keyLength) {
    throw KurentoException(KurentoError::illegalParam(
        QStringLiteral("SDES: %1 needs a key of %2 bytes (master key and salt; %3 characters in 'key'), got %4")
            .arg(QLatin1String(out.suite->apiName))
            .arg(out.suite->keyLength)
            .arg(out.suite->keyLength)
            .arg(out.key.size())));
  }
  return out;
}

QString cryptoAttribute(int tag, const SrtpKey& key) {
  return QStringLiteral("%1 %2 inline:%3").arg(tag).arg(QLatin1String(key.suite->sdpName), QString::fromLatin1(key.key.toBase64()));
}

CryptoLine parseCryptoAttribute(const QString& value) {
  CryptoLine line;
  const QStringList parts = value.simplified().split(u' ');
  if (parts.size() < 3) {
    line.problem = QStringLiteral("malformed a=crypto '%1'").arg(value);
    return line;
  }
  bool ok = false;
  line.tag = parts[0].toInt(&ok);
  if (!ok || line.tag < 0) line.problem = QStringLiteral("a=crypto tag '%1' is not a number").arg(parts[0]);
  line.suiteName = parts[1];
  const SrtpSuite* suite = srtpSuiteBySdpName(parts[1]);
  if (!suite && line.problem.isEmpty()) line.problem = QStringLiteral("unsupported crypto suite %1").arg(parts[1]);
  // key-params: one or more "inline:<key||salt>[|lifetime][|MKI:length]" separated by ';'.
  const QString params = parts[2];
  if (line.problem.isEmpty() && params.contains(u';')) line.problem = QStringLiteral("several master keys in one a=crypto are not supported");
  if (line.problem.isEmpty() && !params.startsWith(u"inline:", Qt::CaseInsensitive)) line.problem = QStringLiteral("a=crypto without inline: key");
  if (!line.problem.isEmpty()) return line;
  const QStringList fields = params.mid(7).split(u'|');
  for (int i = 1; i < fields.size(); ++i) {
    if (fields[i].contains(u':')) {
      line.problem = QStringLiteral("a=crypto with an MKI is not supported");
      return line;
    }
  }
  const auto decoded = QByteArray::fromBase64Encoding(fields[0].toLatin1(), QByteArray::AbortOnBase64DecodingErrors);
  if (!decoded || decoded.decoded.size() != suite->keyLength) {
    line.problem = QStringLiteral("the %1 key must be %2 bytes in base64").arg(parts[1]).arg(suite->keyLength);
    return line;
  }
  line.key.suite = suite;
  line.key.key = *decoded;
  return line;
}

void configureSrtpEncoder(GstElement* srtpenc, const SrtpKey& key) {
  g_object_set(srtpenc, "key", keyBuffer(key.key).get(), nullptr);
  gst_util_set_object_arg(G_OBJECT(srtpenc), "rtp-cipher", key.suite->cipher);
  gst_util_set_object_arg(G_OBJECT(srtpenc), "rtcp-cipher", key.suite->cipher);
  gst_util_set_object_arg(G_OBJECT(srtpenc), "rtp-auth", key.suite->rtpAuth);
  gst_util_set_object_arg(G_OBJECT(srtpenc), "rtcp-auth", key.suite->rtcpAuth);
}

GstCaps* srtpDecoderCaps(const SrtpKey& key) {
  GstRef<GstBuffer> buffer = keyBuffer(key.key);
  return gst_caps_new_simple("application/x-srtp", "srtp-key", GST_TYPE_BUFFER, buffer.get(), "srtp-cipher", G_TYPE_STRING,
                                      key.suite->cipher, "srtp-auth", G_TYPE_STRING, key.suite->rtpAuth, "srtcp-cipher",
                                      G_TYPE_STRING, key.suite->cipher, "srtcp-auth", G_TYPE_STRING, key.suite->rtcpAuth, nullptr);
}

}  // namespace pw
