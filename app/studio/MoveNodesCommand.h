#pragma once

#include <QHash>
#include <QPointF>
#include <QUndoCommand>

namespace pw::studio {

class GraphModel;

// "Move": a whole drag (or an auto-arrange) is one step.
class MoveNodesCommand : public QUndoCommand {
 public:
  MoveNodesCommand(GraphModel& graph, QHash<QString, QPointF> from, QHash<QString, QPointF> to, const QString& text,
                   QUndoCommand* parent = nullptr);
  void redo() override;
  void undo() override;

 private:
  GraphModel& graph_;
  QHash<QString, QPointF> from_, to_;
};

}  // namespace pw::studio
