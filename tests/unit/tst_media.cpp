// Real media through the engine (real GStreamer, real files checked with GstDiscoverer):
// shared format adaptation, pass-through without decoding, recorder profiles, file confinement.

#include "MediaTestUtil.h"
#include "TestConnection.h"
#include "core/ObjectRegistry.h"
#include "media/MediaPipeline.h"

#include <QFileInfo>
#include <QTemporaryDir>
#include <QTest>

using namespace pw;

namespace {

// Generates a VP8+Opus WebM clip of `seconds` (320x240@30).
bool makeClip(const QString& path, int seconds) {
  const QString desc = QStringLiteral(
      "videotestsrc num-buffers=%1 ! video/x-raw,width=320,height=240,framerate=30/1 ! vp8enc deadline=1 ! "
      "webmmux name=m ! filesink location=%2 audiotestsrc num-buffers=%3 ! audio/x-raw,rate=48000 ! opusenc ! m.")
                           .arg(seconds * 30).arg(path).arg(seconds * 48000 / 1024);
  return runPipeline(desc, 30);
}

// Elements of `klass` ("Decoder", "Encoder") anywhere in the pipeline.
QStringList elementsOfClass(GstElement* pipeline, const char* klass) {
  QStringList found;
  GstIterator* it = gst_bin_iterate_recurse(GST_BIN(pipeline));
  GValue item = G_VALUE_INIT;
  while (gst_iterator_next(it, &item) == GST_ITERATOR_OK) {
    GstElement* e = GST_ELEMENT(g_value_get_object(&item));
    GstElementFactory* f = gst_element_get_factory(e);
    const char* k = f ? gst_element_factory_get_metadata(f, GST_ELEMENT_METADATA_KLASS) : nullptr;
    if (k && strstr(k, klass)) found.append(QString::fromUtf8(GST_OBJECT_NAME(f)));
    g_value_reset(&item);
  }
  g_value_unset(&item);
  gst_iterator_free(it);
  return found;
}

}  // namespace

class TestMedia : public QObject {
  Q_OBJECT

  QTemporaryDir dir_;
  QString clip_;
  std::unique_ptr<Engine> engine_;
  std::shared_ptr<TestConnection> c_ = std::make_shared<TestConnection>();

  QString create(const QString& type, const QJsonObject& params) {
    const auto r = call(*engine_, c_, "create", {{"type", type}, {"constructorParams", params}});
    return r.value("result").toObject().value("value").toString();
  }
  QJsonObject invoke(const QString& object, const QString& op, const QJsonObject& params = {}) {
    QJsonObject p{{"object", object}, {"operation", op}};
    if (!params.isEmpty()) p.insert("operationParams", params);
    return call(*engine_, c_, "invoke", p, 20000);
  }
  void subscribe(const QString& object, const QString& type) {
    QVERIFY(call(*engine_, c_, "subscribe", {{"object", object}, {"type", type}}).contains("result"));
  }
  GstElement* gstPipeline(const QString& id) {
    return std::static_pointer_cast<MediaPipeline>(engine_->registry().find(id))->gst();
  }
  int countEvents(const QString& type, const QString& state) {
    int n = 0;
    for (const auto& m : c_->messages) {
      const auto v = m.value("params").toObject().value("value").toObject();
      if (v.value("type") == type && v.value("data").toObject().value("state") == state) ++n;
    }
    return n;
  }

 private Q_SLOTS:
  void initTestCase() {
    QString error;
    QVERIFY2(initGStreamer(&error), qPrintable(error));
    clip_ = dir_.filePath("clip.webm");
    QVERIFY(makeClip(clip_, 3));
    Config config;
    config.mediaFolders = {dir_.path()};
    engine_ = std::make_unique<Engine>(config);
  }
  void cleanupTestCase() { engine_.reset(); }
  void init() { c_->messages.clear(); }

  // One raw source, two WebM recorders: one VP8 encoder serves both (design §3).
  void transcodesOncePerFormat() {
    const QString p = create("MediaPipeline", {});
    const QString player = create("PlayerEndpoint", {{"mediaPipeline", p}, {"uri", "file://" + clip_}});
    const QString r1 = create("RecorderEndpoint", {{"mediaPipeline", p}, {"uri", "file://" + dir_.filePath("a.webm")}});
    const QString r2 = create("RecorderEndpoint", {{"mediaPipeline", p}, {"uri", "file://" + dir_.filePath("b.webm")}});
    QVERIFY(!r1.isEmpty() && !r2.isEmpty());
    subscribe(player, "EndOfStream");
    subscribe(player, "MediaTranscodingStateChanged");
    QVERIFY(invoke(player, "connect", {{"sink", r1}}).contains("result"));
    QVERIFY(invoke(player, "connect", {{"sink", r2}}).contains("result"));
    invoke(r1, "record");
    invoke(r2, "record");
    invoke(player, "play");
    QTest::qWait(1500);
    QCOMPARE(elementsOfClass(gstPipeline(p), "Encoder/Video").size(), 1);
    QVERIFY(invoke(player, "isMediaTranscoding", {{"mediaType", "VIDEO"}}).value("result").toObject().value("value").toBool());
    QVERIFY(!waitEvent(c_, "EndOfStream", player).isEmpty());
    QCOMPARE(countEvents("MediaTranscodingStateChanged", "TRANSCODING"), 2);  // one video + one audio branch
    QVERIFY(invoke(r1, "stopAndWait").contains("result"));
    QVERIFY(invoke(r2, "stopAndWait").contains("result"));
    for (const QString f : {dir_.filePath("a.webm"), dir_.filePath("b.webm")}) {
      const Discovered d = discover(f);
      QVERIFY2(qAbs(d.durationSec - 3.0) <= 0.3, qPrintable(QStringLiteral("%1: %2 s").arg(f).arg(d.durationSec)));
      QCOMPARE(d.video, QStringList{"video/x-vp8"});
      QCOMPARE(d.audio, QStringList{"audio/x-opus"});
    }
    QVERIFY(call(*engine_, c_, "release", {{"object", p}}).contains("result"));
  }

  // Encoded VP8 into a WebM recorder: no decoder or encoder anywhere, no transcoding event.
  void matchingFormatPassesThrough() {
    const QString p = create("MediaPipeline", {});
    const QString player =
        create("PlayerEndpoint", {{"mediaPipeline", p}, {"uri", "file://" + clip_}, {"useEncodedMedia", true}});
    const QString pass = create("PassThrough", {{"mediaPipeline", p}});
    const QString rec = create("RecorderEndpoint", {{"mediaPipeline", p}, {"uri", "file://" + dir_.filePath("c.webm")}});
    subscribe(player, "EndOfStream");
    for (const auto& id : {player, pass}) subscribe(id, "MediaTranscodingStateChanged");
    invoke(player, "connect", {{"sink", pass}});
    invoke(pass, "connect", {{"sink", rec}});
    invoke(rec, "record");
    invoke(player, "play");
    QTest::qWait(1500);
    QCOMPARE(elementsOfClass(gstPipeline(p), "Decoder"), QStringList());
    QCOMPARE(elementsOfClass(gstPipeline(p), "Encoder"), QStringList());
    QVERIFY(!waitEvent(c_, "EndOfStream", player).isEmpty());
    QCOMPARE(countEvents("MediaTranscodingStateChanged", "TRANSCODING"), 0);
    QVERIFY(invoke(rec, "stopAndWait").contains("result"));
    const Discovered d = discover(dir_.filePath("c.webm"));
    QVERIFY2(qAbs(d.durationSec - 3.0) <= 0.3, qPrintable(QString::number(d.durationSec)));
    QCOMPARE(d.video, QStringList{"video/x-vp8"});
    QCOMPARE(d.audio, QStringList{"audio/x-opus"});
    call(*engine_, c_, "release", {{"object", p}});
  }

  // Releasing a sink stops its transcode branch: NOT_TRANSCODING fires.
  void transcodeStopsWhenLastSinkLeaves() {
    const QString p = create("MediaPipeline", {});
    const QString player = create("PlayerEndpoint", {{"mediaPipeline", p}, {"uri", "file://" + clip_}});
    const QString rec = create("RecorderEndpoint", {{"mediaPipeline", p}, {"uri", "file://" + dir_.filePath("d.webm")}});
    subscribe(player, "MediaTranscodingStateChanged");
    invoke(player, "connect", {{"sink", rec}, {"mediaType", "VIDEO"}});
    invoke(player, "play");
    const auto on = waitEvent(c_, "MediaTranscodingStateChanged", player);
    QCOMPARE(on.value("state").toString(), QString("TRANSCODING"));
    QCOMPARE(on.value("mediaType").toString(), QString("VIDEO"));
    invoke(player, "disconnect", {{"sink", rec}});
    const auto off = waitEvent(c_, "MediaTranscodingStateChanged", player);
    QCOMPARE(off.value("state").toString(), QString("NOT_TRANSCODING"));
    QTest::qWait(300);
    QCOMPARE(elementsOfClass(gstPipeline(p), "Encoder").size(), 0);
    call(*engine_, c_, "release", {{"object", p}});
  }

  void recorderProfiles_data() {
    QTest::addColumn<QString>("profile");
    QTest::addColumn<QStringList>("video");
    QTest::addColumn<QStringList>("audio");
    QTest::newRow("MKV") << "MKV" << QStringList{"video/x-h264"} << QStringList{"audio/x-opus"};
    QTest::newRow("MP4") << "MP4" << QStringList{"video/x-h264"} << QStringList{"audio/mpeg"};
    QTest::newRow("WEBM_AUDIO_ONLY") << "WEBM_AUDIO_ONLY" << QStringList{} << QStringList{"audio/x-opus"};
    QTest::newRow("MKV_VIDEO_ONLY") << "MKV_VIDEO_ONLY" << QStringList{"video/x-h264"} << QStringList{};
  }
  void recorderProfiles() {
    QFETCH(QString, profile);
    QFETCH(QStringList, video);
    QFETCH(QStringList, audio);
    const QString file = dir_.filePath("profile-" + profile + (profile.startsWith("MP4") ? ".mp4" : ".mkv"));
    const QString p = create("MediaPipeline", {});
    const QString player = create("PlayerEndpoint", {{"mediaPipeline", p}, {"uri", "file://" + clip_}});
    const QString rec = create("RecorderEndpoint", {{"mediaPipeline", p}, {"uri", "file://" + file}, {"mediaProfile", profile}});
    subscribe(player, "EndOfStream");
    subscribe(rec, "Recording");
    invoke(player, "connect", {{"sink", rec}});
    invoke(rec, "record");
    invoke(player, "play");
    QVERIFY(!waitEvent(c_, "Recording", rec).isEmpty());
    QVERIFY(!waitEvent(c_, "EndOfStream", player).isEmpty());
    QVERIFY(invoke(rec, "stopAndWait").contains("result"));
    const Discovered d = discover(file);
    QVERIFY2(qAbs(d.durationSec - 3.0) <= 0.3, qPrintable(QString::number(d.durationSec)));
    QCOMPARE(d.video, video);
    QCOMPARE(d.audio, audio);
    call(*engine_, c_, "release", {{"object", p}});
  }

  // The picture's colorimetry changes mid-recording (here a filter's caps, in the studio's
  // Four-way Composite the grid's): the muxers refuse any caps change after their header, so
  // the recorder keeps the file's caps and the whole recording plays, without an Error.
  void recorderTakesAColorimetryChange_data() {
    QTest::addColumn<QString>("profile");
    QTest::addColumn<QString>("video");
    QTest::newRow("WEBM_VIDEO_ONLY") << "WEBM_VIDEO_ONLY" << "video/x-vp8";
    QTest::newRow("MKV_VIDEO_ONLY") << "MKV_VIDEO_ONLY" << "video/x-h264";
    QTest::newRow("MP4_VIDEO_ONLY") << "MP4_VIDEO_ONLY" << "video/x-h264";
  }
  void recorderTakesAColorimetryChange() {
    QFETCH(QString, profile);
    QFETCH(QString, video);
    const QString longClip = dir_.filePath("clip6.webm");
    if (!QFileInfo::exists(longClip)) QVERIFY(makeClip(longClip, 6));
    const QString file = dir_.filePath("colorimetry-" + profile + (profile.startsWith("MP4") ? ".mp4" : ".mkv"));
    const QString p = create("MediaPipeline", {});
    const QString player = create("PlayerEndpoint", {{"mediaPipeline", p}, {"uri", "file://" + longClip}});
    const QString filter = create("GStreamerFilter", {{"mediaPipeline", p}, {"command", "capsfilter caps=video/x-raw,colorimetry=bt709"}});
    const QString rec = create("RecorderEndpoint", {{"mediaPipeline", p}, {"uri", "file://" + file}, {"mediaProfile", profile}});
    QVERIFY(!filter.isEmpty() && !rec.isEmpty());
    subscribe(rec, "Error");
    subscribe(rec, "Recording");
    invoke(player, "connect", {{"sink", filter}});
    invoke(filter, "connect", {{"sink", rec}});
    invoke(rec, "record");
    invoke(player, "play");
    QVERIFY(!waitEvent(c_, "Recording", rec).isEmpty());
    QTest::qWait(1500);
    QVERIFY(invoke(filter, "setElementProperty", {{"propertyName", "caps"}, {"propertyValue", "video/x-raw,colorimetry=bt601"}})
                .contains("result"));
    QTest::qWait(2500);
    QVERIFY(invoke(rec, "stopAndWait").contains("result"));
    const QJsonObject error = waitEvent(c_, "Error", rec, 100);
    QVERIFY2(error.isEmpty(), qPrintable(error.value("description").toString()));
    const Discovered d = discover(file);
    QCOMPARE(d.video, QStringList{video});
    QVERIFY2(d.durationSec > 3.3, qPrintable(QStringLiteral("%1 s").arg(d.durationSec)));
    const DecodedSpan span = decodeToEnd(file);
    QVERIFY2(span.ok, qPrintable(span.error));
    QVERIFY2(span.lastVideoSec > 3.3, qPrintable(QStringLiteral("video decodes to %1 s").arg(span.lastVideoSec)));
    call(*engine_, c_, "release", {{"object", p}});
  }

  // A change the muxer cannot take (a WebM track keeps its frame rate): the recorder raises
  // one Error that says what happened, and stops (Stopped, state STOP) with a file that plays.
  void recorderStopsWhenItsFileFails() {
    const QString longClip = dir_.filePath("clip6.webm");
    if (!QFileInfo::exists(longClip)) QVERIFY(makeClip(longClip, 6));
    const QString file = dir_.filePath("failing.webm");
    const QString p = create("MediaPipeline", {});
    const QString player = create("PlayerEndpoint", {{"mediaPipeline", p}, {"uri", "file://" + longClip}});
    const QString filter = create("GStreamerFilter", {{"mediaPipeline", p}, {"command", "videorate ! capsfilter caps=video/x-raw,framerate=30/1"}});
    const QString rec = create("RecorderEndpoint", {{"mediaPipeline", p}, {"uri", "file://" + file}, {"mediaProfile", "WEBM_VIDEO_ONLY"}});
    for (const char* type : {"Error", "Recording", "Stopped"}) subscribe(rec, type);
    invoke(player, "connect", {{"sink", filter}});
    invoke(filter, "connect", {{"sink", rec}});
    invoke(rec, "record");
    invoke(player, "play");
    QVERIFY(!waitEvent(c_, "Recording", rec).isEmpty());
    QTest::qWait(1500);
    invoke(filter, "setElementProperty", {{"propertyName", "caps"}, {"propertyValue", "video/x-raw,framerate=15/1"}});
    const QJsonObject error = waitEvent(c_, "Error", rec, 5000);
    QVERIFY2(error.value("description").toString().contains("Caps changes are not supported by Matroska"),
             qPrintable(error.value("description").toString()));
    QVERIFY(!waitEvent(c_, "Stopped", rec, 3000).isEmpty());
    QCOMPARE(invoke(rec, "getState").value("result").toObject().value("value").toString(), QString("STOP"));
    QTest::qWait(500);
    QVERIFY2(waitEvent(c_, "Error", rec, 10).isEmpty(), "one Error for one failure");
    QVERIFY(invoke(rec, "stopAndWait").contains("result"));  // nothing left to wait for
    const DecodedSpan span = decodeToEnd(file);
    QVERIFY2(span.ok, qPrintable(span.error));
    QVERIFY2(span.lastVideoSec > 1.0, qPrintable(QStringLiteral("video decodes to %1 s").arg(span.lastVideoSec)));
    call(*engine_, c_, "release", {{"object", p}});
  }

  void fileUrisAreConfined() {
    const QString p = create("MediaPipeline", {});
    const QString outside = QDir::tempPath() + "/pipewright-outside-" + QString::number(QCoreApplication::applicationPid()) + ".webm";
    const auto r = call(*engine_, c_, "create",
                        {{"type", "RecorderEndpoint"}, {"constructorParams", QJsonObject{{"mediaPipeline", p}, {"uri", "file://" + outside}}}});
    QCOMPARE(r.value("error").toObject().value("code").toInt(), 40107);
    QVERIFY(!QFileInfo::exists(outside));
    const auto traversal = call(*engine_, c_, "create",
                                {{"type", "PlayerEndpoint"},
                                 {"constructorParams", QJsonObject{{"mediaPipeline", p}, {"uri", "file://" + dir_.path() + "/../../etc/passwd"}}}});
    QCOMPARE(traversal.value("error").toObject().value("code").toInt(), 40107);
    call(*engine_, c_, "release", {{"object", p}});
  }
};

QTEST_GUILESS_MAIN(TestMedia)
#include "tst_media.moc"
