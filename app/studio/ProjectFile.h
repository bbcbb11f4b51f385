#pragma once

// The canvas as a file: a project (`.pwproj`, JSON with keys, types, positions, constructor
// parameters, set properties and wires; never object ids) written from GraphModel's state and
// rebuilt through GraphModel's primitives, the same path as undo; and the engine's GStreamer
// graph of the open pipeline exported as DOT.

#include <QJsonObject>
#include <QObject>
#include <QString>
#include <QtQml/qqmlregistration.h>

namespace pw::studio {

class EngineClient;
class EventLogModel;
class GraphModel;

class ProjectFile : public QObject {
  Q_OBJECT
  QML_ELEMENT
  QML_UNCREATABLE("Owned by Studio")

 public:
  static constexpr int kVersion = 1;  // the newest project version this build reads and writes

  ProjectFile(GraphModel& graph, EngineClient& client, EventLogModel& log, QObject* parent = nullptr);

  // {"format": "pipewright-project", "version", "savedAt", "nodes", "edges"}.
  QJsonObject toJson() const;
  // Checks the format and version and every node's type, then builds a new pipeline; the undo
  // stack starts empty and clean. False with `error` set when the project cannot be loaded.
  bool load(const QJsonObject& project, QString* error);
  Q_INVOKABLE QString save(const QString& pathOrUrl);  // "" or an error; marks the graph clean
  Q_INVOKABLE QString open(const QString& pathOrUrl);  // "" or an error
  // The pipeline's getGstreamerDot written to a file; the outcome comes as dotExported().
  Q_INVOKABLE void exportDot(const QString& pathOrUrl);

 Q_SIGNALS:
  void dotExported(const QString& path, bool ok, const QString& message);

 private:
  GraphModel& graph_;
  EngineClient& client_;
  EventLogModel& log_;
};

}  // namespace pw::studio
