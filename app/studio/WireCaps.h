#pragma once

// The caps a wire carries, for its tooltip: asked of the engine (in process, EngineClient::
// connectionCaps) for the wire under the pointer, written the short way
// ("video/x-raw, format=I420, width=640, height=480, framerate=30/1"), or "not negotiated yet".
// One wire at a time: `edge` says which one `text` belongs to.

#include <QObject>
#include <QString>
#include <QtQml/qqmlregistration.h>

namespace pw::studio {

class EngineClient;
class NodeListModel;

class WireCaps : public QObject {
  Q_OBJECT
  QML_ELEMENT
  QML_UNCREATABLE("Owned by Studio")
  Q_PROPERTY(QString edge READ edge NOTIFY changed)
  Q_PROPERTY(QString text READ text NOTIFY changed)

 public:
  WireCaps(EngineClient& client, NodeListModel& nodes, QObject* parent = nullptr);

  QString edge() const { return edge_; }
  QString text() const { return text_; }

  // The id QML compares `edge` with.
  Q_INVOKABLE static QString edgeId(const QString& sourceKey, const QString& sinkKey, const QString& mediaType);
  // Asks for the caps of one wire; `edge` and `text` change when the answer comes.
  Q_INVOKABLE void query(const QString& sourceKey, const QString& sinkKey, const QString& mediaType);

  // GStreamer's caps text without the "(type)" annotations and the fields that only state
  // defaults (mono, progressive video).
  static QString shortCaps(const QString& caps);

 Q_SIGNALS:
  void changed();

 private:
  void setAnswer(const QString& edge, const QString& caps);

  EngineClient& client_;
  NodeListModel& nodes_;
  QString edge_;
  QString text_;
  int asked_ = 0;  // the latest query; older answers are dropped
};

}  // namespace pw::studio
