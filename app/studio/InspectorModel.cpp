#include "InspectorModel.h"

#include "EngineClient.h"
#include "EventLogModel.h"
#include "GraphModel.h"
#include "SchemaValue.h"
#include "pipewright/engine/Schema.h"

#include <algorithm>
#include <memory>

namespace pw::studio {

namespace {

// Properties the inspector does not show (structure is on the canvas; dumps are exported).
const QStringList kHiddenProperties{QStringLiteral("mediaPipeline"), QStringLiteral("parent"),
                                    QStringLiteral("children"), QStringLiteral("elementGstreamerDot")};
const QStringList kHiddenMethods{QStringLiteral("connect"), QStringLiteral("disconnect")};

const Schema& schema() { return Schema::builtin(); }

// A constructor parameter the studio changes after creation (a GStreamerFilter's command,
// GstPropertyModel) shows as the studio holds it; everything else as the engine last said.
QJsonValue shownValue(const GraphNode& node, const SchemaProperty& property) {
  if (!property.writable() && node.constructorParams.contains(property.name)) return node.constructorParams.value(property.name);
  return node.liveValues.value(property.name);
}

}  // namespace

InspectorModel::InspectorModel(GraphModel& graph, EngineClient& client, EventLogModel& log, QObject* parent)
    : QObject(parent), graph_(graph), client_(client), log_(log) {
  connect(&graph_, &GraphModel::liveValuesChanged, this, &InspectorModel::valuesChanged);
  connect(&graph_, &GraphModel::liveValuesStale, this, &InspectorModel::refresh);
}

QVariantList InspectorModel::propertyRows(const QString& key) const {
  QVariantList rows;
  const GraphNode* n = graph_.nodes()->find(key);
  if (!n) return rows;
  QStringList chain = schema().ancestors(n->type);
  std::reverse(chain.begin(), chain.end());
  chain.append(n->type);
  for (const QString& c : chain) {
    const SchemaClass* cls = schema().findClass(c);
    if (!cls) continue;
    for (const SchemaProperty& p : cls->properties) {
      if (kHiddenProperties.contains(p.name)) continue;
      rows.append(QVariantMap{{QStringLiteral("name"), p.name},
                              {QStringLiteral("type"), p.type},
                              {QStringLiteral("doc"), p.doc},
                              {QStringLiteral("writable"), p.writable()},
                              {QStringLiteral("declaredBy"), c},
                              {QStringLiteral("value"), SchemaValue::text(shownValue(*n, p))}});
    }
  }
  return rows;
}

QVariantList InspectorModel::methodRows(const QString& key) const {
  QVariantList rows;
  const GraphNode* n = graph_.nodes()->find(key);
  if (!n) return rows;
  for (const SchemaOperation& op : schema().operations(n->type)) {
    if (op.kind != SchemaOperation::Kind::Method || kHiddenMethods.contains(op.name)) continue;
    QVariantList params;
    for (const SchemaParam& p : op.params) {
      params.append(QVariantMap{{QStringLiteral("name"), p.name},
                                {QStringLiteral("type"), p.type},
                                {QStringLiteral("optional"), p.optional},
                                {QStringLiteral("doc"), p.doc}});
    }
    const SchemaClass* cls = schema().findClass(op.declaringClass);
    QString doc;
    if (cls) {
      for (const SchemaMethod& m : cls->methods) {
        if (m.name == op.name) doc = m.doc;
      }
    }
    rows.append(QVariantMap{{QStringLiteral("name"), op.name},
                            {QStringLiteral("doc"), doc},
                            {QStringLiteral("declaredBy"), op.declaringClass},
                            {QStringLiteral("returns"), op.returnType},
                            {QStringLiteral("params"), params}});
  }
  return rows;
}

QVariantList InspectorModel::constructorParams(const QString& type) const {
  QVariantList rows;
  const SchemaClass* cls = schema().findClass(type);
  if (!cls) return rows;
  for (const SchemaParam& p : cls->constructorParams) {
    if (p.name == u"mediaPipeline" || p.optional) continue;
    rows.append(QVariantMap{{QStringLiteral("name"), p.name}, {QStringLiteral("type"), p.type}, {QStringLiteral("doc"), p.doc}});
  }
  return rows;
}

void InspectorModel::refresh(const QString& key) {
  const GraphNode* n = graph_.nodes()->find(key);
  if (!n || n->objectId.isEmpty()) return;
  const QVariantList rows = propertyRows(key);
  auto remaining = std::make_shared<int>(static_cast<int>(rows.size()));
  for (const QVariant& row : rows) {
    const QString name = row.toMap().value(QStringLiteral("name")).toString();
    client_.invoke(n->objectId, Schema::getterName(name), {}, [this, key, name, remaining](const EngineClient::Reply& r) {
      if (GraphNode* node = graph_.nodes()->find(key); node && r.ok()) node->liveValues.insert(name, r.value);
      if (--*remaining == 0) Q_EMIT valuesChanged(key);
    });
  }
}

void InspectorModel::callMethod(const QString& key, const QString& method, const QVariantMap& params) {
  const GraphNode* n = graph_.nodes()->find(key);
  if (!n || n->objectId.isEmpty()) {
    Q_EMIT methodFinished(key, method, false, QStringLiteral("The element is not ready yet"));
    return;
  }
  const auto op = schema().findOperation(n->type, method);
  if (!op) return;
  QJsonObject given;
  for (const SchemaParam& p : op->params) {
    const QVariant v = params.value(p.name);
    if (!v.isValid() || (v.typeId() == QMetaType::QString && v.toString().isEmpty())) continue;
    given.insert(p.name, SchemaValue::fromForm(p.type, v));
  }
  const QString label = QStringLiteral("%1 %2").arg(n->type, n->objectId.section(u'/', -1).left(4));
  client_.invoke(n->objectId, method, given, [this, key, method, label](const EngineClient::Reply& r) {
    const QString text = r.ok() ? SchemaValue::text(r.value) : QStringLiteral("%1 (Kurento error %2)").arg(r.errorMessage).arg(r.errorCode);
    log_.add(r.ok() ? QStringLiteral("info") : QStringLiteral("error"), label, method,
             r.ok() ? (text.isEmpty() ? QStringLiteral("done") : text.left(500)) : text);
    if (r.ok() && method == u"play") graph_.playerStarted(key);
    Q_EMIT methodFinished(key, method, r.ok(), text);
    refresh(key);
  });
}

}  // namespace pw::studio
