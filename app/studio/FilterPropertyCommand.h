#pragma once

#include <QString>
#include <QUndoCommand>

namespace pw::studio {

class GstPropertyModel;

// "Set <element> <property>" on a GStreamerFilter node: its command text before and after, and
// the value the running element gets either way (GstPropertyModel::applyCommand).
class FilterPropertyCommand : public QUndoCommand {
 public:
  struct State {
    QString command;
    QString value;  // the property's value in that command (its default when the command has none)
  };
  FilterPropertyCommand(GstPropertyModel& model, QString key, QString property, State before, State after,
                        const QString& text);
  void redo() override;
  void undo() override;

 private:
  GstPropertyModel& model_;
  QString key_, property_;
  State before_, after_;
};

}  // namespace pw::studio
