#pragma once

// Bitrate on the canvas's wires. Once a second, while the canvas has wires, the engine is asked
// (in-process, Engine::receivedBytes) how many bytes each wire's sink input has received, and
// the difference to the last sample becomes kbit/s. Whether media flows on a wire comes from
// MediaFlowIn/OutStateChanged (EdgeListModel's `flowing`); this adds how much.

#include <QElapsedTimer>
#include <QHash>
#include <QObject>
#include <QTimer>
#include <QVariantMap>
#include <QtQml/qqmlregistration.h>

namespace pw {
class Engine;
}

namespace pw::studio {

class NodeListModel;
class EdgeListModel;

class FlowMonitor : public QObject {
  Q_OBJECT
  QML_ELEMENT
  QML_UNCREATABLE("Owned by Studio")
  // wireId(source, sink, type) → kbit/s over the last sample, for every wire on the canvas.
  Q_PROPERTY(QVariantMap bitrates READ bitrates NOTIFY bitratesChanged)

 public:
  static constexpr int kSampleMs = 1000;

  FlowMonitor(Engine& engine, const NodeListModel& nodes, const EdgeListModel& edges, QObject* parent = nullptr);

  QVariantMap bitrates() const;
  Q_INVOKABLE static QString wireId(const QString& sourceKey, const QString& sinkKey, const QString& mediaType) {
    return sourceKey + QLatin1Char('>') + sinkKey + QLatin1Char('/') + mediaType;
  }
  // kbit/s of one wire over the last sample; 0 when nothing was received (or not known yet).
  Q_INVOKABLE double kbps(const QString& sourceKey, const QString& sinkKey, const QString& mediaType) const {
    return rates_.value(wireId(sourceKey, sinkKey, mediaType)).kbps;
  }
  // Samples now instead of waiting for the timer (the answer comes back asynchronously).
  Q_INVOKABLE void sample();

  // kbit/s from two readings of a byte counter `elapsedMs` apart; 0 when the counter went back
  // (the element was created again) or no time passed.
  static double kbpsBetween(qint64 bytesBefore, qint64 bytesAfter, qint64 elapsedMs);

 Q_SIGNALS:
  void bitratesChanged();

 private:
  struct Rate {
    qint64 bytes = -1;  // last reading, -1 = none yet
    qint64 atMs = 0;
    double kbps = 0;
  };
  struct Reading {
    QString wire;
    QString objectId;
    QString mediaType;
    qint64 bytes = -1;
  };
  void updateTimer();
  void received(const QList<Reading>& readings, qint64 atMs);

  Engine& engine_;
  const NodeListModel& nodes_;
  const EdgeListModel& edges_;
  QHash<QString, Rate> rates_;
  QTimer timer_;
  QElapsedTimer clock_;
};

}  // namespace pw::studio
