// End-to-end GUI tests: the real application (engine thread, WebSocket server, QML window)
// driven with mouse and keyboard events. A PlayerEndpoint and a RecorderEndpoint are dragged
// from the palette, wired, run, and the recording is checked with gst-discoverer-1.0; a remote
// kurento-client builds a pipeline that must appear on the canvas. Screenshots of the window are
// written to $PIPEWRIGHT_SCREENSHOT_DIR (default: the build folder).

#include "AudioLevelModel.h"
#include "EngineClient.h"
#include "FlowMonitor.h"
#include "EventLogModel.h"
#include "GraphModel.h"
#include "InspectorModel.h"
#include "NodeListModel.h"
#include "PreviewManager.h"
#include "ServerMonitor.h"
#include "Studio.h"
#include "StudioRuntime.h"
#include "pipewright/engine/Engine.h"

#include <QClipboard>
#include <QDesktopServices>
#include <QScopeGuard>
#include <QTcpSocket>
#include <QDeadlineTimer>
#include <QDir>
#include <QFile>
#include <QFileInfo>
#include <QGuiApplication>
#include <QHash>
#include <QJsonArray>
#include <QKeySequence>
#include <QProcess>
#include <QQuickItem>
#include <QQuickWindow>
#include <QSGRendererInterface>
#include <QStandardPaths>
#include <QTemporaryDir>
#include <QRegularExpression>
#include <QSignalSpy>
#include <QTest>
#include <QUrl>
#include <QtQml/qqmlextensionplugin.h>

#include <algorithm>
#include <string_view>

Q_IMPORT_QML_PLUGIN(Pipewright_StudioPlugin)

using namespace pw;
using namespace pw::studio;

namespace {

QQuickItem* findItem(QQuickItem* root, const QString& name) {
  if (!root) return nullptr;
  if (root->objectName() == name) return root;
  for (QQuickItem* child : root->childItems()) {
    if (QQuickItem* found = findItem(child, name)) return found;
  }
  return nullptr;
}

QQuickItem* findItemPrefix(QQuickItem* root, const QString& prefix) {
  if (!root) return nullptr;
  if (root->objectName().startsWith(prefix) && root->isVisible()) return root;
  for (QQuickItem* child : root->childItems()) {
    if (QQuickItem* found = findItemPrefix(child, prefix)) return found;
  }
  return nullptr;
}

QPoint scenePoint(QQuickItem* item, QPointF local) { return item->mapToScene(local).toPoint(); }
QPoint sceneCenter(QQuickItem* item) { return scenePoint(item, QPointF(item->width() / 2, item->height() / 2)); }

}  // namespace

// Receives what QDesktopServices::openUrl would hand to the desktop's browser.
class UrlCatcher : public QObject {
  Q_OBJECT

 public:
  QList<QUrl> urls;

 public Q_SLOTS:
  void open(const QUrl& url) { urls.append(url); }
};

class TestStudioGui : public QObject {
  Q_OBJECT

 private:
  QTemporaryDir dir_;
  std::unique_ptr<StudioRuntime> runtime_;
  QQuickWindow* window_ = nullptr;
  QString clipUri_;
  QString screenshots_;

  QQuickItem* item(const QString& name) { return findItem(window_->contentItem(), name); }
  // Popups and dialogs are QObjects owned by the window, not items of the scene.
  QObject* overlayItem(const QString& name) { return window_->findChild<QObject*>(name); }
  GraphModel& graph() { return *runtime_->studio()->graph(); }
  bool waitIdle(int timeoutMs = 20000) {
    QDeadlineTimer deadline(timeoutMs);
    while (!deadline.hasExpired()) {
      QTest::qWait(30);
      if (!graph().busy() && runtime_->studio()->client().pendingCalls() == 0) return true;
    }
    return false;
  }
  // Right-clicks `at` and waits until the context menu `menu` is open, its transition done.
  bool rightClickOpens(QPoint at, const QString& menu) {
    QTest::mouseClick(window_, Qt::RightButton, {}, at);
    QObject* m = overlayItem(menu);
    if (!m) return false;
    QDeadlineTimer deadline(3000);
    while (!m->property("opened").toBool() && !deadline.hasExpired()) QTest::qWait(20);
    QTest::qWait(300);
    return m->property("opened").toBool();
  }
  // Clicks the menu entry named `name`; false when there is none.
  bool clickEntry(const QString& name) {
    auto* entry = qobject_cast<QQuickItem*>(overlayItem(name));
    if (!entry) return false;
    QTest::mouseClick(window_, Qt::LeftButton, {}, sceneCenter(entry));
    return true;
  }
  void drag(QPoint from, QPoint to) {
    QTest::mousePress(window_, Qt::LeftButton, {}, from);
    for (int i = 1; i <= 12; ++i) {
      QTest::mouseMove(window_, from + (to - from) * i / 12, 15);
    }
    QTest::mouseRelease(window_, Qt::LeftButton, {}, to, 30);
  }
  // The pictures go into docs/images/: with the window's 256 most used colours (the flat UI
  // colours stay exact, only anti-aliased edges move a little) each is a fraction of 250 KB.
  void screenshot(const QString& name) {
    QTest::qWait(300);
    const QImage image = window_->grabWindow().convertToFormat(QImage::Format_RGB32);
    QVERIFY2(!image.isNull(), "grabWindow failed");
    QHash<QRgb, int> uses;
    for (int y = 0; y < image.height(); ++y) {
      const auto* line = reinterpret_cast<const QRgb*>(image.constScanLine(y));
      for (int x = 0; x < image.width(); ++x) ++uses[line[x]];
    }
    QList<std::pair<int, QRgb>> byUse;
    for (auto it = uses.cbegin(); it != uses.cend(); ++it) byUse.append({it.value(), it.key()});
    std::sort(byUse.begin(), byUse.end(), [](const auto& a, const auto& b) { return a.first > b.first; });
    QList<QRgb> colours;
    for (qsizetype i = 0; i < std::min<qsizetype>(256, byUse.size()); ++i) colours.append(byUse[i].second);
    const QImage picture = image.convertToFormat(QImage::Format_Indexed8, colours, Qt::ThresholdDither | Qt::AvoidDither);
    QVERIFY(picture.save(QDir(screenshots_).filePath(name)));
  }
  // Drops a palette entry on the canvas at `canvasPos`; fills the constructor form when one opens.
  QString dropElement(const QString& type, QPointF canvasPos, const QString& uri = {}) {
    QQuickItem* entry = item(QStringLiteral("palette_") + type);
    if (!entry) return {};
    QQuickItem* canvas = item(QStringLiteral("canvas"));
    const int before = graph().nodes()->count();
    drag(scenePoint(entry, QPointF(40, entry->height() / 2)), scenePoint(canvas, canvasPos));
    if (QObject* form = overlayItem(QStringLiteral("elementForm")); form && form->property("visible").toBool()) {
      if (!uri.isEmpty()) {
        QVariantMap values = form->property("values").toMap();
        values.insert(QStringLiteral("uri"), uri);
        form->setProperty("values", values);
      }
      QMetaObject::invokeMethod(form, "accept");
    }
    if (graph().nodes()->count() != before + 1) return {};
    return graph().nodes()->nodes().last().key;
  }

 public:
  // Before the application exists: the same graphics API as the real binary (previews need GL).
  static void initMain() { QQuickWindow::setGraphicsApi(QSGRendererInterface::OpenGL); }

 private Q_SLOTS:
  void initTestCase() {
    QStandardPaths::setTestModeEnabled(true);
    screenshots_ = qEnvironmentVariable("PIPEWRIGHT_SCREENSHOT_DIR", QDir::currentPath());
    QDir().mkpath(screenshots_);
    QString error;
    QVERIFY2(initGStreamer(&error), qPrintable(error));
    const QString clip = dir_.filePath("clip.webm");
    QVERIFY(QProcess::execute("gst-launch-1.0", {"-q", "videotestsrc", "num-buffers=150", "pattern=ball", "!",
                                                 "video/x-raw,width=320,height=240,framerate=30/1", "!", "vp8enc",
                                                 "deadline=1", "!", "webmmux", "!", "filesink", "location=" + clip}) == 0);
    clipUri_ = QUrl::fromLocalFile(clip).toString();
    // Each run starts clean: an autosave left by an earlier run (the studio keeps one when it is
    // stopped with unsaved work) would be offered for recovery and cover the canvas.
    QFile::remove(Studio::autosavePathFor());
    Config config;
    config.listen = QStringLiteral("127.0.0.1");
    config.port = 0;
    config.mediaFolders = {dir_.path()};
    config.iceLocalAddresses = {QStringLiteral("127.0.0.1")};
    runtime_ = std::make_unique<StudioRuntime>(config);
    QVERIFY2(runtime_->start(&error), qPrintable(error));
    window_ = runtime_->window();
    QVERIFY(window_);
    window_->resize(1400, 860);
    QVERIFY(QTest::qWaitForWindowExposed(window_));
    window_->requestActivate();
    QTest::qWait(200);
    // Close the first-run template gallery if it is shown.
    if (QObject* gallery = overlayItem(QStringLiteral("templateGallery"))) QMetaObject::invokeMethod(gallery, "close");
    QTest::qWait(100);
  }

  void cleanupTestCase() {
    if (runtime_) runtime_->stop();
    runtime_.reset();
    QFile::remove(Studio::autosavePathFor());  // the test's unsaved canvas is not work to recover
  }

  void dragWireRunAndRecord() {
    const QString recording = dir_.filePath("gui-recording.webm");
    const QString player = dropElement("PlayerEndpoint", QPointF(80, 80), clipUri_);
    QVERIFY2(!player.isEmpty(), "dropping a PlayerEndpoint did not create a node");
    const QString recorder = dropElement("RecorderEndpoint", QPointF(480, 80), QUrl::fromLocalFile(recording).toString());
    QVERIFY2(!recorder.isEmpty(), "dropping a RecorderEndpoint did not create a node");
    QVERIFY(waitIdle());
    QVERIFY(!graph().snapshot(player).objectId.isEmpty());
    QVERIFY(!graph().snapshot(recorder).objectId.isEmpty());

    // Wire: drag from the player's VIDEO output to the recorder's header (all media types).
    QQuickItem* playerNode = item(QStringLiteral("node_PlayerEndpoint_") + player);
    QQuickItem* recorderNode = item(QStringLiteral("node_RecorderEndpoint_") + recorder);
    QVERIFY(playerNode && recorderNode);
    QQuickItem* out = findItem(playerNode, QStringLiteral("out_VIDEO"));
    QVERIFY(out);
    drag(sceneCenter(out), scenePoint(recorderNode, QPointF(60, 12)));
    QVERIFY(waitIdle());
    QCOMPARE(graph().edges()->count(), 2);

    // A refused drop says why and changes nothing.
    QQuickItem* recorderIn = findItem(recorderNode, QStringLiteral("in_VIDEO"));
    QVERIFY(recorderIn);
    QSignalSpy refused(&graph(), &GraphModel::refused);
    drag(sceneCenter(findItem(playerNode, QStringLiteral("out_AUDIO"))), sceneCenter(recorderIn));
    QTest::qWait(100);
    QCOMPARE(refused.count(), 1);
    QVERIFY(refused.first().first().toString().contains("AUDIO"));
    QCOMPARE(graph().edges()->count(), 2);

    // Run (toolbar), let it record, stop, check the file.
    QTest::mouseClick(window_, Qt::LeftButton, {}, sceneCenter(item(QStringLiteral("runButton"))));
    QTRY_COMPARE_WITH_TIMEOUT(graph().snapshot(recorder).recordState, QString("RECORDING"), 15000);
    // Live video inside the player's node: frames reach the GL sink of its preview.
    QQuickItem* toggle = findItem(playerNode, QStringLiteral("previewToggle"));
    QVERIFY(toggle && toggle->isVisible());
    QTest::mouseClick(window_, Qt::LeftButton, {}, sceneCenter(toggle));
    QTRY_VERIFY_WITH_TIMEOUT(graph().snapshot(player).previewOn, 2000);
    QTRY_VERIFY_WITH_TIMEOUT(runtime_->studio()->previews()->framesShown(player) > 10, 10000);
    // Badges stack on the node's edge, not in the title: "PlayerEndpoint c182" stays whole with
    // TRANSCODING and the preview button showing.
    QTRY_VERIFY_WITH_TIMEOUT(findItem(playerNode, QStringLiteral("transcodingBadge"))->isVisible(), 5000);
    QQuickItem* title = findItem(playerNode, QStringLiteral("title"));
    QVERIFY(title);
    QVERIFY2(!title->property("truncated").toBool(), qPrintable(title->property("text").toString()));
    // The toolbar's Pause pauses the player and the recorder: PAUSED with the time recorded so
    // far, "paused" in the status bar; Run goes back to REC.
    QQuickItem* rec = findItem(recorderNode, QStringLiteral("recBadge"));
    QVERIFY(rec && rec->isVisible());
    QTest::mouseClick(window_, Qt::LeftButton, {}, sceneCenter(item(QStringLiteral("pauseButton"))));
    QTRY_COMPARE_WITH_TIMEOUT(graph().snapshot(recorder).recordState, QString("PAUSED"), 5000);
    QCOMPARE(graph().running(), QStringLiteral("paused"));
    QVERIFY(item(QStringLiteral("runState"))->property("text").toString().contains("paused"));
    QVERIFY(!item(QStringLiteral("pauseButton"))->isEnabled());
    QVERIFY(rec->isVisible());
    const QString pausedText = rec->property("text").toString();
    QVERIFY2(pausedText.startsWith("PAUSED 0:0"), qPrintable(pausedText));
    QTest::mouseClick(window_, Qt::LeftButton, {}, sceneCenter(item(QStringLiteral("runButton"))));
    QTRY_COMPARE_WITH_TIMEOUT(graph().snapshot(recorder).recordState, QString("RECORDING"), 5000);
    QCOMPARE(graph().running(), QStringLiteral("running"));
    QVERIFY2(rec->property("text").toString().startsWith("REC "), qPrintable(rec->property("text").toString()));
    QTest::qWait(1000);
    QTest::keyClick(window_, Qt::Key_0, Qt::ControlModifier);  // fit
    graph().select(player, QStringLiteral("replace"));         // the inspector shows it
    screenshot(QStringLiteral("studio-player-recorder.png"));
    QTest::mouseClick(window_, Qt::LeftButton, {}, sceneCenter(item(QStringLiteral("stopButton"))));
    QVERIFY(waitIdle(30000));
    QTRY_COMPARE_WITH_TIMEOUT(graph().snapshot(recorder).recordState, QString("STOPPED"), 15000);

    QProcess discoverer;
    discoverer.start("gst-discoverer-1.0", {recording});
    QVERIFY(discoverer.waitForFinished(30000));
    const QString info = QString::fromUtf8(discoverer.readAllStandardOutput());
    QVERIFY2(info.contains("video"), qPrintable(info));
    const QRegularExpression durationRe(QStringLiteral("Duration: (\\d+):(\\d+):(\\d+\\.\\d+)"));
    const auto m = durationRe.match(info);
    QVERIFY2(m.hasMatch(), qPrintable(info));
    const double seconds = m.captured(1).toInt() * 3600 + m.captured(2).toInt() * 60 + m.captured(3).toDouble();
    QVERIFY2(seconds >= 1.5, qPrintable(info));
  }

  void keyboardUndoRedoAndDelete() {
    const int nodes = graph().nodes()->count();
    QVERIFY(nodes >= 2);
    const int edges = graph().edges()->count();
    QQuickItem* canvas = item(QStringLiteral("canvas"));
    canvas->forceActiveFocus();
    // Select all, delete: the engine releases the elements.
    QTest::keyClick(window_, Qt::Key_A, Qt::ControlModifier);
    QCOMPARE(graph().selectionCount(), nodes);
    QTest::keyClick(window_, Qt::Key_Delete);
    QVERIFY(waitIdle());
    QCOMPARE(graph().nodes()->count(), 0);
    // Ctrl+Z brings them back with their wires; Ctrl+Shift+Z deletes them again; Ctrl+Z again.
    QTest::keyClick(window_, Qt::Key_Z, Qt::ControlModifier);
    QVERIFY(waitIdle());
    QCOMPARE(graph().nodes()->count(), nodes);
    QCOMPARE(graph().edges()->count(), edges);
    QTest::keyClick(window_, Qt::Key_Z, Qt::ControlModifier | Qt::ShiftModifier);
    QVERIFY(waitIdle());
    QCOMPARE(graph().nodes()->count(), 0);
    QTest::keyClick(window_, Qt::Key_Z, Qt::ControlModifier);
    QVERIFY(waitIdle());
    QCOMPARE(graph().nodes()->count(), nodes);
    // Every node exists in the engine again.
    for (const auto& n : graph().nodes()->nodes()) QVERIFY2(!n.objectId.isEmpty(), qPrintable(n.type));
    // Ctrl+1 / Ctrl+0 change the zoom.
    canvas->setProperty("zoom", 0.5);
    QTest::keyClick(window_, Qt::Key_1, Qt::ControlModifier);
    QCOMPARE(canvas->property("zoom").toDouble(), 1.0);
  }

  void remoteClientPipelineAppears() {
    const QString tests = QStringLiteral(PIPEWRIGHT_TESTS_DIR);
    QProcess remote;
    remote.setWorkingDirectory(tests);
    remote.start("node", {tests + "/gui/remote-client.mjs", runtime_->url(), clipUri_,
                          QUrl::fromLocalFile(dir_.filePath("remote.webm")).toString()});
    QVERIFY(remote.waitForStarted());
    QString pipeline;
    QDeadlineTimer deadline(30000);
    while (pipeline.isEmpty() && !deadline.hasExpired()) {
      QTest::qWait(50);
      const QString out = QString::fromUtf8(remote.readAllStandardOutput());
      const auto m = QRegularExpression("PIPELINE (\\S+)").match(out);
      if (m.hasMatch()) pipeline = m.captured(1);
    }
    QVERIFY2(!pipeline.isEmpty(), qPrintable(QString::fromUtf8(remote.readAllStandardError())));

    // It shows up in the sessions list; its Open button puts it on the canvas.
    runtime_->studio()->monitor()->refresh();
    // The panel's rows are rebuilt whenever the list changes: look the button up before each click.
    auto openButton = [&]() { return findItem(item(QStringLiteral("pipeline_") + pipeline), QStringLiteral("openPipeline")); };
    QTRY_VERIFY_WITH_TIMEOUT(openButton() != nullptr, 10000);
    QTest::mouseClick(window_, Qt::LeftButton, {}, sceneCenter(openButton()));
    // The canvas has unsaved work: the studio asks before replacing it, and Cancel keeps it.
    QObject* discard = overlayItem(QStringLiteral("discardDialog"));
    QVERIFY(discard);
    QTRY_VERIFY_WITH_TIMEOUT(discard->property("visible").toBool(), 3000);
    QMetaObject::invokeMethod(discard, "reject");
    QTest::qWait(200);
    QVERIFY(graph().pipelineId() != pipeline);
    QVERIFY(openButton());
    QTest::mouseClick(window_, Qt::LeftButton, {}, sceneCenter(openButton()));
    QTRY_VERIFY_WITH_TIMEOUT(discard->property("visible").toBool(), 3000);
    QMetaObject::invokeMethod(discard, "discarded");
    QTRY_COMPARE_WITH_TIMEOUT(graph().pipelineId(), pipeline, 5000);
    QVERIFY(waitIdle());
    QCOMPARE(graph().nodes()->count(), 2);
    QCOMPARE(graph().edges()->count(), 1);
    QVERIFY(graph().snapshot(graph().keyOfType("PlayerEndpoint")).remote);
    QVERIFY(item(QStringLiteral("node_RecorderEndpoint_") + graph().keyOfType("RecorderEndpoint")));

    // "Open in studio" (a tutorial page's button): the client tags its pipeline (here through one
    // of its elements) and the studio, showing another pipeline, opens it by itself.
    QVERIFY(QMetaObject::invokeMethod(runtime_->studio(), "newProject"));
    QVERIFY(waitIdle());
    QVERIFY(graph().pipelineId() != pipeline);
    remote.write("studio\n");
    QTRY_COMPARE_WITH_TIMEOUT(graph().pipelineId(), pipeline, 10000);
    QVERIFY(waitIdle());
    QCOMPARE(graph().nodes()->count(), 2);

    // Live: the remote program adds an element; it appears without any action in the studio.
    remote.write("more\n");
    QTRY_COMPARE_WITH_TIMEOUT(graph().nodes()->count(), 3, 10000);
    QTRY_COMPARE_WITH_TIMEOUT(graph().edges()->count(), 2, 10000);
    QTest::keyClick(window_, Qt::Key_0, Qt::ControlModifier);
    screenshot(QStringLiteral("studio-remote-pipeline.png"));
    remote.closeWriteChannel();
    QVERIFY(remote.waitForFinished(10000));
    // The remote session ended; its pipeline is collected later, not by the studio.
  }

  void templateGalleryBuildsARealPipeline() {
    runtime_->studio()->applyTemplate(QStringLiteral("composite"));
    QTRY_VERIFY_WITH_TIMEOUT(graph().nodes()->count() == 11, 60000);  // 4 players, 5 ports, hub, recorder
    QVERIFY(waitIdle(30000));
    for (const auto& n : graph().nodes()->nodes()) QVERIFY2(!n.objectId.isEmpty(), qPrintable(n.type + ": " + n.error));
    QCOMPARE(graph().edges()->count(), 10);
    // The sessions panel counts every element, the five HubPorts inside the Composite included.
    runtime_->studio()->monitor()->refresh();
    // Looked up on every try: the row is rebuilt when the list changes (a crash once, on a stale row).
    auto summary = [&]() {
      QQuickItem* label = findItem(item(QStringLiteral("pipeline_") + graph().pipelineId()), QStringLiteral("pipelineSummary"));
      return label ? label->property("text").toString().section(u' ', 0, 1) : QString();
    };
    QTRY_COMPARE_WITH_TIMEOUT(summary(), QString("11 elements"), 10000);
    const int sessions = static_cast<int>(runtime_->studio()->monitor()->sessions().size());
    const QString sessionsText = item(QStringLiteral("sessionsSummary"))->property("text").toString();
    QVERIFY2(sessionsText.startsWith(sessions == 1 ? QStringLiteral("1 session, ") : QStringLiteral("%1 sessions, ").arg(sessions)),
             qPrintable(sessionsText));
    QTest::keyClick(window_, Qt::Key_0, Qt::ControlModifier);
    screenshot(QStringLiteral("studio-composite-template.png"));

    // File ▸ Export PNG writes a picture of the canvas.
    const QString png = dir_.filePath("canvas.png");
    QMetaObject::invokeMethod(window_, "exportPng", Q_ARG(QVariant, png));
    QTRY_VERIFY_WITH_TIMEOUT(QFileInfo(png).size() > 0, 5000);
    const QImage picture(png);
    QVERIFY(!picture.isNull());
    QVERIFY(picture.width() > 400 && picture.height() > 300);

    // Run it the first time: the recorder records the grid from its first frame (the grid's
    // colorimetry change once broke the muxer while the node stayed green and REC counted on).
    const QString recorder = graph().keyOfType(QStringLiteral("RecorderEndpoint"));
    const QString file = QUrl(graph().snapshot(recorder).constructorParams.value("uri").toString()).toLocalFile();
    QVERIFY(!file.isEmpty());
    QTest::mouseClick(window_, Qt::LeftButton, {}, sceneCenter(item(QStringLiteral("runButton"))));
    QTRY_COMPARE_WITH_TIMEOUT(graph().snapshot(recorder).recordState, QString("RECORDING"), 20000);
    QTest::qWait(5000);
    QCOMPARE(graph().snapshot(recorder).recordState, QString("RECORDING"));
    QTest::mouseClick(window_, Qt::LeftButton, {}, sceneCenter(item(QStringLiteral("stopButton"))));
    QVERIFY(waitIdle(30000));
    QTRY_COMPARE_WITH_TIMEOUT(graph().snapshot(recorder).recordState, QString("STOPPED"), 15000);
    for (const auto& n : graph().nodes()->nodes()) QVERIFY2(n.state == "ready", qPrintable(n.type + ": " + n.error));
    QProcess discoverer;
    discoverer.start("gst-discoverer-1.0", {file});
    QVERIFY(discoverer.waitForFinished(30000));
    const QString info = QString::fromUtf8(discoverer.readAllStandardOutput());
    QVERIFY2(info.contains(QRegularExpression(QStringLiteral("video #\\d+: VP8"))), qPrintable(info));
    const auto m = QRegularExpression(QStringLiteral("Duration: (\\d+):(\\d+):(\\d+\\.\\d+)")).match(info);
    QVERIFY2(m.hasMatch(), qPrintable(info));
    const double seconds = m.captured(1).toInt() * 3600 + m.captured(2).toInt() * 60 + m.captured(3).toDouble();
    QVERIFY2(seconds >= 4.0, qPrintable(info));
  }

  // An element that fails while it runs shows it on its node: red dot and border, the engine's
  // message under the node, REC gone. Here a filter's frame rate changes under a WebM recorder.
  void failedElementTurnsRed() {
    QVERIFY(QMetaObject::invokeMethod(runtime_->studio(), "newProject"));
    QVERIFY(waitIdle());
    const QString clip = dir_.filePath("clip6.webm");
    QVERIFY(QProcess::execute("gst-launch-1.0", {"-q", "videotestsrc", "num-buffers=180", "!",
                                                 "video/x-raw,width=320,height=240,framerate=30/1", "!", "vp8enc",
                                                 "deadline=1", "!", "webmmux", "!", "filesink", "location=" + clip}) == 0);
    const QString player = graph().addElement("PlayerEndpoint", 40, 60, {{"uri", QUrl::fromLocalFile(clip).toString()}});
    const QString filter = graph().addElement("GStreamerFilter", 340, 60, {{"command", "videorate ! capsfilter caps=video/x-raw,framerate=30/1"}});
    const QString recorder = graph().addElement("RecorderEndpoint", 640, 60,
                                                {{"uri", QUrl::fromLocalFile(dir_.filePath("fails.webm")).toString()},
                                                 {"mediaProfile", "WEBM_VIDEO_ONLY"}});
    graph().connectPorts(player, filter, "VIDEO");
    graph().connectPorts(filter, recorder, "VIDEO");
    QVERIFY(waitIdle());
    QTest::mouseClick(window_, Qt::LeftButton, {}, sceneCenter(item(QStringLiteral("runButton"))));
    QQuickItem* node = item(QStringLiteral("node_RecorderEndpoint_") + recorder);
    QVERIFY(node);
    QQuickItem* rec = findItem(node, QStringLiteral("recBadge"));
    QQuickItem* banner = findItem(node, QStringLiteral("errorBanner"));
    QVERIFY(rec && banner);
    QTRY_VERIFY_WITH_TIMEOUT(rec->isVisible(), 15000);
    QVERIFY(!banner->isVisible());
    QTest::qWait(1000);
    runtime_->studio()->inspector()->callMethod(filter, "setElementProperty", {{"propertyName", "caps"}, {"propertyValue", "video/x-raw,framerate=15/1"}});
    QTRY_VERIFY_WITH_TIMEOUT(banner->isVisible(), 10000);
    QVERIFY(!rec->isVisible());
    const QString text = findItem(banner, QStringLiteral("errorText"))->property("text").toString();
    QVERIFY2(text.contains("Caps changes are not supported by Matroska"), qPrintable(text));
    QCOMPARE(findItem(node, QStringLiteral("stateDot"))->property("color").value<QColor>(), QColor("#e5484d"));
    QCOMPARE(node->property("border").value<QObject*>()->property("color").value<QColor>(), QColor("#e5484d"));
    // The player and the filter stay green.
    QCOMPARE(findItem(item(QStringLiteral("node_PlayerEndpoint_") + player), QStringLiteral("stateDot"))->property("color").value<QColor>(),
             QColor("#30a46c"));
    QTest::keyClick(window_, Qt::Key_0, Qt::ControlModifier);
    graph().select(recorder, QStringLiteral("replace"));
    screenshot(QStringLiteral("studio-element-error.png"));
    QTest::mouseClick(window_, Qt::LeftButton, {}, sceneCenter(item(QStringLiteral("stopButton"))));
    QVERIFY(waitIdle(30000));
  }
  void whipEndpointUrlIsCopied() {
    QVERIFY(QMetaObject::invokeMethod(runtime_->studio(), "newProject"));
    QVERIFY(waitIdle());
    const QString whip = graph().addElement("WhipEndpoint", 60, 60, {});
    const QString whep = graph().addElement("WhepEndpoint", 400, 60, {});
    graph().connectPorts(whip, whep, "ALL");
    QVERIFY(waitIdle());
    QCOMPARE(graph().edges()->count(), 2);
    graph().select(whip, QStringLiteral("replace"));
    // The inspector shows the WHIP URL (read from the server) with a Copy button.
    QQuickItem* field = nullptr;
    QTRY_VERIFY_WITH_TIMEOUT((field = item(QStringLiteral("prop_url"))) &&
                                 field->property("text").toString().startsWith(QStringLiteral("http://127.0.0.1:")),
                             10000);
    const QString url = field->property("text").toString();
    QVERIFY2(QRegularExpression(QStringLiteral("/whip/[A-Za-z0-9]{24}$")).match(url).hasMatch(), qPrintable(url));
    QQuickItem* copy = item(QStringLiteral("copy_url"));
    QVERIFY(copy && copy->isVisible());
    QGuiApplication::clipboard()->clear();
    QTest::mouseClick(window_, Qt::LeftButton, {}, sceneCenter(copy));
    QTRY_COMPARE_WITH_TIMEOUT(QGuiApplication::clipboard()->text(), url, 2000);
    QTest::keyClick(window_, Qt::Key_0, Qt::ControlModifier);
    screenshot(QStringLiteral("studio-whip-url.png"));
  }

  // Help ▸ Tutorials opens the control port's start page (the built-in tutorials) in the
  // desktop's browser: here a URL handler stands in for the browser and fetches the page.
  void helpMenuOpensTheTutorials() {
    UrlCatcher catcher;
    QDesktopServices::setUrlHandler(QStringLiteral("http"), &catcher, "open");
    auto unset = qScopeGuard([] { QDesktopServices::unsetUrlHandler(QStringLiteral("http")); });
    QObject* menu = overlayItem(QStringLiteral("helpMenu"));
    QVERIFY(menu);
    QVERIFY(QMetaObject::invokeMethod(menu, "open"));
    QQuickItem* entry = nullptr;
    QTRY_VERIFY_WITH_TIMEOUT((entry = qobject_cast<QQuickItem*>(overlayItem(QStringLiteral("helpTutorials")))) && entry->isVisible() &&
                                 entry->isEnabled() && entry->height() > 0,
                             3000);
    QTest::qWait(300);  // the menu's opening transition
    QTest::mouseClick(window_, Qt::LeftButton, {}, sceneCenter(entry));
    QTRY_COMPARE_WITH_TIMEOUT(catcher.urls.size(), 1, 3000);
    const QUrl url = catcher.urls.first();
    QCOMPARE(url.scheme(), QStringLiteral("http"));
    QCOMPARE(url.host(), QStringLiteral("127.0.0.1"));
    QCOMPARE(url.path(), QStringLiteral("/"));
    QCOMPARE(url.toString(), runtime_->studio()->monitor()->tutorialsUrl());
    // The page behind it lists the tutorials.
    QTcpSocket socket;
    socket.connectToHost(url.host(), static_cast<quint16>(url.port()));
    QVERIFY(socket.waitForConnected(3000));
    socket.write("GET / HTTP/1.1\r\nHost: 127.0.0.1\r\nConnection: close\r\n\r\n");
    QByteArray page;
    QDeadlineTimer deadline(5000);
    while (!deadline.hasExpired() && socket.state() != QAbstractSocket::UnconnectedState) {
      if (socket.waitForReadyRead(200)) page += socket.readAll();
    }
    page += socket.readAll();
    QVERIFY2(page.startsWith("HTTP/1.1 200"), page.left(200).constData());
    QVERIFY2(page.contains("hello-world.html") && page.contains("whip.html"), page.left(2000).constData());
  }

  // Node-RED habits: Ctrl+C / Ctrl+V / Ctrl+D with one undo step each, right-click menus on the
  // canvas, a node and a wire, shortcuts shown in the menus, and the Ctrl+K command palette.
  void clipboardContextMenusAndCommandPalette() {
    QVERIFY(QMetaObject::invokeMethod(runtime_->studio(), "newProject"));
    QVERIFY(waitIdle());
    const QString player = graph().addElement("PlayerEndpoint", 60, 60, {{"uri", clipUri_}});
    const QString pass = graph().addElement("PassThrough", 400, 60);
    graph().connectPorts(player, pass, "VIDEO");
    QVERIFY(waitIdle());
    QQuickItem* canvas = item(QStringLiteral("canvas"));
    canvas->forceActiveFocus();
    auto engineObjects = [&]() {
      for (const auto& n : graph().nodes()->nodes()) {
        if (n.objectId.isEmpty()) return false;
      }
      return true;
    };

    // Copy both, paste: two new elements in the engine and the wire between them, one undo step.
    QTest::keyClick(window_, Qt::Key_A, Qt::ControlModifier);
    QTest::keyClick(window_, Qt::Key_C, Qt::ControlModifier);
    QVERIFY(QGuiApplication::clipboard()->text().contains("pipewright-fragment"));
    QTest::keyClick(window_, Qt::Key_V, Qt::ControlModifier);
    QVERIFY(waitIdle());
    QCOMPARE(graph().nodes()->count(), 4);
    QCOMPARE(graph().edges()->count(), 2);
    QVERIFY(engineObjects());
    QCOMPARE(graph().selectionCount(), 2);  // the pasted copy is selected
    QTest::keyClick(window_, Qt::Key_Z, Qt::ControlModifier);
    QVERIFY(waitIdle());
    QCOMPARE(graph().nodes()->count(), 2);
    QCOMPARE(graph().edges()->count(), 1);
    // Duplicate the player alone: no wire comes with it.
    graph().select(player, "replace");
    QTest::keyClick(window_, Qt::Key_D, Qt::ControlModifier);
    QVERIFY(waitIdle());
    QCOMPARE(graph().nodes()->count(), 3);
    QCOMPARE(graph().edges()->count(), 1);
    QVERIFY(engineObjects());

    // Right-click a node: its menu; Duplicate from it.
    QQuickItem* node = item(QStringLiteral("node_PassThrough_") + pass);
    QVERIFY(node);
    QVERIFY(rightClickOpens(scenePoint(node, QPointF(node->width() / 2, node->height() - 8)), QStringLiteral("nodeMenu")));
    QCOMPARE(graph().selectedKeys(), QStringList{pass});
    screenshot(QStringLiteral("studio-context-menu.png"));
    QVERIFY(clickEntry(QStringLiteral("menuDuplicate")));
    QVERIFY(waitIdle());
    QCOMPARE(graph().nodes()->count(), 4);

    // Right-click empty canvas: its menu pastes the last copy (player + PassThrough) there.
    QVERIFY(rightClickOpens(scenePoint(canvas, QPointF(canvas->width() - 60, canvas->height() - 60)), QStringLiteral("canvasMenu")));
    QVERIFY(clickEntry(QStringLiteral("menuPasteHere")));
    QVERIFY(waitIdle());
    QCOMPARE(graph().nodes()->count(), 6);
    QCOMPARE(graph().edges()->count(), 2);

    // Right-click a wire's handle: Delete wire.
    QQuickItem* wires = item(QStringLiteral("world"));
    QQuickItem* handle = nullptr;
    for (QQuickItem* child : wires->childItems()) {
      if (child->property("mediaType").toString() == u"VIDEO") {
        for (QQuickItem* part : child->childItems()) {
          if (part->width() == 16 && part->height() == 16) handle = part;
        }
        if (handle) break;
      }
    }
    QVERIFY(handle);
    QVERIFY(rightClickOpens(sceneCenter(handle), QStringLiteral("wireMenu")));
    QVERIFY(clickEntry(QStringLiteral("menuDeleteWire")));
    QVERIFY(waitIdle());
    QCOMPARE(graph().edges()->count(), 1);

    // The Edit menu shows the shortcuts.
    bool sawCopy = false;
    for (QObject* o : window_->findChildren<QObject*>()) {
      if (o->property("shortcutText").isValid()) {
        if (o->property("text").toString().remove(u'&') == u"Copy") {
          QCOMPARE(o->property("shortcutText").toString(), QKeySequence(QKeySequence::Copy).toString(QKeySequence::NativeText));
          sawCopy = true;
        }
      }
    }
    QVERIFY(sawCopy);

    // Ctrl+K, type, Enter: the palette adds a PassThrough.
    const int before = graph().nodes()->count();
    canvas->forceActiveFocus();
    QTest::keyClick(window_, Qt::Key_K, Qt::ControlModifier);
    auto* palette = overlayItem(QStringLiteral("commandPalette"));
    QVERIFY(palette);
    QTRY_VERIFY_WITH_TIMEOUT(palette->property("opened").toBool(), 3000);
    for (const char c : std::string_view("add passthr")) QTest::keyClick(window_, c);
    QTRY_COMPARE_WITH_TIMEOUT(palette->property("shown").toList().size(), 1, 3000);
    QTest::keyClick(window_, Qt::Key_Return);
    QVERIFY(waitIdle());
    QCOMPARE(graph().nodes()->count(), before + 1);
    QCOMPARE(graph().nodes()->nodes().last().type, QStringLiteral("PassThrough"));
    QVERIFY(!palette->property("opened").toBool());
  }

  // OBS habits: a running player with audio shows a live level meter in its node, and each wire
  // its bitrate and a running dot; Pause (F6) shows PAUSED and the wires stall (grey, dashed);
  // after Stop the meter goes and the bitrates fall to 0.
  void audioMetersAndWireBitrates() {
    QVERIFY(QMetaObject::invokeMethod(runtime_->studio(), "newProject"));
    QVERIFY(waitIdle());
    const QString clip = dir_.filePath("tone.webm");
    QVERIFY(QProcess::execute("gst-launch-1.0", {"-q", "videotestsrc", "num-buffers=600", "pattern=smpte", "!",
                                                 "video/x-raw,width=320,height=240,framerate=30/1", "!", "vp8enc", "deadline=1",
                                                 "!", "webmmux", "name=m", "!", "filesink", "location=" + clip, "audiotestsrc",
                                                 "num-buffers=940", "samplesperbuffer=1024", "volume=0.4", "!",
                                                 "audio/x-raw,rate=48000,channels=2", "!", "audioconvert", "!", "opusenc", "!",
                                                 "m."}) == 0);
    const QString player = graph().addElement("PlayerEndpoint", 40, 60, {{"uri", QUrl::fromLocalFile(clip).toString()}});
    const QString recorder = graph().addElement("RecorderEndpoint", 420, 60,
                                                {{"uri", QUrl::fromLocalFile(dir_.filePath("tone-recording.webm")).toString()}});
    graph().connectPorts(player, recorder, "ALL");
    QVERIFY(waitIdle());
    QCOMPARE(graph().edges()->count(), 2);
    AudioLevelModel* meters = runtime_->studio()->meters();
    FlowMonitor* flow = runtime_->studio()->flow();
    QQuickItem* playerNode = item(QStringLiteral("node_PlayerEndpoint_") + player);
    QVERIFY(playerNode);
    QQuickItem* meter = findItem(playerNode, QStringLiteral("audioMeter"));
    QVERIFY(meter);
    QVERIFY(!meter->isVisible());
    QQuickItem* audioWire = item(QStringLiteral("wire_AUDIO_%1_%2").arg(player, recorder));
    QVERIFY(audioWire);
    QQuickItem* rate = findItem(audioWire, QStringLiteral("wireBitrate"));
    QQuickItem* dot = findItem(audioWire, QStringLiteral("flowDot"));
    QVERIFY(rate && dot);
    QVERIFY(!rate->isVisible() && !dot->isVisible());

    QTest::mouseClick(window_, Qt::LeftButton, {}, sceneCenter(item(QStringLiteral("runButton"))));
    QTRY_COMPARE_WITH_TIMEOUT(graph().snapshot(recorder).recordState, QString("RECORDING"), 15000);
    QTRY_VERIFY2_WITH_TIMEOUT(meters->rmsDb(player) > -60, qPrintable(QString::number(meters->rmsDb(player))), 15000);
    QTRY_VERIFY_WITH_TIMEOUT(meter->isVisible(), 5000);
    QTRY_VERIFY_WITH_TIMEOUT(flow->kbps(player, recorder, "AUDIO") > 0 && flow->kbps(player, recorder, "VIDEO") > 0, 15000);
    QTRY_VERIFY_WITH_TIMEOUT(audioWire->property("flowing").toBool() && rate->isVisible() && dot->isVisible(), 10000);
    QTRY_VERIFY2_WITH_TIMEOUT(QRegularExpression(QStringLiteral("^[1-9]\\d* kbit/s$")).match(rate->property("text").toString()).hasMatch(),
                              qPrintable(rate->property("text").toString()), 5000);
    QTest::keyClick(window_, Qt::Key_0, Qt::ControlModifier);
    graph().select(player, QStringLiteral("replace"));
    screenshot(QStringLiteral("studio-meters-bitrate.png"));

    // F6 pauses: PAUSED on the recorder; once the media stops the wires stall.
    item(QStringLiteral("canvas"))->forceActiveFocus();
    QTest::keyClick(window_, Qt::Key_F6);
    QTRY_COMPARE_WITH_TIMEOUT(graph().snapshot(recorder).recordState, QString("PAUSED"), 5000);
    QQuickItem* rec = findItem(item(QStringLiteral("node_RecorderEndpoint_") + recorder), QStringLiteral("recBadge"));
    QVERIFY(rec && rec->property("text").toString().startsWith("PAUSED "));
    QTRY_VERIFY_WITH_TIMEOUT(!audioWire->property("flowing").toBool() && !dot->isVisible(), 10000);
    QTRY_VERIFY_WITH_TIMEOUT(flow->kbps(player, recorder, "AUDIO") == 0 && flow->kbps(player, recorder, "VIDEO") == 0, 10000);
    QTRY_VERIFY_WITH_TIMEOUT(!rate->isVisible(), 5000);
    graph().select(recorder, QStringLiteral("replace"));
    screenshot(QStringLiteral("studio-paused.png"));

    QTest::mouseClick(window_, Qt::LeftButton, {}, sceneCenter(item(QStringLiteral("stopButton"))));
    QVERIFY(waitIdle(30000));
    QTRY_VERIFY_WITH_TIMEOUT(!meters->metered(player) && !meter->isVisible(), 15000);
    QCOMPARE(meters->rmsDb(player), AudioLevelModel::kFloorDb);
    QTRY_COMPARE_WITH_TIMEOUT(flow->kbps(player, recorder, "AUDIO"), 0.0, 15000);
    QTRY_VERIFY_WITH_TIMEOUT(!rate->isVisible(), 5000);
  }

  // The palette's GStreamer tab: search, drag videobalance onto the canvas (a GStreamerFilter),
  // change its brightness in the inspector (the command changes; Ctrl+Z puts it back), then run
  // it fed by a player and hover the wire: the tooltip shows the negotiated caps.
  void gstreamerTabPropertiesAndWireCaps() {
    QVERIFY(QMetaObject::invokeMethod(runtime_->studio(), "newProject"));
    QVERIFY(waitIdle());
    QTest::mouseClick(window_, Qt::LeftButton, {}, sceneCenter(item(QStringLiteral("paletteTabGst"))));
    QQuickItem* search = item(QStringLiteral("gstSearch"));
    QVERIFY(search);
    QTRY_VERIFY_WITH_TIMEOUT(search->isVisible(), 3000);
    QTest::mouseClick(window_, Qt::LeftButton, {}, sceneCenter(search));
    for (const char c : std::string_view("balance")) QTest::keyClick(window_, c);
    QTRY_VERIFY_WITH_TIMEOUT(item(QStringLiteral("gst_videobalance")) != nullptr, 5000);
    QVERIFY(item(QStringLiteral("gst_videoflip")) == nullptr);  // the search hides the others

    QQuickItem* entry = item(QStringLiteral("gst_videobalance"));
    QQuickItem* canvas = item(QStringLiteral("canvas"));
    drag(scenePoint(entry, QPointF(40, entry->height() / 2)), scenePoint(canvas, QPointF(520, 120)));
    QVERIFY(waitIdle());
    QCOMPARE(graph().nodes()->count(), 1);
    const GraphNode added = graph().nodes()->nodes().first();
    QCOMPARE(added.type, QStringLiteral("GStreamerFilter"));
    QCOMPARE(added.constructorParams.value("command").toString(), QStringLiteral("videobalance"));
    QVERIFY(!added.objectId.isEmpty());
    const QString filter = added.key;

    // Select it: the inspector shows videobalance's properties; type a brightness, Enter.
    QQuickItem* node = item(QStringLiteral("node_GStreamerFilter_") + filter);
    QVERIFY(node);
    QTest::mouseClick(window_, Qt::LeftButton, {}, scenePoint(node, QPointF(60, 12)));
    QTRY_VERIFY_WITH_TIMEOUT(findItemPrefix(window_->contentItem(), QStringLiteral("gstprop_brightness")) != nullptr, 3000);
    QQuickItem* brightness = findItemPrefix(window_->contentItem(), QStringLiteral("gstprop_brightness"));
    QCOMPARE(brightness->property("text").toString(), QStringLiteral("0"));
    QVERIFY(findItemPrefix(window_->contentItem(), QStringLiteral("gstslider_brightness")));
    QTest::mouseClick(window_, Qt::LeftButton, {}, sceneCenter(brightness));
    QTest::keyClick(window_, Qt::Key_End);
    QTest::keyClick(window_, Qt::Key_Backspace);
    for (const char c : std::string_view("0.3")) QTest::keyClick(window_, c);
    QTest::keyClick(window_, Qt::Key_Return);
    QVERIFY(waitIdle());
    QCOMPARE(graph().snapshot(filter).constructorParams.value("command").toString(), QStringLiteral("videobalance brightness=0.3"));
    QCOMPARE(item(QStringLiteral("gstCommand"))->property("text").toString(), QStringLiteral("videobalance brightness=0.3"));
    QCOMPARE(graph().undoText(), QStringLiteral("Set videobalance brightness"));
    QCOMPARE(runtime_->studio()->log()->countOf(QStringLiteral("set brightness")), 0);  // the engine took it
    // Ctrl+Z on the canvas undoes it as one step; Ctrl+Shift+Z does it again.
    canvas->forceActiveFocus();
    QTest::keyClick(window_, Qt::Key_Z, Qt::ControlModifier);
    QVERIFY(waitIdle());
    QCOMPARE(graph().snapshot(filter).constructorParams.value("command").toString(), QStringLiteral("videobalance"));
    QTRY_COMPARE(findItemPrefix(window_->contentItem(), QStringLiteral("gstprop_brightness"))->property("text").toString(),
                 QStringLiteral("0"));
    QTest::keyClick(window_, Qt::Key_Z, Qt::ControlModifier | Qt::ShiftModifier);
    QVERIFY(waitIdle());
    QCOMPARE(graph().snapshot(filter).constructorParams.value("command").toString(), QStringLiteral("videobalance brightness=0.3"));
    screenshot(QStringLiteral("studio-gstreamer-palette.png"));

    // A player feeds it; hovering the wire's handle shows the caps once the pipeline runs.
    QTest::mouseClick(window_, Qt::LeftButton, {}, sceneCenter(item(QStringLiteral("paletteTabElements"))));
    const QString player = dropElement("PlayerEndpoint", QPointF(80, 320), clipUri_);
    QVERIFY2(!player.isEmpty(), "dropping a PlayerEndpoint did not create a node");
    QVERIFY(waitIdle());
    QQuickItem* playerNode = item(QStringLiteral("node_PlayerEndpoint_") + player);
    QVERIFY(playerNode);
    drag(sceneCenter(findItem(playerNode, QStringLiteral("out_VIDEO"))), sceneCenter(findItem(node, QStringLiteral("in_VIDEO"))));
    QVERIFY(waitIdle());
    QQuickItem* wire = item(QStringLiteral("wire_VIDEO_") + player + u'_' + filter);
    QVERIFY(wire);
    QQuickItem* handle = findItem(wire, QStringLiteral("wireHandle"));
    QVERIFY(handle);
    QTest::mouseMove(window_, sceneCenter(handle));
    QTRY_COMPARE_WITH_TIMEOUT(wire->property("capsText").toString(), QStringLiteral("not negotiated yet"), 5000);
    QTest::mouseClick(window_, Qt::LeftButton, {}, sceneCenter(item(QStringLiteral("runButton"))));
    QTest::mouseMove(window_, sceneCenter(handle));
    QTRY_VERIFY_WITH_TIMEOUT(wire->property("capsText").toString().startsWith(u"video/x-raw"), 15000);
    const QString caps = wire->property("capsText").toString();
    QVERIFY2(caps.contains(u"width=320, height=240") && caps.contains(u"framerate=30/1"), qPrintable(caps));
    QVERIFY(wire->property("tipText").toString().contains(caps));
    screenshot(QStringLiteral("studio-wire-caps.png"));
    QTest::mouseClick(window_, Qt::LeftButton, {}, sceneCenter(item(QStringLiteral("stopButton"))));
    QVERIFY(waitIdle(30000));
  }
};

QTEST_MAIN(TestStudioGui)
#include "tst_studio_gui.moc"
