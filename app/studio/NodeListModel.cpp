#include "NodeListModel.h"

#include "PortRules.h"

namespace pw::studio {

namespace {
QString shortLabel(const GraphNode& n) {
  if (n.objectId.isEmpty()) return n.type;
  const QString own = n.objectId.section(u'/', -1);
  return QStringLiteral("%1 %2").arg(n.type, own.left(4));
}
}  // namespace

QVariant NodeListModel::data(const QModelIndex& index, int role) const {
  if (!index.isValid() || index.row() >= nodes_.size()) return {};
  const GraphNode& n = nodes_.at(index.row());
  switch (role) {
    case KeyRole: return n.key;
    case ObjectIdRole: return n.objectId;
    case TypeRole: return n.type;
    case LabelRole: return shortLabel(n);
    case XRole: return n.position.x();
    case YRole: return n.position.y();
    case HeightRole: return NodeGeometry::height(n.previewOn);
    case SelectedRole: return n.selected;
    case RemoteRole: return n.remote;
    case StateRole: return n.state;
    case ErrorRole: return n.error;
    case InputsRole: return PortRules::inputs(n.type);
    case OutputsRole: return PortRules::outputs(n.type);
    case FlowingInRole: return QStringList(n.flowingIn.begin(), n.flowingIn.end());
    case FlowingOutRole: return QStringList(n.flowingOut.begin(), n.flowingOut.end());
    case TranscodingRole: return n.transcodingNow();
    case RecordStateRole: return n.recordState;
    case RecordingSinceRole: return n.recordingSinceMs;
    case PausedAtRole: return n.pausedAtMs;
    case PlayerStateRole: return n.playerState;
    case PreviewOnRole: return n.previewOn;
    case HubLinkRole: {
      // A HubPort's line to its hub: the hub's left-middle, relative to this node.
      const GraphNode* hub = n.hubKey.isEmpty() ? nullptr : find(n.hubKey);
      if (!hub) return QVariant();
      return QPointF(hub->position.x() - n.position.x(), hub->position.y() + NodeGeometry::height(hub->previewOn) / 2 - n.position.y());
    }
    default: return {};
  }
}

QHash<int, QByteArray> NodeListModel::roleNames() const {
  return {{KeyRole, "key"},           {ObjectIdRole, "objectId"},     {TypeRole, "type"},
          {LabelRole, "label"},       {XRole, "nodeX"},               {YRole, "nodeY"},
          {HeightRole, "nodeHeight"}, {SelectedRole, "selected"},     {RemoteRole, "remote"},
          {StateRole, "status"},       {ErrorRole, "error"},           {InputsRole, "inputs"},
          {OutputsRole, "outputs"},   {FlowingInRole, "flowingIn"},   {FlowingOutRole, "flowingOut"},
          {TranscodingRole, "transcoding"}, {RecordStateRole, "recordState"},
          {RecordingSinceRole, "recordingSince"}, {PausedAtRole, "pausedAt"}, {PlayerStateRole, "playerState"},
          {PreviewOnRole, "previewOn"}, {HubLinkRole, "hubLink"}};
}

int NodeListModel::indexOf(const QString& key) const {
  for (int i = 0; i < nodes_.size(); ++i) {
    if (nodes_[i].key == key) return i;
  }
  return -1;
}

int NodeListModel::indexOfObject(const QString& objectId) const {
  if (objectId.isEmpty()) return -1;
  for (int i = 0; i < nodes_.size(); ++i) {
    if (nodes_[i].objectId == objectId) return i;
  }
  return -1;
}

GraphNode* NodeListModel::find(const QString& key) {
  const int i = indexOf(key);
  return i < 0 ? nullptr : &nodes_[i];
}

const GraphNode* NodeListModel::find(const QString& key) const {
  const int i = indexOf(key);
  return i < 0 ? nullptr : &nodes_[i];
}

GraphNode* NodeListModel::findObject(const QString& objectId) {
  const int i = indexOfObject(objectId);
  return i < 0 ? nullptr : &nodes_[i];
}

void NodeListModel::append(const GraphNode& node) {
  beginInsertRows({}, nodes_.size(), nodes_.size());
  nodes_.append(node);
  endInsertRows();
  Q_EMIT countChanged();
}

void NodeListModel::remove(const QString& key) {
  const int i = indexOf(key);
  if (i < 0) return;
  beginRemoveRows({}, i, i);
  nodes_.removeAt(i);
  endRemoveRows();
  Q_EMIT countChanged();
}

void NodeListModel::clear() {
  beginResetModel();
  nodes_.clear();
  endResetModel();
  Q_EMIT countChanged();
}

void NodeListModel::touch(const QString& key) {
  const int i = indexOf(key);
  if (i >= 0) Q_EMIT dataChanged(index(i), index(i));
  // Ports of a hub draw their line to it.
  for (int j = 0; j < nodes_.size(); ++j) {
    if (nodes_[j].hubKey == key) Q_EMIT dataChanged(index(j), index(j), {HubLinkRole});
  }
}

}  // namespace pw::studio
