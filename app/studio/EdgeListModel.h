#pragma once

// The wires on the canvas as a list model; end points are computed from the nodes' positions so
// QML only draws.

#include "GraphTypes.h"

#include <QAbstractListModel>
#include <QList>
#include <QtQml/qqmlregistration.h>

namespace pw::studio {

class NodeListModel;

class EdgeListModel : public QAbstractListModel {
  Q_OBJECT
  QML_ELEMENT
  QML_UNCREATABLE("Part of GraphModel")
  Q_PROPERTY(int count READ count NOTIFY countChanged)

 public:
  enum Role { SourceKeyRole = Qt::UserRole + 1, SinkKeyRole, MediaTypeRole, SelectedRole, FlowingRole,
              X1Role, Y1Role, X2Role, Y2Role };

  explicit EdgeListModel(const NodeListModel& nodes, QObject* parent = nullptr)
      : QAbstractListModel(parent), nodes_(nodes) {}

  int rowCount(const QModelIndex& parent = {}) const override { return parent.isValid() ? 0 : edges_.size(); }
  QVariant data(const QModelIndex& index, int role) const override;
  QHash<int, QByteArray> roleNames() const override;
  int count() const { return edges_.size(); }

  const QList<GraphEdge>& edges() const { return edges_; }
  bool contains(const GraphEdge& edge) const { return edges_.contains(edge); }
  void add(const GraphEdge& edge);
  void remove(const GraphEdge& edge);
  void removeTouching(const QString& key);
  QList<GraphEdge> touching(const QString& key) const;
  void clear();
  void setSelected(int row, bool selected);
  // Geometry or flow of the wires touching `key` changed.
  void nodeChanged(const QString& key);

 Q_SIGNALS:
  void countChanged();

 private:
  const NodeListModel& nodes_;
  QList<GraphEdge> edges_;
};

}  // namespace pw::studio
