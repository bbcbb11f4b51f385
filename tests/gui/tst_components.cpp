// Qt Quick Test for the studio's QML components, on a real engine (same thread) and the real
// studio models: what a component shows must follow the models it draws.

#include "Studio.h"
#include "pipewright/engine/Engine.h"

#include <QDir>
#include <QQmlContext>
#include <QQmlEngine>
#include <QStandardPaths>
#include <QTemporaryDir>
#include <QUrl>
#include <QtQml/qqmlextensionplugin.h>
#include <QtQuickTest>

#include <memory>

Q_IMPORT_QML_PLUGIN(Pipewright_StudioPlugin)

class Setup : public QObject {
  Q_OBJECT

 public Q_SLOTS:
  void applicationAvailable() { QStandardPaths::setTestModeEnabled(true); }

  void qmlEngineAvailable(QQmlEngine* qml) {
    QString error;
    if (!pw::initGStreamer(&error)) qFatal("%s", qPrintable(error));
    pw::Config config;
    config.mediaFolders = {dir_.path()};
    engine_ = std::make_unique<pw::Engine>(config);
    studio_ = std::make_unique<pw::studio::Studio>(*engine_, dir_.path());
    qml->addImportPath(QStringLiteral("qrc:/qt/qml"));
    qml->rootContext()->setContextProperty(QStringLiteral("testStudio"), studio_.get());
    qml->rootContext()->setContextProperty(QStringLiteral("testMediaUri"),
                                           QUrl::fromLocalFile(dir_.filePath(QStringLiteral("any.webm"))).toString());
  }

  void cleanupTestCase() {
    studio_.reset();
    engine_->shutdown();
    engine_.reset();
  }

 private:
  QTemporaryDir dir_;
  std::unique_ptr<pw::Engine> engine_;
  std::unique_ptr<pw::studio::Studio> studio_;
};

QUICK_TEST_MAIN_WITH_SETUP(components, Setup)
#include "tst_components.moc"
