#include "GstPropertyModel.h"

#include "EngineClient.h"
#include "EventLogModel.h"
#include "FilterPropertyCommand.h"
#include "GraphModel.h"
#include "NodeListModel.h"
#include "elements/filters/FilterCommand.h"
#include "pipewright/engine/KurentoError.h"

#include <QLocale>

#include <algorithm>
#include <cmath>

namespace pw::studio {
namespace {

using Kind = FilterPropertyInfo::Kind;

QString numberText(double value) { return QString::number(value, 'g', 15); }

// A value from the command, typed for the inspector's editors.
QVariant typedValue(const FilterPropertyInfo& property, const QString& text) {
  switch (property.kind) {
    case Kind::Boolean: return QVariant(text == u"true" || text == u"1" || text == u"yes" || text == u"TRUE");
    case Kind::Integer:
    case Kind::Double: {
      bool ok = false;
      const double n = QLocale::c().toDouble(text, &ok);
      return ok ? QVariant(n) : QVariant(text);
    }
    default: return text;
  }
}

}  // namespace

GstPropertyModel::GstPropertyModel(GraphModel& graph, EngineClient& client, EventLogModel& log, QStringList adminAllowed,
                                   QObject* parent)
    : QAbstractListModel(parent), graph_(graph), client_(client), log_(log), allowList_(std::move(adminAllowed)) {
  // Undo and redo rewrite commands; a removed or replaced node empties the section.
  connect(&graph_, &GraphModel::undoChanged, this, &GstPropertyModel::rebuild);
  connect(graph_.nodes(), &QAbstractItemModel::modelReset, this, &GstPropertyModel::rebuild);
  connect(graph_.nodes(), &QAbstractItemModel::rowsRemoved, this, &GstPropertyModel::rebuild);
}

void GstPropertyModel::setNodeKey(const QString& key) {
  if (nodeKey_ == key) return;
  nodeKey_ = key;
  rebuild();
  Q_EMIT nodeKeyChanged();
}

const QList<FilterPropertyInfo>& GstPropertyModel::propertiesOf(const QString& factory) {
  auto it = cache_.find(factory);
  if (it == cache_.end()) it = cache_.insert(factory, FilterElementCatalog::properties(allowList_, factory));
  return *it;
}

void GstPropertyModel::rebuild() {
  const GraphNode* node = graph_.nodes()->find(nodeKey_);
  const QString command =
      node && node->type == u"GStreamerFilter" ? node->constructorParams.value(u"command").toString() : QString();
  QString factory;
  int segment = -1;
  QHash<QString, QString> set;
  if (!command.isEmpty()) {
    try {
      const FilterCommand parsed = FilterCommand::parse(command);
      for (int i = 0; i < parsed.segments().size() && segment < 0; ++i) {
        const FilterCommand::Segment& s = parsed.segments()[i];
        if (s.isCaps()) continue;
        segment = i;
        factory = s.factory;
        for (const FilterCommand::Property& p : s.properties) set.insert(p.name, p.value);
      }
    } catch (const KurentoException&) {
      factory.clear();  // a command the engine refuses has nothing to edit
      segment = -1;
    }
  }
  beginResetModel();
  command_ = command;
  factory_ = factory;
  segment_ = segment;
  setValues_ = set;
  rows_ = factory.isEmpty() ? QList<FilterPropertyInfo>() : propertiesOf(factory);
  endResetModel();
  Q_EMIT commandChanged();
}

QVariant GstPropertyModel::data(const QModelIndex& index, int role) const {
  if (!index.isValid() || index.row() >= rows_.size()) return {};
  const FilterPropertyInfo& p = rows_.at(index.row());
  switch (role) {
    case NameRole: return p.name;
    case KindRole: return FilterPropertyInfo::kindName(p.kind);
    case TypeNameRole: return p.typeName;
    case BlurbRole: return p.blurb;
    case DefaultRole: return p.defaultValue;
    case MinimumRole: return p.minimum;
    case MaximumRole: return p.maximum;
    case NicksRole: return p.nicks;
    case ValueRole: return setValues_.contains(p.name) ? typedValue(p, setValues_.value(p.name)) : p.defaultValue;
    case IsSetRole: return setValues_.contains(p.name);
    default: return {};
  }
}

QHash<int, QByteArray> GstPropertyModel::roleNames() const {
  return {{NameRole, "name"},       {KindRole, "kind"},       {TypeNameRole, "typeName"}, {BlurbRole, "blurb"},
          {DefaultRole, "defaultValue"}, {MinimumRole, "minimum"}, {MaximumRole, "maximum"},   {NicksRole, "nicks"},
          {ValueRole, "value"},     {IsSetRole, "isSet"}};
}

QString GstPropertyModel::valueText(const FilterPropertyInfo& property, const QVariant& value, QString* error) {
  const QString text = value.toString().trimmed();
  auto refuse = [&](const QString& why) {
    *error = QStringLiteral("%1: %2").arg(property.name, why);
    return QString();
  };
  switch (property.kind) {
    case Kind::Boolean: {
      if (value.typeId() == QMetaType::Bool) return value.toBool() ? QStringLiteral("true") : QStringLiteral("false");
      if (text == u"true" || text == u"false") return text;
      return refuse(QStringLiteral("write true or false"));
    }
    case Kind::Integer: {
      bool ok = false;
      const double n = QLocale::c().toDouble(text, &ok);
      const double min = property.minimum.toDouble(), max = property.maximum.toDouble();
      if (!ok || n != std::floor(n)) return refuse(QStringLiteral("write a whole number"));
      if (n < min || n > max) return refuse(QStringLiteral("must be between %1 and %2").arg(property.minimum.toString(), property.maximum.toString()));
      return text.contains(u'e', Qt::CaseInsensitive) || text.contains(u'.') ? QString::number(qint64(n)) : text;
    }
    case Kind::Double: {
      bool ok = false;
      const double n = QLocale::c().toDouble(text, &ok);
      if (!ok) return refuse(QStringLiteral("write a number"));
      if (n < property.minimum.toDouble() || n > property.maximum.toDouble()) {
        return refuse(QStringLiteral("must be between %1 and %2").arg(numberText(property.minimum.toDouble()),
                                                                     numberText(property.maximum.toDouble())));
      }
      return numberText(n);
    }
    case Kind::Enum:
      if (!property.nicks.contains(text)) return refuse(QStringLiteral("one of %1").arg(property.nicks.join(u", ")));
      return text;
    case Kind::Flags:
      for (const QString& flag : text.split(u'+', Qt::SkipEmptyParts)) {
        if (!property.nicks.contains(flag)) return refuse(QStringLiteral("flags joined by '+' from %1").arg(property.nicks.join(u", ")));
      }
      return text;
    case Kind::String: return value.toString();
  }
  return refuse(QStringLiteral("cannot be set"));
}

QString GstPropertyModel::setValue(const QString& name, const QVariant& value) {
  auto it = std::find_if(rows_.cbegin(), rows_.cend(), [&](const FilterPropertyInfo& p) { return p.name == name; });
  if (it == rows_.cend() || segment_ < 0) return QStringLiteral("%1 has no property '%2' to set").arg(factory_, name);
  QString error;
  const QString after = valueText(*it, value, &error);
  if (!error.isEmpty()) return error;
  QString before = setValues_.value(name);
  if (!setValues_.contains(name)) before = valueText(*it, it->defaultValue, &error);
  if (setValues_.value(name) == after && setValues_.contains(name)) return {};
  const QString newCommand = FilterCommand::parse(command_).withProperty(segment_, name, after);
  graph_.undoStack().push(new FilterPropertyCommand(*this, nodeKey_, name, {command_, before}, {newCommand, after},
                                                    tr("Set %1 %2").arg(factory_, name)));
  return {};
}

void GstPropertyModel::applyCommand(const QString& key, const QString& command, const QString& name,
                                    const QString& valueText) {
  GraphNode* node = graph_.nodes()->find(key);
  if (!node) return;
  node->constructorParams.insert(QStringLiteral("command"), command);
  graph_.nodes()->touch(key);
  if (key == nodeKey_) rebuild();
  if (node->objectId.isEmpty()) return;  // created later, from the new command
  client_.invoke(node->objectId, QStringLiteral("setElementProperty"),
                 {{QStringLiteral("propertyName"), name}, {QStringLiteral("propertyValue"), valueText}},
                 [this, name](const EngineClient::Reply& r) {
                   if (r.ok()) return;
                   log_.add(QStringLiteral("error"), QStringLiteral("studio"), QStringLiteral("set %1").arg(name),
                            QStringLiteral("%1 (Kurento error %2)").arg(r.errorMessage).arg(r.errorCode));
                 });
}

}  // namespace pw::studio
