#pragma once

// The canvas' model: one pipeline of the engine shown as nodes and wires. Every user verb is one
// QUndoCommand (qpwgraph's rule) whose effect is a sequence of API calls through EngineClient;
// calls run one after another so later calls can use ids earlier ones returned. Everything shown
// comes from results and events, so pipelines built by remote clients appear too.

#include "EdgeListModel.h"
#include "GraphFragment.h"
#include "GraphTypes.h"
#include "NodeListModel.h"
#include "RemotePipelineFollower.h"

#include <QHash>
#include <QJsonObject>
#include <QObject>
#include <QRectF>
#include <QUndoStack>
#include <QVariant>

#include <optional>
#include <QtQml/qqmlregistration.h>

#include <deque>
#include <functional>

namespace pw {
class Schema;
}

namespace pw::studio {

class EngineClient;
class EventLogModel;

class GraphModel : public QObject {
  Q_OBJECT
  QML_ELEMENT
  QML_UNCREATABLE("Owned by Studio")
  Q_PROPERTY(pw::studio::NodeListModel* nodes READ nodes CONSTANT)
  Q_PROPERTY(pw::studio::EdgeListModel* edges READ edges CONSTANT)
  Q_PROPERTY(QString pipelineId READ pipelineId NOTIFY pipelineChanged)
  Q_PROPERTY(bool busy READ busy NOTIFY busyChanged)
  Q_PROPERTY(bool canUndo READ canUndo NOTIFY undoChanged)
  Q_PROPERTY(bool canRedo READ canRedo NOTIFY undoChanged)
  Q_PROPERTY(QString undoText READ undoText NOTIFY undoChanged)
  Q_PROPERTY(QString redoText READ redoText NOTIFY undoChanged)
  Q_PROPERTY(bool dirty READ dirty NOTIFY undoChanged)
  Q_PROPERTY(bool snapToGrid READ snapToGrid WRITE setSnapToGrid NOTIFY snapToGridChanged)
  Q_PROPERTY(int selectionCount READ selectionCount NOTIFY selectionChanged)
  Q_PROPERTY(QString running READ running NOTIFY runningChanged)  // "running", "paused" or "stopped"
  Q_PROPERTY(int revision READ revision NOTIFY revisionChanged)
  Q_PROPERTY(double nodeWidth READ nodeWidth CONSTANT)
  Q_PROPERTY(double headerHeight READ headerHeight CONSTANT)
  Q_PROPERTY(double portRowHeight READ portRowHeight CONSTANT)
  Q_PROPERTY(double gridSize READ gridSize CONSTANT)

 public:
  GraphModel(EngineClient& client, EventLogModel& log, QObject* parent = nullptr);
  ~GraphModel() override;

  NodeListModel* nodes() { return &nodes_; }
  EdgeListModel* edges() { return &edges_; }
  QString pipelineId() const { return pipelineId_; }
  bool busy() const { return running_ || !ops_.empty(); }
  bool canUndo() const { return undo_.canUndo(); }
  bool canRedo() const { return undo_.canRedo(); }
  QString undoText() const { return undo_.undoText(); }
  QString redoText() const { return undo_.redoText(); }
  bool dirty() const { return !undo_.isClean(); }
  bool snapToGrid() const { return snapToGrid_; }
  void setSnapToGrid(bool on);
  int selectionCount() const;
  QString running() const { return runState_; }
  int revision() const { return revision_; }
  double nodeWidth() const { return NodeGeometry::width; }
  double headerHeight() const { return NodeGeometry::headerHeight; }
  double portRowHeight() const { return NodeGeometry::portRowHeight; }
  double gridSize() const { return 20; }
  QUndoStack& undoStack() { return undo_; }

  // --- pipelines
  Q_INVOKABLE void newPipeline();
  Q_INVOKABLE void openPipeline(const QString& pipelineId);
  Q_INVOKABLE void closePipeline();

  // --- user verbs (each one undo step)
  // Returns the new node's key; required constructor parameters come in `params`.
  Q_INVOKABLE QString addElement(const QString& type, double x, double y, const QVariantMap& params = {});
  Q_INVOKABLE QString canConnect(const QString& sourceKey, const QString& sinkKey, const QString& mediaType) const;
  // Empty when the wire was made, else the reason it was refused (also emitted as refused()).
  Q_INVOKABLE QString connectPorts(const QString& sourceKey, const QString& sinkKey, const QString& mediaType);
  // A wire dropped from an output of `sourceType` onto a sink's `sinkType` input row ("ALL" when
  // dropped on the node's header). Empty when made, else the reason (also emitted as refused()).
  Q_INVOKABLE QString dropWire(const QString& sourceKey, const QString& sourceType, const QString& sinkKey,
                               const QString& sinkType);
  // What dropWire would refuse with, without doing anything ("" when the drop makes a wire): the
  // rings on the inputs while a wire is dragged.
  Q_INVOKABLE QString dropRefusal(const QString& sourceKey, const QString& sourceType, const QString& sinkKey,
                                  const QString& sinkType) const;
  Q_INVOKABLE void removeSelected();
  Q_INVOKABLE void removeNodes(const QStringList& keys);
  Q_INVOKABLE void disconnectEdge(int row);
  Q_INVOKABLE void beginMove(const QString& key);
  Q_INVOKABLE void moveTo(const QString& key, double x, double y);
  Q_INVOKABLE void endMove();
  Q_INVOKABLE void autoArrange();
  Q_INVOKABLE void setElementProperty(const QString& key, const QString& name, const QVariant& value);
  Q_INVOKABLE void undo() { undo_.undo(); }
  Q_INVOKABLE void redo() { undo_.redo(); }
  // A new pipeline with a template's nodes and wires (TemplateLibrary), as one undo step.
  void applyTemplate(const GraphFragment& fragment);

  // --- selection
  Q_INVOKABLE void select(const QString& key, const QString& mode);  // "replace" / "add" / "toggle"
  Q_INVOKABLE void selectInRect(double x, double y, double w, double h, const QString& mode);
  Q_INVOKABLE void selectEdge(int row);
  Q_INVOKABLE void selectAll();
  // Clipboard (Edit menu, Ctrl+C / Ctrl+V / Ctrl+D, context menus): the selected nodes with the
  // wires between them, as JSON text on the system clipboard (GraphFragment). A paste creates
  // new elements with the same type, constructor parameters and properties, and the wires
  // between them: one undo step. Copy answers how many nodes were copied; the pastes answer the
  // new keys (selected afterwards). pasteAt puts the copy's top-left corner at a canvas point.
  Q_INVOKABLE int copySelection();
  Q_INVOKABLE QStringList paste();
  Q_INVOKABLE QStringList pasteAt(double x, double y);
  Q_INVOKABLE QStringList duplicateSelection();
  Q_INVOKABLE void clearSelection();
  Q_INVOKABLE QStringList selectedKeys() const;
  Q_INVOKABLE QRectF boundingRect() const;
  Q_INVOKABLE QVariantList hubNodes() const;  // [{key, label}] for new HubPorts
  Q_INVOKABLE QString keyOfType(const QString& type) const;  // first node of a type (tests, templates)

  // --- live
  Q_INVOKABLE void run();
  // Pauses every player and recorder of a running pipeline ("paused"); run() resumes.
  Q_INVOKABLE void pause();
  Q_INVOKABLE void stop();
  Q_INVOKABLE void setPreview(const QString& key, bool on);
  // A player's play() succeeded (Run, or the inspector's Play): it shows as playing, and a saved
  // position waiting for it is applied.
  void playerStarted(const QString& key);
  Q_INVOKABLE void markClean() { undo_.setClean(); }

  // --- used by the undo commands and ProjectFile (model + engine together)
  void insertNode(const GraphNode& node);   // adds to the canvas and creates in the engine
  void releaseNode(const QString& key);     // removes from the canvas and releases in the engine
  GraphNode snapshot(const QString& key) const;
  void connectEdge(const GraphEdge& edge);
  void disconnectEdgeNow(const GraphEdge& edge);
  QList<GraphEdge> edgesInto(const QString& sinkKey, const QString& mediaType) const;
  void setPositions(const QHash<QString, QPointF>& positions);
  void applyProperty(const QString& key, const QString& name, const QJsonValue& value);

  static QString newKey();

 Q_SIGNALS:
  void pipelineChanged();
  void revisionChanged();
  void busyChanged();
  void undoChanged();
  void snapToGridChanged();
  void selectionChanged();
  void runningChanged();
  void refused(const QString& reason);
  // A node's properties or last read values changed (the inspector shows them again).
  void liveValuesChanged(const QString& key);
  // The engine's values of a node must be read again (a refused setter, a seek that happened).
  void liveValuesStale(const QString& key);
  void idle();

 private:
  // Following the engine (events, remote elements) works on the graph's state and call queue.
  friend class RemotePipelineFollower;

  std::optional<GraphFragment> clipboardFragment();
  QStringList insertFragment(const GraphFragment& fragment, QPointF offset, const QString& verb);
  using Done = std::function<void()>;
  using Op = std::function<void(Done)>;
  void enqueue(Op op);
  void runNext();
  // Queues `operation` (no parameters) on every node of `type`, in canvas order.
  void invokeOnAll(const QString& type, const QString& operation);
  void resetCanvas();
  void ensurePipeline();
  QString objectIdOf(const QString& key) const;
  QString keyOf(const QString& objectId) const;
  QPointF freeSpot() const;
  void logError(const QString& what, int code, const QString& message);
  void logNote(const QString& what, const QString& message);
  // A PlayerEndpoint's `position` seeks, which only works while it plays a seekable media: it
  // is applied after a successful play() once the player reports it can seek, or dropped with
  // a note (a project saved with a position must still load).
  static bool isSeekProperty(const QString& type, const QString& name);
  void applyPendingPosition(const QString& key, int attempt = 0);
  const Schema& schema() const;
  QHash<QString, QPointF> arrangedPositions() const;

  EngineClient& client_;
  EventLogModel& log_;
  NodeListModel nodes_;
  EdgeListModel edges_;
  QUndoStack undo_;
  QByteArray clipboard_;  // the last copy, when the system clipboard has something else or none
  int pasteCount_ = 0;    // pastes of the last copy so far (each one further down and right)
  QString pipelineId_;
  int revision_ = 0;  // bumps when node geometry changes (minimap, fit)
  bool ownPipeline_ = false;         // created by this studio: New/Open release it
  bool ownPipelinePending_ = false;
  int pipelineGeneration_ = 0;  // bumps when the canvas switches pipeline; stale replies are ignored
  std::deque<Op> ops_;
  bool running_ = false;
  bool snapToGrid_ = true;
  QHash<QString, QPointF> moveStart_;
  QString runState_ = QStringLiteral("stopped");
  RemotePipelineFollower follower_;  // after the models it updates
};

}  // namespace pw::studio
