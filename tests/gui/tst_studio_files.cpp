// The studio's files as a user meets them, on the real application under a virtual display:
// every file dialog opened with its shortcut (Open, Save, Save As, Export DOT, Export PNG) and
// used with the keyboard; a project with a saved player position loaded and run; Quit with
// unsaved work (Ctrl+Q and the window's close button): Cancel keeps the window, Save writes the
// project, Discard quits; the autosave kept or deleted accordingly. The check that the QML
// modules of the file dialogs are installed is run against an import path that lacks one.

#include "AppIdentity.h"
#include "EngineClient.h"
#include "EventLogModel.h"
#include "GraphModel.h"
#include "NodeListModel.h"
#include "QmlModules.h"
#include "Studio.h"
#include "StudioRuntime.h"
#include "pipewright/engine/Engine.h"

#include <QDeadlineTimer>
#include <QGuiApplication>
#include <QProcessEnvironment>
#include <QDir>
#include <QFile>
#include <QFileInfo>
#include <QJsonArray>
#include <QJsonDocument>
#include <QJsonObject>
#include <QLibraryInfo>
#include <QProcess>
#include <QQmlApplicationEngine>
#include <QQuickItem>
#include <QQuickWindow>
#include <QSGRendererInterface>
#include <QSettings>
#include <QSignalSpy>
#include <QStandardPaths>
#include <QTemporaryDir>
#include <QTest>
#include <QUrl>
#include <QtQml/qqmlextensionplugin.h>

#include <cstdio>
#include <tuple>

Q_IMPORT_QML_PLUGIN(Pipewright_StudioPlugin)

using namespace pw;
using namespace pw::studio;

namespace {

// Every item below `root` (itself included) that `accept` takes.
void collect(QQuickItem* root, const std::function<bool(QQuickItem*)>& accept, QList<QQuickItem*>* out) {
  if (!root) return;
  if (accept(root)) out->append(root);
  for (QQuickItem* child : root->childItems()) collect(child, accept, out);
}

QQuickItem* firstItem(QQuickItem* root, const std::function<bool(QQuickItem*)>& accept) {
  QList<QQuickItem*> found;
  collect(root, accept, &found);
  return found.isEmpty() ? nullptr : found.first();
}

bool isA(QObject* o, const char* className) { return o && o->inherits(className); }

bool shown(QQuickItem* item) { return item && item->isVisible() && item->opacity() > 0; }

QPoint sceneCenter(QQuickItem* item) {
  return item->mapToScene(QPointF(item->width() / 2, item->height() / 2)).toPoint();
}

}  // namespace

class TestStudioFiles : public QObject {
  Q_OBJECT

 private:
  QTemporaryDir dir_;
  std::unique_ptr<StudioRuntime> runtime_;
  QQuickWindow* window_ = nullptr;
  QString clip_;

  Studio& studio() { return *runtime_->studio(); }
  GraphModel& graph() { return *studio().graph(); }
  QQuickItem* root() { return window_->contentItem()->parentItem() ? window_->contentItem()->parentItem() : window_->contentItem(); }

  bool waitIdle(int timeoutMs = 20000) {
    QDeadlineTimer deadline(timeoutMs);
    while (!deadline.hasExpired()) {
      QTest::qWait(30);
      if (!graph().busy() && studio().client().pendingCalls() == 0) return true;
    }
    return false;
  }

  // The popup item of the visible Quick file dialog whose title is `title` (null when none).
  QQuickItem* fileDialog(const QString& title) {
    QQuickItem* label = firstItem(root(), [&](QQuickItem* i) {
      return i->objectName() == u"dialogTitleBarLabel" && i->property("text").toString() == title && shown(i);
    });
    for (QQuickItem* p = label; p; p = p->parentItem()) {
      if (isA(p, "QQuickPopupItem")) return shown(p) ? p : nullptr;
    }
    return nullptr;
  }
  // A visible button of a popup (dialog) by its text.
  QQuickItem* button(QQuickItem* popup, const QString& text) {
    return firstItem(popup, [&](QQuickItem* i) {
      return isA(i, "QQuickAbstractButton") && i->property("text").toString().remove(u'&') == text && shown(i);
    });
  }
  QString buttonTexts(QQuickItem* popup) {
    QList<QQuickItem*> found;
    collect(popup, [](QQuickItem* i) { return isA(i, "QQuickAbstractButton") && shown(i); }, &found);
    QStringList texts;
    for (QQuickItem* b : found) texts.append(b->property("text").toString());
    return texts.join(QStringLiteral(", "));
  }
  QQuickItem* popupNamed(const QString& objectName) {
    // Controls' Dialog is a QObject (QQuickPopup) whose item is in the overlay.
    QObject* popup = window_->findChild<QObject*>(objectName);
    if (!popup || !popup->property("visible").toBool()) return nullptr;
    auto* content = popup->property("contentItem").value<QQuickItem*>();
    return content ? content->parentItem() : nullptr;
  }
  // Opens a menu of the menu bar with a click and clicks one of its items.
  void chooseMenuItem(const QString& menu, const QString& entry) {
    QQuickItem* bar = button(root(), menu);
    QVERIFY2(bar, qPrintable(menu));
    click(bar);
    QQuickItem* item = nullptr;
    QTRY_VERIFY_WITH_TIMEOUT((item = button(root(), entry)) != nullptr, 3000);
    click(item);
  }
  void click(QQuickItem* item) { QTest::mouseClick(window_, Qt::LeftButton, {}, sceneCenter(item)); }
  void typeText(const QString& text) {
    for (const QChar c : text) QTest::keyClick(window_, c.toLatin1());
  }
  // Types a file name into a save dialog's name field (replacing what it holds), then Enter.
  // The dialog shows the project's folder (here the media folder): a bare name is saved there.
  void typeFileNameAndEnter(QQuickItem* dialog, const QString& name) {
    QQuickItem* field = firstItem(dialog, [](QQuickItem* i) { return i->objectName() == u"fileNameTextField"; });
    QVERIFY2(shown(field), "the save dialog has no file name field");
    click(field);
    QTRY_VERIFY(field->hasActiveFocus());
    QTest::keyClick(window_, Qt::Key_A, Qt::ControlModifier);
    typeText(name);
    QTest::keyClick(window_, Qt::Key_Return);
  }
  // Something on the canvas that is not saved: a player dropped from code (the drag itself is
  // covered by tst_studio_gui).
  void makeUnsavedWork() {
    graph().addElement(QStringLiteral("PassThrough"), 100, 100, {});
    QVERIFY(waitIdle());
    QVERIFY(graph().dirty());
    QVERIFY(studio().unsavedWork());
  }
  void showAgain() {
    window_->show();
    QVERIFY(QTest::qWaitForWindowExposed(window_));
    window_->requestActivate();
    QTRY_VERIFY(window_->isActive());
  }
  void restart() {
    runtime_->stop();
    runtime_.reset();
    window_ = nullptr;
    Config config;
    config.listen = QStringLiteral("127.0.0.1");
    config.port = 0;
    config.mediaFolders = {dir_.path()};
    runtime_ = std::make_unique<StudioRuntime>(config);
    QString error;
    QVERIFY2(runtime_->start(&error), qPrintable(error));
    window_ = runtime_->window();
    QVERIFY(window_);
    QVERIFY(QTest::qWaitForWindowExposed(window_));
  }
  QStringList errors() const {
    QStringList out;
    const auto& rows = runtime_->studio()->log()->entries();
    for (const auto& e : rows) {
      if (e.level == u"error") out.append(e.text);
    }
    return out;
  }

 public:
  static void initMain() { QQuickWindow::setGraphicsApi(QSGRendererInterface::OpenGL); }

 private Q_SLOTS:
  void initTestCase() {
    applyApplicationIdentity();
    QStandardPaths::setTestModeEnabled(true);
    QFile::remove(Studio::autosavePathFor());
    QSettings().clear();
    QString error;
    QVERIFY2(initGStreamer(&error), qPrintable(error));
    clip_ = dir_.filePath("clip.webm");
    QVERIFY(QProcess::execute("gst-launch-1.0", {"-q", "videotestsrc", "num-buffers=150", "!",
                                                 "video/x-raw,width=320,height=240,framerate=30/1", "!", "vp8enc",
                                                 "deadline=1", "!", "webmmux", "!", "filesink", "location=" + clip_}) == 0);
    Config config;
    config.listen = QStringLiteral("127.0.0.1");
    config.port = 0;
    config.mediaFolders = {dir_.path()};
    runtime_ = std::make_unique<StudioRuntime>(config);
    QVERIFY2(runtime_->start(&error), qPrintable(error));
    window_ = runtime_->window();
    QVERIFY(window_);
    window_->resize(1400, 860);
    QVERIFY(QTest::qWaitForWindowExposed(window_));
    window_->requestActivate();
    QTRY_VERIFY(window_->isActive());
    if (QObject* gallery = window_->findChild<QObject*>(QStringLiteral("templateGallery"))) QMetaObject::invokeMethod(gallery, "close");
    QTest::qWait(100);
  }

  void cleanupTestCase() {
    if (runtime_) runtime_->stop();
    runtime_.reset();
    QFile::remove(Studio::autosavePathFor());  // nothing left for the next run to recover
  }

  // Settings and the autosave live where docs/studio.md says.
  void identityAndFolders() {
    QCOMPARE(QCoreApplication::organizationName(), QStringLiteral("Pipewright"));
    QCOMPARE(QCoreApplication::applicationName(), QStringLiteral("pipewright"));
    QVERIFY2(QSettings().fileName().endsWith(QStringLiteral("/Pipewright/pipewright.conf")), qPrintable(QSettings().fileName()));
    QCOMPARE(studio().autosavePath(),
             QStandardPaths::writableLocation(QStandardPaths::GenericDataLocation) + QStringLiteral("/pipewright/autosave.pwproj"));
  }

  // This machine has every module, so the studio found nothing missing. Against an import path
  // without Qt.labs.folderlistmodel, the check names the module and its Debian package.
  void qmlModuleCheck() {
    QCOMPARE(studio().fileDialogProblem(), QString());
    QVERIFY(missingQmlModules(*runtime_->qml()).isEmpty());

    // In another process: this one has loaded the module already, and a loaded module stays
    // importable whatever the import path says.
    QTemporaryDir imports;
    const QDir system(QLibraryInfo::path(QLibraryInfo::QmlImportsPath));
    for (const QString& entry : system.entryList(QDir::Dirs | QDir::NoDotAndDotDot)) {
      if (entry == u"Qt") continue;
      QVERIFY(QFile::link(system.filePath(entry), QDir(imports.path()).filePath(entry)));
    }
    QDir(imports.path()).mkpath(QStringLiteral("Qt/labs"));
    for (const QString& entry : QDir(system.filePath(QStringLiteral("Qt/labs"))).entryList(QDir::Dirs | QDir::NoDotAndDotDot)) {
      if (entry == u"folderlistmodel") continue;
      QVERIFY(QFile::link(system.filePath(QStringLiteral("Qt/labs/") + entry), QDir(imports.path()).filePath(QStringLiteral("Qt/labs/") + entry)));
    }
    QProcess probe;
    QProcessEnvironment env = QProcessEnvironment::systemEnvironment();
    env.insert(QStringLiteral("QT_QPA_PLATFORM"), QStringLiteral("offscreen"));
    probe.setProcessEnvironment(env);
    probe.start(QCoreApplication::applicationFilePath(), {QStringLiteral("--probe-qml-modules"), imports.path()});
    QVERIFY(probe.waitForFinished(30000));
    const QString out = QString::fromUtf8(probe.readAllStandardOutput());
    QCOMPARE(probe.exitCode(), 0);
    QCOMPARE(out.split(u'\n', Qt::SkipEmptyParts).filter(QStringLiteral("MISSING ")),
             QStringList{QStringLiteral("MISSING Qt.labs.folderlistmodel qml6-module-qt-labs-folderlistmodel dialogs")});
    QVERIFY2(out.contains(QStringLiteral("sudo apt install qml6-module-qt-labs-folderlistmodel")), qPrintable(out));
  }

  // Ctrl+O shows the open dialog in the media folder; picking a project with the keyboard
  // opens it. The project's player has a saved position: it loads without an error, and the
  // position is applied once the player plays and can seek.
  void openDialogLoadsAProjectWithASavedPosition() {
    const QString project = dir_.filePath("with-position.pwproj");
    {
      const QJsonObject player{{"key", "p1"}, {"type", "PlayerEndpoint"}, {"x", 60}, {"y", 60},
                               {"constructorParams", QJsonObject{{"uri", QUrl::fromLocalFile(clip_).toString()}}},
                               {"properties", QJsonObject{{"position", 2000}}}};
      const QJsonObject doc{{"format", "pipewright-project"}, {"version", 1}, {"nodes", QJsonArray{player}}, {"edges", QJsonArray{}}};
      QFile f(project);
      QVERIFY(f.open(QIODevice::WriteOnly));
      f.write(QJsonDocument(doc).toJson());
    }
    studio().log()->clear();
    QTest::keyClick(window_, Qt::Key_O, Qt::ControlModifier);
    QQuickItem* dialog = nullptr;
    QTRY_VERIFY_WITH_TIMEOUT((dialog = fileDialog(QStringLiteral("Open project"))) != nullptr, 5000);
    QVERIFY(button(dialog, QStringLiteral("Open")));
    // The file list shows the media folder; select the project with a click, then Enter.
    QQuickItem* entry = nullptr;
    QTRY_VERIFY_WITH_TIMEOUT((entry = firstItem(dialog, [](QQuickItem* i) {
                                return i->objectName().startsWith(u"fileDialogDelegate") && shown(i) &&
                                       i->property("fileName").toString() == u"with-position.pwproj";
                              })) != nullptr,
                             5000);
    click(entry);
    QTest::keyClick(window_, Qt::Key_Return);
    QTRY_VERIFY_WITH_TIMEOUT(fileDialog(QStringLiteral("Open project")) == nullptr, 5000);
    QTRY_COMPARE_WITH_TIMEOUT(studio().currentFile(), project, 5000);
    QVERIFY(waitIdle());
    QCOMPARE(graph().nodes()->count(), 1);
    const GraphNode player = graph().snapshot(QStringLiteral("p1"));
    QVERIFY2(player.state == u"ready", qPrintable(player.error));
    QTest::qWait(300);
    QVERIFY2(errors().isEmpty(), qPrintable(errors().join(u'\n')));

    // Run: the player plays, then seeks to the saved position (not from 0).
    QTest::keyClick(window_, Qt::Key_F5);
    QVERIFY(waitIdle());
    qint64 position = 0;
    QDeadlineTimer deadline(10000);
    while (!deadline.hasExpired() && position < 2000) {
      QTest::qWait(100);
      EngineClient::Reply reply;
      bool done = false;
      studio().client().invoke(player.objectId, QStringLiteral("getPosition"), {}, [&](const EngineClient::Reply& r) {
        reply = r;
        done = true;
      });
      QTRY_VERIFY(done);
      if (reply.ok()) position = reply.value.toInteger();
    }
    QVERIFY2(position >= 2000, qPrintable(QString::number(position)));
    QVERIFY2(errors().isEmpty(), qPrintable(errors().join(u'\n')));
    QTest::keyClick(window_, Qt::Key_F5, Qt::ShiftModifier);
    QVERIFY(waitIdle());
  }

  // Ctrl+Shift+S: a save dialog ("Save", not "Open"), a typed name and Enter write the project.
  void saveAsDialogWritesWithEnter() {
    const QString path = dir_.filePath("typed-name");
    QTest::keyClick(window_, Qt::Key_S, Qt::ControlModifier | Qt::ShiftModifier);
    QQuickItem* dialog = nullptr;
    QTRY_VERIFY_WITH_TIMEOUT((dialog = fileDialog(QStringLiteral("Save project"))) != nullptr, 5000);
    QVERIFY2(button(dialog, QStringLiteral("Save")), qPrintable(QStringLiteral("the save dialog's buttons: ") + buttonTexts(dialog)));
    QVERIFY(!button(dialog, QStringLiteral("Open")));
    typeFileNameAndEnter(dialog, QStringLiteral("typed-name"));
    QTRY_VERIFY_WITH_TIMEOUT(fileDialog(QStringLiteral("Save project")) == nullptr, 5000);
    QTRY_VERIFY_WITH_TIMEOUT(QFileInfo::exists(path + QStringLiteral(".pwproj")), 5000);
    QCOMPARE(studio().currentFile(), path + QStringLiteral(".pwproj"));
  }

  // Ctrl+S on an untitled canvas asks for a name; so do both exports.
  void everyOtherFileDialogOpens() {
    QTest::keyClick(window_, Qt::Key_N, Qt::ControlModifier);
    QVERIFY(waitIdle());
    QTest::keyClick(window_, Qt::Key_S, Qt::ControlModifier);
    QQuickItem* dialog = nullptr;
    QTRY_VERIFY_WITH_TIMEOUT((dialog = fileDialog(QStringLiteral("Save project"))) != nullptr, 5000);
    click(button(dialog, QStringLiteral("Cancel")));
    QTRY_VERIFY(fileDialog(QStringLiteral("Save project")) == nullptr);

    // The exports, from the File menu (DOT needs a pipeline: one element makes it).
    graph().addElement(QStringLiteral("PassThrough"), 100, 100, {});
    QVERIFY(waitIdle());
    for (const auto& [item, title, file] :
         {std::tuple{QStringLiteral("Export GStreamer DOT…"), QStringLiteral("Export GStreamer DOT graph"), QStringLiteral("graph.dot")},
          std::tuple{QStringLiteral("Export PNG…"), QStringLiteral("Export picture"), QStringLiteral("canvas.png")}}) {
      chooseMenuItem(QStringLiteral("File"), item);
      QTRY_VERIFY_WITH_TIMEOUT((dialog = fileDialog(title)) != nullptr, 5000);
      QVERIFY2(button(dialog, QStringLiteral("Save")), qPrintable(title));
      typeFileNameAndEnter(dialog, file);
      QTRY_VERIFY_WITH_TIMEOUT(fileDialog(title) == nullptr, 5000);
      QTRY_VERIFY_WITH_TIMEOUT(QFileInfo(dir_.filePath(file)).size() > 0, 10000);
    }
  }

  // Mean lightness (0..1) of what the window shows inside `item`, over a 12x12 grid of pixels.
  double lightnessOf(QQuickItem* item) {
    const QImage image = window_->grabWindow();
    const QPointF origin = item->mapToScene(QPointF(0, 0));
    const qreal dpr = image.devicePixelRatio();
    double sum = 0;
    int n = 0;
    for (int i = 1; i <= 12; ++i) {
      for (int j = 1; j <= 12; ++j) {
        const QPoint p(int((origin.x() + item->width() * i / 13.0) * dpr), int((origin.y() + item->height() * j / 13.0) * dpr));
        if (!image.rect().contains(p)) continue;
        sum += image.pixelColor(p).lightnessF();
        ++n;
      }
    }
    return n ? sum / n : -1;
  }
  void chooseTheme(const QString& name) {
    chooseMenuItem(QStringLiteral("View"), QStringLiteral("Theme"));
    QQuickItem* entry = nullptr;
    QTRY_VERIFY_WITH_TIMEOUT((entry = button(root(), name)) != nullptr, 3000);
    click(entry);
    QTest::qWait(200);
  }

  // View ▸ Theme ▸ Dark: the file dialogs (their folder bar was white, with light text) and the
  // studio's own dialogs are dark too; Light makes them light again.
  void dialogsFollowTheDarkTheme() {
    studio().newProject();
    QVERIFY(waitIdle());
    for (const QString& theme : {QStringLiteral("Dark"), QStringLiteral("Light")}) {
      chooseTheme(theme);
      const bool dark = theme == u"Dark";
      auto check = [&](QQuickItem* item, const char* what) {
        QVERIFY2(item, what);
        const double l = lightnessOf(item);
        QVERIFY2(dark ? l < 0.4 : l > 0.65, qPrintable(QStringLiteral("%1 theme: %2 lightness %3").arg(theme, what).arg(l)));
      };
      QTest::keyClick(window_, Qt::Key_S, Qt::ControlModifier);
      QQuickItem* dialog = nullptr;
      QTRY_VERIFY_WITH_TIMEOUT((dialog = fileDialog(QStringLiteral("Save project"))) != nullptr, 5000);
      QTest::qWait(300);
      check(dialog, "file dialog");
      check(firstItem(dialog, [](QQuickItem* i) { return isA(i, "QQuickFolderBreadcrumbBar") && shown(i); }), "its folder bar");
      click(button(dialog, QStringLiteral("Cancel")));
      QTRY_VERIFY(fileDialog(QStringLiteral("Save project")) == nullptr);
      makeUnsavedWork();
      QTest::keyClick(window_, Qt::Key_N, Qt::ControlModifier);
      QQuickItem* prompt = nullptr;
      QTRY_VERIFY_WITH_TIMEOUT((prompt = popupNamed(QStringLiteral("discardDialog"))) != nullptr, 3000);
      QTest::qWait(300);
      check(prompt, "discard dialog");
      click(button(prompt, QStringLiteral("Cancel")));
      QTRY_VERIFY(popupNamed(QStringLiteral("discardDialog")) == nullptr);
      studio().discardUnsavedWork();
      studio().newProject();
      QVERIFY(waitIdle());
    }
    chooseTheme(QStringLiteral("Follow the system"));
  }

  // Ctrl+Q with unsaved work asks; Cancel keeps the window and the autosave.
  void quitCancelKeepsTheWindow() {
    makeUnsavedWork();
    studio().autosaveNow();
    QVERIFY(QFileInfo::exists(studio().autosavePath()));
    QTest::keyClick(window_, Qt::Key_Q, Qt::ControlModifier);
    QQuickItem* prompt = nullptr;
    QTRY_VERIFY_WITH_TIMEOUT((prompt = popupNamed(QStringLiteral("quitDialog"))) != nullptr, 3000);
    QVERIFY(button(prompt, QStringLiteral("Save")));
    QVERIFY(button(prompt, QStringLiteral("Discard")));
    click(button(prompt, QStringLiteral("Cancel")));
    QTRY_VERIFY(popupNamed(QStringLiteral("quitDialog")) == nullptr);
    QTest::qWait(300);
    QVERIFY(window_->isVisible());
    QVERIFY(studio().unsavedWork());
    QVERIFY(QFileInfo::exists(studio().autosavePath()));
    // Escape is Cancel too.
    QTest::keyClick(window_, Qt::Key_Q, Qt::ControlModifier);
    QTRY_VERIFY_WITH_TIMEOUT(popupNamed(QStringLiteral("quitDialog")) != nullptr, 3000);
    QTest::keyClick(window_, Qt::Key_Escape);
    QTRY_VERIFY(popupNamed(QStringLiteral("quitDialog")) == nullptr);
    QTest::qWait(300);
    QVERIFY(window_->isVisible());
  }

  // The window's close button with unsaved, untitled work: Save asks for a name, writes the
  // project, deletes the autosave and closes the window (the application quits with its last
  // window).
  void closeButtonSaveWritesAndQuits() {
    studio().newProject();
    makeUnsavedWork();
    studio().autosaveNow();
    QVERIFY(QFileInfo::exists(studio().autosavePath()));
    QVERIFY(studio().currentFile().isEmpty());
    QVERIFY(QGuiApplication::quitOnLastWindowClosed());  // main()'s event loop ends with the window
    window_->close();  // what the title bar's close button does
    QQuickItem* prompt = nullptr;
    QTRY_VERIFY_WITH_TIMEOUT((prompt = popupNamed(QStringLiteral("quitDialog"))) != nullptr, 3000);
    QVERIFY(window_->isVisible());
    click(button(prompt, QStringLiteral("Save")));
    QQuickItem* dialog = nullptr;
    QTRY_VERIFY_WITH_TIMEOUT((dialog = fileDialog(QStringLiteral("Save project"))) != nullptr, 5000);
    const QString path = dir_.filePath("saved-on-quit.pwproj");
    typeFileNameAndEnter(dialog, QStringLiteral("saved-on-quit.pwproj"));
    QTRY_VERIFY_WITH_TIMEOUT(!window_->isVisible(), 5000);
    QVERIFY(QFileInfo::exists(path));
    QFile f(path);
    QVERIFY(f.open(QIODevice::ReadOnly));
    QCOMPARE(QJsonDocument::fromJson(f.readAll()).object().value("nodes").toArray().size(), 1);
    QVERIFY(!QFileInfo::exists(studio().autosavePath()));
  }

  // Ctrl+Q, Discard: the window closes and the autosave is deleted.
  void quitDiscardQuits() {
    showAgain();
    makeUnsavedWork();
    studio().autosaveNow();
    QVERIFY(QFileInfo::exists(studio().autosavePath()));
    QTest::keyClick(window_, Qt::Key_Q, Qt::ControlModifier);
    QQuickItem* prompt = nullptr;
    QTRY_VERIFY_WITH_TIMEOUT((prompt = popupNamed(QStringLiteral("quitDialog"))) != nullptr, 3000);
    click(button(prompt, QStringLiteral("Discard")));
    QTRY_VERIFY_WITH_TIMEOUT(!window_->isVisible(), 5000);
    QVERIFY(!QFileInfo::exists(studio().autosavePath()));
  }

  // Stopped without a decision (SIGTERM): the unsaved work stays in the autosave, and the next
  // start offers to recover it; Yes brings it back.
  void stopWithoutDecisionKeepsTheAutosave() {
    restart();  // a new application: the last one quit
    QVERIFY(!studio().hasRecovery());
    makeUnsavedWork();
    restart();  // stopped without a decision, as by SIGTERM
    QVERIFY(studio().hasRecovery());
    QTRY_VERIFY_WITH_TIMEOUT(popupNamed(QStringLiteral("recoveryDialog")) != nullptr, 5000);
    studio().recover();
    QVERIFY(waitIdle());
    QCOMPARE(graph().nodes()->count(), 1);
  }
};

int main(int argc, char* argv[]) {
  // Helper mode for qmlModuleCheck: the module check against an import path only.
  if (argc == 3 && qstrcmp(argv[1], "--probe-qml-modules") == 0) {
    QGuiApplication app(argc, argv);
    QQmlEngine engine;
    engine.setImportPathList({QString::fromLocal8Bit(argv[2])});
    const QList<MissingQmlModule> missing = missingQmlModules(engine);
    for (const MissingQmlModule& m : missing) {
      std::printf("MISSING %s %s %s\n", qPrintable(m.module), qPrintable(m.package), m.forFileDialogs ? "dialogs" : "window");
    }
    std::printf("MESSAGE %s\n", qPrintable(describeMissingQmlModules(missing)));
    return 0;
  }
  TestStudioFiles::initMain();
  QGuiApplication app(argc, argv);
  app.setAttribute(Qt::AA_Use96Dpi, true);
  TestStudioFiles test;
  QTEST_SET_MAIN_SOURCE_PATH
  return QTest::qExec(&test, argc, argv);
}
#include "tst_studio_files.moc"
