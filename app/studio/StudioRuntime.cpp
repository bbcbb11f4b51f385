#include "StudioRuntime.h"

#include "PreviewManager.h"
#include "QmlModules.h"
#include "ServerMonitor.h"
#include "Studio.h"
#include "WebSocketServer.h"
#include "pipewright/engine/Engine.h"
#include "pipewright/engine/Log.h"

#include <QDir>
#include <QMetaObject>
#include <QQmlApplicationEngine>
#include <QQmlContext>
#include <QQuickStyle>
#include <QQuickWindow>

#include <cstdio>

namespace pw::studio {

StudioRuntime::StudioRuntime(Config config, QObject* parent) : QObject(parent), config_(std::move(config)) {
  engineThread_.setObjectName(QStringLiteral("engine"));
}

StudioRuntime::~StudioRuntime() { stop(); }

bool StudioRuntime::start(QString* error) {
  engineThread_.start();
  engineAnchor_ = new QObject;
  engineAnchor_->moveToThread(&engineThread_);
  connect(&engineThread_, &QThread::finished, engineAnchor_, &QObject::deleteLater);
  bool listening = false;
  QMetaObject::invokeMethod(
      engineAnchor_,
      [&]() {
        engine_ = std::make_unique<Engine>(config_);
        server_ = std::make_unique<WebSocketServer>(*engine_, config_);
        listening = server_->listen(error);
        // The studio from the menu must open even when its port is taken (typically by the
        // packaged service on 8888): its own engine moves to the next free port, or to one the
        // system picks. Only the port changes; a refusal for another reason fails every try and
        // the first message is reported. (--headless never moves: a service's port is its address.)
        const int wanted = config_.port;
        for (int offset = 1; !listening && wanted != 0 && offset <= kPortTries + 1; ++offset) {
          Config moved = config_;
          moved.port = offset <= kPortTries && wanted + offset <= 65535 ? wanted + offset : 0;
          server_ = std::make_unique<WebSocketServer>(*engine_, moved);
          QString ignored;
          listening = server_->listen(&ignored);
          if (listening) {
            portNote_ = QStringLiteral("port %1 is in use (the pipewright service?): the studio's engine listens on port %2 instead")
                            .arg(wanted)
                            .arg(server_->port());
          }
        }
        if (listening) url_ = server_->url();
      },
      Qt::BlockingQueuedConnection);
  if (!listening) {
    stop();
    return false;
  }
  if (!portNote_.isEmpty()) std::printf("pipewright: %s\n", qPrintable(portNote_));
  PreviewManager::prepare();  // before any QML: registers the video item type
  const QString mediaFolder = config_.mediaFolders.isEmpty() ? QDir::homePath() : config_.mediaFolders.first();
  studio_ = std::make_unique<Studio>(*engine_, mediaFolder);
  studio_->monitor()->setListenUrl(url_);
  if (!portNote_.isEmpty()) {
    studio_->monitor()->setListenNote(portNote_);
    studio_->notify(portNote_.left(1).toUpper() + portNote_.mid(1));
  }
  // The server lives on the engine thread: the count arrives queued.
  connect(server_.get(), &WebSocketServer::connectionCountChanged, studio_->monitor(), &ServerMonitor::setClients,
          Qt::QueuedConnection);

  QQuickStyle::setStyle(QStringLiteral("Fusion"));
  qml_ = std::make_unique<QQmlApplicationEngine>();
  qml_->addImportPath(QStringLiteral("qrc:/qt/qml"));
  // QML modules are found at run time: a missing one gets a message naming its Debian package,
  // not a failed load (or, for the file dialogs' modules, a crash when a dialog opens).
  const QList<MissingQmlModule> missing = missingQmlModules(*qml_);
  QList<MissingQmlModule> forDialogs;
  for (const MissingQmlModule& m : missing) {
    if (m.forFileDialogs) forDialogs.append(m);
  }
  if (forDialogs.size() < missing.size()) {
    *error = describeMissingQmlModules(missing);
    stop();
    return false;
  }
  if (!forDialogs.isEmpty()) {
    const QString message = describeMissingQmlModules(forDialogs);
    qCWarning(lcStudio, "%s", qUtf8Printable(message));
    for (const MissingQmlModule& m : forDialogs) qCWarning(lcStudio, "  %s: %s", qUtf8Printable(m.module), qUtf8Printable(m.detail));
    studio_->setFileDialogProblem(message);
  }
  qml_->setInitialProperties({{QStringLiteral("studio"), QVariant::fromValue(studio_.get())}});
  qml_->load(QUrl(QStringLiteral("qrc:/qt/qml/Pipewright/Studio/Main.qml")));
  if (qml_->rootObjects().isEmpty()) {
    *error = QStringLiteral("the studio window failed to load (see the QML messages above)");
    stop();
    return false;
  }
  return true;
}

QQuickWindow* StudioRuntime::window() const {
  if (!qml_ || qml_->rootObjects().isEmpty()) return nullptr;
  return qobject_cast<QQuickWindow*>(qml_->rootObjects().first());
}

void StudioRuntime::stop() {
  qml_.reset();
  studio_.reset();
  if (engineAnchor_) {
    QMetaObject::invokeMethod(
        engineAnchor_,
        [this]() {
          if (server_) server_->stop();
          server_.reset();
          if (engine_) engine_->shutdown();
          engine_.reset();
        },
        Qt::BlockingQueuedConnection);
    engineAnchor_ = nullptr;  // deleted when the thread finishes
  }
  engineThread_.quit();
  engineThread_.wait();
}

}  // namespace pw::studio
