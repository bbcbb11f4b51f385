#pragma once

#include "media/MediaElement.h"

namespace pw {

class Hub;

// A hub's port: a media element whose input goes to the hub and whose output comes from it.
class HubPort : public MediaElement {
 public:
  explicit HubPort(const Creation& creation);

  std::shared_ptr<Hub> hub() const;
  // What the port's client sends, as an output the hub attaches to.
  const std::shared_ptr<OutputPort>& toHub(MediaType type) const { return toHub_[index(type)]; }
  // What the hub sends to the port's client.
  const std::shared_ptr<SinkInput>& fromHub(MediaType type) const { return fromHub_[index(type)]; }

  void onRegistered() override;
  void onRelease() override;

 private:
  std::array<std::shared_ptr<OutputPort>, 3> toHub_;
  std::array<std::shared_ptr<SinkInput>, 3> fromHub_;
  bool leaving_ = false;
};

}  // namespace pw
