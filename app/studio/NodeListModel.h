#pragma once

// The nodes on the canvas as a list model for QML (Repeater in Canvas.qml).

#include "GraphTypes.h"

#include <QAbstractListModel>
#include <QList>
#include <QtQml/qqmlregistration.h>

namespace pw::studio {

class NodeListModel : public QAbstractListModel {
  Q_OBJECT
  QML_ELEMENT
  QML_UNCREATABLE("Part of GraphModel")
  Q_PROPERTY(int count READ count NOTIFY countChanged)

 public:
  enum Role {
    KeyRole = Qt::UserRole + 1, ObjectIdRole, TypeRole, LabelRole, XRole, YRole, HeightRole, SelectedRole,
    RemoteRole, StateRole, ErrorRole, InputsRole, OutputsRole, FlowingInRole, FlowingOutRole, TranscodingRole,
    RecordStateRole, RecordingSinceRole, PausedAtRole, PlayerStateRole, PreviewOnRole, HubLinkRole
  };

  explicit NodeListModel(QObject* parent = nullptr) : QAbstractListModel(parent) {}

  int rowCount(const QModelIndex& parent = {}) const override { return parent.isValid() ? 0 : nodes_.size(); }
  QVariant data(const QModelIndex& index, int role) const override;
  QHash<int, QByteArray> roleNames() const override;
  int count() const { return nodes_.size(); }

  const QList<GraphNode>& nodes() const { return nodes_; }
  int indexOf(const QString& key) const;
  int indexOfObject(const QString& objectId) const;
  GraphNode* find(const QString& key);
  const GraphNode* find(const QString& key) const;
  GraphNode* findObject(const QString& objectId);

  void append(const GraphNode& node);
  void remove(const QString& key);
  void clear();
  // Call after editing a node through find(): repaints its delegate.
  void touch(const QString& key);

 Q_SIGNALS:
  void countChanged();

 private:
  QList<GraphNode> nodes_;
};

}  // namespace pw::studio
