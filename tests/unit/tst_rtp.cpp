// SDES key material and a=crypto lines (RFC 4568), REMB FCI parsing, and OnKeySoftLimit: the
// parts of RtpEndpoint's SRTP and of REMB handling that black-box tests cannot reach. The media
// paths are tested end to end in tests/clients/rtp-endpoint.test.mjs and remb.test.mjs.

#include "TestConnection.h"
#include "core/ObjectRegistry.h"
#include "elements/webrtc/Remb.h"
#include "elements/webrtc/Sdes.h"
#include "media/MediaPipeline.h"
#include "pipewright/engine/KurentoError.h"

#include <QSet>
#include <QTest>

using namespace pw;

class TestRtp : public QObject {
  Q_OBJECT

  static int sdesError(const QJsonObject& sdes) {
    try {
      sdesFromParams(sdes);
    } catch (const KurentoException& e) {
      return static_cast<int>(e.error().code);
    }
    return 0;
  }

 private Q_SLOTS:
  void suites() {
    const SrtpSuite* s = srtpSuiteByApiName("AES_128_CM_HMAC_SHA1_32");
    QVERIFY(s);
    QCOMPARE(QLatin1String(s->sdpName), QLatin1String("AES_CM_128_HMAC_SHA1_32"));
    QCOMPARE(QLatin1String(s->rtpAuth), QLatin1String("hmac-sha1-32"));
    QCOMPARE(QLatin1String(s->rtcpAuth), QLatin1String("hmac-sha1-80"));  // SRTCP keeps 80 bits
    QCOMPARE(s->keyLength, 30);
    QCOMPARE(srtpSuiteBySdpName("AES_256_CM_HMAC_SHA1_80")->keyLength, 46);
    QCOMPARE(srtpSuiteBySdpName("AES_128_CM_HMAC_SHA1_80"), srtpSuiteByApiName("AES_128_CM_HMAC_SHA1_80"));
    QVERIFY(!srtpSuiteBySdpName("AEAD_AES_128_GCM"));
  }

  void keysFromParams() {
    const SrtpKey raw = sdesFromParams({{"crypto", "AES_128_CM_HMAC_SHA1_80"}, {"key", "PipewrightSdesKey-0123456789ab"}});
    QVERIFY(raw.valid());
    QCOMPARE(raw.key, QByteArray("PipewrightSdesKey-0123456789ab"));
    const QByteArray bytes(46, '\x5a');
    const SrtpKey b64 = sdesFromParams({{"crypto", "AES_256_CM_HMAC_SHA1_32"}, {"keyBase64", QString::fromLatin1(bytes.toBase64())}});
    QCOMPARE(b64.key, bytes);
    const SrtpKey random1 = sdesFromParams({{"crypto", "AES_128_CM_HMAC_SHA1_80"}});
    const SrtpKey random2 = sdesFromParams({{"crypto", "AES_128_CM_HMAC_SHA1_80"}});
    QVERIFY(random1.valid() && random2.valid());
    QVERIFY(random1.key != random2.key);
    QVERIFY(!sdesFromParams({}).valid());  // no suite: plain RTP
    QCOMPARE(sdesError({{"crypto", "AES_128_CM_HMAC_SHA1_80"}, {"key", "short"}}), 40107);
    QCOMPARE(sdesError({{"crypto", "AES_256_CM_HMAC_SHA1_80"}, {"key", "PipewrightSdesKey-0123456789ab"}}), 40107);
    QCOMPARE(sdesError({{"key", "PipewrightSdesKey-0123456789ab"}}), 40107);
    QCOMPARE(sdesError({{"crypto", "AES_128_CM_HMAC_SHA1_80"}, {"keyBase64", "not base64 !"}}), 40107);
  }

  void cryptoLines() {
    const SrtpKey key = sdesFromParams({{"crypto", "AES_128_CM_HMAC_SHA1_80"}, {"key", "PipewrightSdesKey-0123456789ab"}});
    const QString attr = cryptoAttribute(7, key);
    QCOMPARE(attr, QStringLiteral("7 AES_CM_128_HMAC_SHA1_80 inline:UGlwZXdyaWdodFNkZXNLZXktMDEyMzQ1Njc4OWFi"));
    CryptoLine back = parseCryptoAttribute(attr);
    QVERIFY2(back.problem.isEmpty(), qPrintable(back.problem));
    QCOMPARE(back.tag, 7);
    QCOMPARE(back.key.key, key.key);
    // A lifetime is accepted; an MKI, several keys, another suite or a short key are not.
    QVERIFY(parseCryptoAttribute(attr + "|2^31").problem.isEmpty());
    QVERIFY(!parseCryptoAttribute(attr + "|2^31|1:4").problem.isEmpty());
    QVERIFY(!parseCryptoAttribute(attr + ";inline:UGlwZXdyaWdodFNkZXNLZXktMDEyMzQ1Njc4OWFi").problem.isEmpty());
    QVERIFY(!parseCryptoAttribute("1 F8_128_HMAC_SHA1_80 inline:UGlwZXdyaWdodFNkZXNLZXktMDEyMzQ1Njc4OWFi").problem.isEmpty());
    QVERIFY(!parseCryptoAttribute("1 AES_CM_128_HMAC_SHA1_80 inline:c2hvcnQ=").problem.isEmpty());
    QVERIFY(!parseCryptoAttribute("garbage").problem.isEmpty());
  }

  void rembFci() {
    // "REMB", 1 SSRC, exp 2, mantissa 25000 → 100000 bit/s.
    const guint8 fci[] = {'R', 'E', 'M', 'B', 1, (2 << 2) | 0, 0x61, 0xa8, 0x11, 0x22, 0x33, 0x44};
    QCOMPARE(Remb::parseFci(fci, sizeof fci), qint64(100000));
    const guint8 big[] = {'R', 'E', 'M', 'B', 0, (63 << 2) | 3, 0xff, 0xff};
    QCOMPARE(Remb::parseFci(big, sizeof big), qint64(INT_MAX));  // clamped
    // fuzz_remb found it: an even mantissa with a large exponent wrapped to 0 bit/s.
    const guint8 huge[] = {'R', 'E', 'M', 'B', 1, 0xff, 'M', 'B', 0, 0, 0, 7};
    QCOMPARE(Remb::parseFci(huge, sizeof huge), qint64(INT_MAX));
    const guint8 zero[] = {'R', 'E', 'M', 'B', 0, 63 << 2, 0, 0};
    QCOMPARE(Remb::parseFci(zero, sizeof zero), qint64(0));
    const guint8 other[] = {'T', 'M', 'M', 'B', 0, 0, 0, 1};
    QCOMPARE(Remb::parseFci(other, sizeof other), qint64(-1));
    QCOMPARE(Remb::parseFci(fci, 6), qint64(-1));
  }

  // libsrtp's soft limit (2^48 packets, unreachable in a test) comes as srtpenc's "soft-limit"
  // signal: emitted by hand here, it must become OnKeySoftLimit with the session's media type.
  void softLimitRaisesOnKeySoftLimit() {
    QString error;
    QVERIFY2(initGStreamer(&error), qPrintable(error));
    Engine engine{Config{}};
    auto c = std::make_shared<TestConnection>();
    const auto result = [](const QJsonObject& r) { return r.value("result").toObject().value("value"); };
    const QString p = result(call(engine, c, "create", {{"type", "MediaPipeline"}})).toString();
    const QJsonObject sdes{{"__module__", "kurento"}, {"__type__", "SDES"}, {"crypto", "AES_128_CM_HMAC_SHA1_80"}};
    const QString rtp = result(call(engine, c, "create", {{"type", "RtpEndpoint"}, {"constructorParams", QJsonObject{{"mediaPipeline", p}, {"crypto", sdes}}}})).toString();
    QVERIFY(!rtp.isEmpty());
    QVERIFY(call(engine, c, "subscribe", {{"object", rtp}, {"type", "OnKeySoftLimit"}}).contains("result"));
    QVERIFY(result(call(engine, c, "invoke", {{"object", rtp}, {"operation", "generateOffer"}})).toString().contains("RTP/SAVPF"));
    GstElement* pipeline = std::static_pointer_cast<MediaPipeline>(engine.registry().find(p))->gst();
    QList<GstElement*> encoders;
    GstIterator* it = gst_bin_iterate_recurse(GST_BIN(pipeline));
    GValue item = G_VALUE_INIT;
    while (gst_iterator_next(it, &item) == GST_ITERATOR_OK) {
      auto* e = GST_ELEMENT(g_value_get_object(&item));
      if (GstElementFactory* f = gst_element_get_factory(e); f && g_strcmp0(GST_OBJECT_NAME(f), "srtpenc") == 0) encoders.append(e);
      g_value_reset(&item);
    }
    g_value_unset(&item);
    gst_iterator_free(it);
    QCOMPARE(encoders.size(), 2);  // audio and video sessions
    for (GstElement* e : encoders) g_signal_emit_by_name(e, "soft-limit");
    QSet<QString> types;
    for (int i = 0; i < 2; ++i) types.insert(waitEvent(c, "OnKeySoftLimit", rtp, 5000).value("mediaType").toString());
    QCOMPARE(types, (QSet<QString>{"AUDIO", "VIDEO"}));
    QVERIFY(call(engine, c, "release", {{"object", p}}).contains("result"));
  }
};

QTEST_GUILESS_MAIN(TestRtp)
#include "tst_rtp.moc"
