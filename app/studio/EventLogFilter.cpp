#include "EventLogFilter.h"

#include "EventLogModel.h"

#include <algorithm>

namespace pw::studio {

void EventLogFilter::setFilterText(const QString& text) {
  if (text == filterText_) return;
  filterText_ = text;
  invalidateRowsFilter();
  Q_EMIT filterTextChanged();
}

bool EventLogFilter::filterAcceptsRow(int sourceRow, const QModelIndex& sourceParent) const {
  if (filterText_.isEmpty()) return true;
  const QModelIndex i = sourceModel()->index(sourceRow, 0, sourceParent);
  for (int role : {EventLogModel::TypeRole, EventLogModel::SourceRole, EventLogModel::TextRole}) {
    if (i.data(role).toString().contains(filterText_, Qt::CaseInsensitive)) return true;
  }
  return false;
}

int EventLogFilter::rowForSource(int sourceRow) const {
  if (!sourceModel() || rowCount() == 0) return -1;
  const int rows = sourceModel()->rowCount();
  for (int r = std::max(0, sourceRow); r < rows; ++r) {
    const QModelIndex mapped = mapFromSource(sourceModel()->index(r, 0));
    if (mapped.isValid()) return mapped.row();
  }
  return rowCount() - 1;
}

int EventLogFilter::sourceRowOf(int row) const {
  if (row < 0 || row >= rowCount()) return -1;
  return mapToSource(index(row, 0)).row();
}

}  // namespace pw::studio
