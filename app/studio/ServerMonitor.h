#pragma once

// The sessions list and the status bar: what the server is doing, read through the same API a
// remote client uses (ServerManager pipelines, sessions, CPU, memory), refreshed every two seconds.

#include <QObject>
#include <QStringList>
#include <QTimer>
#include <QVariantList>
#include <QtQml/qqmlregistration.h>

namespace pw::studio {

class EngineClient;

class ServerMonitor : public QObject {
  Q_OBJECT
  QML_ELEMENT
  QML_UNCREATABLE("Owned by Studio")
  Q_PROPERTY(QString listenUrl READ listenUrl NOTIFY changed)
  // Why the engine listens where it does, when that is not the configured port (else empty).
  Q_PROPERTY(QString listenNote READ listenNote NOTIFY changed)
  Q_PROPERTY(QString tutorialsUrl READ tutorialsUrl NOTIFY changed)
  Q_PROPERTY(int clients READ clients NOTIFY changed)
  Q_PROPERTY(QStringList sessions READ sessions NOTIFY changed)
  Q_PROPERTY(QVariantList pipelines READ pipelines NOTIFY pipelinesChanged)
  Q_PROPERTY(double cpuPercent READ cpuPercent NOTIFY changed)
  Q_PROPERTY(double memoryMiB READ memoryMiB NOTIFY changed)

 public:
  explicit ServerMonitor(EngineClient& client, QObject* parent = nullptr);

  QString listenUrl() const { return listenUrl_; }
  void setListenUrl(const QString& url);
  QString listenNote() const { return listenNote_; }
  void setListenNote(const QString& note);
  // The control port's start page (the built-in tutorials): http(s)://host:port/ of listenUrl,
  // with a wildcard listen address replaced by loopback.
  QString tutorialsUrl() const;
  // Help ▸ Tutorials: opens tutorialsUrl in the desktop's browser. False when none opens.
  Q_INVOKABLE bool openTutorials() const;
  int clients() const { return clients_; }
  void setClients(int count);
  QStringList sessions() const { return sessions_; }
  QVariantList pipelines() const { return pipelines_; }
  double cpuPercent() const { return cpuPercent_; }
  double memoryMiB() const { return memoryMiB_; }

  Q_INVOKABLE void refresh();

 Q_SIGNALS:
  void changed();
  // Only when the list differs: the sessions panel rebuilds its rows on this, so an unchanged
  // list must not recreate them every refresh (a row under the mouse, an Open button mid-click).
  void pipelinesChanged();

 private:
  void setPipelines(QVariantList rows);

  EngineClient& client_;
  QTimer timer_;
  QString listenUrl_;
  QString listenNote_;
  int clients_ = 0;
  QStringList sessions_;
  QVariantList pipelines_;
  double cpuPercent_ = 0;
  double memoryMiB_ = 0;
  bool refreshing_ = false;
};

}  // namespace pw::studio
