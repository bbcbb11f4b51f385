#pragma once

#include "MediaObject.h"

namespace pw {

// The singleton "manager_ServerManager": server info, pipelines, sessions, resource use.
class ServerManager : public MediaObject {
 public:
  explicit ServerManager(Engine& engine);

  QJsonObject info() const;
  static qint64 usedMemoryKiB();
  // Process CPU time in ms (user + system), for getUsedCpu sampling.
  static qint64 processCpuMs();
};

}  // namespace pw
