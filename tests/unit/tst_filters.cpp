// The Kurento filters with real media: ZBarFilter reads QR codes from a clip; FaceOverlayFilter
// and ImageOverlayFilter draw images, ChromaFilter shows a background where a clip is green: the
// test finds them again, by pixel, in what a RecorderEndpoint wrote. The face clip is made from
// resources/test-media/astronaut-face.jpg.

#include "MediaTestUtil.h"
#include "TestConnection.h"
#include "TestHttpServer.h"

#include <QDir>
#include <QFile>
#include <QProcess>
#include <QRect>
#include <QStandardPaths>
#include <QTemporaryDir>
#include <QTest>

#include <gst/app/gstappsink.h>
#include <gst/video/video.h>

#include <array>

using namespace pw;

namespace {

constexpr int kAudioBuffersPerSecond = 48000 / 1024;  // audiotestsrc default buffer size

// Runs a gst-launch description until EOS; false on error or after a minute.

QString audioTrack(double seconds) {
  return QStringLiteral(" audiotestsrc num-buffers=%1 ! audio/x-raw,rate=48000 ! opusenc ! m.")
      .arg(static_cast<int>(seconds * kAudioBuffersPerSecond));
}

// caps of every test clip's video
QString videoCaps(int width, int height) {
  return QStringLiteral("video/x-raw,format=I420,width=%1,height=%2,pixel-aspect-ratio=1/1,framerate=30/1").arg(width).arg(height);
}

// A WebM clip (VP8 + Opus) showing the still `image` for `seconds`, scaled to width x height.
bool makeStillClip(const QString& image, const QString& path, int width, int height, double seconds) {
  return runPipeline(QStringLiteral("filesrc location=%1 ! decodebin ! videoconvert ! videoscale ! imagefreeze num-buffers=%2 ! "
                                    "%3 ! vp8enc deadline=1 ! webmmux name=m ! filesink location=%4")
                         .arg(image)
                         .arg(static_cast<int>(seconds * 30))
                         .arg(videoCaps(width, height), path) +
                     audioTrack(seconds));
}

// A PNG of one solid colour (0xRRGGBB).
bool makeSolidPng(const QString& path, quint32 rgb, int width, int height) {
  return runPipeline(QStringLiteral("videotestsrc pattern=solid-color foreground-color=%1 num-buffers=1 ! "
                                    "video/x-raw,width=%2,height=%3 ! videoconvert ! pngenc ! filesink location=%4")
                         .arg(0xff000000u | rgb)
                         .arg(width)
                         .arg(height)
                         .arg(path));
}

struct Frame {
  int width = 0;
  int height = 0;
  int stride = 0;
  QByteArray rgb;

  bool isNull() const { return rgb.isEmpty(); }
  std::array<int, 3> at(int x, int y) const {
    const auto* p = reinterpret_cast<const uchar*>(rgb.constData()) + y * stride + x * 3;
    return {p[0], p[1], p[2]};
  }
};

// The decoded video frame of `file` at `seconds`, as RGB.
Frame grabFrame(const QString& file, double seconds) {
  Frame f;
  GstElement* p = gst_parse_launch(
      QStringLiteral("filesrc location=%1 ! decodebin ! videoconvert ! video/x-raw,format=RGB ! appsink name=sink sync=false")
          .arg(file)
          .toUtf8()
          .constData(),
      nullptr);
  if (!p) return f;
  GstElement* sink = gst_bin_get_by_name(GST_BIN(p), "sink");
  gst_element_set_state(p, GST_STATE_PAUSED);
  if (sink && gst_element_get_state(p, nullptr, nullptr, 10 * GST_SECOND) == GST_STATE_CHANGE_SUCCESS) {
    gst_element_seek_simple(p, GST_FORMAT_TIME, GstSeekFlags(GST_SEEK_FLAG_FLUSH | GST_SEEK_FLAG_ACCURATE),
                            static_cast<gint64>(seconds * GST_SECOND));
    gst_element_get_state(p, nullptr, nullptr, 10 * GST_SECOND);
    if (GstSample* sample = gst_app_sink_try_pull_preroll(GST_APP_SINK(sink), 5 * GST_SECOND)) {
      GstVideoInfo info;
      GstVideoFrame vf;
      if (gst_video_info_from_caps(&info, gst_sample_get_caps(sample)) &&
          gst_video_frame_map(&vf, &info, gst_sample_get_buffer(sample), GST_MAP_READ)) {
        f.width = GST_VIDEO_FRAME_WIDTH(&vf);
        f.height = GST_VIDEO_FRAME_HEIGHT(&vf);
        f.stride = GST_VIDEO_FRAME_PLANE_STRIDE(&vf, 0);
        f.rgb = QByteArray(static_cast<const char*>(GST_VIDEO_FRAME_PLANE_DATA(&vf, 0)), f.stride * f.height);
        gst_video_frame_unmap(&vf);
      }
      gst_sample_unref(sample);
    }
  }
  gst_element_set_state(p, GST_STATE_NULL);
  if (sink) gst_object_unref(sink);
  gst_object_unref(p);
  return f;
}

bool isRed(const std::array<int, 3>& p) { return p[0] > 150 && p[1] < 90 && p[2] < 90; }
bool isDark(const std::array<int, 3>& p) { return p[0] < 60 && p[1] < 60 && p[2] < 60; }
bool isGreen(const std::array<int, 3>& p) { return p[1] > 150 && p[0] < 100 && p[2] < 100; }
bool isGrey(const std::array<int, 3>& p) {
  return p[0] > 80 && p[0] < 180 && qAbs(p[0] - p[1]) < 30 && qAbs(p[0] - p[2]) < 30;
}
bool isClose(const std::array<int, 3>& a, const std::array<int, 3>& b) {
  return qAbs(a[0] - b[0]) < 40 && qAbs(a[1] - b[1]) < 40 && qAbs(a[2] - b[2]) < 40;
}

// How many points of a 6x6 grid over `area` satisfy `test`.
template <typename Test>
int countGrid(const Frame& f, const QRect& area, Test test) {
  int n = 0;
  for (int i = 0; i < 6; ++i) {
    for (int j = 0; j < 6; ++j) {
      const int x = area.left() + area.width() * (2 * i + 1) / 12;
      const int y = area.top() + area.height() * (2 * j + 1) / 12;
      if (test(f.at(x, y))) ++n;
    }
  }
  return n;
}

// The largest face GStreamer's facedetect finds in `image` scaled to width x height.
QRect detectFace(const QString& image, int width, int height) {
  GstElement* p = gst_parse_launch(QStringLiteral("filesrc location=%1 ! decodebin ! videoconvert ! videoscale ! "
                                                  "video/x-raw,width=%2,height=%3 ! imagefreeze num-buffers=1 ! videoconvert ! "
                                                  "facedetect display=false ! fakesink")
                                       .arg(image)
                                       .arg(width)
                                       .arg(height)
                                       .toUtf8()
                                       .constData(),
                                   nullptr);
  if (!p) return {};
  QRect best;
  gst_element_set_state(p, GST_STATE_PLAYING);
  GstBus* bus = gst_element_get_bus(p);
  for (bool done = false; !done;) {
    GstMessage* m = gst_bus_timed_pop_filtered(
        bus, 30 * GST_SECOND, GstMessageType(GST_MESSAGE_EOS | GST_MESSAGE_ERROR | GST_MESSAGE_ELEMENT));
    if (!m) break;
    done = GST_MESSAGE_TYPE(m) != GST_MESSAGE_ELEMENT;
    const GstStructure* s = gst_message_get_structure(m);
    const GValue* faces = s && gst_structure_has_name(s, "facedetect") ? gst_structure_get_value(s, "faces") : nullptr;
    for (guint i = 0; faces && GST_VALUE_HOLDS_LIST(faces) && i < gst_value_list_get_size(faces); ++i) {
      const GValue* v = gst_value_list_get_value(faces, i);
      if (!GST_VALUE_HOLDS_STRUCTURE(v)) continue;
      const GstStructure* face = gst_value_get_structure(v);
      guint x = 0, y = 0, w = 0, h = 0;
      gst_structure_get_uint(face, "x", &x);
      gst_structure_get_uint(face, "y", &y);
      gst_structure_get_uint(face, "width", &w);
      gst_structure_get_uint(face, "height", &h);
      if (int(w * h) > best.width() * best.height()) best = QRect(int(x), int(y), int(w), int(h));
    }
    gst_message_unref(m);
  }
  gst_object_unref(bus);
  gst_element_set_state(p, GST_STATE_NULL);
  gst_object_unref(p);
  return best;
}

}  // namespace

class TestFilters : public QObject {
  Q_OBJECT

  QTemporaryDir dir_;
  std::unique_ptr<Engine> engine_;
  std::shared_ptr<TestConnection> c_ = std::make_shared<TestConnection>();
  QString red_;       // 64x64 red PNG
  QString wideRed_;   // 64x16 red PNG
  QString notImage_;  // a text file named .png
  QString blackClip_;
  QString faceImage_;
  QString faceClip_;
  QString greenScreenClip_;  // 320x240 green, a grey 80x80 square in the middle
  QRect face_;  // in faceClip_ pixels

  static constexpr int kFaceClipSize = 480;

  QString create(const QString& type, const QJsonObject& params) {
    const auto r = call(*engine_, c_, "create", {{"type", type}, {"constructorParams", params}});
    if (!r.contains("result")) qWarning("create %s: %s", qPrintable(type), QJsonDocument(r).toJson().constData());
    return r.value("result").toObject().value("value").toString();
  }
  QJsonObject invoke(const QString& object, const QString& op, const QJsonObject& params = {}) {
    QJsonObject p{{"object", object}, {"operation", op}};
    if (!params.isEmpty()) p.insert("operationParams", params);
    return call(*engine_, c_, "invoke", p, 20000);
  }
  static int errorCode(const QJsonObject& response) { return response.value("error").toObject().value("code").toInt(); }
  void subscribe(const QString& object, const QString& type) {
    QVERIFY(call(*engine_, c_, "subscribe", {{"object", object}, {"type", type}}).contains("result"));
  }
  // Data of the events of `type` raised by `object` so far, oldest first.
  QList<QJsonObject> events(const QString& type, const QString& object) const {
    QList<QJsonObject> out;
    for (const auto& m : c_->messages) {
      const auto v = m.value("params").toObject().value("value").toObject();
      if (m.value("method") == "onEvent" && v.value("type") == type && v.value("object") == object) {
        out.append(v.value("data").toObject());
      }
    }
    return out;
  }
  static QString fileUri(const QString& path) { return "file://" + path; }
  QJsonObject addImage(const QString& filter, const QString& id, const QString& path, double x, double y, double w, double h,
                       bool keepAspectRatio, bool center) {
    return invoke(filter, "addImage",
                  {{"id", id}, {"uri", fileUri(path)}, {"offsetXPercent", x}, {"offsetYPercent", y}, {"widthPercent", w},
                   {"heightPercent", h}, {"keepAspectRatio", keepAspectRatio}, {"center", center}});
  }

  // Player(clip) → filter → Recorder(out, WEBM): plays the clip to its end and closes the file.
  bool recordThrough(const QString& pipeline, const QString& filter, const QString& clip, const QString& out) {
    const QString player = create("PlayerEndpoint", {{"mediaPipeline", pipeline}, {"uri", fileUri(clip)}});
    const QString rec =
        create("RecorderEndpoint", {{"mediaPipeline", pipeline}, {"uri", fileUri(out)}, {"mediaProfile", "WEBM"}});
    if (player.isEmpty() || rec.isEmpty()) return false;
    if (!call(*engine_, c_, "subscribe", {{"object", player}, {"type", "EndOfStream"}}).contains("result")) return false;
    if (!invoke(player, "connect", {{"sink", filter}}).contains("result")) return false;
    if (!invoke(filter, "connect", {{"sink", rec}}).contains("result")) return false;
    if (!invoke(rec, "record").contains("result")) return false;
    if (!invoke(player, "play").contains("result")) return false;
    const bool ended = !waitEvent(c_, "EndOfStream", player, 30000).isEmpty();
    return invoke(rec, "stopAndWait").contains("result") && ended;
  }

  // Player(face clip) → FaceOverlayFilter(image `uri`, over the whole face) → recorder: the face
  // is red in the recording, the corners are untouched.
  void checkFaceOverlay(const QString& uri, const QString& outName) {
    const QString p = create("MediaPipeline", {});
    const QString filter = create("FaceOverlayFilter", {{"mediaPipeline", p}});
    QVERIFY(!filter.isEmpty());
    const auto set = invoke(filter, "setOverlayedImage",
                            {{"uri", uri}, {"offsetXPercent", 0.0}, {"offsetYPercent", 0.0}, {"widthPercent", 1.0},
                             {"heightPercent", 1.0}});
    QVERIFY2(set.contains("result"), QJsonDocument(set).toJson().constData());
    const QString out = dir_.filePath(outName);
    QVERIFY(recordThrough(p, filter, faceClip_, out));
    call(*engine_, c_, "release", {{"object", p}});

    // The clip is one still picture for 3 s; on a loaded machine the filter may pass fewer frames
    // and the recording end earlier: any late frame of it will do.
    Frame recorded;
    for (const double at : {1.5, 1.0, 0.6}) {
      if (recorded.isNull()) recorded = grabFrame(out, at);
    }
    const Frame original = grabFrame(faceClip_, 1.5);
    QVERIFY(!recorded.isNull() && !original.isNull());
    QCOMPARE(recorded.width, kFaceClipSize);
    const QRect inner = face_.adjusted(face_.width() / 4, face_.height() / 4, -face_.width() / 4, -face_.height() / 4);
    const int redInRecording = countGrid(recorded, inner, isRed);
    QVERIFY2(redInRecording >= 29, qPrintable(QStringLiteral("%1 of 36 points red inside the face").arg(redInRecording)));
    QCOMPARE(countGrid(original, inner, isRed), 0);
    // Far from the face (bottom left and right corners) nothing was drawn.
    for (const QPoint& pt : {QPoint(30, kFaceClipSize - 30), QPoint(kFaceClipSize - 30, kFaceClipSize - 30)}) {
      QVERIFY2(isClose(recorded.at(pt.x(), pt.y()), original.at(pt.x(), pt.y())),
               qPrintable(QStringLiteral("pixel %1,%2 changed").arg(pt.x()).arg(pt.y())));
    }
  }


 private Q_SLOTS:
  void initTestCase() {
    QString error;
    QVERIFY2(initGStreamer(&error), qPrintable(error));
    QVERIFY(dir_.isValid());
    for (const char* factory : {"zbar", "facedetect", "gdkpixbufoverlay"}) {
      GstElementFactory* f = gst_element_factory_find(factory);
      QVERIFY2(f, qPrintable(QStringLiteral("GStreamer element '%1' is missing: run scripts/setup.sh "
                                            "(gstreamer1.0-plugins-bad, gstreamer1.0-opencv, gstreamer1.0-plugins-good)")
                                 .arg(QLatin1String(factory))));
      gst_object_unref(f);
    }
    red_ = dir_.filePath("red.png");
    wideRed_ = dir_.filePath("wide-red.png");
    QVERIFY(makeSolidPng(red_, 0xff0000, 64, 64));
    QVERIFY(makeSolidPng(wideRed_, 0xff0000, 64, 16));
    notImage_ = dir_.filePath("not-an-image.png");
    QFile text(notImage_);
    QVERIFY(text.open(QIODevice::WriteOnly));
    text.write("this is not an image\n");
    text.close();
    blackClip_ = dir_.filePath("black.webm");
    QVERIFY(runPipeline(QStringLiteral("videotestsrc pattern=black num-buffers=90 ! %1 ! vp8enc deadline=1 ! webmmux name=m ! "
                                       "filesink location=%2")
                            .arg(videoCaps(320, 240), blackClip_) +
                        audioTrack(3)));
    greenScreenClip_ = dir_.filePath("green-screen.webm");
    QVERIFY(runPipeline(QStringLiteral("videotestsrc pattern=solid-color foreground-color=0xff808080 num-buffers=90 ! "
                                       "video/x-raw,width=80,height=80,framerate=30/1 ! "
                                       "videobox fill=green top=-80 bottom=-80 left=-120 right=-120 ! videoconvert ! %1 ! "
                                       "vp8enc deadline=1 ! webmmux name=m ! filesink location=%2")
                            .arg(videoCaps(320, 240), greenScreenClip_) +
                        audioTrack(3)));
    faceImage_ = dir_.filePath("face.jpg");
    QVERIFY2(QFile::copy(QStringLiteral(PIPEWRIGHT_TEST_MEDIA_DIR "/astronaut-face.jpg"), faceImage_),
             "resources/test-media/astronaut-face.jpg is missing");
    faceClip_ = dir_.filePath("face.webm");
    QVERIFY(makeStillClip(faceImage_, faceClip_, kFaceClipSize, kFaceClipSize, 3));
    face_ = detectFace(faceImage_, kFaceClipSize, kFaceClipSize);
    QVERIFY2(face_.width() >= 40, "facedetect finds no face in the sample image");
    Config config;
    config.mediaFolders = {dir_.path()};
    config.remoteImageTimeoutMs = 2000;
    config.remoteImageMaxBytes = 1024 * 1024;
    engine_ = std::make_unique<Engine>(config);
  }
  void cleanupTestCase() { engine_.reset(); }
  void init() { c_->messages.clear(); }

  // Codes A, B, A for half a second each: three CodeFound events, in order, with the codes'
  // exact text; the frames that show the same code again raise nothing.
  void zbarReportsEachNewCode() {
    const QString qrencode = QStandardPaths::findExecutable("qrencode");
    QVERIFY2(!qrencode.isEmpty(), "qrencode is missing: run scripts/setup.sh (Debian package qrencode)");
    const QString a = dir_.filePath("qr-a.png");
    const QString b = dir_.filePath("qr-b.png");
    QCOMPARE(QProcess::execute(qrencode, {"-o", a, "-s", "6", "-m", "4", "pipewright:first"}), 0);
    QCOMPARE(QProcess::execute(qrencode, {"-o", b, "-s", "6", "-m", "4", "pipewright:second code"}), 0);
    const QString clip = dir_.filePath("qr.webm");
    QString desc = QStringLiteral("concat name=c ! vp8enc deadline=1 ! webmmux name=m ! filesink location=%1").arg(clip);
    for (const QString& png : {a, b, a}) {
      desc += QStringLiteral(" filesrc location=%1 ! pngdec ! videoconvert ! videoscale ! imagefreeze num-buffers=15 ! %2 ! c.")
                  .arg(png, videoCaps(320, 240));
    }
    QVERIFY(runPipeline(desc + audioTrack(1.5)));

    const QString p = create("MediaPipeline", {});
    const QString player = create("PlayerEndpoint", {{"mediaPipeline", p}, {"uri", fileUri(clip)}});
    const QString zbar = create("ZBarFilter", {{"mediaPipeline", p}});
    QVERIFY(!player.isEmpty() && !zbar.isEmpty());
    subscribe(zbar, "CodeFound");
    subscribe(player, "EndOfStream");
    QVERIFY(invoke(player, "connect", {{"sink", zbar}}).contains("result"));
    QVERIFY(invoke(player, "play").contains("result"));
    QVERIFY(!waitEvent(c_, "EndOfStream", player).isEmpty());
    QTest::qWait(1000);  // the last frames' bus messages
    const auto found = events("CodeFound", zbar);
    QStringList values;
    for (const auto& e : found) {
      QCOMPARE(e.value("codeType").toString(), QString("QR-Code"));
      values.append(e.value("value").toString());
    }
    QCOMPARE(values, (QStringList{"pipewright:first", "pipewright:second code", "pipewright:first"}));
    call(*engine_, c_, "release", {{"object", p}});
  }

  // A red image over the face (offsets 0, size 1x the face): the recording is red inside the
  // face and unchanged elsewhere; the original clip is not red there.
  void faceOverlayDrawsOverTheFace() { checkFaceOverlay(fileUri(red_), "face-overlay.webm"); }

  // The magic-mirror tutorial's way: the image is an http:// URI. Fetched once, kept: a second
  // filter with the same URI sends no second request.
  void faceOverlayFetchesHttpImages() {
    TestHttpServer http;
    QFile png(red_);
    QVERIFY(png.open(QIODevice::ReadOnly));
    http.set("/red.png", {200, "image/png", png.readAll()});
    checkFaceOverlay(http.url("/red.png"), "face-overlay-http.webm");
    QCOMPARE(http.requests("/red.png"), 1);
    const QString p = create("MediaPipeline", {});
    const QString filter = create("FaceOverlayFilter", {{"mediaPipeline", p}});
    QVERIFY(invoke(filter, "setOverlayedImage",
                   {{"uri", http.url("/red.png")}, {"offsetXPercent", 0.0}, {"offsetYPercent", 0.0}, {"widthPercent", 1.0},
                    {"heightPercent", 1.0}})
                .contains("result"));
    QCOMPARE(http.requests("/red.png"), 1);
    call(*engine_, c_, "release", {{"object", p}});
  }

  // What an http(s) image may not be: an error page, a redirect, not an image, too big, too
  // slow, a scheme of its own. Each is refused with 40107 and a reason; ImageOverlayFilter too.
  void httpImagesAreChecked() {
    TestHttpServer http;
    QFile png(red_);
    QVERIFY(png.open(QIODevice::ReadOnly));
    const QByteArray red = png.readAll();
    http.set("/moved.png", {302, "text/html", "moved", "Location: /red.png\r\n"});
    http.set("/page.png", {200, "text/html", "<html>not an image</html>"});
    http.set("/text-as-png.png", {200, "image/png", "this is not an image\n"});
    http.set("/huge.png", {200, "image/png", QByteArray(2 * 1024 * 1024, '\0')});
    http.set("/slow.png", {200, "image/png", {}, {}, true});
    const QString p = create("MediaPipeline", {});
    const QString face = create("FaceOverlayFilter", {{"mediaPipeline", p}});
    const QString images = create("ImageOverlayFilter", {{"mediaPipeline", p}});
    const QList<QPair<QString, QString>> cases = {
        {http.url("/missing.png"), "404"}, {http.url("/moved.png"), "redirects are not followed"},
        {http.url("/page.png"), "not an image"}, {http.url("/text-as-png.png"), "overlay image"},
        {http.url("/huge.png"), "remoteImageMaxBytes"}, {http.url("/slow.png"), "remoteImageTimeoutMs"},
        {"ftp://127.0.0.1/red.png", "not supported"}};
    for (const auto& [uri, reason] : cases) {
      const auto r = invoke(face, "setOverlayedImage",
                            {{"uri", uri}, {"offsetXPercent", 0.0}, {"offsetYPercent", 0.0}, {"widthPercent", 1.0},
                             {"heightPercent", 1.0}});
      QVERIFY2(errorCode(r) == 40107, qPrintable(uri));
      const QString message = r.value("error").toObject().value("message").toString();
      QVERIFY2(message.contains(reason), qPrintable(uri + ": " + message));
    }
    const auto r2 = invoke(images, "addImage",
                           {{"id", "x"}, {"uri", http.url("/page.png")}, {"offsetXPercent", 0.0}, {"offsetYPercent", 0.0},
                            {"widthPercent", 0.5}, {"heightPercent", 0.5}, {"keepAspectRatio", false}, {"center", false}});
    QCOMPARE(errorCode(r2), 40107);
    http.set("/red.png", {200, "image/png", red});
    const auto ok = invoke(images, "addImage",
                           {{"id", "x"}, {"uri", http.url("/red.png")}, {"offsetXPercent", 0.0}, {"offsetYPercent", 0.0},
                            {"widthPercent", 0.5}, {"heightPercent", 0.5}, {"keepAspectRatio", false}, {"center", false}});
    QVERIFY2(ok.contains("result"), QJsonDocument(ok).toJson().constData());
    call(*engine_, c_, "release", {{"object", p}});
  }

  // unsetOverlayedImage stops the drawing: the face region is as in the original.
  void faceOverlayUnsetDrawsNothing() {
    const QString p = create("MediaPipeline", {});
    const QString filter = create("FaceOverlayFilter", {{"mediaPipeline", p}});
    QVERIFY(!filter.isEmpty());
    QVERIFY(invoke(filter, "setOverlayedImage",
                   {{"uri", fileUri(red_)}, {"offsetXPercent", -0.2}, {"offsetYPercent", -0.2}, {"widthPercent", 1.4},
                    {"heightPercent", 1.4}})
                .contains("result"));
    QVERIFY(invoke(filter, "unsetOverlayedImage").contains("result"));
    const QString out = dir_.filePath("face-unset.webm");
    QVERIFY(recordThrough(p, filter, faceClip_, out));
    call(*engine_, c_, "release", {{"object", p}});
    const Frame recorded = grabFrame(out, 1.5);
    QVERIFY(!recorded.isNull());
    QCOMPARE(countGrid(recorded, face_, isRed), 0);
  }

  // Only images in the media folders: other schemes, other folders and non-images are 40107.
  void overlayImagesAreChecked() {
    const QString p = create("MediaPipeline", {});
    const QString face = create("FaceOverlayFilter", {{"mediaPipeline", p}});
    const QString images = create("ImageOverlayFilter", {{"mediaPipeline", p}});
    QVERIFY(!face.isEmpty() && !images.isEmpty());
    const QString outside = QDir::tempPath() + "/pipewright-outside.png";
    for (const QString uri : {QStringLiteral("http://127.0.0.1:9/logo.png"), fileUri(outside), fileUri(notImage_),
                              fileUri(dir_.filePath("missing.png"))}) {
      const auto r = invoke(face, "setOverlayedImage",
                            {{"uri", uri}, {"offsetXPercent", 0.0}, {"offsetYPercent", 0.0}, {"widthPercent", 1.0},
                             {"heightPercent", 1.0}});
      QVERIFY2(errorCode(r) == 40107, qPrintable(uri));
      const auto r2 = invoke(images, "addImage",
                             {{"id", "x"}, {"uri", uri}, {"offsetXPercent", 0.0}, {"offsetYPercent", 0.0},
                              {"widthPercent", 0.5}, {"heightPercent", 0.5}, {"keepAspectRatio", false}, {"center", false}});
      QVERIFY2(errorCode(r2) == 40107, qPrintable(uri));
    }
    // Sizes must be positive.
    QCOMPARE(errorCode(invoke(face, "setOverlayedImage",
                              {{"uri", fileUri(red_)}, {"offsetXPercent", 0.0}, {"offsetYPercent", 0.0}, {"widthPercent", 0.0},
                               {"heightPercent", 1.0}})),
             40107);
    QCOMPARE(errorCode(addImage(images, "x", red_, 0, 0, -0.5, 0.5, false, false)), 40107);
    call(*engine_, c_, "release", {{"object", p}});
  }

  // Two images on a black clip: one stretched into its box, one fitted and centred in its box.
  void imageOverlayPlacesImages() {
    const QString p = create("MediaPipeline", {});
    const QString filter = create("ImageOverlayFilter", {{"mediaPipeline", p}});
    QVERIFY(!filter.isEmpty());
    // 320x240: box 160..240 x 120..180, filled.
    QVERIFY(addImage(filter, "logo", red_, 0.5, 0.5, 0.25, 0.25, false, false).contains("result"));
    // box 32..112 x 144..204; the 4:1 image fits as 80x20, centred: rows 164..184.
    QVERIFY(addImage(filter, "wide", wideRed_, 0.1, 0.6, 0.25, 0.25, true, true).contains("result"));
    const QString out = dir_.filePath("image-overlay.webm");
    QVERIFY(recordThrough(p, filter, blackClip_, out));
    call(*engine_, c_, "release", {{"object", p}});

    const Frame f = grabFrame(out, 1.5);
    QVERIFY(!f.isNull());
    QCOMPARE(f.width, 320);
    QCOMPARE(f.height, 240);
    QVERIFY(isRed(f.at(192, 144)));   // 60%, 60%
    QVERIFY(isDark(f.at(32, 24)));    // 10%, 10%
    QVERIFY(isRed(f.at(72, 174)));    // middle of the fitted image
    QVERIFY(isDark(f.at(72, 150)));   // in its box, above the image
    QVERIFY(isDark(f.at(72, 198)));   // in its box, below the image
    QVERIFY(isDark(f.at(300, 220)));  // outside both boxes
  }

  // At most four images; the same id replaces; removed images are not drawn.
  void imageOverlayRemovesImages() {
    const QString p = create("MediaPipeline", {});
    const QString filter = create("ImageOverlayFilter", {{"mediaPipeline", p}});
    QVERIFY(!filter.isEmpty());
    for (int i = 0; i < 4; ++i) {
      QVERIFY(addImage(filter, "img" + QString::number(i), red_, 0.2 * i, 0.1, 0.2, 0.2, false, false).contains("result"));
    }
    QCOMPARE(errorCode(addImage(filter, "img4", red_, 0.5, 0.5, 0.25, 0.25, false, false)), 40107);
    QVERIFY(addImage(filter, "img0", red_, 0.5, 0.5, 0.25, 0.25, false, false).contains("result"));  // replaces
    for (int i = 0; i < 4; ++i) {
      QVERIFY(invoke(filter, "removeImage", {{"id", "img" + QString::number(i)}}).contains("result"));
    }
    QVERIFY(invoke(filter, "removeImage", {{"id", "never-added"}}).contains("result"));
    const QString out = dir_.filePath("image-removed.webm");
    QVERIFY(recordThrough(p, filter, blackClip_, out));
    call(*engine_, c_, "release", {{"object", p}});
    const Frame f = grabFrame(out, 1.5);
    QVERIFY(!f.isNull());
    QCOMPARE(countGrid(f, QRect(0, 0, f.width, f.height), isDark), 36);
  }

  // ChromaFilter learns green from the top-left corner and shows the red background there and
  // everywhere else the clip is green; the grey square in the middle stays.
  void chromaShowsTheBackground() {
    const QString p = create("MediaPipeline", {});
    const QJsonObject window{{"topRightCornerX", 0}, {"topRightCornerY", 0}, {"width", 40}, {"height", 40}};
    const QString filter = create("ChromaFilter", {{"mediaPipeline", p}, {"window", window}, {"backgroundImage", fileUri(red_)}});
    QVERIFY(!filter.isEmpty());
    const QString out = dir_.filePath("chroma.webm");
    QVERIFY(recordThrough(p, filter, greenScreenClip_, out));
    call(*engine_, c_, "release", {{"object", p}});
    const Frame original = grabFrame(greenScreenClip_, 1.5);
    const Frame f = grabFrame(out, 1.5);
    QVERIFY(!f.isNull() && !original.isNull());
    QCOMPARE(f.width, 320);
    QVERIFY(isGreen(original.at(20, 20)));
    QVERIFY(isGrey(original.at(160, 120)));
    // The green around the square, 36 points on each side of it: all red now.
    QCOMPARE(countGrid(original, QRect(0, 0, 110, 240), isGreen), 36);
    QCOMPARE(countGrid(f, QRect(0, 0, 110, 240), isRed), 36);
    QCOMPARE(countGrid(f, QRect(210, 0, 110, 240), isRed), 36);
    QCOMPARE(countGrid(f, QRect(130, 90, 60, 60), isGrey), 36);
  }

  // Without a background (set, then unset) the frames pass unchanged; setBackground checks the
  // image, the constructor the window.
  void chromaWithoutBackgroundChangesNothing() {
    const QString p = create("MediaPipeline", {});
    const QJsonObject window{{"topRightCornerX", 0}, {"topRightCornerY", 0}, {"width", 40}, {"height", 40}};
    const auto badWindow = call(*engine_, c_, "create",
                                {{"type", "ChromaFilter"},
                                 {"constructorParams", QJsonObject{{"mediaPipeline", p},
                                                                   {"window", QJsonObject{{"topRightCornerX", 0},
                                                                                          {"topRightCornerY", 0},
                                                                                          {"width", 0},
                                                                                          {"height", 10}}}}}});
    QCOMPARE(errorCode(badWindow), 40107);
    const QString filter = create("ChromaFilter", {{"mediaPipeline", p}, {"window", window}});
    QVERIFY(!filter.isEmpty());
    QCOMPARE(errorCode(invoke(filter, "setBackground", {{"uri", fileUri(notImage_)}})), 40107);
    QVERIFY(invoke(filter, "setBackground", {{"uri", fileUri(red_)}}).contains("result"));
    QVERIFY(invoke(filter, "unsetBackground").contains("result"));
    const QString out = dir_.filePath("chroma-unset.webm");
    QVERIFY(recordThrough(p, filter, greenScreenClip_, out));
    call(*engine_, c_, "release", {{"object", p}});
    const Frame f = grabFrame(out, 1.5);
    QVERIFY(!f.isNull());
    QCOMPARE(countGrid(f, QRect(0, 0, 110, 240), isGreen), 36);
    QCOMPARE(countGrid(f, QRect(130, 90, 60, 60), isGrey), 36);
  }
};

QTEST_GUILESS_MAIN(TestFilters)
#include "tst_filters.moc"
