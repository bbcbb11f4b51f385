// SDES key material and a=crypto lines (RFC 4568), REMB FCI parsing, OnKeySoftLimit, and the
// codec choice of the SDP endpoints (H.264 packetization modes and profile-level-id, RFC 6184):
// the parts of RtpEndpoint's SRTP, of REMB handling and of the SDP logic that black-box tests
// cannot reach. The media
// paths are tested end to end in tests/clients/rtp-endpoint.test.mjs and remb.test.mjs.

#include "TestConnection.h"
#include "core/ObjectRegistry.h"
#include "elements/webrtc/Remb.h"
#include "elements/webrtc/RtpCodecs.h"
#include "elements/webrtc/RtpStreamSelector.h"
#include "elements/webrtc/Sdes.h"
#include "gst/ErrorPtr.h"
#include "media/MediaPipeline.h"
#include "pipewright/engine/KurentoError.h"

#include <QSet>
#include <QTest>

using namespace pw;

class TestRtp : public QObject {
  Q_OBJECT

  // chooseCodec on the first m-line of an SDP made of `media` lines.
  // An offer of one m-line: `media` is its m= line and attributes.
  static SdpMessagePtr offerOf(const QStringList& media) {
    const QString text = QStringLiteral("v=0\r\no=- 0 0 IN IP4 127.0.0.1\r\ns=-\r\nc=IN IP4 127.0.0.1\r\nt=0 0\r\n") +
                         media.join(QStringLiteral("\r\n")) + QStringLiteral("\r\n");
    return parseSdp(text, "offer");
  }

  static Codec choose(const QStringList& media, bool video = true) {
    SdpMessagePtr sdp = offerOf(media);
    return chooseCodec(gst_sdp_message_get_media(sdp.get(), 0), video);
  }

  static int sdesError(const QJsonObject& sdes) {
    try {
      sdesFromParams(sdes);
    } catch (const KurentoException& e) {
      return static_cast<int>(e.error().code);
    }
    return 0;
  }

 private Q_SLOTS:
  // A restarted sender (new SSRC) takes over once the current stream went silent; two senders
  // at once do not alternate.
  void streamSelector() {
    using V = RtpStreamSelector::Verdict;
    RtpStreamSelector sel(500'000);
    const auto a = RtpStreamSelector::key(0x1111, 96), b = RtpStreamSelector::key(0x2222, 96), c = RtpStreamSelector::key(0x1111, 97);
    QCOMPARE(sel.onPacket(a, 1'000'000), V::Pass);  // the first stream is taken
    QCOMPARE(sel.onPacket(a, 1'020'000), V::Pass);
    QCOMPARE(sel.onPacket(b, 1'040'000), V::Drop);  // a second sender while the first is alive
    QCOMPARE(sel.onPacket(c, 1'050'000), V::Drop);  // another payload type is another stream
    QCOMPARE(sel.onPacket(a, 1'400'000), V::Pass);
    QCOMPARE(sel.onPacket(b, 1'899'999), V::Drop);  // silent for less than 500 ms
    QCOMPARE(sel.onPacket(b, 1'900'000), V::SwitchTo);  // 500 ms without the first: the new one
    QCOMPARE(sel.onPacket(b, 1'920'000), V::Pass);
    QCOMPARE(sel.onPacket(a, 1'930'000), V::Drop);  // the old one back: dropped while b flows
    QCOMPARE(sel.current().value(), b);
    QCOMPARE(sel.switches(), 1);
    QCOMPARE(sel.onPacket(a, 9'000'000), V::SwitchTo);  // a restart after a pause: at once
    QCOMPARE(sel.switches(), 2);
  }

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
  void h264Parameters() {
    // No fmtp at all: packetization-mode 0, Baseline level 1 (RFC 6184 §8.1).
    H264Params p = parseH264Fmtp(QString());
    QVERIFY(p.problem.isEmpty());
    QCOMPARE(p.packetizationMode, 0);
    QVERIFY(!p.packetizationModeStated);
    QCOMPARE(p.profile, H264Profile::Baseline);
    QCOMPARE(h264AnswerFmtp(p), QString());
    // Profiles by profile_idc and profile-iop (RFC 6184 Table 5).
    const QList<QPair<QString, H264Profile>> profiles{
        {"42e01f", H264Profile::ConstrainedBaseline}, {"42c01e", H264Profile::ConstrainedBaseline},
        {"4d801f", H264Profile::ConstrainedBaseline}, {"58c01f", H264Profile::ConstrainedBaseline},
        {"42001f", H264Profile::Baseline},            {"42801e", H264Profile::Baseline},
        {"58801f", H264Profile::Baseline},            {"4d001f", H264Profile::Main},
        {"640c1f", H264Profile::ConstrainedHigh},     {"64001f", H264Profile::High},
        {"42e10a", H264Profile::Unknown}};
    for (const auto& [plid, profile] : profiles) {
      p = parseH264Fmtp(QStringLiteral("profile-level-id=%1").arg(plid));
      QVERIFY2(p.profile == profile, qPrintable(plid));
      const bool usable = profile == H264Profile::ConstrainedBaseline || profile == H264Profile::Baseline;
      QVERIFY2(p.problem.isEmpty() == usable, qPrintable(plid + u' ' + p.problem));
    }
    QCOMPARE(parseH264Fmtp("profile-level-id=42E01F").levelIdc, 0x1f);
    QVERIFY(parseH264Fmtp("profile-level-id=42e0").problem.contains("6 hexadecimal"));
    QVERIFY(parseH264Fmtp("profile-level-id=zze01f").problem.contains("6 hexadecimal"));
    QVERIFY(parseH264Fmtp("packetization-mode=2").problem.contains("packetization-mode=2"));
    QVERIFY(parseH264Fmtp("packetization-mode=x").problem.contains("packetization-mode=x"));
    // The answer keeps mode, profile and level, and level-asymmetry-allowed; it does not repeat
    // the offerer's own stream (sprop-*) or receiver limits (max-*).
    p = parseH264Fmtp(" packetization-mode=1; profile-level-id=42e01f ;level-asymmetry-allowed=1;sprop-parameter-sets=Z0LgH5ZUBQHsgA==,aM4NiA==;max-mbps=40500");
    QVERIFY(p.problem.isEmpty());
    QCOMPARE(h264AnswerFmtp(p), QStringLiteral("level-asymmetry-allowed=1;packetization-mode=1;profile-level-id=42e01f"));
    QCOMPARE(h264AnswerFmtp(parseH264Fmtp("profile-level-id=42001E")), QStringLiteral("profile-level-id=42001e"));
    QCOMPARE(h264AnswerFmtp(parseH264Fmtp("packetization-mode=0;profile-level-id=42e00d")),
             QStringLiteral("packetization-mode=0;profile-level-id=42e00d"));
  }

  void codecChoice() {
    QString error;
    QVERIFY2(initGStreamer(&error), qPrintable(error));
    // The legacy offer of issue 12: H.264 without fmtp (mode 0), MP4V-ES, H263-1998.
    Codec c = choose({"m=video 40000 RTP/AVP 96 97 98", "a=rtpmap:96 H264/90000", "a=rtpmap:97 MP4V-ES/90000",
                      "a=rtpmap:98 H263-1998/90000"});
    QCOMPARE(c.encoding, QStringLiteral("H264"));
    QCOMPARE(c.payload, 96);
    QCOMPARE(c.packetizationMode, 0);
    QCOMPARE(c.fmtp, QString());
    // Nothing we take.
    QCOMPARE(choose({"m=video 40000 RTP/AVP 97 98", "a=rtpmap:97 MP4V-ES/90000", "a=rtpmap:98 H263-1998/90000"}).payload, -1);
    QCOMPARE(choose({"m=audio 40000 RTP/AVP 0 8", "a=rtpmap:0 PCMU/8000", "a=rtpmap:8 PCMA/8000"}, false).payload, -1);
    // Mode 1 before mode 0, Constrained Baseline before Baseline; High, mode 2 never.
    c = choose({"m=video 9 RTP/AVP 100 101 102 103 104", "a=rtpmap:100 H264/90000", "a=fmtp:100 packetization-mode=1;profile-level-id=640c1f",
                "a=rtpmap:101 H264/90000", "a=fmtp:101 packetization-mode=2;profile-level-id=42e01f",
                "a=rtpmap:102 H264/90000", "a=fmtp:102 packetization-mode=0;profile-level-id=42e01f",
                "a=rtpmap:103 H264/90000", "a=fmtp:103 packetization-mode=1;profile-level-id=42001f",
                "a=rtpmap:104 H264/90000", "a=fmtp:104 packetization-mode=1;profile-level-id=42e01f;level-asymmetry-allowed=1"});
    QCOMPARE(c.payload, 104);
    QCOMPARE(c.fmtp, QStringLiteral("level-asymmetry-allowed=1;packetization-mode=1;profile-level-id=42e01f"));
    c = choose({"m=video 9 RTP/AVP 100 102 103", "a=rtpmap:100 H264/90000", "a=fmtp:100 packetization-mode=1;profile-level-id=640c1f",
                "a=rtpmap:102 H264/90000", "a=fmtp:102 packetization-mode=0;profile-level-id=42e01f",
                "a=rtpmap:103 H264/90000", "a=fmtp:103 packetization-mode=1;profile-level-id=42001f"});
    QCOMPARE(c.payload, 103);
    c = choose({"m=video 9 RTP/AVP 100 102", "a=rtpmap:100 H264/90000", "a=fmtp:100 packetization-mode=1;profile-level-id=640c1f",
                "a=rtpmap:102 H264/90000", "a=fmtp:102 packetization-mode=0;profile-level-id=42e01f;sprop-parameter-sets=Z0LgH5ZUBQHsgA==,aM4NiA=="});
    QCOMPARE(c.payload, 102);
    QCOMPARE(c.packetizationMode, 0);
    QCOMPARE(c.fmtp, QStringLiteral("packetization-mode=0;profile-level-id=42e01f"));
    QCOMPARE(choose({"m=video 9 RTP/AVP 100", "a=rtpmap:100 H264/90000", "a=fmtp:100 packetization-mode=1;profile-level-id=64001f"}).payload, -1);
    // VP8 is still first; other codecs keep the offer's fmtp.
    c = choose({"m=video 9 RTP/AVP 96 97", "a=rtpmap:96 H264/90000", "a=rtpmap:97 VP8/90000"});
    QCOMPARE(c.encoding, QStringLiteral("VP8"));
    c = choose({"m=audio 9 RTP/AVP 0 111", "a=rtpmap:0 PCMU/8000", "a=rtpmap:111 opus/48000/2", "a=fmtp:111 minptime=10;useinbandfec=1"}, false);
    QCOMPARE(c.payload, 111);
    QCOMPARE(c.fmtp, QStringLiteral("minptime=10;useinbandfec=1"));
    // The caps carry the chosen format's own rtpmap, fmtp and rtcp-fb, wherever they stand in the
    // m-line, and nothing of the other formats'; repeated formats and ones beyond 127 are skipped.
    c = choose({"m=video 9 RTP/AVP 96 96 300 97 96", "a=rtpmap:96 H263-1998/90000", "a=rtcp-fb:96 ccm fir", "a=rtcp-fb:* nack",
                "a=rtpmap:300 VP8/90000", "a=fmtp:97 max-fs=3600", "a=rtcp-fb:97 nack pli", "a=rtpmap:97 VP8/90000"});
    QCOMPARE(c.payload, 97);
    QCOMPARE(c.fmtp, QStringLiteral("max-fs=3600"));
    GstStructure* st = gst_caps_get_structure(c.caps.get(), 0);
    QCOMPARE(QString::fromUtf8(gst_structure_get_string(st, "encoding-name")), QStringLiteral("VP8"));
    QCOMPARE(QString::fromUtf8(gst_structure_get_string(st, "max-fs")), QStringLiteral("3600"));
    gboolean flag = FALSE;
    QVERIFY(gst_structure_get_boolean(st, "rtcp-fb-nack-pli", &flag) && flag);
    QVERIFY(!gst_structure_has_field(st, "rtcp-fb-ccm-fir"));
    QVERIFY(gst_structure_get_boolean(st, "rtcp-fb-nack", &flag) && flag);  // a=rtcp-fb:* applies to every format
  }

  // FormatCaps gives GStreamer's own caps for every payload type, framesize included: GStreamer
  // reads only the m-line's first a=framesize, and takes its payload type up to the first space
  // with atoi, so "a=framesize: 126 1-1" belongs to payload type 0 (fuzz_sdp found both).
  void formatCapsFramesizeAsGStreamer() {
    QString error;
    QVERIFY2(initGStreamer(&error), qPrintable(error));
    const QList<QStringList> medias = {
        {"m=video 9 RTP/AVP 96 97", "a=rtpmap:96 VP8/90000", "a=rtpmap:97 H264/90000", "a=framesize:96 640-480",
         "a=framesize:97 1280-720"},
        {"m=video 9 RTP/AVP 96 97", "a=rtpmap:96 VP8/90000", "a=rtpmap:97 H264/90000", "a=framesize:97 1280-720",
         "a=framesize:96 640-480"},
        {"m=audio 9 RTP/AVP 0 126", "a=rtpmap:126 opus/48000/2", "a=framesize: 126 "},
    };
    int framesizes = 0;
    for (const QStringList& lines : medias) {
      SdpMessagePtr sdp = offerOf(lines);
      const GstSDPMedia* m = gst_sdp_message_get_media(sdp.get(), 0);
      const FormatCaps linear(m);
      for (guint i = 0; i < gst_sdp_media_formats_len(m); ++i) {
        const int pt = QByteArray(gst_sdp_media_get_format(m, i)).toInt();
        CapsRef ours = CapsRef::adopt(linear.caps(pt));
        CapsRef reference = CapsRef::adopt(gst_sdp_media_get_caps_from_media(m, pt));
        QVERIFY(ours && reference);
        QVERIFY2(gst_caps_is_strictly_equal(ours.get(), reference.get()), qPrintable(lines.join(QStringLiteral(" | ")) + QStringLiteral(" pt ") + QString::number(pt)));
        if (gst_structure_has_field(gst_caps_get_structure(ours.get(), 0), "a-framesize")) ++framesizes;
      }
    }
    QCOMPARE(framesizes, 3);  // 96's, 97's (each first in its m-line), and "126 " as payload type 0's
  }

  // An SDP beyond the bounds of RtpCodecs.h is refused (40201) before its m-lines are read: a
  // 27 kB offer of 1000 formats and 1000 attributes held the engine thread for 1.2 s, and
  // webrtcbin reads offers the same quadratic way. What is within the bounds is read.
  void sdpSizeLimits() {
    QString error;
    QVERIFY2(initGStreamer(&error), qPrintable(error));
    const auto sdp = [](int medias, int formats, int attributes) {
      QString text = QStringLiteral("v=0\r\no=- 0 0 IN IP4 127.0.0.1\r\ns=-\r\nc=IN IP4 127.0.0.1\r\nt=0 0\r\n");
      for (int m = 0; m < medias; ++m) {
        QStringList pts;
        for (int f = 0; f < formats; ++f) pts << QString::number(96 + f % 32);
        text += QStringLiteral("m=video %1 RTP/AVP %2\r\n").arg(40000 + 2 * m).arg(pts.join(u' '));
        for (int a = 0; a < attributes - 1; ++a) text += QStringLiteral("a=rtcp-fb:96 nack%1\r\n").arg(a);
        text += QStringLiteral("a=rtpmap:97 VP8/90000\r\n");
      }
      return text;
    };
    const auto refusal = [](const QString& text) -> QString {
      try {
        parseSdp(text, "offer");
      } catch (const KurentoException& e) {
        return QStringLiteral("%1 %2").arg(static_cast<int>(e.error().code)).arg(e.error().message);
      }
      return {};
    };
    QCOMPARE(refusal(sdp(1, 2, 2)), QString());
    QCOMPARE(refusal(sdp(int(kSdpMaxMedia), 2, 2)), QString());
    QCOMPARE(refusal(sdp(1, int(kSdpMaxFormatsPerMedia), int(kSdpMaxFormatAttributeProduct / kSdpMaxFormatsPerMedia))), QString());
    QCOMPARE(refusal(sdp(4, int(kSdpMaxFormatAttributeProduct / kSdpMaxAttributesPerMedia), int(kSdpMaxAttributesPerMedia))), QString());
    const QString tooMany = refusal(sdp(int(kSdpMaxMedia) + 1, 2, 2));
    QVERIFY2(tooMany.startsWith("40201 ") && tooMany.contains("65 m-lines"), qPrintable(tooMany));
    QVERIFY(refusal(sdp(1, int(kSdpMaxFormatsPerMedia) + 1, 1)).contains("m-line 0 has 129 formats"));
    QVERIFY(refusal(sdp(1, 1, int(kSdpMaxAttributesPerMedia) + 1)).contains("1025 attributes"));
    QVERIFY(refusal(sdp(1, 1000, 1000)).contains("128 formats and 1024 attributes per m-line"));
    QVERIFY(refusal(sdp(2, 64, 513)).contains("m-line 0 has 64 formats and 513 attributes"));  // the product
    QVERIFY(refusal(sdp(5, 2, int(kSdpMaxAttributesPerMedia))).contains("5120 attributes"));  // in all
    // Within the bounds, the codec is still found past every other attribute.
    SdpMessagePtr big = parseSdp(sdp(1, 32, int(kSdpMaxAttributesPerMedia)), "offer");
    QCOMPARE(chooseCodec(gst_sdp_message_get_media(big.get(), 0), true).payload, 97);
  }

  void h264Payloader() {
    // Mode 0: no STAP-A (aggregate-mode none), and packets as large as the caller allows.
    const QString mode0 = payloaderFor("H264", 96, kSingleNalUnitMtu, 0);
    QVERIFY(mode0.contains("aggregate-mode=none"));
    QVERIFY(mode0.contains(QStringLiteral("mtu=%1").arg(kSingleNalUnitMtu)));
    QVERIFY(payloaderFor("H264", 96, 1200, 1).contains("aggregate-mode=zero-latency"));
    QString error;
    QVERIFY2(initGStreamer(&error), qPrintable(error));
    ErrorPtr parseError;
    ElementRef bin = ElementRef::adopt(gst_parse_bin_from_description(mode0.toUtf8().constData(), TRUE, parseError.out()));
    QVERIFY2(bin && !parseError, parseError ? parseError->message : "no bin");
  }

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
