#include "GstPaletteModel.h"

#include <algorithm>

namespace pw::studio {

GstPaletteModel::GstPaletteModel(QStringList adminAllowed, QObject* parent)
    : QAbstractListModel(parent), allowList_(std::move(adminAllowed)) {}

QString GstPaletteModel::categoryOf(const QString& klass) {
  const QStringList tokens = klass.split(u'/', Qt::SkipEmptyParts);
  if (tokens.contains(u"Video") || tokens.contains(u"Image")) return QStringLiteral("Video");
  if (tokens.contains(u"Audio")) return QStringLiteral("Audio");
  return QStringLiteral("Other");
}

void GstPaletteModel::load() {
  if (loaded_) return;
  all_ = FilterElementCatalog::allowedFactories(allowList_);
  static const QStringList order{QStringLiteral("Video"), QStringLiteral("Audio"), QStringLiteral("Other")};
  std::stable_sort(all_.begin(), all_.end(), [](const FilterFactoryInfo& a, const FilterFactoryInfo& b) {
    return order.indexOf(categoryOf(a.klass)) < order.indexOf(categoryOf(b.klass));
  });
  loaded_ = true;
  rebuild();
}

QVariant GstPaletteModel::data(const QModelIndex& index, int role) const {
  if (!index.isValid() || index.row() >= shown_.size()) return {};
  const FilterFactoryInfo& f = shown_.at(index.row());
  switch (role) {
    case NameRole: return f.name;
    case LongNameRole: return f.longName;
    case KlassRole: return f.klass;
    case DescriptionRole: return f.description;
    case CategoryRole: return categoryOf(f.klass);
    default: return {};
  }
}

QHash<int, QByteArray> GstPaletteModel::roleNames() const {
  return {{NameRole, "name"},
          {LongNameRole, "longName"},
          {KlassRole, "klass"},
          {DescriptionRole, "description"},
          {CategoryRole, "category"}};
}

void GstPaletteModel::setFilter(const QString& text) {
  if (filter_ == text) return;
  filter_ = text;
  rebuild();
  Q_EMIT filterChanged();
}

QStringList GstPaletteModel::allNames() const {
  QStringList names;
  for (const FilterFactoryInfo& f : all_) names.append(f.name);
  return names;
}

void GstPaletteModel::rebuild() {
  beginResetModel();
  shown_.clear();
  const QString needle = filter_.trimmed();
  for (const FilterFactoryInfo& f : all_) {
    const bool matches = needle.isEmpty() || f.name.contains(needle, Qt::CaseInsensitive) ||
                         f.longName.contains(needle, Qt::CaseInsensitive) || f.klass.contains(needle, Qt::CaseInsensitive) ||
                         f.description.contains(needle, Qt::CaseInsensitive);
    if (matches) shown_.append(f);
  }
  endResetModel();
  Q_EMIT countChanged();
}

}  // namespace pw::studio
