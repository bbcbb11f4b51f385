#include "GraphModel.h"

#include "AddElementCommand.h"
#include "ConnectCommand.h"
#include "DisconnectCommand.h"
#include "EngineClient.h"
#include "EventLogModel.h"
#include "GraphFragment.h"
#include "MoveNodesCommand.h"
#include "PortRules.h"
#include "RemoveNodesCommand.h"
#include "SchemaValue.h"
#include "SetPropertyCommand.h"
#include "pipewright/engine/Schema.h"

#include <QClipboard>
#include <QGuiApplication>
#include <QJsonObject>
#include <QTimer>
#include <QUuid>

#include <algorithm>
#include <cmath>

namespace pw::studio {

GraphModel::GraphModel(EngineClient& client, EventLogModel& log, QObject* parent)
    : QObject(parent), client_(client), log_(log), edges_(nodes_), follower_(*this, client, log) {
  connect(&undo_, &QUndoStack::indexChanged, this, &GraphModel::undoChanged);
  connect(&undo_, &QUndoStack::cleanChanged, this, &GraphModel::undoChanged);
  auto bump = [this]() {
    ++revision_;
    Q_EMIT revisionChanged();
  };
  connect(&nodes_, &NodeListModel::countChanged, this, bump);
}

GraphModel::~GraphModel() { undo_.clear(); }

const Schema& GraphModel::schema() const { return Schema::builtin(); }

QString GraphModel::newKey() { return QUuid::createUuid().toString(QUuid::WithoutBraces).left(8); }

// ---------------------------------------------------------------- the call queue

void GraphModel::enqueue(Op op) {
  const bool wasBusy = busy();
  ops_.push_back(std::move(op));
  if (!running_) runNext();
  if (!wasBusy && busy()) Q_EMIT busyChanged();
}

void GraphModel::runNext() {
  if (ops_.empty()) {
    running_ = false;
    Q_EMIT busyChanged();
    Q_EMIT idle();
    return;
  }
  running_ = true;
  Op op = std::move(ops_.front());
  ops_.pop_front();
  auto finished = std::make_shared<bool>(false);
  op([this, finished]() {
    if (*finished) return;
    *finished = true;
    QMetaObject::invokeMethod(this, [this]() { runNext(); }, Qt::QueuedConnection);
  });
}

void GraphModel::logError(const QString& what, int code, const QString& message) {
  log_.add(QStringLiteral("error"), QStringLiteral("studio"), what,
           code ? QStringLiteral("%1 (Kurento error %2)").arg(message).arg(code) : message);
}

void GraphModel::logNote(const QString& what, const QString& message) {
  log_.add(QStringLiteral("info"), QStringLiteral("studio"), what, message);
}

bool GraphModel::isSeekProperty(const QString& type, const QString& name) {
  return type == u"PlayerEndpoint" && name == u"position";
}

void GraphModel::applyPendingPosition(const QString& key, int attempt) {
  constexpr int kAttempts = 50;  // every 100 ms: 5 s for the player to preroll
  GraphNode* n = nodes_.find(key);
  if (!n || !n->positionPending || n->objectId.isEmpty()) return;
  const QJsonValue position = n->properties.value(QStringLiteral("position"));
  const QString label = QStringLiteral("%1 %2").arg(n->type, n->objectId.section(u'/', -1).left(4));
  auto drop = [this, key, label, position](const QString& why) {
    if (GraphNode* node = nodes_.find(key)) node->positionPending = false;
    logNote(QStringLiteral("position"),
            QStringLiteral("%1: the saved position %2 ms was not applied: %3").arg(label).arg(position.toInteger()).arg(why));
  };
  if (n->playerState != u"PLAYING") return;  // stopped meanwhile: the next play tries again
  const int gen = pipelineGeneration_;
  const QString id = n->objectId;
  client_.invoke(id, QStringLiteral("getVideoInfo"), {}, [=, this](const EngineClient::Reply& info) {
    GraphNode* node = nodes_.find(key);
    if (gen != pipelineGeneration_ || !node || node->objectId != id || !node->positionPending) return;
    if (!info.ok() || !info.value.toObject().value(u"isSeekable").toBool()) {
      if (attempt + 1 >= kAttempts) return drop(QStringLiteral("the media cannot seek"));
      QTimer::singleShot(100, this, [this, key, attempt]() { applyPendingPosition(key, attempt + 1); });
      return;
    }
    client_.invoke(id, QStringLiteral("setPosition"), {{QStringLiteral("position"), position}},
                   [=, this](const EngineClient::Reply& r) {
                     GraphNode* node = nodes_.find(key);
                     if (!node) return;
                     if (!r.ok()) return drop(r.errorMessage);
                     node->positionPending = false;
                     logNote(QStringLiteral("position"),
                             QStringLiteral("%1: moved to the saved position %2 ms").arg(label).arg(position.toInteger()));
                     Q_EMIT liveValuesStale(key);
                   });
  });
}

QString GraphModel::objectIdOf(const QString& key) const {
  const GraphNode* n = nodes_.find(key);
  return n ? n->objectId : QString();
}

QString GraphModel::keyOf(const QString& objectId) const {
  const int i = nodes_.indexOfObject(objectId);
  return i < 0 ? QString() : nodes_.nodes().at(i).key;
}

// ---------------------------------------------------------------- pipelines

void GraphModel::resetCanvas() {
  ++pipelineGeneration_;
  ownPipelinePending_ = false;  // a pipeline still being created belongs to the old canvas
  ops_.clear();
  edges_.clear();
  nodes_.clear();
  undo_.clear();
  undo_.setClean();
  moveStart_.clear();
  if (runState_ != u"stopped") {
    runState_ = QStringLiteral("stopped");
    Q_EMIT runningChanged();
  }
  Q_EMIT selectionChanged();
}

void GraphModel::ensurePipeline() {
  if (!pipelineId_.isEmpty() || ownPipelinePending_) return;
  ownPipelinePending_ = true;
  const int gen = pipelineGeneration_;
  enqueue([this, gen](Done done) {
    client_.create(QStringLiteral("MediaPipeline"), {}, [this, gen, done](const EngineClient::Reply& r) {
      if (gen == pipelineGeneration_) ownPipelinePending_ = false;
      if (!r.ok()) {
        logError(QStringLiteral("create MediaPipeline"), r.errorCode, r.errorMessage);
        return done();
      }
      const QString id = r.value.toString();
      if (gen != pipelineGeneration_) {
        client_.release(id);
        return done();
      }
      pipelineId_ = id;
      ownPipeline_ = true;
      client_.invoke(id, QStringLiteral("setName"), {{QStringLiteral("name"), QStringLiteral("Studio pipeline")}});
      client_.subscribe(id, QStringLiteral("Error"));
      log_.add(QStringLiteral("info"), QStringLiteral("studio"), QStringLiteral("Pipeline"),
               QStringLiteral("Created pipeline %1").arg(id));
      Q_EMIT pipelineChanged();
      done();
    });
  });
}

void GraphModel::closePipeline() {
  const QString old = pipelineId_;
  const bool own = ownPipeline_;
  resetCanvas();
  pipelineId_.clear();
  ownPipeline_ = false;
  if (own && !old.isEmpty()) client_.release(old);
  Q_EMIT pipelineChanged();
}

void GraphModel::newPipeline() {
  closePipeline();
  ensurePipeline();
}

void GraphModel::openPipeline(const QString& pipelineId) {
  if (pipelineId == pipelineId_) return;
  closePipeline();
  pipelineId_ = pipelineId;
  ownPipeline_ = false;
  Q_EMIT pipelineChanged();
  follower_.follow(pipelineId);
}

// ---------------------------------------------------------------- model + engine verbs

void GraphModel::insertNode(const GraphNode& source) {
  GraphNode n = source;
  n.objectId.clear();
  n.state = QStringLiteral("creating");
  n.error.clear();
  n.flowingIn.clear();
  n.flowingOut.clear();
  n.transcodingBins.clear();
  n.recordState.clear();
  n.playerState.clear();
  n.previewOn = false;
  n.selected = false;
  n.remote = false;
  if (nodes_.find(n.key)) return;
  nodes_.append(n);
  ensurePipeline();
  const int gen = pipelineGeneration_;
  const QString key = n.key;
  enqueue([this, gen, key](Done done) {
    GraphNode* node = nodes_.find(key);
    if (!node || gen != pipelineGeneration_) return done();
    if (pipelineId_.isEmpty()) {
      node->state = QStringLiteral("error");
      node->error = QStringLiteral("There is no pipeline to add it to (see the event log); start a new one with File ▸ New");
      nodes_.touch(key);
      return done();
    }
    QJsonObject params = node->constructorParams;
    if (!node->hubKey.isEmpty()) {
      const QString hub = objectIdOf(node->hubKey);
      if (hub.isEmpty()) {
        node->state = QStringLiteral("error");
        node->error = QStringLiteral("Its hub is gone: add the HubPort to an existing hub");
        nodes_.touch(key);
        return done();
      }
      params.insert(QStringLiteral("hub"), hub);
    } else {
      params.insert(QStringLiteral("mediaPipeline"), pipelineId_);
    }
    client_.create(node->type, params, [this, gen, key, done](const EngineClient::Reply& r) {
      GraphNode* node = nodes_.find(key);
      const QString id = r.ok() ? r.value.toString() : QString();
      if (gen != pipelineGeneration_ || !node) {
        if (!id.isEmpty()) client_.release(id);  // removed (undone) while it was being created
        return done();
      }
      if (!r.ok()) {
        node->state = QStringLiteral("error");
        node->error = r.errorMessage;
        nodes_.touch(key);
        logError(QStringLiteral("create %1").arg(node->type), r.errorCode,
                 r.errorMessage + QStringLiteral(" — check its parameters in the inspector, then delete and add it again"));
        return done();
      }
      node->objectId = id;
      node->state = QStringLiteral("ready");
      nodes_.touch(key);
      edges_.nodeChanged(key);
      const QJsonObject props = node->properties;
      for (auto it = props.begin(); it != props.end(); ++it) {
        if (isSeekProperty(node->type, it.key())) {
          node->positionPending = true;  // applied when the player plays (a new player cannot seek)
          continue;
        }
        applyProperty(key, it.key(), it.value());
      }
      follower_.watch(key);
      done();
    });
  });
}

void GraphModel::releaseNode(const QString& key) {
  GraphNode* n = nodes_.find(key);
  if (!n) return;
  const QString id = n->objectId;
  const bool wasSelected = n->selected;
  edges_.removeTouching(key);
  nodes_.remove(key);
  if (wasSelected) Q_EMIT selectionChanged();
  if (id.isEmpty()) return;  // still being created: the create reply releases it
  enqueue([this, id](Done done) {
    client_.release(id, [this, id, done](const EngineClient::Reply& r) {
      if (!r.ok() && r.errorCode != 40101) logError(QStringLiteral("release %1").arg(EventLogModel::objectLabel(id)), r.errorCode, r.errorMessage);
      else log_.add(QStringLiteral("info"), EventLogModel::objectLabel(id), QStringLiteral("Released"), QStringLiteral("released in the engine"));
      done();
    });
  });
}

GraphNode GraphModel::snapshot(const QString& key) const {
  const GraphNode* n = nodes_.find(key);
  return n ? *n : GraphNode();
}

QList<GraphEdge> GraphModel::edgesInto(const QString& sinkKey, const QString& mediaType) const {
  QList<GraphEdge> result;
  for (const GraphEdge& e : edges_.edges()) {
    if (e.sinkKey == sinkKey && e.mediaType == mediaType) result.append(e);
  }
  return result;
}

void GraphModel::connectEdge(const GraphEdge& edge) {
  if (!nodes_.find(edge.sourceKey) || !nodes_.find(edge.sinkKey)) return;
  for (const GraphEdge& old : edgesInto(edge.sinkKey, edge.mediaType)) {
    if (!(old == edge)) edges_.remove(old);
  }
  edges_.add(edge);
  const int gen = pipelineGeneration_;
  enqueue([this, gen, edge](Done done) {
    const QString source = objectIdOf(edge.sourceKey);
    const QString sink = objectIdOf(edge.sinkKey);
    if (gen != pipelineGeneration_ || !edges_.contains(edge)) return done();
    if (source.isEmpty() || sink.isEmpty()) {
      edges_.remove(edge);
      logError(QStringLiteral("connect"), 0, QStringLiteral("An element of this wire failed to be created; fix it first"));
      return done();
    }
    client_.invoke(source, QStringLiteral("connect"),
                   {{QStringLiteral("sink"), sink}, {QStringLiteral("mediaType"), edge.mediaType}},
                   [this, edge, done](const EngineClient::Reply& r) {
                     if (!r.ok()) {
                       edges_.remove(edge);
                       logError(QStringLiteral("connect"), r.errorCode, r.errorMessage);
                     }
                     done();
                   });
  });
}

void GraphModel::disconnectEdgeNow(const GraphEdge& edge) {
  edges_.remove(edge);
  const int gen = pipelineGeneration_;
  enqueue([this, gen, edge](Done done) {
    const QString source = objectIdOf(edge.sourceKey);
    const QString sink = objectIdOf(edge.sinkKey);
    if (gen != pipelineGeneration_ || source.isEmpty() || sink.isEmpty()) return done();
    client_.invoke(source, QStringLiteral("disconnect"),
                   {{QStringLiteral("sink"), sink}, {QStringLiteral("mediaType"), edge.mediaType}},
                   [this, done](const EngineClient::Reply& r) {
                     if (!r.ok()) logError(QStringLiteral("disconnect"), r.errorCode, r.errorMessage);
                     done();
                   });
  });
}

void GraphModel::setPositions(const QHash<QString, QPointF>& positions) {
  ++revision_;
  Q_EMIT revisionChanged();
  for (auto it = positions.begin(); it != positions.end(); ++it) {
    GraphNode* n = nodes_.find(it.key());
    if (!n) continue;
    n->position = it.value();
    nodes_.touch(it.key());
    edges_.nodeChanged(it.key());
  }
}

void GraphModel::applyProperty(const QString& key, const QString& name, const QJsonValue& value) {
  GraphNode* n = nodes_.find(key);
  if (!n) return;
  n->properties.insert(name, value);
  n->liveValues.insert(name, value);
  Q_EMIT liveValuesChanged(key);
  if (n->objectId.isEmpty()) return;  // applied when the element is created
  if (isSeekProperty(n->type, name) && n->playerState != u"PLAYING") {
    n->positionPending = true;
    logNote(QStringLiteral("set %1").arg(name), QStringLiteral("The position is applied when the player plays"));
    return;
  }
  const QString setter = Schema::setterName(name);
  const auto op = schema().findOperation(n->type, setter);
  if (!op || op->params.isEmpty()) {
    logError(QStringLiteral("set %1").arg(name), 0, QStringLiteral("%1 has no writable property '%2'").arg(n->type, name));
    return;
  }
  client_.invoke(n->objectId, setter, {{op->params.first().name, value}}, [this, key, name](const EngineClient::Reply& r) {
    if (!r.ok()) {
      logError(QStringLiteral("set %1").arg(name), r.errorCode, r.errorMessage);
      Q_EMIT liveValuesStale(key);  // the inspector shows the engine's value again
    }
  });
}

// ---------------------------------------------------------------- user verbs

QString GraphModel::addElement(const QString& type, double x, double y, const QVariantMap& params) {
  const SchemaClass* cls = schema().findClass(type);
  if (!cls || cls->isAbstract) {
    Q_EMIT refused(QStringLiteral("'%1' is not an element the engine can create").arg(type));
    return {};
  }
  GraphNode node;
  node.key = newKey();
  node.type = type;
  for (const SchemaParam& p : cls->constructorParams) {
    if (p.name == u"mediaPipeline") continue;
    const QVariant v = params.value(p.name);
    if (p.name == u"hub") {
      const QString hubKey = v.toString();
      if (!nodes_.find(hubKey)) {
        Q_EMIT refused(QStringLiteral("A HubPort belongs to a hub: add a Composite, Dispatcher, Mixer or AlphaBlending first"));
        return {};
      }
      node.hubKey = hubKey;
      continue;
    }
    if (!v.isValid() || v.toString().isEmpty()) {
      if (!p.optional) {
        Q_EMIT refused(QStringLiteral("%1 needs '%2': %3").arg(type, p.name, p.doc));
        return {};
      }
      continue;
    }
    node.constructorParams.insert(p.name, SchemaValue::fromForm(p.type, v));
  }
  QPointF at(x, y);
  if (snapToGrid_) at = QPointF(std::round(x / gridSize()) * gridSize(), std::round(y / gridSize()) * gridSize());
  node.position = at;
  undo_.push(new AddElementCommand(*this, node));
  return node.key;
}

QString GraphModel::canConnect(const QString& sourceKey, const QString& sinkKey, const QString& mediaType) const {
  const GraphNode* source = nodes_.find(sourceKey);
  const GraphNode* sink = nodes_.find(sinkKey);
  if (!source || !sink) return QStringLiteral("Both ends must be elements on the canvas");
  return PortRules::refusal(source->type, sink->type, mediaType);
}

QString GraphModel::connectPorts(const QString& sourceKey, const QString& sinkKey, const QString& mediaType) {
  const QString reason = canConnect(sourceKey, sinkKey, mediaType);
  if (!reason.isEmpty()) {
    Q_EMIT refused(reason);
    return reason;
  }
  QList<GraphEdge> wanted;
  for (const QString& t : PortRules::typesToConnect(nodes_.find(sourceKey)->type, nodes_.find(sinkKey)->type, mediaType)) {
    const GraphEdge e{sourceKey, sinkKey, t};
    if (!edges_.contains(e)) wanted.append(e);
  }
  if (wanted.isEmpty()) return {};  // already wired
  undo_.push(new ConnectCommand(*this, wanted));
  return {};
}

QString GraphModel::dropRefusal(const QString& sourceKey, const QString& sourceType, const QString& sinkKey,
                                const QString& sinkType) const {
  if (sinkType != u"ALL" && sinkType != sourceType) {
    return QStringLiteral("%1 media goes only into %1 inputs, not into %2").arg(sourceType, sinkType);
  }
  return canConnect(sourceKey, sinkKey, sinkType);
}

QString GraphModel::dropWire(const QString& sourceKey, const QString& sourceType, const QString& sinkKey,
                             const QString& sinkType) {
  if (sinkType != u"ALL" && sinkType != sourceType) {
    const QString reason = dropRefusal(sourceKey, sourceType, sinkKey, sinkType);
    Q_EMIT refused(reason);
    return reason;
  }
  return connectPorts(sourceKey, sinkKey, sinkType);
}

void GraphModel::removeSelected() {
  QStringList keys = selectedKeys();
  QList<GraphEdge> wires;
  for (const GraphEdge& e : edges_.edges()) {
    if (e.selected && !keys.contains(e.sourceKey) && !keys.contains(e.sinkKey)) wires.append(e);
  }
  if (keys.isEmpty() && wires.isEmpty()) return;
  if (keys.isEmpty() && wires.size() == 1) {
    undo_.push(new DisconnectCommand(*this, wires.first()));
    return;
  }
  undo_.beginMacro(QStringLiteral("Delete selection"));
  for (const GraphEdge& e : wires) undo_.push(new DisconnectCommand(*this, e));
  if (!keys.isEmpty()) removeNodes(keys);
  undo_.endMacro();
}

void GraphModel::removeNodes(const QStringList& keys) {
  QStringList all;
  for (const QString& k : keys) {
    if (nodes_.find(k) && !all.contains(k)) all.append(k);
  }
  // Releasing a hub releases its ports: take them along so undo brings them back.
  for (const GraphNode& n : nodes_.nodes()) {
    if (!n.hubKey.isEmpty() && all.contains(n.hubKey) && !all.contains(n.key)) all.append(n.key);
  }
  if (all.isEmpty()) return;
  undo_.push(new RemoveNodesCommand(*this, all));
}

void GraphModel::disconnectEdge(int row) {
  if (row < 0 || row >= edges_.edges().size()) return;
  undo_.push(new DisconnectCommand(*this, edges_.edges().at(row)));
}

void GraphModel::beginMove(const QString& key) {
  const GraphNode* n = nodes_.find(key);
  if (!n) return;
  if (!n->selected) select(key, QStringLiteral("replace"));
  moveStart_.clear();
  for (const GraphNode& node : nodes_.nodes()) {
    if (node.selected) moveStart_.insert(node.key, node.position);
  }
}

void GraphModel::moveTo(const QString& key, double x, double y) {
  const GraphNode* n = nodes_.find(key);
  if (!n || !moveStart_.contains(key)) return;
  const QPointF delta = QPointF(x, y) - moveStart_.value(key);
  QHash<QString, QPointF> now;
  for (auto it = moveStart_.begin(); it != moveStart_.end(); ++it) now.insert(it.key(), it.value() + delta);
  setPositions(now);
}

void GraphModel::endMove() {
  if (moveStart_.isEmpty()) return;
  QHash<QString, QPointF> to;
  bool moved = false;
  for (auto it = moveStart_.begin(); it != moveStart_.end(); ++it) {
    const GraphNode* n = nodes_.find(it.key());
    if (!n) continue;
    QPointF p = n->position;
    if (snapToGrid_) p = QPointF(std::round(p.x() / gridSize()) * gridSize(), std::round(p.y() / gridSize()) * gridSize());
    to.insert(it.key(), p);
    moved = moved || p != it.value();
  }
  const auto from = moveStart_;
  moveStart_.clear();
  if (moved) {
    undo_.push(new MoveNodesCommand(*this, from, to, to.size() == 1 ? QStringLiteral("Move element")
                                                                    : QStringLiteral("Move %1 elements").arg(to.size())));
  } else {
    setPositions(from);
  }
}

QHash<QString, QPointF> GraphModel::arrangedPositions() const {
  // Layered left to right: a node's layer is the longest wire path reaching it.
  QHash<QString, int> layer;
  for (const GraphNode& n : nodes_.nodes()) layer.insert(n.key, 0);
  for (int pass = 0; pass < nodes_.count(); ++pass) {
    bool changed = false;
    auto lift = [&](const QString& from, const QString& to) {
      if (from == to || !layer.contains(from) || !layer.contains(to)) return;
      if (layer[to] < layer[from] + 1) {
        layer[to] = layer[from] + 1;
        changed = true;
      }
    };
    for (const GraphEdge& e : edges_.edges()) lift(e.sourceKey, e.sinkKey);
    // A hub sits right of the ports that feed it.
    for (const GraphNode& n : nodes_.nodes()) {
      if (!n.hubKey.isEmpty()) {
        bool fed = false;
        for (const GraphEdge& e : edges_.edges()) fed = fed || e.sinkKey == n.key;
        if (fed) lift(n.key, n.hubKey);
        else lift(n.hubKey, n.key);  // an output port sits right of its hub
      }
    }
    if (!changed) break;
  }
  QHash<int, int> filled;
  QHash<QString, QPointF> result;
  for (const GraphNode& n : nodes_.nodes()) {
    const int l = std::min(layer.value(n.key), 12);
    const int row = filled[l]++;
    result.insert(n.key, QPointF(40 + l * (NodeGeometry::width + 100), 40 + row * (NodeGeometry::height(n.previewOn) + 40)));
  }
  return result;
}

void GraphModel::autoArrange() {
  QHash<QString, QPointF> from;
  for (const GraphNode& n : nodes_.nodes()) from.insert(n.key, n.position);
  const auto to = arrangedPositions();
  if (from == to) return;
  undo_.push(new MoveNodesCommand(*this, from, to, QStringLiteral("Auto-arrange")));
}

void GraphModel::setElementProperty(const QString& key, const QString& name, const QVariant& value) {
  const GraphNode* n = nodes_.find(key);
  if (!n) return;
  QString type = QStringLiteral("String");
  QStringList chain = schema().ancestors(n->type);
  chain.prepend(n->type);
  for (const QString& c : chain) {
    if (const SchemaClass* cls = schema().findClass(c)) {
      for (const SchemaProperty& p : cls->properties) {
        if (p.name == name) type = p.type;
      }
    }
  }
  const QJsonValue after = SchemaValue::fromForm(type, value);
  const QJsonValue before = n->liveValues.value(name);
  if (before == after) return;
  undo_.push(new SetPropertyCommand(*this, key, name, before, after));
}

QPointF GraphModel::freeSpot() const {
  double right = 0;
  for (const GraphNode& n : nodes_.nodes()) right = std::max(right, n.position.x() + NodeGeometry::width);
  return QPointF(nodes_.count() ? right + 60 : 60, 60);
}

void GraphModel::applyTemplate(const GraphFragment& fragment) {
  newPipeline();
  insertFragment(fragment, QPointF(0, 0), QStringLiteral("Template"));
  clearSelection();
}

// ---------------------------------------------------------------- clipboard

namespace {
// None without a GUI application (the model tests run on a QCoreApplication).
QClipboard* systemClipboard() {
  return qobject_cast<QGuiApplication*>(QCoreApplication::instance()) ? QGuiApplication::clipboard() : nullptr;
}
}  // namespace

int GraphModel::copySelection() {
  const QStringList keys = selectedKeys();
  if (keys.isEmpty()) return 0;
  const GraphFragment fragment = GraphFragment::of(nodes_.nodes(), edges_.edges(), keys);
  clipboard_ = fragment.toClipboardText();
  if (QClipboard* clipboard = systemClipboard()) clipboard->setText(QString::fromUtf8(clipboard_));
  pasteCount_ = 0;
  return static_cast<int>(fragment.nodes.size());
}

std::optional<GraphFragment> GraphModel::clipboardFragment() {
  std::optional<GraphFragment> fragment;
  if (QClipboard* clipboard = systemClipboard()) fragment = GraphFragment::fromClipboardText(clipboard->text());
  if (!fragment) fragment = GraphFragment::fromClipboardText(QString::fromUtf8(clipboard_));
  if (!fragment || fragment->nodes.isEmpty()) {
    Q_EMIT refused(QStringLiteral("Nothing to paste: select elements and copy them first (Ctrl+C)"));
    return std::nullopt;
  }
  return fragment;
}

QStringList GraphModel::paste() {
  const std::optional<GraphFragment> fragment = clipboardFragment();
  if (!fragment) return {};
  // Each paste of the same copy lands a step further down and right, so none hides another.
  ++pasteCount_;
  return insertFragment(*fragment, QPointF(40, 40) * pasteCount_, QStringLiteral("Paste"));
}

QStringList GraphModel::pasteAt(double x, double y) {
  const std::optional<GraphFragment> fragment = clipboardFragment();
  if (!fragment) return {};
  QPointF topLeft = fragment->nodes.first().position;
  for (const GraphNode& n : fragment->nodes) topLeft = QPointF(std::min(topLeft.x(), n.position.x()), std::min(topLeft.y(), n.position.y()));
  return insertFragment(*fragment, QPointF(x, y) - topLeft, QStringLiteral("Paste"));
}

QStringList GraphModel::duplicateSelection() {
  const QStringList keys = selectedKeys();
  if (keys.isEmpty()) return {};
  const GraphFragment fragment = GraphFragment::of(nodes_.nodes(), edges_.edges(), keys);
  return insertFragment(fragment, QPointF(40, 40), QStringLiteral("Duplicate"));
}

QStringList GraphModel::insertFragment(const GraphFragment& fragment, QPointF offset, const QString& verb) {
  QHash<QString, QString> keyOf;  // copied key → new key
  QStringList skipped;
  undo_.beginMacro(verb);
  for (const GraphNode& copied : GraphFragment::hubsFirst(fragment.nodes)) {
    const SchemaClass* cls = schema().findClass(copied.type);
    if (!cls || cls->isAbstract) {
      skipped.append(copied.type);
      continue;
    }
    GraphNode n;
    n.key = newKey();
    n.type = copied.type;
    n.constructorParams = copied.constructorParams;
    n.properties = copied.properties;
    n.position = copied.position + offset;
    if (!copied.hubKey.isEmpty()) {
      // A HubPort joins the pasted copy of its hub, else the hub it was copied from.
      n.hubKey = keyOf.value(copied.hubKey, copied.hubKey);
      if (!nodes_.find(n.hubKey)) {
        skipped.append(copied.type);
        continue;
      }
    }
    keyOf.insert(copied.key, n.key);
    undo_.push(new AddElementCommand(*this, n));
  }
  for (const GraphEdge& e : fragment.edges) {
    if (keyOf.contains(e.sourceKey) && keyOf.contains(e.sinkKey)) connectPorts(keyOf.value(e.sourceKey), keyOf.value(e.sinkKey), e.mediaType);
  }
  undo_.endMacro();
  if (!skipped.isEmpty()) {
    Q_EMIT refused(QStringLiteral("Not pasted: %1 (a HubPort needs its hub on the canvas)").arg(skipped.join(QStringLiteral(", "))));
  }
  const QStringList added = keyOf.values();
  clearSelection();
  for (const QString& key : added) select(key, QStringLiteral("add"));
  return added;
}

// ---------------------------------------------------------------- selection

int GraphModel::selectionCount() const {
  int n = 0;
  for (const GraphNode& node : nodes_.nodes()) n += node.selected ? 1 : 0;
  return n;
}

QStringList GraphModel::selectedKeys() const {
  QStringList keys;
  for (const GraphNode& n : nodes_.nodes()) {
    if (n.selected) keys.append(n.key);
  }
  return keys;
}

void GraphModel::select(const QString& key, const QString& mode) {
  if (mode == u"replace") {
    for (const GraphNode& n : nodes_.nodes()) {
      if (n.selected && n.key != key) {
        nodes_.find(n.key)->selected = false;
        nodes_.touch(n.key);
      }
    }
    for (int i = 0; i < edges_.count(); ++i) edges_.setSelected(i, false);
  }
  if (GraphNode* n = nodes_.find(key)) {
    n->selected = mode == u"toggle" ? !n->selected : true;
    nodes_.touch(key);
  }
  Q_EMIT selectionChanged();
}

void GraphModel::selectInRect(double x, double y, double w, double h, const QString& mode) {
  const QRectF area = QRectF(x, y, w, h).normalized();
  if (mode == u"replace") clearSelection();
  for (const GraphNode& n : nodes_.nodes()) {
    const QRectF r(n.position, QSizeF(NodeGeometry::width, NodeGeometry::height(n.previewOn)));
    if (!area.intersects(r)) continue;
    GraphNode* node = nodes_.find(n.key);
    node->selected = mode == u"toggle" ? !node->selected : true;
    nodes_.touch(n.key);
  }
  Q_EMIT selectionChanged();
}

void GraphModel::selectEdge(int row) {
  clearSelection();
  edges_.setSelected(row, true);
}

void GraphModel::selectAll() {
  for (const GraphNode& n : nodes_.nodes()) {
    nodes_.find(n.key)->selected = true;
    nodes_.touch(n.key);
  }
  Q_EMIT selectionChanged();
}

void GraphModel::clearSelection() {
  for (const GraphNode& n : nodes_.nodes()) {
    if (!n.selected) continue;
    nodes_.find(n.key)->selected = false;
    nodes_.touch(n.key);
  }
  for (int i = 0; i < edges_.count(); ++i) edges_.setSelected(i, false);
  Q_EMIT selectionChanged();
}

QRectF GraphModel::boundingRect() const {
  QRectF r;
  for (const GraphNode& n : nodes_.nodes()) r |= QRectF(n.position, QSizeF(NodeGeometry::width, NodeGeometry::height(n.previewOn)));
  return r;
}

QVariantList GraphModel::hubNodes() const {
  QVariantList hubs;
  for (const GraphNode& n : nodes_.nodes()) {
    if (PortRules::isHub(n.type)) {
      const QString label = n.objectId.isEmpty() ? n.type : QStringLiteral("%1 %2").arg(n.type, n.objectId.section(u'/', -1).left(4));
      hubs.append(QVariantMap{{QStringLiteral("key"), n.key}, {QStringLiteral("label"), label}});
    }
  }
  return hubs;
}

QString GraphModel::keyOfType(const QString& type) const {
  for (const GraphNode& n : nodes_.nodes()) {
    if (n.type == type) return n.key;
  }
  return {};
}

void GraphModel::setSnapToGrid(bool on) {
  if (snapToGrid_ == on) return;
  snapToGrid_ = on;
  Q_EMIT snapToGridChanged();
}

// ---------------------------------------------------------------- live

void GraphModel::invokeOnAll(const QString& type, const QString& operation) {
  for (const GraphNode& n : nodes_.nodes()) {
    if (n.type != type) continue;
    const QString key = n.key;
    enqueue([this, key, operation](Done done) {
      const QString id = objectIdOf(key);
      if (id.isEmpty()) return done();
      client_.invoke(id, operation, {}, [this, operation, key, done](const EngineClient::Reply& r) {
        if (!r.ok()) logError(operation, r.errorCode, r.errorMessage);
        if (r.ok() && operation == u"play") {
          playerStarted(key);
        } else if (GraphNode* node = nodes_.find(key); node && r.ok() && operation == u"stop") {
          node->playerState.clear();
          nodes_.touch(key);
        }
        done();
      });
    });
  }
}

void GraphModel::run() {
  // A new run starts without the errors of the last one (the event log keeps them).
  for (const GraphNode& node : nodes_.nodes()) {
    if (node.state != u"failed") continue;
    GraphNode* n = nodes_.find(node.key);
    n->state = QStringLiteral("ready");
    n->error.clear();
    if (n->recordState == u"FAILED") n->recordState = QStringLiteral("STOPPED");
    if (n->playerState == u"FAILED") n->playerState.clear();
    nodes_.touch(node.key);
  }
  // Recorders first so they catch the first frames the players send.
  invokeOnAll(QStringLiteral("RecorderEndpoint"), QStringLiteral("record"));
  invokeOnAll(QStringLiteral("PlayerEndpoint"), QStringLiteral("play"));
  runState_ = QStringLiteral("running");
  Q_EMIT runningChanged();
}

void GraphModel::pause() {
  if (runState_ != u"running") return;
  // Players hold their position and recorders show PAUSED; Run goes on from there.
  invokeOnAll(QStringLiteral("PlayerEndpoint"), QStringLiteral("pause"));
  invokeOnAll(QStringLiteral("RecorderEndpoint"), QStringLiteral("pause"));
  runState_ = QStringLiteral("paused");
  Q_EMIT runningChanged();
}

void GraphModel::stop() {
  invokeOnAll(QStringLiteral("PlayerEndpoint"), QStringLiteral("stop"));
  invokeOnAll(QStringLiteral("RecorderEndpoint"), QStringLiteral("stopAndWait"));
  runState_ = QStringLiteral("stopped");
  Q_EMIT runningChanged();
}

void GraphModel::playerStarted(const QString& key) {
  GraphNode* node = nodes_.find(key);
  if (!node) return;
  node->playerState = QStringLiteral("PLAYING");
  nodes_.touch(key);
  applyPendingPosition(key);
}

void GraphModel::setPreview(const QString& key, bool on) {
  GraphNode* n = nodes_.find(key);
  if (!n || n->previewOn == on || (on && n->objectId.isEmpty())) return;
  n->previewOn = on;
  nodes_.touch(key);
  edges_.nodeChanged(key);
}

}  // namespace pw::studio
