#pragma once

#include "Hub.h"

namespace pw {

// DispatcherOneToMany: one source port's media goes to every other port.
class DispatcherOneToMany : public Hub {
 public:
  explicit DispatcherOneToMany(const Creation& creation);
  void setSource(const std::shared_ptr<HubPort>& source);
  void removeSource();

 protected:
  void onPortAdded(const std::shared_ptr<HubPort>& port) override;
  void onPortRemoved(HubPort& port) override;

 private:
  std::weak_ptr<HubPort> source_;
};

// Dispatcher (connect source → sink port, both media) and Mixer (per media type) route ports.
class Dispatcher : public Hub {
 public:
  Dispatcher(const Creation& creation, const QString& type);
  void connectPorts(const std::shared_ptr<HubPort>& source, const std::shared_ptr<HubPort>& sink,
                    std::optional<MediaType> type);
  void disconnectPorts(const std::shared_ptr<HubPort>& source, const std::shared_ptr<HubPort>& sink,
                       std::optional<MediaType> type);
};

}  // namespace pw
