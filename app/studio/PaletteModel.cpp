#include "PaletteModel.h"

#include "core/Bindings.h"
#include "pipewright/engine/Schema.h"

#include <QSettings>

#include <algorithm>

namespace pw::studio {

QString PaletteModel::categoryOf(const QString& className) {
  const Schema& schema = Schema::builtin();
  const SchemaClass* cls = schema.findClass(className);
  if (!cls || cls->isAbstract) return {};
  // Only what this engine can create (the schema also declares classes not implemented yet).
  if (!Bindings::builtin().factory(className)) return {};
  if (schema.isA(className, QStringLiteral("Hub")) || className == u"HubPort") return QStringLiteral("Hubs");
  if (schema.isA(className, QStringLiteral("Endpoint"))) return QStringLiteral("Endpoints");
  if (schema.isA(className, QStringLiteral("Filter")) || className == u"PassThrough") return QStringLiteral("Filters");
  if (schema.isA(className, QStringLiteral("MediaElement"))) return QStringLiteral("Filters");
  return {};
}

PaletteModel::PaletteModel(QObject* parent) : QAbstractListModel(parent) {
  const Schema& schema = Schema::builtin();
  for (const SchemaClass* cls : schema.classes()) {
    const QString category = categoryOf(cls->name);
    if (category.isEmpty()) continue;
    bool needsParams = false;
    for (const SchemaParam& p : cls->constructorParams) needsParams = needsParams || (!p.optional && p.name != u"mediaPipeline");
    all_.append({cls->name, category, cls->doc.section(u'.', 0, 0) + u'.', needsParams});
  }
  static const QStringList order{QStringLiteral("Endpoints"), QStringLiteral("Filters"), QStringLiteral("Hubs")};
  std::sort(all_.begin(), all_.end(), [](const Entry& a, const Entry& b) {
    const int ca = order.indexOf(a.category), cb = order.indexOf(b.category);
    return ca != cb ? ca < cb : a.name < b.name;
  });
  const QStringList saved = QSettings().value(QStringLiteral("palette/favourites")).toStringList();
  favourites_ = QSet<QString>(saved.begin(), saved.end());
  rebuild();
}

QVariant PaletteModel::data(const QModelIndex& index, int role) const {
  if (!index.isValid() || index.row() >= shown_.size()) return {};
  const Entry& e = shown_.at(index.row());
  switch (role) {
    case NameRole: return e.name;
    case CategoryRole: return favourites_.contains(e.name) ? QStringLiteral("Favourites") : e.category;
    case DocRole: return e.doc;
    case FavouriteRole: return favourites_.contains(e.name);
    case NeedsParamsRole: return e.needsParams;
    default: return {};
  }
}

QHash<int, QByteArray> PaletteModel::roleNames() const {
  return {{NameRole, "name"}, {CategoryRole, "category"}, {DocRole, "doc"}, {FavouriteRole, "favourite"},
          {NeedsParamsRole, "needsParams"}};
}

void PaletteModel::setFilter(const QString& text) {
  if (filter_ == text) return;
  filter_ = text;
  rebuild();
  Q_EMIT filterChanged();
}

void PaletteModel::toggleFavourite(const QString& name) {
  if (favourites_.contains(name)) favourites_.remove(name);
  else favourites_.insert(name);
  QStringList list(favourites_.begin(), favourites_.end());
  list.sort();
  QSettings().setValue(QStringLiteral("palette/favourites"), list);
  rebuild();
}

QStringList PaletteModel::allNames() const {
  QStringList names;
  for (const Entry& e : all_) names.append(e.name);
  return names;
}

void PaletteModel::rebuild() {
  beginResetModel();
  shown_.clear();
  const QString needle = filter_.trimmed();
  for (int pass = 0; pass < 2; ++pass) {
    for (const Entry& e : all_) {
      if (favourites_.contains(e.name) != (pass == 0)) continue;
      if (!needle.isEmpty() && !e.name.contains(needle, Qt::CaseInsensitive) && !e.doc.contains(needle, Qt::CaseInsensitive) &&
          !e.category.contains(needle, Qt::CaseInsensitive)) {
        continue;
      }
      shown_.append(e);
    }
  }
  endResetModel();
  Q_EMIT countChanged();
}

}  // namespace pw::studio
