#pragma once

// The event log as the view shows it: the lines whose type, source or text contain the filter
// text (case-insensitive). Filtering here, not in delegates, keeps the view's rows real: Follow
// can show the newest line and clearing the filter can keep the line that was in view.

#include <QSortFilterProxyModel>
#include <QtQml/qqmlregistration.h>

namespace pw::studio {

class EventLogFilter : public QSortFilterProxyModel {
  Q_OBJECT
  QML_ELEMENT
  Q_PROPERTY(QString filterText READ filterText WRITE setFilterText NOTIFY filterTextChanged)

 public:
  explicit EventLogFilter(QObject* parent = nullptr) : QSortFilterProxyModel(parent) {}

  QString filterText() const { return filterText_; }
  void setFilterText(const QString& text);
  // Row of the source model's `sourceRow` in this model, or of the nearest shown line after it
  // (the last one when none follows); -1 when nothing is shown.
  Q_INVOKABLE int rowForSource(int sourceRow) const;
  Q_INVOKABLE int sourceRowOf(int row) const;

 Q_SIGNALS:
  void filterTextChanged();

 protected:
  bool filterAcceptsRow(int sourceRow, const QModelIndex& sourceParent) const override;

 private:
  QString filterText_;
};

}  // namespace pw::studio
