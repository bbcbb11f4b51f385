#include "ImageOverlayFilter.h"

#include "OverlayImage.h"
#include "core/Bindings.h"

#include <algorithm>
#include <cmath>
#include <mutex>

namespace pw {
namespace {

// Offsets and sizes beyond this many frame sizes are certainly a mistake.
constexpr double kMaxFraction = 10.0;

QSize sizeOf(const GstCaps* caps) {
  if (!caps || gst_caps_get_size(caps) == 0) return {};
  const GstStructure* s = gst_caps_get_structure(caps, 0);
  int width = 0;
  int height = 0;
  if (!gst_structure_get_int(s, "width", &width) || !gst_structure_get_int(s, "height", &height)) return {};
  return QSize(width, height);
}

void checkFraction(const char* name, double value, bool positive) {
  if (!std::isfinite(value) || std::abs(value) > kMaxFraction || (positive && value <= 0)) {
    throw KurentoException(KurentoError::illegalParam(
        QStringLiteral("ImageOverlayFilter.addImage: '%1' must be %2 (a fraction of the frame size, e.g. 0.25), not %3")
            .arg(QLatin1String(name),
                 positive ? QStringLiteral("greater than 0 and at most %1").arg(kMaxFraction)
                          : QStringLiteral("between -%1 and %1").arg(kMaxFraction))
            .arg(value)));
  }
}

}  // namespace

// Engine thread (addImage/removeImage) and the streaming thread (caps) both place the images;
// the mutex keeps slots and frame size consistent. Overlay pointers stay valid while the
// filter lives (it holds references); the caps probe only reaches a live Layout.
struct ImageOverlayFilter::Layout {
  struct Slot {
    GstElement* overlay = nullptr;
    QString id;  // empty = free
    std::shared_ptr<MediaFile> file;  // the image the overlay reads (/proc/self/fd/N)
    Placement placement;
  };

  std::mutex mutex;
  QSize frame;  // negotiated video size; empty until known
  std::array<Slot, kMaxImages> slots;

  // With the mutex held: shows the slot's image in its box, or hides it.
  void apply(const Slot& slot) const {
    const Placement& p = slot.placement;
    if (slot.id.isEmpty() || frame.isEmpty()) {
      g_object_set(slot.overlay, "alpha", 0.0, nullptr);
      return;
    }
    const double boxW = p.width * frame.width();
    const double boxH = p.height * frame.height();
    double x = p.x * frame.width();
    double y = p.y * frame.height();
    double w = boxW;
    double h = boxH;
    if (p.keepAspectRatio && !p.image.isEmpty()) {
      const double scale = std::min(boxW / p.image.width(), boxH / p.image.height());
      w = p.image.width() * scale;
      h = p.image.height() * scale;
      if (p.center) {
        x += (boxW - w) / 2;
        y += (boxH - h) / 2;
      }
    }
    g_object_set(slot.overlay, "offset-x", static_cast<int>(std::lround(x)), "offset-y", static_cast<int>(std::lround(y)),
                 "overlay-width", std::max(1, static_cast<int>(std::lround(w))), "overlay-height",
                 std::max(1, static_cast<int>(std::lround(h))), "alpha", 1.0, nullptr);
  }

  // Streaming thread: the video size changed.
  void setFrame(const QSize& size) {
    std::lock_guard lock(mutex);
    if (size == frame) return;
    frame = size;
    for (const auto& slot : slots) apply(slot);
  }
};

ImageOverlayFilter::ImageOverlayFilter(const Creation& creation)
    : MediaElement(creation, QStringLiteral("ImageOverlayFilter")), layout_(std::make_shared<Layout>()) {
  ElementRef convertIn = makeElement("videoconvert");
  ElementRef convertOut = makeElement("videoconvert");
  bool made = convertIn && convertOut;
  for (int i = 0; i < kMaxImages; ++i) {
    auto& overlay = overlays_[static_cast<size_t>(i)];
    overlay = makeElement("gdkpixbufoverlay", QStringLiteral("image-overlay-%1").arg(i).toUtf8().constData());
    made = made && overlay;
  }
  if (!made) {
    throw KurentoException(ErrorCode::UnexpectedError,
                           QStringLiteral("GStreamer's gdkpixbufoverlay element is missing: install gstreamer1.0-plugins-good"));
  }
  for (int i = 0; i < kMaxImages; ++i) {
    GstElement* overlay = overlays_[static_cast<size_t>(i)].get();
    // Absolute pixel positions (negative = partly off the left/top edge); hidden until used.
    g_object_set(overlay, "positioning-mode", 1 /* pixels-absolute */, "alpha", 0.0, nullptr);
    layout_->slots[static_cast<size_t>(i)].overlay = overlay;
  }

  linkChain({addInput(MediaType::Audio, formats::kAny), addOutput(MediaType::Audio)});

  GstElement* in = addInput(MediaType::Video, formats::kRawVideo);
  addToBin({convertIn.get(), convertOut.get()});
  for (auto& overlay : overlays_) addToBin({overlay.get()});
  GstElement* out = addOutput(MediaType::Video);
  // in → convert → overlay 0..3 → convert → out (a later slot draws on top of an earlier one)
  bool linked = linkChain({in, convertIn.get()});
  GstElement* previous = convertIn.get();
  for (auto& overlay : overlays_) {
    linked = linked && linkChain({previous, overlay.get()});
    previous = overlay.get();
  }
  linked = linked && linkChain({previous, convertOut.get(), out});
  if (!linked) {
    throw KurentoException(ErrorCode::UnexpectedError, QStringLiteral("ImageOverlayFilter: cannot link the overlays to raw video"));
  }

  // Boxes are fractions of the frame: re-place the images whenever the video size changes.
  PadRef sinkPad = PadRef::adopt(gst_element_get_static_pad(overlays_[0].get(), "sink"));
  gst_pad_add_probe(
      sinkPad.get(), GST_PAD_PROBE_TYPE_EVENT_DOWNSTREAM,
      [](GstPad*, GstPadProbeInfo* info, gpointer user) -> GstPadProbeReturn {
        GstEvent* event = GST_PAD_PROBE_INFO_EVENT(info);
        if (!event || GST_EVENT_TYPE(event) != GST_EVENT_CAPS) return GST_PAD_PROBE_OK;
        GstCaps* caps = nullptr;
        gst_event_parse_caps(event, &caps);
        if (auto layout = static_cast<std::weak_ptr<Layout>*>(user)->lock()) layout->setFrame(sizeOf(caps));
        return GST_PAD_PROBE_OK;
      },
      new std::weak_ptr<Layout>(layout_), [](gpointer user) { delete static_cast<std::weak_ptr<Layout>*>(user); });
  start();
}

void ImageOverlayFilter::addImage(const QString& id, const QString& uri, const Placement& requested,
                                  const std::shared_ptr<DeferredReply>& reply) {
  const QString who = QStringLiteral("ImageOverlayFilter.addImage");
  if (id.isEmpty()) throw KurentoException(KurentoError::illegalParam(QStringLiteral("%1: 'id' must not be empty").arg(who)));
  checkFraction("offsetXPercent", requested.x, false);
  checkFraction("offsetYPercent", requested.y, false);
  checkFraction("widthPercent", requested.width, true);
  checkFraction("heightPercent", requested.height, true);
  std::weak_ptr<MediaObject> weak = weak_from_this();
  withOverlayImage(engine(), uri, who, reply, [weak, id, requested](const OverlayImage& image) {
    auto self = std::static_pointer_cast<ImageOverlayFilter>(weak.lock());
    if (!self) {
      throw KurentoException(ErrorCode::MediaObjectNotFound, QStringLiteral("The ImageOverlayFilter was released while its image was fetched"));
    }
    self->showImage(id, image, requested);
  });
}

void ImageOverlayFilter::showImage(const QString& id, const OverlayImage& image, Placement placement) {
  const QString who = QStringLiteral("ImageOverlayFilter.addImage");
  placement.image = image.size;

  std::lock_guard lock(layout_->mutex);
  auto& slots = layout_->slots;
  auto slot = std::find_if(slots.begin(), slots.end(), [&](const Layout::Slot& s) { return s.id == id; });
  if (slot == slots.end()) slot = std::find_if(slots.begin(), slots.end(), [](const Layout::Slot& s) { return s.id.isEmpty(); });
  if (slot == slots.end()) {
    QStringList ids;
    for (const auto& s : slots) ids.append(s.id);
    throw KurentoException(KurentoError::illegalParam(
        QStringLiteral("%1: an ImageOverlayFilter draws at most %2 images at once (now: %3); remove one with removeImage "
                       "or reuse its id")
            .arg(who)
            .arg(kMaxImages)
            .arg(ids.join(QStringLiteral(", ")))));
  }
  g_object_set(slot->overlay, "location", image.file->procPath().toUtf8().constData(), nullptr);
  slot->file = image.file;
  slot->id = id;
  slot->placement = placement;
  layout_->apply(*slot);
}

void ImageOverlayFilter::removeImage(const QString& id) {
  std::lock_guard lock(layout_->mutex);
  for (auto& slot : layout_->slots) {
    if (id.isEmpty() || slot.id != id) continue;
    slot.id.clear();
    layout_->apply(slot);
  }
}

void bindImageOverlayFilter(Bindings& b) {
  const QString c = QStringLiteral("ImageOverlayFilter");
  b.addFactory(c, [](const Creation& creation) { return std::make_shared<ImageOverlayFilter>(creation); });
  b.add(c, QStringLiteral("addImage"), [](Invocation& call) {
    ImageOverlayFilter::Placement placement;
    placement.x = call.number(QStringLiteral("offsetXPercent"));
    placement.y = call.number(QStringLiteral("offsetYPercent"));
    placement.width = call.number(QStringLiteral("widthPercent"));
    placement.height = call.number(QStringLiteral("heightPercent"));
    placement.keepAspectRatio = call.boolean(QStringLiteral("keepAspectRatio"));
    placement.center = call.boolean(QStringLiteral("center"));
    call.as<ImageOverlayFilter>().addImage(call.string(QStringLiteral("id")), call.string(QStringLiteral("uri")), placement,
                                           call.defer());
    return QJsonValue();
  });
  b.add(c, QStringLiteral("removeImage"), [](Invocation& call) {
    call.as<ImageOverlayFilter>().removeImage(call.string(QStringLiteral("id")));
    return QJsonValue();
  });
}

}  // namespace pw
