#pragma once

#include "Hub.h"

#include <QTimer>

#include <map>

namespace pw {

// Composite: every port's video in one grid (compositor) and, per port, an audio mix of all
// the other ports (no echo of one's own voice). Ports without video leave no hole: the grid
// is laid out over the ports whose video is flowing. AlphaBlending reuses the video part with
// its own layout (a master port and per-port positions).
class Composite : public Hub {
 public:
  Composite(const Creation& creation, const QString& type = QStringLiteral("Composite"), bool mixAudio = true);
  ~Composite() override;

  struct Placement {
    double x = 0, y = 0, width = 1, height = 1;  // fractions of the output
    int zOrder = 1;
    bool visible = true;
  };

  void onRelease() override;

 protected:
  // Where each port's video goes; `active` are the ports whose video is flowing, in join order.
  virtual std::map<const HubPort*, Placement> placements(const QList<const HubPort*>& active);
  void relayout(bool force);
  void onPortAdded(const std::shared_ptr<HubPort>& port) override;
  void onPortRemoved(HubPort& port) override;

  int width_ = 800;
  int height_ = 600;
  int framerate_ = 15;

 private:
  struct PortMedia {
    std::weak_ptr<HubPort> port;
    AggregatorInput video;
    ElementRef mixer;
    QList<ElementRef> mixerElements;  // silence source, caps filters, tee
    std::shared_ptr<OutputPort> mixOut;
    std::map<const HubPort*, AggregatorInput> audioFrom;  // inputs of this port's mix, by source
  };
  void buildMixer(PortMedia& m, const QString& name);
  void addAudioPath(const std::shared_ptr<HubPort>& from, PortMedia& to);

  bool mixAudio_ = true;
  ElementRef compositor_;
  std::shared_ptr<OutputPort> grid_;
  std::map<const HubPort*, PortMedia> media_;
  QList<const HubPort*> order_;
  QList<const HubPort*> lastActive_;
  QTimer layoutTimer_;
  int mixerSerial_ = 0;
};

// AlphaBlending: a master port defines the background; other ports are placed on it with
// relative position, size and z-order.
class AlphaBlending : public Composite {
 public:
  explicit AlphaBlending(const Creation& creation);
  void setMaster(const std::shared_ptr<HubPort>& port, int zOrder);
  void setPortProperties(const std::shared_ptr<HubPort>& port, const Placement& placement);

 protected:
  std::map<const HubPort*, Placement> placements(const QList<const HubPort*>& active) override;
  void onPortRemoved(HubPort& port) override;

 private:
  std::weak_ptr<HubPort> master_;
  int masterZ_ = 0;
  std::map<const HubPort*, Placement> properties_;
};

}  // namespace pw
