#include "RemoveNodesCommand.h"

#include "GraphModel.h"

namespace pw::studio {

RemoveNodesCommand::RemoveNodesCommand(GraphModel& graph, const QStringList& keys, QUndoCommand* parent)
    : QUndoCommand(keys.size() == 1 ? QStringLiteral("Delete %1").arg(graph.snapshot(keys.first()).type)
                                    : QStringLiteral("Delete %1 elements").arg(keys.size()),
                   parent),
      graph_(graph),
      keys_(keys) {}

void RemoveNodesCommand::redo() {
  nodes_.clear();
  edges_.clear();
  for (const QString& key : keys_) {
    GraphNode node = graph_.snapshot(key);
    if (node.key.isEmpty()) continue;
    node.selected = false;
    nodes_.append(node);
    for (const GraphEdge& e : graph_.edges()->touching(key)) {
      if (!edges_.contains(e)) edges_.append(e);
    }
  }
  for (const GraphNode& node : nodes_) graph_.releaseNode(node.key);
}

void RemoveNodesCommand::undo() {
  // Hubs before their ports, then every wire.
  for (int pass = 0; pass < 2; ++pass) {
    for (const GraphNode& node : nodes_) {
      if ((pass == 0) == node.hubKey.isEmpty()) graph_.insertNode(node);
    }
  }
  for (const GraphEdge& e : edges_) graph_.connectEdge(e);
}

}  // namespace pw::studio
