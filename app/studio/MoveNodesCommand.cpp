#include "MoveNodesCommand.h"

#include "GraphModel.h"

namespace pw::studio {

MoveNodesCommand::MoveNodesCommand(GraphModel& graph, QHash<QString, QPointF> from, QHash<QString, QPointF> to,
                                   const QString& text, QUndoCommand* parent)
    : QUndoCommand(text, parent), graph_(graph), from_(std::move(from)), to_(std::move(to)) {}

void MoveNodesCommand::redo() { graph_.setPositions(to_); }
void MoveNodesCommand::undo() { graph_.setPositions(from_); }

}  // namespace pw::studio
