#pragma once

#include <QJsonValue>
#include <QUndoCommand>

namespace pw::studio {

class GraphModel;

// "Set property": applied live on the element; undo puts the previous value back.
class SetPropertyCommand : public QUndoCommand {
 public:
  SetPropertyCommand(GraphModel& graph, QString key, QString name, QJsonValue before, QJsonValue after,
                     QUndoCommand* parent = nullptr);
  void redo() override;
  void undo() override;

 private:
  GraphModel& graph_;
  QString key_, name_;
  QJsonValue before_, after_;
};

}  // namespace pw::studio
