#pragma once

#include "GraphTypes.h"

#include <QUndoCommand>

namespace pw::studio {

class GraphModel;

// "Disconnect": removes one wire; undo connects it again.
class DisconnectCommand : public QUndoCommand {
 public:
  DisconnectCommand(GraphModel& graph, GraphEdge edge, QUndoCommand* parent = nullptr);
  void redo() override;
  void undo() override;

 private:
  GraphModel& graph_;
  GraphEdge edge_;
};

}  // namespace pw::studio
