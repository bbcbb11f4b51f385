#pragma once

// The inspector's rows for one node, from the schema of its class and its ancestors: the
// properties with the values last read from the engine (refresh() reads them again), the methods
// as forms (callMethod() invokes one), and the required constructor parameters of a class for
// the drop form. Property edits go through GraphModel::setElementProperty (one undo step each).

#include <QObject>
#include <QString>
#include <QVariantList>
#include <QVariantMap>
#include <QtQml/qqmlregistration.h>

namespace pw::studio {

class EngineClient;
class EventLogModel;
class GraphModel;

class InspectorModel : public QObject {
  Q_OBJECT
  QML_ELEMENT
  QML_UNCREATABLE("Owned by Studio")

 public:
  InspectorModel(GraphModel& graph, EngineClient& client, EventLogModel& log, QObject* parent = nullptr);

  // [{name, type, doc, writable, declaredBy, value}], base classes first; structure hidden.
  Q_INVOKABLE QVariantList propertyRows(const QString& key) const;
  // [{name, doc, declaredBy, returns, params: [{name, type, optional, doc}]}]; connect/disconnect hidden.
  Q_INVOKABLE QVariantList methodRows(const QString& key) const;
  // [{name, type, doc}]: the required constructor parameters of `type` (the drop form).
  Q_INVOKABLE QVariantList constructorParams(const QString& type) const;
  // Reads every shown property of the node from the engine; valuesChanged(key) once all answered.
  Q_INVOKABLE void refresh(const QString& key);
  // Invokes `method` with the form's values (typed by the schema); the outcome goes to the event
  // log and comes as methodFinished(), then the values are read again.
  Q_INVOKABLE void callMethod(const QString& key, const QString& method, const QVariantMap& params);

 Q_SIGNALS:
  void valuesChanged(const QString& key);
  void methodFinished(const QString& key, const QString& method, bool ok, const QString& text);

 private:
  GraphModel& graph_;
  EngineClient& client_;
  EventLogModel& log_;
};

}  // namespace pw::studio
