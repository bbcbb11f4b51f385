#pragma once

// Helpers the studio's model tests share (the engine runs on the test's own thread).

#include "EngineClient.h"
#include "GraphModel.h"

#include <QCoreApplication>
#include <QDeadlineTimer>

// Runs the event loop until the graph has no queued calls and the client no pending replies.
inline bool waitGraphIdle(pw::studio::GraphModel& graph, pw::studio::EngineClient& client, int timeoutMs = 15000) {
  QDeadlineTimer deadline(timeoutMs);
  while (!deadline.hasExpired()) {
    QCoreApplication::processEvents(QEventLoop::AllEvents, 20);
    if (!graph.busy() && client.pendingCalls() == 0) return true;
  }
  return false;
}
