#pragma once

// Plain data of the studio's canvas: what a node and a wire are. Layout facts (positions) live
// here and in the project file, never in the engine (design §1).

#include <QHash>
#include <QJsonObject>
#include <QPointF>
#include <QSet>
#include <QString>
#include <QStringList>

namespace pw::studio {

struct GraphNode {
  QString key;       // stable in the studio (undo, projects); survives re-creation
  QString objectId;  // the engine's id; empty while being created
  QString type;      // "PlayerEndpoint"
  QJsonObject constructorParams;  // without mediaPipeline; HubPort keeps "hub" as hubKey
  QString hubKey;                 // HubPort: the hub node it belongs to
  QJsonObject properties;         // writable properties the user set (re-applied on re-creation)
  QJsonObject liveValues;         // last values read from the engine (inspector)
  QPointF position;
  bool selected = false;
  bool remote = false;            // discovered, not created by this studio
  // creating / ready / error (create failed: no engine object) / failed (the element raised an
  // Error event; until the next Run)
  QString state = QStringLiteral("creating");
  QString error;  // why it is "error" or "failed"
  QSet<QString> flowingIn, flowingOut;  // media types currently flowing
  QHash<QString, QString> transcodingBins;  // transcoding branches (bin name + type) → their media type
  // TRANSCODING: a transcoding branch whose media flows out now. A branch stays after Stop (until
  // its sink leaves), but nothing is decoded or encoded while no media flows.
  bool transcodingNow() const {
    for (const QString& type : transcodingBins) {
      if (flowingOut.contains(type)) return true;
    }
    return false;
  }
  QString recordState;           // "", "RECORDING", "PAUSED", "STOPPED", "FAILED"
  qint64 recordingSinceMs = 0;   // the REC timer's start, moved on by the paused time
  qint64 pausedAtMs = 0;
  QString playerState;           // "", "PLAYING", "EOS", "FAILED"
  bool positionPending = false;  // a saved `position` waits for the player to play and seek
  bool previewOn = false;
};

struct GraphEdge {
  QString sourceKey;
  QString sinkKey;
  QString mediaType;  // AUDIO / VIDEO / DATA
  bool selected = false;
  bool operator==(const GraphEdge& o) const {
    return sourceKey == o.sourceKey && sinkKey == o.sinkKey && mediaType == o.mediaType;
  }
};

// Node geometry shared by the models (wire end points) and QML (NodeItem.qml uses the same
// numbers through GraphModel's constants).
struct NodeGeometry {
  static constexpr double width = 200;
  static constexpr double headerHeight = 34;
  static constexpr double portRowHeight = 24;
  static constexpr double previewHeight = 112;
  static constexpr int rows = 3;  // VIDEO, AUDIO, DATA
  static int row(const QString& mediaType) {
    if (mediaType == u"VIDEO") return 0;
    if (mediaType == u"AUDIO") return 1;
    return 2;
  }
  static double portY(const QString& mediaType) { return headerHeight + portRowHeight * (row(mediaType) + 0.5); }
  static double height(bool preview) { return headerHeight + portRowHeight * rows + 8 + (preview ? previewHeight : 0); }
};

}  // namespace pw::studio
