#pragma once

// The inspector's GStreamer section for a GStreamerFilter node: the properties of the command's
// first element, read from its GParamSpecs (FilterElementCatalog), with their current values
// taken from the command. Setting one is one undo step (FilterPropertyCommand): the node's
// command is rewritten ("videobalance" → "videobalance brightness=0.3"), which is what a
// re-creation and a saved project use, and the running element gets it at once through
// GStreamerFilter.setElementProperty.

#include "elements/filters/FilterElementCatalog.h"

#include <QAbstractListModel>
#include <QHash>
#include <QtQml/qqmlregistration.h>

namespace pw::studio {

class EngineClient;
class EventLogModel;
class GraphModel;

class GstPropertyModel : public QAbstractListModel {
  Q_OBJECT
  QML_ELEMENT
  QML_UNCREATABLE("Owned by Studio")
  Q_PROPERTY(QString nodeKey READ nodeKey WRITE setNodeKey NOTIFY nodeKeyChanged)
  Q_PROPERTY(QString factory READ factory NOTIFY commandChanged)
  Q_PROPERTY(QString command READ command NOTIFY commandChanged)
  Q_PROPERTY(int count READ count NOTIFY commandChanged)

 public:
  enum Role {
    NameRole = Qt::UserRole + 1,
    KindRole,  // "bool", "int", "double", "enum", "flags", "string"
    TypeNameRole,
    BlurbRole,
    DefaultRole,
    MinimumRole,
    MaximumRole,
    NicksRole,
    ValueRole,  // the command's value, else the default
    IsSetRole,  // the command sets it
  };

  GstPropertyModel(GraphModel& graph, EngineClient& client, EventLogModel& log, QStringList adminAllowed,
                   QObject* parent = nullptr);

  int rowCount(const QModelIndex& parent = {}) const override { return parent.isValid() ? 0 : rows_.size(); }
  QVariant data(const QModelIndex& index, int role) const override;
  QHash<int, QByteArray> roleNames() const override;
  int count() const { return rows_.size(); }

  QString nodeKey() const { return nodeKey_; }
  void setNodeKey(const QString& key);
  QString factory() const { return factory_; }
  QString command() const { return command_; }

  // Sets property `name` of the shown node's element to `value` (bool, number or text) as one
  // undo step. Returns "" when done (or when nothing changes), else why it was refused.
  Q_INVOKABLE QString setValue(const QString& name, const QVariant& value);

  // Used by FilterPropertyCommand: node `key` gets `command`, and its running element `name`
  // = `valueText`.
  void applyCommand(const QString& key, const QString& command, const QString& name, const QString& valueText);

  // `value` as a command writes it for `property`; empty with `error` set when out of range or
  // not one of its values.
  static QString valueText(const FilterPropertyInfo& property, const QVariant& value, QString* error);

 Q_SIGNALS:
  void nodeKeyChanged();
  void commandChanged();

 private:
  void rebuild();
  const QList<FilterPropertyInfo>& propertiesOf(const QString& factory);

  GraphModel& graph_;
  EngineClient& client_;
  EventLogModel& log_;
  ElementAllowList allowList_;
  QHash<QString, QList<FilterPropertyInfo>> cache_;  // factory → its properties
  QString nodeKey_;
  QString command_;
  QString factory_;
  int segment_ = -1;  // the command's segment `factory_` is in
  QHash<QString, QString> setValues_;  // what the command sets on it
  QList<FilterPropertyInfo> rows_;
};

}  // namespace pw::studio
