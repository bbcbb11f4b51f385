#pragma once

// Keeps GraphModel in step with the engine: the canvas shows what answers and events say, so a
// pipeline a remote client builds appears and changes live, and the studio's own elements show
// their live facts. It subscribes to ObjectCreated/ObjectDestroyed on the ServerManager,
// discovers elements the canvas does not know (describe, constructor facts, wires), subscribes to
// each node's events, and turns every event into the node's state and a line of the event log.

#include <QJsonObject>
#include <QObject>
#include <QString>

#include <functional>

namespace pw::studio {

class EngineClient;
class EventLogModel;
class GraphModel;

class RemotePipelineFollower : public QObject {
  Q_OBJECT

 public:
  RemotePipelineFollower(GraphModel& graph, EngineClient& client, EventLogModel& log, QObject* parent = nullptr);

  // The canvas has just switched to `pipelineId` (not the studio's own): its children become
  // nodes, then they are arranged left to right.
  void follow(const QString& pipelineId);
  // Subscribes to every event the schema declares for the node's class and asks once per port
  // whether media flows already.
  void watch(const QString& key);

 private:
  void discover(const QString& objectId, bool placeFree);
  void syncConnections(const QString& key, std::function<void()> done);
  void onEvent(const QString& type, const QString& object, const QJsonObject& data);
  void onManagerEvent(const QString& type, const QJsonObject& data);

  GraphModel& graph_;
  EngineClient& client_;
  EventLogModel& log_;
};

}  // namespace pw::studio
