#pragma once

#include "GraphTypes.h"

#include <QUndoCommand>

namespace pw::studio {

class GraphModel;

// "Add element": creates the node and the engine object; undo releases it.
class AddElementCommand : public QUndoCommand {
 public:
  AddElementCommand(GraphModel& graph, GraphNode node, QUndoCommand* parent = nullptr);
  void redo() override;
  void undo() override;

 private:
  GraphModel& graph_;
  GraphNode node_;
};

}  // namespace pw::studio
