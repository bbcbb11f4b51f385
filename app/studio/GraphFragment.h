#pragma once

// Part of a graph as JSON: the nodes and wires of a project file (docs/studio.md, "Project
// files"), and the selection copied to the clipboard ("pipewright-fragment": the same node and
// edge entries, so a copy pastes into another studio window or reads in a text editor).

#include "GraphTypes.h"

#include <QJsonObject>
#include <QList>
#include <QStringList>

#include <optional>

namespace pw::studio {

struct GraphFragment {
  QList<GraphNode> nodes;  // key, type, position, constructor parameters, properties, hub
  QList<GraphEdge> edges;

  // The nodes with these keys and the wires between them.
  static GraphFragment of(const QList<GraphNode>& nodes, const QList<GraphEdge>& edges, const QStringList& keys);
  // {"format": "pipewright-fragment", "nodes": [...], "edges": [...]}
  QByteArray toClipboardText() const;
  // Nullopt when `text` is not a fragment (other clipboard contents).
  static std::optional<GraphFragment> fromClipboardText(const QString& text);

  // `nodes` with every hub before the HubPorts (a HubPort is created with its hub's id).
  static QList<GraphNode> hubsFirst(const QList<GraphNode>& nodes);

  // One node or edge entry of a project or fragment.
  static QJsonObject nodeToJson(const GraphNode& node);
  static GraphNode nodeFromJson(const QJsonObject& object);
  static QJsonObject edgeToJson(const GraphEdge& edge);
  static GraphEdge edgeFromJson(const QJsonObject& object);
};

}  // namespace pw::studio
