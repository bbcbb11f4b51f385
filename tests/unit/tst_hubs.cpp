// Hubs with real media: Composite grids and mixes, DispatcherOneToMany switches sources,
// ports come and go without leaking. Frames are decoded from the recordings and checked by pixel.

#include "MediaTestUtil.h"
#include "TestConnection.h"
#include "core/ObjectRegistry.h"
#include "media/MediaPipeline.h"

#include <QDir>
#include <QTemporaryDir>
#include <QTest>

#include <gst/app/gstappsink.h>

using namespace pw;

namespace {


// A clip of one solid colour (0xRRGGBB) with a tone.
bool makeColourClip(const QString& path, quint32 rgb, int freq, int seconds) {
  return runPipeline(QStringLiteral(
      "videotestsrc pattern=solid-color foreground-color=%1 num-buffers=%2 ! video/x-raw,width=320,height=240,framerate=30/1 ! "
      "vp8enc deadline=1 ! webmmux name=m ! filesink location=%3 audiotestsrc freq=%4 num-buffers=%5 ! "
      "audio/x-raw,rate=48000 ! opusenc ! m.")
                      .arg(0xff000000u | rgb).arg(seconds * 30).arg(path).arg(freq).arg(seconds * 48000 / 1024));
}

struct Frame {
  int width = 0, height = 0;
  QByteArray rgb;
  quint32 pixel(double fx, double fy) const {
    const int x = std::clamp(int(fx * width), 0, width - 1), y = std::clamp(int(fy * height), 0, height - 1);
    const auto* p = reinterpret_cast<const uchar*>(rgb.constData()) + (y * width + x) * 3;
    return (quint32(p[0]) << 16) | (quint32(p[1]) << 8) | p[2];
  }
};

// The decoded frame of `file` at `seconds`.
Frame frameAt(const QString& file, double seconds) {
  Frame f;
  GstElement* p = gst_parse_launch(
      QStringLiteral("filesrc location=%1 ! decodebin ! videoconvert ! video/x-raw,format=RGB ! appsink name=s sync=false")
          .arg(file).toUtf8().constData(), nullptr);
  GstElement* sink = gst_bin_get_by_name(GST_BIN(p), "s");
  gst_element_set_state(p, GST_STATE_PAUSED);
  gst_element_get_state(p, nullptr, nullptr, 10 * GST_SECOND);
  gst_element_seek_simple(p, GST_FORMAT_TIME, GstSeekFlags(GST_SEEK_FLAG_FLUSH | GST_SEEK_FLAG_ACCURATE), gint64(seconds * GST_SECOND));
  gst_element_get_state(p, nullptr, nullptr, 10 * GST_SECOND);
  if (GstSample* s = gst_app_sink_try_pull_preroll(GST_APP_SINK(sink), 10 * GST_SECOND)) {
    GstStructure* st = gst_caps_get_structure(gst_sample_get_caps(s), 0);
    gst_structure_get_int(st, "width", &f.width);
    gst_structure_get_int(st, "height", &f.height);
    GstMapInfo map;
    GstBuffer* b = gst_sample_get_buffer(s);
    if (gst_buffer_map(b, &map, GST_MAP_READ)) {
      // Rows may be padded to 4 bytes: copy row by row.
      const int stride = ((f.width * 3) + 3) & ~3;
      for (int y = 0; y < f.height; ++y) f.rgb.append(reinterpret_cast<const char*>(map.data) + y * stride, f.width * 3);
      gst_buffer_unmap(b, &map);
    }
    gst_sample_unref(s);
  }
  gst_object_unref(sink);
  gst_element_set_state(p, GST_STATE_NULL);
  gst_object_unref(p);
  return f;
}

// Close to a colour (codecs blur a little).
bool near(quint32 a, quint32 b, int tolerance = 60) {
  for (int shift : {16, 8, 0}) {
    if (std::abs(int((a >> shift) & 0xff) - int((b >> shift) & 0xff)) > tolerance) return false;
  }
  return true;
}

// The loudest RMS level (dB) of the file's audio track, from GStreamer's level element.
double peakRmsDb(const QString& file) {
  GstElement* p = gst_parse_launch(QStringLiteral("filesrc location=%1 ! matroskademux name=d d.audio_0 ! opusdec ! "
                                                  "audioconvert ! level interval=100000000 ! fakesink sync=false").arg(file).toUtf8().constData(), nullptr);
  gst_element_set_state(p, GST_STATE_PLAYING);
  GstBus* bus = gst_element_get_bus(p);
  double peak = -200;
  while (GstMessage* m = gst_bus_timed_pop_filtered(bus, 10 * GST_SECOND, GstMessageType(GST_MESSAGE_ELEMENT | GST_MESSAGE_EOS | GST_MESSAGE_ERROR))) {
    const bool done = GST_MESSAGE_TYPE(m) != GST_MESSAGE_ELEMENT;
    const GstStructure* s = gst_message_get_structure(m);
    if (!done && s && gst_structure_has_name(s, "level")) {
      const GValue* rms = gst_structure_get_value(s, "rms");
      GValueArray* arr = static_cast<GValueArray*>(g_value_get_boxed(rms));
      G_GNUC_BEGIN_IGNORE_DEPRECATIONS
      for (guint i = 0; arr && i < arr->n_values; ++i) peak = std::max(peak, g_value_get_double(g_value_array_get_nth(arr, i)));
      G_GNUC_END_IGNORE_DEPRECATIONS
    }
    gst_message_unref(m);
    if (done) break;
  }
  gst_object_unref(bus);
  gst_element_set_state(p, GST_STATE_NULL);
  gst_object_unref(p);
  return peak;
}

int countEntries(const QString& dir) { return int(QDir(dir).entryList(QDir::AllEntries | QDir::System | QDir::NoDotAndDotDot).size()); }

}  // namespace

class TestHubs : public QObject {
  Q_OBJECT

  QTemporaryDir dir_;
  std::unique_ptr<Engine> engine_;
  std::shared_ptr<TestConnection> c_ = std::make_shared<TestConnection>();
  const QList<QPair<quint32, int>> colours_{{0xff0000, 300}, {0x00ff00, 500}, {0x0000ff, 700}, {0xffff00, 900}};

  QString create(const QString& type, const QJsonObject& params) {
    const auto r = call(*engine_, c_, "create", {{"type", type}, {"constructorParams", params}});
    if (!r.contains("result")) qWarning() << r;
    return r.value("result").toObject().value("value").toString();
  }
  QJsonObject invoke(const QString& object, const QString& op, const QJsonObject& params = {}) {
    QJsonObject p{{"object", object}, {"operation", op}};
    if (!params.isEmpty()) p.insert("operationParams", params);
    const auto r = call(*engine_, c_, "invoke", p, 20000);
    if (!r.contains("result")) qWarning() << op << r;
    return r;
  }
  QString clip(int i) { return dir_.filePath(QStringLiteral("colour%1.webm").arg(i)); }

 private Q_SLOTS:
  void initTestCase() {
    QString error;
    QVERIFY2(initGStreamer(&error), qPrintable(error));
    if (qEnvironmentVariableIsSet("PW_KEEP")) {
      dir_.setAutoRemove(false);
      qInfo("keeping media in %s", qPrintable(dir_.path()));
    }
    for (int i = 0; i < 4; ++i) QVERIFY(makeColourClip(clip(i), colours_[i].first, colours_[i].second, 8));
    Config config;
    config.mediaFolders = {dir_.path()};
    engine_ = std::make_unique<Engine>(config);
  }
  void cleanupTestCase() { engine_.reset(); }

  // Four coloured players → Composite → one port → recorder: four quadrants, mixed audio.
  void compositeGridOfFour() {
    const QString p = create("MediaPipeline", {});
    const QString composite = create("Composite", {{"mediaPipeline", p}, {"width", 640}, {"height", 480}, {"framerate", 15}});
    QStringList players;
    for (int i = 0; i < 4; ++i) {
      const QString player = create("PlayerEndpoint", {{"mediaPipeline", p}, {"uri", "file://" + clip(i)}});
      const QString port = create("HubPort", {{"hub", composite}});
      QVERIFY(!port.isEmpty());
      QVERIFY(invoke(player, "connect", {{"sink", port}}).contains("result"));
      players.append(player);
    }
    const QString outPort = create("HubPort", {{"hub", composite}});
    const QString file = dir_.filePath("grid.webm");
    const QString rec = create("RecorderEndpoint", {{"mediaPipeline", p}, {"uri", "file://" + file}});
    QVERIFY(invoke(outPort, "connect", {{"sink", rec}}).contains("result"));
    for (const auto& pl : players) invoke(pl, "play");
    QTest::qWait(1500);  // every port's video flowing → a 2x2 grid
    invoke(rec, "record");
    QTest::qWait(4000);
    QVERIFY(invoke(rec, "stopAndWait").contains("result"));
    const Frame f = frameAt(file, 2.0);
    QCOMPARE(f.width, 640);
    const QList<QPair<double, double>> centres{{0.25, 0.25}, {0.75, 0.25}, {0.25, 0.75}, {0.75, 0.75}};
    for (int i = 0; i < 4; ++i) {
      const quint32 got = f.pixel(centres[i].first, centres[i].second);
      QVERIFY2(near(got, colours_[i].first), qPrintable(QStringLiteral("quadrant %1: %2 instead of %3").arg(i).arg(got, 6, 16, QChar('0')).arg(colours_[i].first, 6, 16, QChar('0'))));
    }
    // The mix reached the file: its audio is clearly not silence.
    const double rms = peakRmsDb(file);
    QVERIFY2(rms > -30.0, qPrintable(QStringLiteral("audio RMS %1 dB").arg(rms)));
    QVERIFY(call(*engine_, c_, "release", {{"object", p}}).contains("result"));
  }

  // The studio's Four-way Composite template, in the order Run uses: the recorder records before
  // the players play, so the grid's colorimetry changes mid-recording (the black 800x600
  // background alone is bt709; with the 320x240 VP8 clips in it the compositor picks bt601).
  // The file must still play to its end: no muxer error, every second recorded, four quadrants.
  void compositeTemplateRecordsFromTheStart() {
    const QString p = create("MediaPipeline", {});
    const QString composite = create("Composite", {{"mediaPipeline", p}});  // 800x600 at 15 fps, as the template
    QStringList players;
    for (int i = 0; i < 4; ++i) {
      const QString player = create("PlayerEndpoint", {{"mediaPipeline", p}, {"uri", "file://" + clip(i)}});
      QVERIFY(invoke(player, "connect", {{"sink", create("HubPort", {{"hub", composite}})}}).contains("result"));
      players.append(player);
    }
    const QString outPort = create("HubPort", {{"hub", composite}});
    const QString file = dir_.filePath("template-grid.webm");
    const QString rec = create("RecorderEndpoint", {{"mediaPipeline", p}, {"uri", "file://" + file}});
    QVERIFY(invoke(outPort, "connect", {{"sink", rec}}).contains("result"));
    for (const QString& type : {QStringLiteral("Error"), QStringLiteral("Stopped")}) {
      QVERIFY(call(*engine_, c_, "subscribe", {{"object", rec}, {"type", type}}).contains("result"));
    }
    QVERIFY(invoke(rec, "record").contains("result"));
    QTest::qWait(800);  // the background alone reaches the file first
    for (const auto& pl : players) invoke(pl, "play");
    QTest::qWait(5000);
    QVERIFY(invoke(rec, "stopAndWait").contains("result"));
    const QJsonObject error = waitEvent(c_, "Error", rec, 200);
    QVERIFY2(error.isEmpty(), qPrintable(error.value("description").toString()));
    const Discovered d = discover(file);
    QCOMPARE(d.video, QStringList{"video/x-vp8"});
    QVERIFY2(d.durationSec > 4.5, qPrintable(QStringLiteral("%1 s recorded").arg(d.durationSec)));
    const DecodedSpan span = decodeToEnd(file);
    QVERIFY2(span.ok, qPrintable(span.error));
    QVERIFY2(span.lastVideoSec > 4.5, qPrintable(QStringLiteral("video decodes to %1 s").arg(span.lastVideoSec)));
    const Frame f = frameAt(file, 4.0);
    QCOMPARE(f.width, 800);
    const QList<QPair<double, double>> centres{{0.25, 0.25}, {0.75, 0.25}, {0.25, 0.75}, {0.75, 0.75}};
    for (int i = 0; i < 4; ++i) {
      const quint32 got = f.pixel(centres[i].first, centres[i].second);
      QVERIFY2(near(got, colours_[i].first), qPrintable(QStringLiteral("quadrant %1: %2").arg(i).arg(got, 6, 16, QChar('0'))));
    }
    call(*engine_, c_, "release", {{"object", p}});
  }

  // A port with no video leaves no hole: one video player and one audio-only source → full frame.
  void portWithoutVideoLeavesNoHole() {
    const QString audioOnly = dir_.filePath("tone.webm");
    QVERIFY(runPipeline(QStringLiteral("audiotestsrc num-buffers=400 ! audio/x-raw,rate=48000 ! opusenc ! webmmux ! filesink location=%1").arg(audioOnly)));
    const QString p = create("MediaPipeline", {});
    const QString composite = create("Composite", {{"mediaPipeline", p}, {"width", 320}, {"height", 240}});
    const QString a = create("PlayerEndpoint", {{"mediaPipeline", p}, {"uri", "file://" + clip(1)}});
    const QString b = create("PlayerEndpoint", {{"mediaPipeline", p}, {"uri", "file://" + audioOnly}});
    for (const auto& src : {a, b}) invoke(src, "connect", {{"sink", create("HubPort", {{"hub", composite}})}});
    const QString out = create("HubPort", {{"hub", composite}});
    const QString file = dir_.filePath("nohole.webm");
    const QString rec = create("RecorderEndpoint", {{"mediaPipeline", p}, {"uri", "file://" + file}, {"mediaProfile", "WEBM_VIDEO_ONLY"}});
    invoke(out, "connect", {{"sink", rec}});
    invoke(a, "play");
    invoke(b, "play");
    QTest::qWait(1500);
    invoke(rec, "record");
    QTest::qWait(2500);
    invoke(rec, "stopAndWait");
    const Frame f = frameAt(file, 1.0);
    for (double x : {0.1, 0.5, 0.9}) QVERIFY2(near(f.pixel(x, 0.5), colours_[1].first), qPrintable(QString::number(f.pixel(x, 0.5), 16)));
    call(*engine_, c_, "release", {{"object", p}});
  }

  // DispatcherOneToMany switching its source: the viewer follows.
  void dispatcherOneToManySwitches() {
    const QString p = create("MediaPipeline", {});
    const QString hub = create("DispatcherOneToMany", {{"mediaPipeline", p}});
    const QString red = create("PlayerEndpoint", {{"mediaPipeline", p}, {"uri", "file://" + clip(0)}});
    const QString blue = create("PlayerEndpoint", {{"mediaPipeline", p}, {"uri", "file://" + clip(2)}});
    const QString redPort = create("HubPort", {{"hub", hub}});
    const QString bluePort = create("HubPort", {{"hub", hub}});
    const QString viewer = create("HubPort", {{"hub", hub}});
    invoke(red, "connect", {{"sink", redPort}});
    invoke(blue, "connect", {{"sink", bluePort}});
    const QString file = dir_.filePath("switch.webm");
    const QString rec = create("RecorderEndpoint", {{"mediaPipeline", p}, {"uri", "file://" + file}, {"mediaProfile", "WEBM_VIDEO_ONLY"}});
    invoke(viewer, "connect", {{"sink", rec}});
    QVERIFY(invoke(hub, "setSource", {{"source", redPort}}).contains("result"));
    invoke(red, "play");
    invoke(blue, "play");
    invoke(rec, "record");
    QTest::qWait(2500);
    QVERIFY(invoke(hub, "setSource", {{"source", bluePort}}).contains("result"));
    QTest::qWait(2500);
    invoke(rec, "stopAndWait");
    QVERIFY(near(frameAt(file, 1.0).pixel(0.5, 0.5), colours_[0].first));
    // Within a second of the switch the viewer shows the new source.
    QVERIFY2(near(frameAt(file, 3.5).pixel(0.5, 0.5), colours_[2].first), qPrintable(QString::number(frameAt(file, 3.5).pixel(0.5, 0.5), 16)));
    call(*engine_, c_, "release", {{"object", p}});
  }

  // AlphaBlending: the master fills the frame; another port sits where setPortProperties puts it.
  void alphaBlendingPlacesPorts() {
    const QString p = create("MediaPipeline", {});
    const QString hub = create("AlphaBlending", {{"mediaPipeline", p}});
    const QString red = create("PlayerEndpoint", {{"mediaPipeline", p}, {"uri", "file://" + clip(0)}});
    const QString blue = create("PlayerEndpoint", {{"mediaPipeline", p}, {"uri", "file://" + clip(2)}});
    const QString masterPort = create("HubPort", {{"hub", hub}});
    const QString smallPort = create("HubPort", {{"hub", hub}});
    const QString out = create("HubPort", {{"hub", hub}});
    invoke(red, "connect", {{"sink", masterPort}});
    invoke(blue, "connect", {{"sink", smallPort}});
    QVERIFY(invoke(hub, "setMaster", {{"source", masterPort}, {"zOrder", 0}}).contains("result"));
    QVERIFY(invoke(hub, "setPortProperties", {{"relativeX", 0.5}, {"relativeY", 0.5}, {"zOrder", 1}, {"relativeWidth", 0.5},
                                              {"relativeHeight", 0.5}, {"port", smallPort}}).contains("result"));
    QCOMPARE(invoke(hub, "setPortProperties", {{"relativeX", 1.5}, {"relativeY", 0.5}, {"zOrder", 1}, {"relativeWidth", 0.5},
                                               {"relativeHeight", 0.5}, {"port", smallPort}}).value("error").toObject().value("code").toInt(), 40107);
    const QString file = dir_.filePath("alpha.webm");
    const QString rec = create("RecorderEndpoint", {{"mediaPipeline", p}, {"uri", "file://" + file}, {"mediaProfile", "WEBM_VIDEO_ONLY"}});
    invoke(out, "connect", {{"sink", rec}});
    invoke(red, "play");
    invoke(blue, "play");
    QTest::qWait(1500);
    invoke(rec, "record");
    QTest::qWait(2500);
    invoke(rec, "stopAndWait");
    const Frame f = frameAt(file, 1.0);
    QVERIFY2(near(f.pixel(0.25, 0.25), colours_[0].first), qPrintable(QString::number(f.pixel(0.25, 0.25), 16)));
    QVERIFY2(near(f.pixel(0.75, 0.75), colours_[2].first), qPrintable(QString::number(f.pixel(0.75, 0.75), 16)));
    call(*engine_, c_, "release", {{"object", p}});
  }

  // Mixer: connect by media type between ports; the viewer sees the chosen source's video.
  void mixerRoutesByMediaType() {
    const QString p = create("MediaPipeline", {});
    const QString hub = create("Mixer", {{"mediaPipeline", p}});
    const QString yellow = create("PlayerEndpoint", {{"mediaPipeline", p}, {"uri", "file://" + clip(3)}});
    const QString srcPort = create("HubPort", {{"hub", hub}});
    const QString viewer = create("HubPort", {{"hub", hub}});
    invoke(yellow, "connect", {{"sink", srcPort}});
    QVERIFY(invoke(hub, "connect", {{"media", "VIDEO"}, {"source", srcPort}, {"sink", viewer}}).contains("result"));
    const QString file = dir_.filePath("mixer.webm");
    const QString rec = create("RecorderEndpoint", {{"mediaPipeline", p}, {"uri", "file://" + file}, {"mediaProfile", "WEBM_VIDEO_ONLY"}});
    invoke(viewer, "connect", {{"sink", rec}});
    invoke(yellow, "play");
    invoke(rec, "record");
    QTest::qWait(2500);
    invoke(rec, "stopAndWait");
    QVERIFY(near(frameAt(file, 1.0).pixel(0.5, 0.5), colours_[3].first));
    call(*engine_, c_, "release", {{"object", p}});
  }

  // Ports joining and leaving a running Composite: no stall, threads and FDs back to baseline.
  void portsComeAndGo() {
    const QString p = create("MediaPipeline", {});
    const QString composite = create("Composite", {{"mediaPipeline", p}, {"width", 320}, {"height", 240}});
    const QString player = create("PlayerEndpoint", {{"mediaPipeline", p}, {"uri", "file://" + clip(3)}});
    const QString port = create("HubPort", {{"hub", composite}});
    invoke(player, "connect", {{"sink", port}});
    const QString watcher = create("HubPort", {{"hub", composite}});
    const QString pass = create("PassThrough", {{"mediaPipeline", p}});
    invoke(watcher, "connect", {{"sink", pass}});
    call(*engine_, c_, "subscribe", {{"object", pass}, {"type", "MediaFlowInStateChanged"}});
    invoke(player, "play");
    QTest::qWait(1000);
    const int fds0 = countEntries("/proc/self/fd");
    const int threads0 = countEntries("/proc/self/task");
    for (int i = 0; i < 100; ++i) {
      const QString extra = create("HubPort", {{"hub", composite}});
      QVERIFY(!extra.isEmpty());
      if (i % 10 == 0) QTest::qWait(50);
      QVERIFY(call(*engine_, c_, "release", {{"object", extra}}).contains("result"));
    }
    QTest::qWait(1500);
    QVERIFY2(invoke(pass, "isMediaFlowingIn", {{"mediaType", "VIDEO"}}).value("result").toObject().value("value").toBool(),
             "the grid kept flowing while ports came and went");
    const int fds = countEntries("/proc/self/fd");
    const int threads = countEntries("/proc/self/task");
    QVERIFY2(fds <= fds0 + 2, qPrintable(QStringLiteral("fds %1 → %2").arg(fds0).arg(fds)));
    QVERIFY2(threads <= threads0 + 2, qPrintable(QStringLiteral("threads %1 → %2").arg(threads0).arg(threads)));
    call(*engine_, c_, "release", {{"object", p}});
  }
};

QTEST_GUILESS_MAIN(TestHubs)
#include "tst_hubs.moc"
