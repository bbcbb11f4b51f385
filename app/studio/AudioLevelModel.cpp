#include "AudioLevelModel.h"

#include "NodeListModel.h"
#include "gst/ErrorPtr.h"
#include "pipewright/engine/Engine.h"


#include <gst/gst.h>

#include <algorithm>
#include <cmath>

namespace pw::studio {

namespace {

constexpr int kIdleTicks = 3;  // ticks without a message before the meter falls to the floor

double clampDb(double db) { return std::isfinite(db) ? std::clamp(db, AudioLevelModel::kFloorDb, 0.0) : AudioLevelModel::kFloorDb; }

// The loudest channel of a per-channel array field of the level message.
std::optional<double> loudest(const GstStructure* s, const char* field) {
  const GValue* value = gst_structure_get_value(s, field);
  if (!value) return std::nullopt;
  std::optional<double> best;
  auto take = [&best](const GValue* v) {
    if (v && G_VALUE_HOLDS_DOUBLE(v)) best = std::max(best.value_or(-HUGE_VAL), g_value_get_double(v));
  };
  if (GST_VALUE_HOLDS_ARRAY(value)) {
    for (guint i = 0; i < gst_value_array_get_size(value); ++i) take(gst_value_array_get_value(value, i));
  } else {
    G_GNUC_BEGIN_IGNORE_DEPRECATIONS  // `level` still posts GValueArrays in 1.22
    if (G_VALUE_HOLDS(value, G_TYPE_VALUE_ARRAY)) {
      const auto* array = static_cast<const GValueArray*>(g_value_get_boxed(value));
      for (guint i = 0; array && i < array->n_values; ++i) take(g_value_array_get_nth(const_cast<GValueArray*>(array), i));
    }
    G_GNUC_END_IGNORE_DEPRECATIONS
  }
  return best;
}

}  // namespace

struct AudioLevelModel::Meter {
  QString objectId;
  ElementRef pipeline;
  ElementRef appsrc;
  BusRef bus;
  Level level;
  int idleTicks = 0;
  ~Meter() {
    if (pipeline) gst_element_set_state(pipeline.get(), GST_STATE_NULL);
  }
};

AudioLevelModel::AudioLevelModel(Engine& engine, const NodeListModel& nodes, QObject* parent)
    : QObject(parent), engine_(engine), nodes_(nodes) {
  pollTimer_.setInterval(1000 / kUpdateHz);
  connect(&pollTimer_, &QTimer::timeout, this, &AudioLevelModel::poll);
  auto queueSync = [this]() {
    if (syncQueued_) return;
    syncQueued_ = true;
    QMetaObject::invokeMethod(this, [this]() {
      syncQueued_ = false;
      sync();
    }, Qt::QueuedConnection);
  };
  connect(&nodes_, &QAbstractItemModel::dataChanged, this, queueSync);
  connect(&nodes_, &QAbstractItemModel::rowsInserted, this, queueSync);
  connect(&nodes_, &QAbstractItemModel::rowsRemoved, this, queueSync);
  connect(&nodes_, &QAbstractItemModel::modelReset, this, queueSync);
}

AudioLevelModel::~AudioLevelModel() {
  for (const QString& key : meters_.keys()) detach(key);
}

std::optional<AudioLevelModel::Level> AudioLevelModel::fromLevelMessage(const GstStructure* structure) {
  if (!structure || !gst_structure_has_name(structure, "level")) return std::nullopt;
  const auto rms = loudest(structure, "rms");
  const auto decay = loudest(structure, "decay");
  if (!rms || !decay) return std::nullopt;
  Level level;
  level.rmsDb = clampDb(*rms);
  level.peakDb = std::max(level.rmsDb, clampDb(*decay));
  return level;
}

QVariantMap AudioLevelModel::levels() const {
  QVariantMap out;
  for (auto it = meters_.begin(); it != meters_.end(); ++it) {
    out.insert(it.key(), QVariantMap{{QStringLiteral("rms"), (*it)->level.rmsDb}, {QStringLiteral("peak"), (*it)->level.peakDb}});
  }
  return out;
}

double AudioLevelModel::rmsDb(const QString& key) const {
  const auto it = meters_.find(key);
  return it == meters_.end() ? kFloorDb : (*it)->level.rmsDb;
}

double AudioLevelModel::peakDb(const QString& key) const {
  const auto it = meters_.find(key);
  return it == meters_.end() ? kFloorDb : (*it)->level.peakDb;
}

void AudioLevelModel::sync() {
  QHash<QString, QString> wanted;  // key → objectId
  for (const GraphNode& node : nodes_.nodes()) {
    if (!node.objectId.isEmpty() && node.flowingOut.contains(QStringLiteral("AUDIO"))) wanted.insert(node.key, node.objectId);
  }
  bool changed = false;
  for (const QString& key : meters_.keys()) {
    if (wanted.value(key) != meters_.value(key)->objectId) {
      detach(key);
      changed = true;
    }
  }
  for (auto it = wanted.begin(); it != wanted.end(); ++it) {
    if (!meters_.contains(it.key())) {
      attach(it.key(), it.value());
      changed = true;
    }
  }
  if (meters_.isEmpty()) pollTimer_.stop();
  else if (!pollTimer_.isActive()) pollTimer_.start();
  if (changed) Q_EMIT levelsChanged();
}

void AudioLevelModel::attach(const QString& key, const QString& objectId) {
  ErrorPtr error;
  // One message per update; the peak falls by 20 dB/s after being held for 0.3 s.
  const QByteArray description = QStringLiteral(
      "appsrc name=src ! audioconvert ! level name=level post-messages=true interval=%1 peak-ttl=300000000 "
      "peak-falloff=20 ! fakesink sync=false async=false").arg(GST_SECOND / kUpdateHz).toUtf8();
  ElementRef pipeline = ElementRef::adopt(gst_parse_launch(description.constData(), error.out()));
  if (error || !pipeline) return;  // no `level` element: the node simply shows no meter
  auto meter = std::make_shared<Meter>();
  meter->objectId = objectId;
  meter->pipeline = pipeline;
  meter->appsrc = ElementRef::adopt(gst_bin_get_by_name(GST_BIN(pipeline.get()), "src"));
  meter->bus = BusRef::adopt(gst_element_get_bus(pipeline.get()));
  g_object_set(meter->appsrc.get(), "is-live", TRUE, "format", GST_FORMAT_TIME, "max-bytes", static_cast<guint64>(1024 * 1024),
               "leaky-type", 2, "block", FALSE, nullptr);
  gst_element_set_state(pipeline.get(), GST_STATE_PLAYING);
  meters_.insert(key, meter);
  engine_.post([engine = &engine_, objectId, appsrc = meter->appsrc]() {
    QString message;
    engine->attachAudioTap(objectId, appsrc.get(), &message);  // a failure leaves the meter at the floor
  });
}

void AudioLevelModel::detach(const QString& key) {
  auto it = meters_.find(key);
  if (it == meters_.end()) return;
  std::shared_ptr<Meter> meter = *it;
  meters_.erase(it);
  // The engine stops feeding first; the pipeline is stopped after that, on the engine thread too.
  engine_.post([engine = &engine_, meter]() {
    engine->detachPreview(meter->appsrc.get());
    gst_element_set_state(meter->pipeline.get(), GST_STATE_NULL);
  });
}

void AudioLevelModel::poll() {
  bool changed = false;
  for (const std::shared_ptr<Meter>& meter : std::as_const(meters_)) {
    std::optional<Level> latest;
    while (GstMessage* raw = gst_bus_pop_filtered(meter->bus.get(), GST_MESSAGE_ELEMENT)) {
      MessageRef message = MessageRef::adopt(raw);
      if (const auto level = fromLevelMessage(gst_message_get_structure(message.get()))) latest = level;
    }
    if (latest) {
      meter->idleTicks = 0;
    } else if (++meter->idleTicks >= kIdleTicks) {
      latest = Level{};  // the media stopped: the meter falls to the floor
    }
    if (latest && (latest->rmsDb != meter->level.rmsDb || latest->peakDb != meter->level.peakDb)) {
      meter->level = *latest;
      changed = true;
    }
  }
  if (changed) Q_EMIT levelsChanged();
}

}  // namespace pw::studio
