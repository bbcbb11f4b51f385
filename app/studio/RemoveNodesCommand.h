#pragma once

#include "GraphTypes.h"

#include <QList>
#include <QUndoCommand>

namespace pw::studio {

class GraphModel;

// "Delete": releases elements; undo re-creates them with their properties and wires.
class RemoveNodesCommand : public QUndoCommand {
 public:
  RemoveNodesCommand(GraphModel& graph, const QStringList& keys, QUndoCommand* parent = nullptr);
  void redo() override;
  void undo() override;

 private:
  GraphModel& graph_;
  QStringList keys_;
  QList<GraphNode> nodes_;
  QList<GraphEdge> edges_;
};

}  // namespace pw::studio
