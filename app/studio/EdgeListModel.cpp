#include "EdgeListModel.h"

#include "NodeListModel.h"

namespace pw::studio {

QVariant EdgeListModel::data(const QModelIndex& index, int role) const {
  if (!index.isValid() || index.row() >= edges_.size()) return {};
  const GraphEdge& e = edges_.at(index.row());
  const GraphNode* source = nodes_.find(e.sourceKey);
  const GraphNode* sink = nodes_.find(e.sinkKey);
  switch (role) {
    case SourceKeyRole: return e.sourceKey;
    case SinkKeyRole: return e.sinkKey;
    case MediaTypeRole: return e.mediaType;
    case SelectedRole: return e.selected;
    case FlowingRole:
      return source && sink && source->flowingOut.contains(e.mediaType) && sink->flowingIn.contains(e.mediaType);
    case X1Role: return source ? source->position.x() + NodeGeometry::width : 0.0;
    case Y1Role: return source ? source->position.y() + NodeGeometry::portY(e.mediaType) : 0.0;
    case X2Role: return sink ? sink->position.x() : 0.0;
    case Y2Role: return sink ? sink->position.y() + NodeGeometry::portY(e.mediaType) : 0.0;
    default: return {};
  }
}

QHash<int, QByteArray> EdgeListModel::roleNames() const {
  return {{SourceKeyRole, "sourceKey"}, {SinkKeyRole, "sinkKey"}, {MediaTypeRole, "mediaType"},
          {SelectedRole, "selected"},   {FlowingRole, "flowing"}, {X1Role, "x1"},
          {Y1Role, "y1"},               {X2Role, "x2"},           {Y2Role, "y2"}};
}

void EdgeListModel::add(const GraphEdge& edge) {
  if (edges_.contains(edge)) return;
  beginInsertRows({}, edges_.size(), edges_.size());
  edges_.append(edge);
  edges_.last().selected = false;
  endInsertRows();
  Q_EMIT countChanged();
}

void EdgeListModel::remove(const GraphEdge& edge) {
  const int i = edges_.indexOf(edge);
  if (i < 0) return;
  beginRemoveRows({}, i, i);
  edges_.removeAt(i);
  endRemoveRows();
  Q_EMIT countChanged();
}

QList<GraphEdge> EdgeListModel::touching(const QString& key) const {
  QList<GraphEdge> result;
  for (const auto& e : edges_) {
    if (e.sourceKey == key || e.sinkKey == key) result.append(e);
  }
  return result;
}

void EdgeListModel::removeTouching(const QString& key) {
  for (const auto& e : touching(key)) remove(e);
}

void EdgeListModel::clear() {
  beginResetModel();
  edges_.clear();
  endResetModel();
  Q_EMIT countChanged();
}

void EdgeListModel::setSelected(int row, bool selected) {
  if (row < 0 || row >= edges_.size() || edges_[row].selected == selected) return;
  edges_[row].selected = selected;
  Q_EMIT dataChanged(index(row), index(row), {SelectedRole});
}

void EdgeListModel::nodeChanged(const QString& key) {
  for (int i = 0; i < edges_.size(); ++i) {
    if (edges_[i].sourceKey == key || edges_[i].sinkKey == key) Q_EMIT dataChanged(index(i), index(i));
  }
}


}  // namespace pw::studio
