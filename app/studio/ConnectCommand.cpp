#include "ConnectCommand.h"

#include "GraphModel.h"

namespace pw::studio {

ConnectCommand::ConnectCommand(GraphModel& graph, QList<GraphEdge> edges, QUndoCommand* parent)
    : QUndoCommand(QStringLiteral("Connect %1").arg(edges.size() == 1 ? edges.first().mediaType : QStringLiteral("media")),
                   parent),
      graph_(graph),
      edges_(std::move(edges)) {}

void ConnectCommand::redo() {
  replaced_.clear();
  for (const GraphEdge& e : edges_) {
    for (const GraphEdge& old : graph_.edgesInto(e.sinkKey, e.mediaType)) {
      if (!(old == e)) replaced_.append(old);
    }
    graph_.connectEdge(e);
  }
}

void ConnectCommand::undo() {
  for (const GraphEdge& e : edges_) graph_.disconnectEdgeNow(e);
  for (const GraphEdge& e : replaced_) graph_.connectEdge(e);
}

}  // namespace pw::studio
