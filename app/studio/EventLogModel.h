#pragma once

// The studio's event log: every engine event of the watched elements plus the studio's own
// messages (errors say what to do next).

#include <QAbstractListModel>
#include <QDateTime>
#include <QList>
#include <QtQml/qqmlregistration.h>

namespace pw::studio {

class EventLogModel : public QAbstractListModel {
  Q_OBJECT
  QML_ELEMENT
  QML_UNCREATABLE("Owned by Studio")
  Q_PROPERTY(int count READ count NOTIFY countChanged)
  Q_PROPERTY(QString lastError READ lastError NOTIFY lastErrorChanged)

 public:
  // DetailsRole: the whole text, JSON indented (the line shows it elided).
  enum Role { TimeRole = Qt::UserRole + 1, SourceRole, TypeRole, TextRole, LevelRole, DetailsRole };
  struct Entry {
    QDateTime time;
    QString source;
    QString type;
    QString text;
    QString level;  // info / event / error
  };
  static constexpr int maxEntries = 2000;

  explicit EventLogModel(QObject* parent = nullptr) : QAbstractListModel(parent) {}

  int rowCount(const QModelIndex& parent = {}) const override { return parent.isValid() ? 0 : entries_.size(); }
  QVariant data(const QModelIndex& index, int role) const override;
  QHash<int, QByteArray> roleNames() const override;
  int count() const { return entries_.size(); }
  QString lastError() const { return lastError_; }

  void add(const QString& level, const QString& source, const QString& type, const QString& text);
  // The source shown for an engine object: "PlayerEndpoint c182" for "…/c182…_kurento.PlayerEndpoint"
  // (its class and the first characters of its own id), also for an element no longer on the
  // canvas (its last events arrive after it was released).
  static QString objectLabel(const QString& objectId, const QString& knownType = {});
  const QList<Entry>& entries() const { return entries_; }
  Q_INVOKABLE void clear();
  Q_INVOKABLE int countOf(const QString& type) const;

 Q_SIGNALS:
  void countChanged();
  void lastErrorChanged();
  void added(const QString& level, const QString& type, const QString& text);

 private:
  QList<Entry> entries_;
  QString lastError_;
};

}  // namespace pw::studio
