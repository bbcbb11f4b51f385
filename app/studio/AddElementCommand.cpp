#include "AddElementCommand.h"

#include "GraphModel.h"

namespace pw::studio {

AddElementCommand::AddElementCommand(GraphModel& graph, GraphNode node, QUndoCommand* parent)
    : QUndoCommand(QStringLiteral("Add %1").arg(node.type), parent), graph_(graph), node_(std::move(node)) {}

void AddElementCommand::redo() { graph_.insertNode(node_); }

void AddElementCommand::undo() {
  const GraphNode now = graph_.snapshot(node_.key);
  if (!now.key.isEmpty()) {
    node_.position = now.position;
    node_.properties = now.properties;
  }
  graph_.releaseNode(node_.key);
}

}  // namespace pw::studio
