#include "FlowMonitor.h"

#include "EdgeListModel.h"
#include "NodeListModel.h"
#include "pipewright/engine/Engine.h"

#include <QPointer>

namespace pw::studio {

FlowMonitor::FlowMonitor(Engine& engine, const NodeListModel& nodes, const EdgeListModel& edges, QObject* parent)
    : QObject(parent), engine_(engine), nodes_(nodes), edges_(edges) {
  clock_.start();
  timer_.setInterval(kSampleMs);
  connect(&timer_, &QTimer::timeout, this, &FlowMonitor::sample);
  connect(&edges_, &EdgeListModel::countChanged, this, &FlowMonitor::updateTimer);
}

double FlowMonitor::kbpsBetween(qint64 bytesBefore, qint64 bytesAfter, qint64 elapsedMs) {
  if (bytesBefore < 0 || bytesAfter < bytesBefore || elapsedMs <= 0) return 0;
  return static_cast<double>(bytesAfter - bytesBefore) * 8.0 / static_cast<double>(elapsedMs);  // bits per ms = kbit/s
}

QVariantMap FlowMonitor::bitrates() const {
  QVariantMap out;
  for (auto it = rates_.begin(); it != rates_.end(); ++it) out.insert(it.key(), it->kbps);
  return out;
}

void FlowMonitor::updateTimer() {
  if (edges_.count() > 0 && !timer_.isActive()) {
    timer_.start();
  } else if (edges_.count() == 0) {
    timer_.stop();
    if (!rates_.isEmpty()) {
      rates_.clear();
      Q_EMIT bitratesChanged();
    }
  }
}

void FlowMonitor::sample() {
  QList<Reading> readings;
  for (const GraphEdge& e : edges_.edges()) {
    const GraphNode* sink = nodes_.find(e.sinkKey);
    if (!sink || sink->objectId.isEmpty()) continue;
    readings.append({wireId(e.sourceKey, e.sinkKey, e.mediaType), sink->objectId, e.mediaType, -1});
  }
  engine_.post([engine = &engine_, readings, self = QPointer<FlowMonitor>(this)]() mutable {
    for (Reading& r : readings) r.bytes = engine->receivedBytes(r.objectId, r.mediaType);
    QMetaObject::invokeMethod(self, [self, readings]() {
      if (self) self->received(readings, self->clock_.elapsed());
    }, Qt::QueuedConnection);
  });
}

void FlowMonitor::received(const QList<Reading>& readings, qint64 atMs) {
  QHash<QString, Rate> next;
  bool changed = false;
  for (const Reading& r : readings) {
    const Rate before = rates_.value(r.wire);
    const Rate now{r.bytes, atMs, kbpsBetween(before.bytes, r.bytes, atMs - before.atMs)};
    changed = changed || !rates_.contains(r.wire) || now.kbps != before.kbps;
    next.insert(r.wire, now);
  }
  changed = changed || next.size() != rates_.size();
  rates_ = std::move(next);
  if (changed) Q_EMIT bitratesChanged();
}

}  // namespace pw::studio
