#pragma once

#include "GraphTypes.h"

#include <QList>
#include <QUndoCommand>

namespace pw::studio {

class GraphModel;

// "Connect": one wire per media type. As in Kurento a sink takes one source per media type, so
// wires the connect replaces are remembered and restored by undo.
class ConnectCommand : public QUndoCommand {
 public:
  ConnectCommand(GraphModel& graph, QList<GraphEdge> edges, QUndoCommand* parent = nullptr);
  void redo() override;
  void undo() override;

 private:
  GraphModel& graph_;
  QList<GraphEdge> edges_;
  QList<GraphEdge> replaced_;
};

}  // namespace pw::studio
