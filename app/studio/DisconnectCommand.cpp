#include "DisconnectCommand.h"

#include "GraphModel.h"

namespace pw::studio {

DisconnectCommand::DisconnectCommand(GraphModel& graph, GraphEdge edge, QUndoCommand* parent)
    : QUndoCommand(QStringLiteral("Disconnect %1").arg(edge.mediaType), parent), graph_(graph), edge_(std::move(edge)) {}

void DisconnectCommand::redo() { graph_.disconnectEdgeNow(edge_); }
void DisconnectCommand::undo() { graph_.connectEdge(edge_); }

}  // namespace pw::studio
