#pragma once

// The palette's GStreamer tab: the installed elements a GStreamerFilter may be built from (the
// engine's allow-list, with the administrator's additions: FilterElementCatalog), grouped as
// Video / Audio / Other and filtered by a search text. Dropping one creates a GStreamerFilter
// whose command is the element. Read from the registry when first asked (load()).

#include "elements/filters/FilterElementCatalog.h"

#include <QAbstractListModel>
#include <QStringList>
#include <QtQml/qqmlregistration.h>

namespace pw::studio {

class GstPaletteModel : public QAbstractListModel {
  Q_OBJECT
  QML_ELEMENT
  QML_UNCREATABLE("Owned by Studio")
  Q_PROPERTY(QString filter READ filter WRITE setFilter NOTIFY filterChanged)
  Q_PROPERTY(int count READ count NOTIFY countChanged)
  Q_PROPERTY(bool loaded READ loaded NOTIFY countChanged)

 public:
  enum Role { NameRole = Qt::UserRole + 1, LongNameRole, KlassRole, DescriptionRole, CategoryRole };

  // `adminAllowed`: the config's gstreamerFilterAllowedElements.
  explicit GstPaletteModel(QStringList adminAllowed, QObject* parent = nullptr);

  int rowCount(const QModelIndex& parent = {}) const override { return parent.isValid() ? 0 : shown_.size(); }
  QVariant data(const QModelIndex& index, int role) const override;
  QHash<int, QByteArray> roleNames() const override;
  int count() const { return shown_.size(); }
  bool loaded() const { return loaded_; }

  QString filter() const { return filter_; }
  void setFilter(const QString& text);
  // Reads the registry once (loading the filters' plugins); later calls do nothing.
  Q_INVOKABLE void load();
  Q_INVOKABLE QStringList allNames() const;

  // "Video", "Audio" or "Other" from a factory's klass ("Filter/Effect/Video").
  static QString categoryOf(const QString& klass);

 Q_SIGNALS:
  void filterChanged();
  void countChanged();

 private:
  void rebuild();
  ElementAllowList allowList_;
  bool loaded_ = false;
  QList<FilterFactoryInfo> all_;
  QList<FilterFactoryInfo> shown_;
  QString filter_;
};

}  // namespace pw::studio
