#include "SetPropertyCommand.h"

#include "GraphModel.h"

namespace pw::studio {

SetPropertyCommand::SetPropertyCommand(GraphModel& graph, QString key, QString name, QJsonValue before,
                                       QJsonValue after, QUndoCommand* parent)
    : QUndoCommand(QStringLiteral("Set %1").arg(name), parent),
      graph_(graph),
      key_(std::move(key)),
      name_(std::move(name)),
      before_(std::move(before)),
      after_(std::move(after)) {}

void SetPropertyCommand::redo() { graph_.applyProperty(key_, name_, after_); }

void SetPropertyCommand::undo() {
  if (!before_.isUndefined() && !before_.isNull()) graph_.applyProperty(key_, name_, before_);
}

}  // namespace pw::studio
