#include "RemotePipelineFollower.h"

#include "EngineClient.h"
#include "EventLogModel.h"
#include "GraphModel.h"
#include "PortRules.h"
#include "pipewright/engine/Schema.h"

#include <QDateTime>
#include <QJsonArray>
#include <QJsonDocument>

namespace pw::studio {

namespace {

const QString kManager = QStringLiteral("manager_ServerManager");

const Schema& schema() { return Schema::builtin(); }

// An Error event as a sentence: "Could not multiplex stream. (…) — STREAM_ERROR_FAILED, code 1".
QString errorSummary(const QJsonObject& data) {
  QString text = data.value(u"description").toString();
  if (text.isEmpty()) text = QStringLiteral("an error without a description");
  const QString kind = data.value(u"type").toString();
  const int code = data.value(u"errorCode").toInt();
  if (!kind.isEmpty() && code) return QStringLiteral("%1 — %2, code %3").arg(text, kind).arg(code);
  if (!kind.isEmpty()) return QStringLiteral("%1 — %2").arg(text, kind);
  return text;
}

QString eventSummary(const QJsonObject& data) {
  QJsonObject shown = data;
  for (const char* k : {"source", "tags", "timestamp", "timestampMillis", "type"}) shown.remove(QLatin1String(k));
  return QString::fromUtf8(QJsonDocument(shown).toJson(QJsonDocument::Compact));
}

}  // namespace

RemotePipelineFollower::RemotePipelineFollower(GraphModel& graph, EngineClient& client, EventLogModel& log, QObject* parent)
    : QObject(parent), graph_(graph), client_(client), log_(log) {
  connect(&client_, &EngineClient::eventReceived, this, &RemotePipelineFollower::onEvent);
  client_.subscribe(kManager, QStringLiteral("ObjectCreated"));
  client_.subscribe(kManager, QStringLiteral("ObjectDestroyed"));
}

void RemotePipelineFollower::follow(const QString& pipelineId) {
  const int gen = graph_.pipelineGeneration_;
  client_.subscribe(pipelineId, QStringLiteral("Error"));
  graph_.enqueue([this, gen, pipelineId](GraphModel::Done done) {
    client_.invoke(pipelineId, QStringLiteral("getChildren"), {}, [this, gen, pipelineId, done](const EngineClient::Reply& r) {
      if (gen != graph_.pipelineGeneration_) return done();
      if (!r.ok()) {
        graph_.logError(QStringLiteral("open pipeline"), r.errorCode, r.errorMessage);
        return done();
      }
      for (const QJsonValue& child : r.value.toArray()) discover(child.toString(), false);
      graph_.enqueue([this, gen](GraphModel::Done arranged) {
        if (gen == graph_.pipelineGeneration_) graph_.setPositions(graph_.arrangedPositions());
        arranged();
      });
      log_.add(QStringLiteral("info"), QStringLiteral("studio"), QStringLiteral("Pipeline"),
               QStringLiteral("Opened pipeline %1 (%2 elements)").arg(pipelineId).arg(r.value.toArray().size()));
      done();
    });
  });
}

void RemotePipelineFollower::discover(const QString& objectId, bool placeFree) {
  const int gen = graph_.pipelineGeneration_;
  graph_.enqueue([this, gen, objectId, placeFree](GraphModel::Done done) {
    if (gen != graph_.pipelineGeneration_ || !graph_.keyOf(objectId).isEmpty()) return done();
    client_.call(QStringLiteral("describe"), {{QStringLiteral("object"), objectId}},
                 [this, gen, objectId, placeFree, done](const EngineClient::Reply& r) {
                   if (gen != graph_.pipelineGeneration_ || !r.ok() || !graph_.keyOf(objectId).isEmpty()) return done();
                   const QString type = r.value.toObject().value(u"type").toString();
                   if (!schema().isA(type, QStringLiteral("MediaElement")) && !schema().isA(type, QStringLiteral("Hub"))) {
                     return done();
                   }
                   GraphNode node;
                   node.key = GraphModel::newKey();
                   node.objectId = objectId;
                   node.type = type;
                   node.remote = true;
                   node.state = QStringLiteral("ready");
                   node.position = placeFree ? graph_.freeSpot() : QPointF(40, 40);
                   graph_.nodes_.append(node);
                   // Constructor facts a re-creation (undo of a delete, saving) needs.
                   for (const QString& prop : {QStringLiteral("uri"), QStringLiteral("command")}) {
                     if (!schema().findOperation(type, Schema::getterName(prop))) continue;
                     client_.invoke(objectId, Schema::getterName(prop), {}, [this, key = node.key, prop](const EngineClient::Reply& v) {
                       if (GraphNode* n = graph_.nodes_.find(key); n && v.ok()) n->constructorParams.insert(prop, v.value);
                     });
                   }
                   watch(node.key);
                   syncConnections(node.key, done);
                 });
  });
}

void RemotePipelineFollower::syncConnections(const QString& key, std::function<void()> done) {
  const QString id = graph_.objectIdOf(key);
  auto addAll = [this](const QJsonValue& list) {
    for (const QJsonValue& v : list.toArray()) {
      const QJsonObject c = v.toObject();
      const QString source = graph_.keyOf(c.value(u"source").toString());
      const QString sink = graph_.keyOf(c.value(u"sink").toString());
      if (!source.isEmpty() && !sink.isEmpty()) graph_.edges_.add({source, sink, c.value(u"type").toString()});
    }
  };
  client_.invoke(id, QStringLiteral("getSinkConnections"), {}, [this, id, addAll, done](const EngineClient::Reply& r) {
    if (r.ok()) addAll(r.value);
    client_.invoke(id, QStringLiteral("getSourceConnections"), {}, [addAll, done](const EngineClient::Reply& s) {
      if (s.ok()) addAll(s.value);
      done();
    });
  });
}

void RemotePipelineFollower::watch(const QString& key) {
  const GraphNode* n = graph_.nodes_.find(key);
  if (!n || n->objectId.isEmpty()) return;
  const QString id = n->objectId;
  for (const QString& event : schema().eventsOf(n->type)) client_.subscribe(id, event);
  auto ask = [this, key, id](const QString& op, const QString& mediaType, bool in) {
    client_.invoke(id, op, {{QStringLiteral("mediaType"), mediaType}}, [this, key, mediaType, in](const EngineClient::Reply& r) {
      GraphNode* node = graph_.nodes_.find(key);
      if (!node || !r.ok() || !r.value.toBool()) return;
      (in ? node->flowingIn : node->flowingOut).insert(mediaType);
      graph_.nodes_.touch(key);
      graph_.edges_.nodeChanged(key);
    });
  };
  for (const QString& t : PortRules::inputs(n->type)) ask(QStringLiteral("isMediaFlowingIn"), t, true);
  for (const QString& t : PortRules::outputs(n->type)) ask(QStringLiteral("isMediaFlowingOut"), t, false);
}

void RemotePipelineFollower::onManagerEvent(const QString& type, const QJsonObject& data) {
  const QString pipelineId = graph_.pipelineId_;
  if (type == u"ObjectCreated") {
    const QJsonValue v = data.value(u"object");
    const QString id = v.isObject() ? v.toObject().value(u"id").toString() : v.toString();
    if (!pipelineId.isEmpty() && id.startsWith(pipelineId + u'/') && graph_.keyOf(id).isEmpty()) discover(id, true);
  } else if (type == u"ObjectDestroyed") {
    const QString id = data.value(u"objectId").toString();
    if (!pipelineId.isEmpty() && id == pipelineId) {
      graph_.resetCanvas();
      graph_.pipelineId_.clear();
      graph_.ownPipeline_ = false;
      Q_EMIT graph_.pipelineChanged();
      log_.add(QStringLiteral("info"), QStringLiteral("studio"), QStringLiteral("Pipeline"),
               QStringLiteral("The pipeline on the canvas was released by its owner; open another one or start a new one"));
    } else if (const QString key = graph_.keyOf(id); !key.isEmpty()) {
      log_.add(QStringLiteral("info"), EventLogModel::objectLabel(id, graph_.nodes_.find(key)->type), QStringLiteral("Released"),
               QStringLiteral("released by another client"));
      const bool selected = graph_.nodes_.find(key)->selected;
      graph_.edges_.removeTouching(key);
      graph_.nodes_.remove(key);
      if (selected) Q_EMIT graph_.selectionChanged();
    }
  }
}

void RemotePipelineFollower::onEvent(const QString& type, const QString& object, const QJsonObject& data) {
  if (object == kManager) return onManagerEvent(type, data);
  NodeListModel& nodes = graph_.nodes_;
  EdgeListModel& edges = graph_.edges_;
  const QString key = graph_.keyOf(object);
  GraphNode* n = key.isEmpty() ? nullptr : nodes.find(key);
  const QString label = EventLogModel::objectLabel(object, n ? n->type : QString());
  log_.add(type == u"Error" ? QStringLiteral("error") : QStringLiteral("event"), label, type,
           type == u"Error" ? errorSummary(data) : eventSummary(data));
  if (!n) return;
  const QString state = data.value(u"state").toString();
  const QString mediaType = data.value(u"mediaType").toString();
  if (type == u"ElementConnected" || type == u"ElementDisconnected") {
    const QString sink = graph_.keyOf(data.value(u"sink").toString());
    if (sink.isEmpty()) return;
    const GraphEdge edge{key, sink, mediaType};
    if (type == u"ElementConnected") {
      for (const GraphEdge& old : graph_.edgesInto(sink, mediaType)) {
        if (!(old == edge)) edges.remove(old);
      }
      edges.add(edge);
    } else {
      edges.remove(edge);
    }
    return;
  }
  if (type == u"MediaFlowInStateChanged" || type == u"MediaFlowOutStateChanged") {
    QSet<QString>& set = type == u"MediaFlowInStateChanged" ? n->flowingIn : n->flowingOut;
    if (state == u"FLOWING") set.insert(mediaType);
    else set.remove(mediaType);
  } else if (type == u"MediaTranscodingStateChanged") {
    const QString bin = data.value(u"binName").toString() + mediaType;
    if (state == u"TRANSCODING") n->transcodingBins.insert(bin, mediaType);
    else n->transcodingBins.remove(bin);
  } else if (type == u"Recording" || (type == u"UriEndpointStateChanged" && state == u"START" && n->recordState == u"PAUSED")) {
    // Resuming: this engine raises Recording once per file, so START after PAUSED resumes too.
    if (n->recordState == u"PAUSED") {
      n->recordingSinceMs += QDateTime::currentMSecsSinceEpoch() - n->pausedAtMs;  // the pause is not recorded
    } else if (n->recordState != u"RECORDING") {
      n->recordingSinceMs = QDateTime::currentMSecsSinceEpoch();
    }
    n->recordState = QStringLiteral("RECORDING");
  } else if (type == u"Paused") {
    if (n->recordState != u"PAUSED") n->pausedAtMs = QDateTime::currentMSecsSinceEpoch();
    n->recordState = QStringLiteral("PAUSED");
  } else if (type == u"Stopped") {
    if (n->recordState != u"FAILED") n->recordState = QStringLiteral("STOPPED");
  } else if (type == u"EndOfStream") {
    n->playerState = QStringLiteral("EOS");
  } else if (type == u"Error") {
    // Any element error shows on its node until the next Run: red, with the message. A recorder
    // or player that failed does not go on recording or playing, whatever comes next.
    n->error = errorSummary(data);
    if (n->state == u"ready") n->state = QStringLiteral("failed");
    if (n->recordState == u"RECORDING" || n->recordState == u"PAUSED") n->recordState = QStringLiteral("FAILED");
    if (n->playerState == u"PLAYING") n->playerState = QStringLiteral("FAILED");
  } else {
    return;
  }
  nodes.touch(key);
  edges.nodeChanged(key);
}

}  // namespace pw::studio
