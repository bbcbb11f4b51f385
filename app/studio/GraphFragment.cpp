#include "GraphFragment.h"

#include <QJsonArray>
#include <QJsonDocument>

namespace pw::studio {

namespace {
constexpr auto kFormat = "pipewright-fragment";
}  // namespace

GraphFragment GraphFragment::of(const QList<GraphNode>& nodes, const QList<GraphEdge>& edges, const QStringList& keys) {
  GraphFragment f;
  for (const GraphNode& n : nodes) {
    if (keys.contains(n.key)) f.nodes.append(n);
  }
  for (const GraphEdge& e : edges) {
    if (keys.contains(e.sourceKey) && keys.contains(e.sinkKey)) f.edges.append(e);
  }
  return f;
}

QList<GraphNode> GraphFragment::hubsFirst(const QList<GraphNode>& nodes) {
  QList<GraphNode> ordered;
  for (const GraphNode& n : nodes) {
    if (n.hubKey.isEmpty()) ordered.append(n);
  }
  for (const GraphNode& n : nodes) {
    if (!n.hubKey.isEmpty()) ordered.append(n);
  }
  return ordered;
}

QByteArray GraphFragment::toClipboardText() const {
  QJsonArray n;
  for (const GraphNode& node : nodes) n.append(nodeToJson(node));
  QJsonArray e;
  for (const GraphEdge& edge : edges) e.append(edgeToJson(edge));
  return QJsonDocument(QJsonObject{{QStringLiteral("format"), QLatin1String(kFormat)},
                                   {QStringLiteral("nodes"), n},
                                   {QStringLiteral("edges"), e}})
      .toJson(QJsonDocument::Indented);
}

std::optional<GraphFragment> GraphFragment::fromClipboardText(const QString& text) {
  const QJsonDocument doc = QJsonDocument::fromJson(text.toUtf8());
  if (!doc.isObject() || doc.object().value(u"format").toString() != QLatin1String(kFormat)) return std::nullopt;
  GraphFragment f;
  for (const QJsonValue& v : doc.object().value(u"nodes").toArray()) {
    GraphNode n = nodeFromJson(v.toObject());
    if (!n.key.isEmpty() && !n.type.isEmpty()) f.nodes.append(n);
  }
  for (const QJsonValue& v : doc.object().value(u"edges").toArray()) f.edges.append(edgeFromJson(v.toObject()));
  return f;
}

QJsonObject GraphFragment::nodeToJson(const GraphNode& n) {
  QJsonObject o{{QStringLiteral("key"), n.key},
                {QStringLiteral("type"), n.type},
                {QStringLiteral("x"), n.position.x()},
                {QStringLiteral("y"), n.position.y()},
                {QStringLiteral("constructorParams"), n.constructorParams},
                {QStringLiteral("properties"), n.properties}};
  if (!n.hubKey.isEmpty()) o.insert(QStringLiteral("hub"), n.hubKey);
  return o;
}

GraphNode GraphFragment::nodeFromJson(const QJsonObject& o) {
  GraphNode n;
  n.key = o.value(u"key").toString();
  n.type = o.value(u"type").toString();
  n.position = QPointF(o.value(u"x").toDouble(), o.value(u"y").toDouble());
  n.constructorParams = o.value(u"constructorParams").toObject();
  n.properties = o.value(u"properties").toObject();
  n.hubKey = o.value(u"hub").toString();
  return n;
}

QJsonObject GraphFragment::edgeToJson(const GraphEdge& e) {
  return {{QStringLiteral("source"), e.sourceKey}, {QStringLiteral("sink"), e.sinkKey}, {QStringLiteral("mediaType"), e.mediaType}};
}

GraphEdge GraphFragment::edgeFromJson(const QJsonObject& o) {
  return {o.value(u"source").toString(), o.value(u"sink").toString(), o.value(u"mediaType").toString()};
}

}  // namespace pw::studio
