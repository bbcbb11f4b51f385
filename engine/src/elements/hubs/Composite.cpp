#include "Composite.h"

#include "HubPort.h"
#include "core/Bindings.h"
#include "gst/Reaper.h"
#include "media/Formats.h"
#include "media/OutputPort.h"
#include "media/SinkInput.h"
#include "pipewright/engine/Engine.h"

#include <cmath>

namespace pw {
namespace {

constexpr qint64 kActiveWindowUs = 1500000;  // a port's video counts as flowing for 1.5 s after a frame

ElementRef make(const char* factory) {
  ElementRef e = makeElement(factory);
  if (!e) throw KurentoException(ErrorCode::UnexpectedError, QStringLiteral("GStreamer element '%1' is missing").arg(QLatin1String(factory)));
  return e;
}

ElementRef capsFilter(const QString& caps) {
  ElementRef f = make("capsfilter");
  CapsRef c = CapsRef::adopt(gst_caps_from_string(caps.toUtf8().constData()));
  g_object_set(f.get(), "caps", c.get(), nullptr);
  return f;
}

}  // namespace

Composite::Composite(const Creation& creation, const QString& type, bool mixAudio)
    : Hub(creation, type), mixAudio_(mixAudio) {
  width_ = static_cast<int>(creation.params.value(u"width").toInt(800));
  height_ = static_cast<int>(creation.params.value(u"height").toInt(600));
  framerate_ = static_cast<int>(creation.params.value(u"framerate").toInt(15));
  if (width_ < 16 || height_ < 16 || width_ > 7680 || height_ > 4320 || framerate_ < 1 || framerate_ > 120) {
    throw KurentoException(KurentoError::illegalParam(
        QStringLiteral("Composite size %1x%2 at %3 fps is out of range (16x16 to 7680x4320, 1-120 fps)").arg(width_).arg(height_).arg(framerate_)));
  }
  // One colorimetry from the first frame on: left open, the compositor takes the background's
  // (bt709 from 720 lines... and for 800x600) and switches to its participants' (bt601, what
  // VP8 decodes to) when they arrive, and every encoder behind the grid restarts. bt601 is what
  // decoded VP8 has, so most participants need no colour conversion.
  const QString rawCaps = QStringLiteral("video/x-raw,format=I420,width=%1,height=%2,framerate=%3/1,pixel-aspect-ratio=1/1,colorimetry=bt601")
                              .arg(width_).arg(height_).arg(framerate_);
  // A live black background keeps the grid running at its frame rate whoever is sending.
  ElementRef background = make("videotestsrc");
  g_object_set(background.get(), "is-live", TRUE, "pattern", 2 /* black */, nullptr);
  ElementRef backgroundCaps = capsFilter(rawCaps);
  compositor_ = make("compositor");
  g_object_set(compositor_.get(), "background", 1 /* black */, "latency", static_cast<guint64>(60 * GST_MSECOND),
               "start-time-selection", 1 /* first */, "ignore-inactive-pads", TRUE, nullptr);
  ElementRef outCaps = capsFilter(rawCaps);
  ElementRef tee = make("tee");
  gst_bin_add_many(bin(), background.get(), backgroundCaps.get(), compositor_.get(), outCaps.get(), tee.get(), nullptr);
  gst_element_link_many(background.get(), backgroundCaps.get(), compositor_.get(), outCaps.get(), tee.get(), nullptr);
  grid_ = makeOutput(MediaType::Video, tee.get());
  layoutTimer_.setInterval(500);
  QObject::connect(&layoutTimer_, &QTimer::timeout, [this]() { relayout(false); });
  layoutTimer_.start();
  startBin();
}

Composite::~Composite() = default;

void Composite::buildMixer(PortMedia& m, const QString& name) {
  const QString caps = QStringLiteral("audio/x-raw,format=S16LE,rate=48000,channels=2,layout=interleaved");
  ElementRef silence = make("audiotestsrc");
  g_object_set(silence.get(), "is-live", TRUE, "wave", 4 /* silence */, nullptr);
  ElementRef silenceCaps = capsFilter(caps);
  m.mixer = make("audiomixer");
  gst_object_set_name(GST_OBJECT(m.mixer.get()), name.toUtf8().constData());
  g_object_set(m.mixer.get(), "latency", static_cast<guint64>(60 * GST_MSECOND), "start-time-selection", 1,
               "ignore-inactive-pads", TRUE, nullptr);
  ElementRef outCaps = capsFilter(caps);
  ElementRef tee = make("tee");
  gst_bin_add_many(bin(), silence.get(), silenceCaps.get(), m.mixer.get(), outCaps.get(), tee.get(), nullptr);
  gst_element_link_many(silence.get(), silenceCaps.get(), m.mixer.get(), outCaps.get(), tee.get(), nullptr);
  for (const auto& e : {silence, silenceCaps, m.mixer, outCaps, tee}) gst_element_sync_state_with_parent(e.get());
  m.mixerElements = {silence, silenceCaps, outCaps, tee};
  m.mixOut = makeOutput(MediaType::Audio, tee.get());
}

void Composite::addAudioPath(const std::shared_ptr<HubPort>& from, PortMedia& to) {
  AggregatorInput in = addAggregatorInput(MediaType::Audio, formats::kRawAudio, to.mixer.get(),
                                          QStringLiteral("audioconvert ! audioresample"));
  from->toHub(MediaType::Audio)->attach(in.input);
  to.audioFrom[from.get()] = std::move(in);
}

void Composite::onPortAdded(const std::shared_ptr<HubPort>& port) {
  PortMedia& m = media_[port.get()];
  m.port = port;
  order_.append(port.get());
  m.video = addAggregatorInput(MediaType::Video, formats::kRawVideo, compositor_.get(),
                               QStringLiteral("videoconvert ! videoscale ! capsfilter caps=\"video/x-raw,format=I420,pixel-aspect-ratio=1/1\""));
  g_object_set(m.video.pad.get(), "alpha", 0.0, nullptr);  // hidden until its video flows
  port->toHub(MediaType::Video)->attach(m.video.input);
  grid_->attach(port->fromHub(MediaType::Video));
  if (mixAudio_) {
    buildMixer(m, QStringLiteral("mix-%1").arg(++mixerSerial_));
    m.mixOut->attach(port->fromHub(MediaType::Audio));
    for (auto& [other, om] : media_) {
      if (other == port.get()) continue;
      auto otherPort = om.port.lock();
      if (!otherPort) continue;
      addAudioPath(otherPort, m);   // the others into this port's mix
      addAudioPath(port, om);       // this port into each other's mix
    }
  }
  relayout(true);
}

void Composite::onPortRemoved(HubPort& port) {
  auto it = media_.find(&port);
  if (it == media_.end()) return;
  PortMedia& m = it->second;
  port.toHub(MediaType::Video)->detach(m.video.input.get());
  removeAggregatorInput(m.video);
  grid_->detach(port.fromHub(MediaType::Video).get());
  if (mixAudio_) {
    for (auto& [other, om] : media_) {
      if (other == &port) continue;
      if (auto o = om.port.lock()) {
        auto in = m.audioFrom.find(other);
        if (in != m.audioFrom.end()) {
          o->toHub(MediaType::Audio)->detach(in->second.input.get());
          removeAggregatorInput(in->second);
        }
      }
      auto mine = om.audioFrom.find(&port);
      if (mine != om.audioFrom.end()) {
        port.toHub(MediaType::Audio)->detach(mine->second.input.get());
        removeAggregatorInput(mine->second);
        om.audioFrom.erase(mine);
      }
    }
    if (m.mixOut) m.mixOut->detachAll();
    for (const auto& e : m.mixerElements) Reaper::instance().retire(e);
    Reaper::instance().retire(m.mixer);
  }
  media_.erase(it);
  order_.removeAll(&port);
  relayout(true);
}

std::map<const HubPort*, Composite::Placement> Composite::placements(const QList<const HubPort*>& active) {
  std::map<const HubPort*, Placement> out;
  const int n = static_cast<int>(active.size());
  if (n == 0) return out;
  const int cols = static_cast<int>(std::ceil(std::sqrt(static_cast<double>(n))));
  const int rows = (n + cols - 1) / cols;
  for (int i = 0; i < n; ++i) {
    Placement p;
    p.width = 1.0 / cols;
    p.height = 1.0 / rows;
    p.x = (i % cols) * p.width;
    p.y = (i / cols) * p.height;
    out[active[i]] = p;
  }
  return out;
}

void Composite::relayout(bool force) {
  const qint64 now = g_get_monotonic_time();
  QList<const HubPort*> active;
  for (const HubPort* p : order_) {
    const auto& m = media_.at(p);
    const qint64 last = m.video.input ? m.video.input->lastBufferUs() : 0;
    if (last > 0 && now - last < kActiveWindowUs) active.append(p);
  }
  if (!force && active == lastActive_) return;
  lastActive_ = active;
  const auto places = placements(active);
  for (const HubPort* p : order_) {
    const auto& m = media_.at(p);
    if (!m.video.pad) continue;
    auto it = places.find(p);
    if (it == places.end() || !it->second.visible) {
      g_object_set(m.video.pad.get(), "alpha", 0.0, nullptr);
      continue;
    }
    const Placement& pl = it->second;
    g_object_set(m.video.pad.get(), "xpos", static_cast<gint>(std::lround(pl.x * width_)), "ypos",
                 static_cast<gint>(std::lround(pl.y * height_)), "width", static_cast<gint>(std::lround(pl.width * width_)),
                 "height", static_cast<gint>(std::lround(pl.height * height_)), "zorder", static_cast<guint>(std::max(0, pl.zOrder) + 1),
                 "alpha", 1.0, nullptr);
  }
}

void Composite::onRelease() {
  layoutTimer_.stop();
  Hub::onRelease();
}

AlphaBlending::AlphaBlending(const Creation& creation) : Composite(creation, QStringLiteral("AlphaBlending"), false) {}

void AlphaBlending::onPortRemoved(HubPort& port) {
  properties_.erase(&port);
  Composite::onPortRemoved(port);
}

void AlphaBlending::setMaster(const std::shared_ptr<HubPort>& port, int zOrder) {
  master_ = port;
  masterZ_ = zOrder;
  relayout(true);
}

void AlphaBlending::setPortProperties(const std::shared_ptr<HubPort>& port, const Placement& placement) {
  properties_[port.get()] = placement;
  relayout(true);
}

std::map<const HubPort*, Composite::Placement> AlphaBlending::placements(const QList<const HubPort*>& active) {
  std::map<const HubPort*, Placement> out;
  auto master = master_.lock();
  for (const HubPort* p : active) {
    if (master && p == master.get()) {
      Placement full;
      full.zOrder = masterZ_;
      out[p] = full;
    } else if (auto it = properties_.find(p); it != properties_.end()) {
      out[p] = it->second;
    } else {
      Placement hidden;
      hidden.visible = false;  // placed once setPortProperties names it
      out[p] = hidden;
    }
  }
  return out;
}

void bindComposite(Bindings& b) {
  b.addFactory(QStringLiteral("Composite"), [](const Creation& c) { return std::make_shared<Composite>(c); });
  b.addFactory(QStringLiteral("AlphaBlending"), [](const Creation& c) { return std::make_shared<AlphaBlending>(c); });
  b.add(QStringLiteral("AlphaBlending"), QStringLiteral("setMaster"), [](Invocation& call) {
    auto& hub = call.as<AlphaBlending>();
    hub.setMaster(Hub::portParam(call, QStringLiteral("source"), hub), static_cast<int>(call.integer(QStringLiteral("zOrder"))));
    return QJsonValue();
  });
  b.add(QStringLiteral("AlphaBlending"), QStringLiteral("setPortProperties"), [](Invocation& call) {
    auto& hub = call.as<AlphaBlending>();
    Composite::Placement p;
    p.x = call.number(QStringLiteral("relativeX"));
    p.y = call.number(QStringLiteral("relativeY"));
    p.width = call.number(QStringLiteral("relativeWidth"));
    p.height = call.number(QStringLiteral("relativeHeight"));
    p.zOrder = static_cast<int>(call.integer(QStringLiteral("zOrder")));
    for (double v : {p.x, p.y, p.width, p.height}) {
      if (v < 0 || v > 1) throw KurentoException(KurentoError::illegalParam(QStringLiteral("relative positions and sizes are fractions between 0 and 1")));
    }
    hub.setPortProperties(Hub::portParam(call, QStringLiteral("port"), hub), p);
    return QJsonValue();
  });
}

}  // namespace pw
