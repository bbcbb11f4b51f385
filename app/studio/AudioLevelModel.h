#pragma once

// Live audio level meters on the canvas's nodes (OBS style). A node whose audio output flows
// (MediaFlowOutStateChanged) gets a meter: a small pipeline appsrc → audioconvert → level →
// fakesink, fed by the engine from the element's shared raw-audio branch (Engine::attachAudioTap,
// the way the video previews are fed). When the audio stops, or the node goes, the tap is
// detached: the engine pays nothing for meters nobody sees. The `level` element's messages are
// read from each meter's bus on the GUI thread at kUpdateHz, which also limits QML updates.

#include "gst/GstRef.h"

#include <QHash>
#include <QObject>
#include <QTimer>
#include <QVariantMap>
#include <QtQml/qqmlregistration.h>

#include <memory>
#include <optional>

typedef struct _GstStructure GstStructure;

namespace pw {
class Engine;
}

namespace pw::studio {

class NodeListModel;

class AudioLevelModel : public QObject {
  Q_OBJECT
  QML_ELEMENT
  QML_UNCREATABLE("Owned by Studio")
  // key → {"rms": dB, "peak": dB (decaying peak hold)} for every node with a meter now.
  Q_PROPERTY(QVariantMap levels READ levels NOTIFY levelsChanged)
  Q_PROPERTY(double floorDb READ floorDb CONSTANT)

 public:
  static constexpr double kFloorDb = -60.0;  // the meter's bottom; silence and idle read as this
  static constexpr int kUpdateHz = 15;

  struct Level {
    double rmsDb = kFloorDb;
    double peakDb = kFloorDb;
  };

  AudioLevelModel(Engine& engine, const NodeListModel& nodes, QObject* parent = nullptr);
  ~AudioLevelModel() override;

  QVariantMap levels() const;
  double floorDb() const { return kFloorDb; }
  // The meter of node `key`: its last level, or the floor when it has none (idle).
  Q_INVOKABLE double rmsDb(const QString& key) const;
  Q_INVOKABLE double peakDb(const QString& key) const;
  Q_INVOKABLE bool metered(const QString& key) const { return meters_.contains(key); }

  // A `level` element message ("level" structure: per-channel rms and decay arrays) as the
  // loudest channel, clamped to [kFloorDb, 0]; nullopt for any other structure.
  static std::optional<Level> fromLevelMessage(const GstStructure* structure);

 Q_SIGNALS:
  void levelsChanged();

 private:
  struct Meter;
  // Attaches meters to the nodes whose audio flows out and detaches the others.
  void sync();
  void attach(const QString& key, const QString& objectId);
  void detach(const QString& key);
  // Reads the levels that arrived since the last tick.
  void poll();

  Engine& engine_;
  const NodeListModel& nodes_;
  QHash<QString, std::shared_ptr<Meter>> meters_;
  QTimer pollTimer_;
  bool syncQueued_ = false;
};

}  // namespace pw::studio
