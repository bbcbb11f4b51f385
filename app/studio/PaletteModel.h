#pragma once

// The palette: every element class the schema declares (so new classes appear without GUI work),
// grouped as Endpoints / Filters / Hubs, filtered by a search text, favourites first.

#include <QAbstractListModel>
#include <QSet>
#include <QtQml/qqmlregistration.h>

namespace pw::studio {

class PaletteModel : public QAbstractListModel {
  Q_OBJECT
  QML_ELEMENT
  QML_UNCREATABLE("Owned by Studio")
  Q_PROPERTY(QString filter READ filter WRITE setFilter NOTIFY filterChanged)
  Q_PROPERTY(int count READ count NOTIFY countChanged)

 public:
  enum Role { NameRole = Qt::UserRole + 1, CategoryRole, DocRole, FavouriteRole, NeedsParamsRole };
  struct Entry {
    QString name;
    QString category;
    QString doc;
    bool needsParams = false;
  };

  explicit PaletteModel(QObject* parent = nullptr);

  int rowCount(const QModelIndex& parent = {}) const override { return parent.isValid() ? 0 : shown_.size(); }
  QVariant data(const QModelIndex& index, int role) const override;
  QHash<int, QByteArray> roleNames() const override;
  int count() const { return shown_.size(); }

  QString filter() const { return filter_; }
  void setFilter(const QString& text);
  Q_INVOKABLE void toggleFavourite(const QString& name);
  Q_INVOKABLE QStringList allNames() const;

  // Category of a schema class: "Endpoints", "Filters", "Hubs" or "" when not on the palette.
  static QString categoryOf(const QString& className);

 Q_SIGNALS:
  void filterChanged();
  void countChanged();

 private:
  void rebuild();
  QList<Entry> all_;
  QList<Entry> shown_;
  QSet<QString> favourites_;
  QString filter_;
};

}  // namespace pw::studio
