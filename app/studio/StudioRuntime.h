#pragma once

// Runs the whole desktop application: the engine and the WebSocket server on their own thread
// (design §4), the studio models and the QML window on the GUI thread. main() and the GUI tests
// both use it, so the tests drive exactly what users run. The executable that uses it imports
// the QML module with Q_IMPORT_QML_PLUGIN(Pipewright_StudioPlugin).

#include "pipewright/engine/Config.h"

#include <QObject>
#include <QString>
#include <QThread>

#include <memory>

class QQmlApplicationEngine;
class QQuickWindow;

namespace pw {
class Engine;
class WebSocketServer;
}  // namespace pw

namespace pw::studio {

class Studio;

class StudioRuntime : public QObject {
  Q_OBJECT

 public:
  explicit StudioRuntime(Config config, QObject* parent = nullptr);
  ~StudioRuntime() override;

  // Starts engine, server and window. False with a message when something cannot start.
  bool start(QString* error);
  void stop();

  QString url() const { return url_; }
  // Set when the configured port was taken and the engine listens elsewhere (shown to the user).
  QString portNote() const { return portNote_; }
  // Ports after the configured one tried before letting the system pick one.
  static constexpr int kPortTries = 20;
  Studio* studio() const { return studio_.get(); }
  QQuickWindow* window() const;
  QQmlApplicationEngine* qml() const { return qml_.get(); }

 private:
  Config config_;
  QThread engineThread_;
  QObject* engineAnchor_ = nullptr;  // lives on the engine thread; target of blocking calls
  std::unique_ptr<Engine> engine_;
  std::unique_ptr<WebSocketServer> server_;
  std::unique_ptr<Studio> studio_;
  std::unique_ptr<QQmlApplicationEngine> qml_;
  QString url_;
  QString portNote_;
};

}  // namespace pw::studio
