#include "FilterPropertyCommand.h"

#include "GstPropertyModel.h"

namespace pw::studio {

FilterPropertyCommand::FilterPropertyCommand(GstPropertyModel& model, QString key, QString property, State before,
                                             State after, const QString& text)
    : QUndoCommand(text),
      model_(model),
      key_(std::move(key)),
      property_(std::move(property)),
      before_(std::move(before)),
      after_(std::move(after)) {}

void FilterPropertyCommand::redo() { model_.applyCommand(key_, after_.command, property_, after_.value); }

void FilterPropertyCommand::undo() { model_.applyCommand(key_, before_.command, property_, before_.value); }

}  // namespace pw::studio
