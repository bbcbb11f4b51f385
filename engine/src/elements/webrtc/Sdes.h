#pragma once

// SDES-SRTP (RFC 4568) for RtpEndpoint: the API's CryptoSuite values, their SDP names, the
// cipher and authentication nicks of GStreamer's srtpenc/srtpdec (libsrtp2), key material
// from the `crypto` constructor parameter, and the `a=crypto` attribute in both directions.

#include "gst/GstRef.h"

#include <QByteArray>
#include <QJsonObject>
#include <QString>

namespace pw {

struct SrtpSuite {
  const char* apiName;     // CryptoSuite enum value: "AES_128_CM_HMAC_SHA1_80"
  const char* sdpName;     // a=crypto suite (RFC 4568 / RFC 6188): "AES_CM_128_HMAC_SHA1_80"
  const char* cipher;      // srtpenc/srtpdec cipher nick, RTP and RTCP: "aes-128-icm"
  const char* rtpAuth;     // "hmac-sha1-80" or "hmac-sha1-32"
  const char* rtcpAuth;    // always "hmac-sha1-80": the _32 suites keep an 80-bit SRTCP tag
  int keyLength;           // master key + master salt in bytes: 30 (128-bit) or 46 (256-bit)
};

// Null when unknown.
const SrtpSuite* srtpSuiteByApiName(const QString& name);
const SrtpSuite* srtpSuiteBySdpName(const QString& name);

// One side's key: the suite and its master key || master salt.
struct SrtpKey {
  const SrtpSuite* suite = nullptr;
  QByteArray key;
  bool valid() const { return suite && key.size() == suite->keyLength; }
};

// The endpoint's own key from the constructor's SDES object. An SDES without a suite means
// plain RTP (returns an invalid key). A suite without `key`/`keyBase64` gets a random key.
// Throws 40107 for a key of the wrong length, both key forms at once, or a key without a suite.
SrtpKey sdesFromParams(const QJsonObject& sdes);

// "<tag> <suite> inline:<base64 key||salt>" (the value of an a=crypto line).
QString cryptoAttribute(int tag, const SrtpKey& key);

// One a=crypto value as offered or answered. `problem` says why it cannot be used (unknown
// suite, bad key length, MKI, several keys) and is empty when `key` is valid.
struct CryptoLine {
  int tag = -1;
  SrtpKey key;
  QString suiteName;
  QString problem;
};
CryptoLine parseCryptoAttribute(const QString& value);

// Configures a srtpenc with `key` (encrypts what we send, RTP and RTCP).
void configureSrtpEncoder(GstElement* srtpenc, const SrtpKey& key);
// The caps srtpdec's request-key signal expects for a peer's `key` (transfer full).
GstCaps* srtpDecoderCaps(const SrtpKey& key);

}  // namespace pw
