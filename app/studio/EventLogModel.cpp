#include "EventLogModel.h"

#include <QJsonDocument>

namespace pw::studio {

QVariant EventLogModel::data(const QModelIndex& index, int role) const {
  if (!index.isValid() || index.row() >= entries_.size()) return {};
  const Entry& e = entries_.at(index.row());
  switch (role) {
    case TimeRole: return e.time.toString(QStringLiteral("HH:mm:ss.zzz"));
    case SourceRole: return e.source;
    case TypeRole: return e.type;
    case TextRole: return e.text;
    case LevelRole: return e.level;
    case DetailsRole: {
      const QJsonDocument json = QJsonDocument::fromJson(e.text.toUtf8());
      return json.isNull() ? e.text : QString::fromUtf8(json.toJson(QJsonDocument::Indented)).trimmed();
    }
    default: return {};
  }
}

QHash<int, QByteArray> EventLogModel::roleNames() const {
  return {{TimeRole, "time"}, {SourceRole, "source"}, {TypeRole, "type"},
          {TextRole, "text"}, {LevelRole, "level"}, {DetailsRole, "details"}};
}

void EventLogModel::add(const QString& level, const QString& source, const QString& type, const QString& text) {
  if (entries_.size() >= maxEntries) {
    beginRemoveRows({}, 0, 0);
    entries_.removeFirst();
    endRemoveRows();
  }
  beginInsertRows({}, entries_.size(), entries_.size());
  entries_.append({QDateTime::currentDateTime(), source, type, text, level});
  endInsertRows();
  Q_EMIT countChanged();
  if (level == u"error") {
    lastError_ = text;
    Q_EMIT lastErrorChanged();
  }
  Q_EMIT added(level, type, text);
}

void EventLogModel::clear() {
  beginResetModel();
  entries_.clear();
  endResetModel();
  Q_EMIT countChanged();
}

int EventLogModel::countOf(const QString& type) const {
  int n = 0;
  for (const auto& e : entries_) n += e.type == type ? 1 : 0;
  return n;
}

QString EventLogModel::objectLabel(const QString& objectId, const QString& knownType) {
  const QString own = objectId.section(u'/', -1);
  QString type = knownType;
  if (type.isEmpty()) {
    const qsizetype dot = own.lastIndexOf(QLatin1String("_kurento."));
    type = dot >= 0 ? own.mid(dot + 9) : QString();
  }
  if (type.isEmpty()) return own;
  return QStringLiteral("%1 %2").arg(type, own.left(4));
}

}  // namespace pw::studio
