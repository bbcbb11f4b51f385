#include "FaceOverlayFilter.h"

#include "OverlayImage.h"
#include "core/Bindings.h"
#include "gst/GCharPtr.h"

#include <QFileInfo>
#include <QSize>

#include <algorithm>
#include <cmath>

namespace pw {
namespace {

// Debian's opencv-data; the mouth/nose/eye cascades facedetect also asks for are not used.
constexpr const char* kFaceCascade = "/usr/share/opencv4/haarcascades/haarcascade_frontalface_default.xml";
// Faces are searched for in a copy scaled to this width (square pixels, same proportions).
constexpr int kDetectWidth = 320;
// The cascade's own window size: smaller faces cannot be found anyway.
constexpr int kMinFacePixels = 24;
// An overlay stays where it is for this many detections without its face (detection blinks).
constexpr int kHoldDetections = 5;
// Offsets and sizes beyond this many face sizes are certainly a mistake.
constexpr double kMaxFraction = 100.0;

// Width and height of the video negotiated on `element`'s sink pad.
std::optional<QSize> negotiatedSize(GstElement* element) {
  PadRef pad = PadRef::adopt(gst_element_get_static_pad(element, "sink"));
  if (!pad) return std::nullopt;
  CapsRef caps = CapsRef::adopt(gst_pad_get_current_caps(pad.get()));
  if (!caps || gst_caps_get_size(caps.get()) == 0) return std::nullopt;
  const GstStructure* s = gst_caps_get_structure(caps.get(), 0);
  int width = 0;
  int height = 0;
  if (!gst_structure_get_int(s, "width", &width) || !gst_structure_get_int(s, "height", &height) || width <= 0 ||
      height <= 0) {
    return std::nullopt;
  }
  return QSize(width, height);
}

void checkFraction(const QString& who, const char* name, double value, bool positive) {
  if (!std::isfinite(value) || std::abs(value) > kMaxFraction || (positive && value <= 0)) {
    throw KurentoException(KurentoError::illegalParam(
        QStringLiteral("%1: '%2' must be %3 (a fraction of the face size, e.g. 1.2), not %4")
            .arg(who, QLatin1String(name),
                 positive ? QStringLiteral("greater than 0 and at most %1").arg(kMaxFraction)
                          : QStringLiteral("between -%1 and %1").arg(kMaxFraction))
            .arg(value)));
  }
}

}  // namespace

FaceOverlayFilter::FaceOverlayFilter(const Creation& creation)
    : MediaElement(creation, QStringLiteral("FaceOverlayFilter")) {
  detector_ = makeElement("facedetect", "face-detector");
  if (!detector_) {
    throw KurentoException(ErrorCode::UnexpectedError,
                           QStringLiteral("GStreamer's facedetect element is missing: install gstreamer1.0-opencv and opencv-data"));
  }
  if (!QFileInfo::exists(QString::fromUtf8(kFaceCascade))) {
    throw KurentoException(ErrorCode::UnexpectedError,
                           QStringLiteral("The face model %1 is missing: install opencv-data").arg(QString::fromUtf8(kFaceCascade)));
  }
  valve_ = makeElement("valve", "detect-valve");
  ElementRef convertIn = makeElement("videoconvert");
  ElementRef split = makeElement("tee", "split");
  ElementRef convertOut = makeElement("videoconvert");
  ElementRef queue = makeElement("queue", "detect-queue");
  ElementRef scale = makeElement("videoscale");
  ElementRef scaleCaps = makeElement("capsfilter");
  ElementRef convertDetect = makeElement("videoconvert");
  ElementRef sink = makeElement("fakesink", "detect-sink");
  bool made = valve_ && convertIn && split && convertOut && queue && scale && scaleCaps && convertDetect && sink;
  for (int i = 0; i < kMaxFaces; ++i) {
    Slot& slot = slots_[static_cast<size_t>(i)];
    slot.overlay = makeElement("gdkpixbufoverlay", QStringLiteral("face-overlay-%1").arg(i).toUtf8().constData());
    made = made && slot.overlay;
  }
  if (!made) {
    throw KurentoException(ErrorCode::UnexpectedError,
                           QStringLiteral("FaceOverlayFilter needs GStreamer's valve, tee, queue, videoscale, videoconvert and "
                                          "gdkpixbufoverlay: install gstreamer1.0-plugins-base and gstreamer1.0-plugins-good"));
  }

  // Detection: no drawing by facedetect itself; the model from opencv-data.
  GCharPtr profile;
  g_object_get(detector_.get(), "profile", profile.out(), nullptr);
  if (g_strcmp0(profile.get(), kFaceCascade) != 0) g_object_set(detector_.get(), "profile", kFaceCascade, nullptr);
  profile.reset();
  g_object_set(detector_.get(), "display", FALSE, "min-size-width", kMinFacePixels, "min-size-height", kMinFacePixels,
               nullptr);
  // Closed until an image is set; caps and other sticky events still go through.
  g_object_set(valve_.get(), "drop", TRUE, "drop-mode", 1 /* forward-sticky-events */, nullptr);
  // Only the newest frame waits for the detector; older ones are dropped.
  g_object_set(queue.get(), "leaky", 2 /* downstream */, "max-size-buffers", 1u, "max-size-bytes", 0u, "max-size-time",
               static_cast<guint64>(0), nullptr);
  // Square pixels, so the scaler keeps the picture's proportions by choosing the height.
  CapsRef detectCaps = CapsRef::adopt(gst_caps_new_simple("video/x-raw", "width", G_TYPE_INT, kDetectWidth,
                                                          "pixel-aspect-ratio", GST_TYPE_FRACTION, 1, 1, nullptr));
  g_object_set(scaleCaps.get(), "caps", detectCaps.get(), nullptr);
  g_object_set(sink.get(), "sync", FALSE, "async", FALSE, "enable-last-sample", FALSE, nullptr);
  // Overlays: absolute pixel positions (negative = partly off the left/top edge), hidden.
  for (auto& slot : slots_) g_object_set(slot.overlay.get(), "positioning-mode", 1 /* pixels-absolute */, "alpha", 0.0, nullptr);

  linkChain({addInput(MediaType::Audio, formats::kAny), addOutput(MediaType::Audio)});

  GstElement* in = addInput(MediaType::Video, formats::kRawVideo);
  addToBin({convertIn.get(), split.get(), convertOut.get(), valve_.get(), queue.get(), scale.get(), scaleCaps.get(),
            convertDetect.get(), detector_.get(), sink.get()});
  for (auto& slot : slots_) addToBin({slot.overlay.get()});
  GstElement* out = addOutput(MediaType::Video);
  // in → convert → split → overlay 0..3 → convert → out
  //                split → valve → leaky queue → scale to 320 wide → RGB → facedetect → fakesink
  bool linked = linkChain({in, convertIn.get(), split.get()});
  GstElement* previous = split.get();
  for (auto& slot : slots_) {
    linked = linked && linkChain({previous, slot.overlay.get()});
    previous = slot.overlay.get();
  }
  linked = linked && linkChain({previous, convertOut.get(), out});
  linked = linked && linkChain({split.get(), valve_.get(), queue.get(), scale.get(), scaleCaps.get(), convertDetect.get(),
                                detector_.get(), sink.get()});
  if (!linked) {
    throw KurentoException(ErrorCode::UnexpectedError, QStringLiteral("FaceOverlayFilter: cannot link the face detector to raw video"));
  }
  start();
}

void FaceOverlayFilter::setOverlayedImage(const QString& uri, double offsetXPercent, double offsetYPercent,
                                          double widthPercent, double heightPercent,
                                          const std::shared_ptr<DeferredReply>& reply) {
  const QString who = QStringLiteral("FaceOverlayFilter.setOverlayedImage");
  checkFraction(who, "offsetXPercent", offsetXPercent, false);
  checkFraction(who, "offsetYPercent", offsetYPercent, false);
  checkFraction(who, "widthPercent", widthPercent, true);
  checkFraction(who, "heightPercent", heightPercent, true);
  std::weak_ptr<MediaObject> weak = weak_from_this();
  withOverlayImage(engine(), uri, who, reply, [weak, offsetXPercent, offsetYPercent, widthPercent, heightPercent](const OverlayImage& image) {
    auto self = std::static_pointer_cast<FaceOverlayFilter>(weak.lock());
    if (!self) {
      throw KurentoException(ErrorCode::MediaObjectNotFound, QStringLiteral("The FaceOverlayFilter was released while its image was fetched"));
    }
    self->showImage(image, offsetXPercent, offsetYPercent, widthPercent, heightPercent);
  });
}

void FaceOverlayFilter::showImage(const OverlayImage& image, double offsetX, double offsetY, double width, double height) {
  offsetX_ = offsetX;
  offsetY_ = offsetY;
  width_ = width;
  height_ = height;
  const QByteArray location = image.file->procPath().toUtf8();
  for (auto& slot : slots_) g_object_set(slot.overlay.get(), "location", location.constData(), nullptr);
  image_ = image.file;  // the overlays read it again when they start
  imageSet_ = true;
  g_object_set(valve_.get(), "drop", FALSE, nullptr);
}

void FaceOverlayFilter::unsetOverlayedImage() {
  imageSet_ = false;
  g_object_set(valve_.get(), "drop", TRUE, nullptr);
  for (auto& slot : slots_) hide(slot);
}

void FaceOverlayFilter::hide(Slot& slot) {
  g_object_set(slot.overlay.get(), "alpha", 0.0, nullptr);
  slot.visible = false;
  slot.misses = 0;
}

void FaceOverlayFilter::handleBusMessage(GstMessage* message) {
  const GstStructure* s = GST_MESSAGE_TYPE(message) == GST_MESSAGE_ELEMENT ? gst_message_get_structure(message) : nullptr;
  if (!s || !gst_structure_has_name(s, "facedetect")) {
    MediaElement::handleBusMessage(message);
    return;
  }
  if (!imageSet_) return;  // a detection still queued from before unsetOverlayedImage
  // faces = { face, x=(uint), y=(uint), width=(uint), height=(uint); ... } in detection-copy pixels
  QList<QRect> faces;
  const GValue* list = gst_structure_get_value(s, "faces");
  if (list && GST_VALUE_HOLDS_LIST(list)) {
    for (guint i = 0; i < gst_value_list_get_size(list); ++i) {
      const GValue* item = gst_value_list_get_value(list, i);
      if (!GST_VALUE_HOLDS_STRUCTURE(item)) continue;
      const GstStructure* face = gst_value_get_structure(item);
      guint x = 0;
      guint y = 0;
      guint width = 0;
      guint height = 0;
      if (gst_structure_get_uint(face, "x", &x) && gst_structure_get_uint(face, "y", &y) &&
          gst_structure_get_uint(face, "width", &width) && gst_structure_get_uint(face, "height", &height) && width > 0 &&
          height > 0) {
        faces.append(QRect(static_cast<int>(x), static_cast<int>(y), static_cast<int>(width), static_cast<int>(height)));
      }
    }
  }
  showFaces(std::move(faces));
}

void FaceOverlayFilter::showFaces(QList<QRect> faces) {
  const auto detectSize = negotiatedSize(detector_.get());
  const auto videoSize = negotiatedSize(slots_[0].overlay.get());
  if (!detectSize || !videoSize) return;
  // The largest faces, then left to right so each face keeps its overlay while it moves a little.
  std::sort(faces.begin(), faces.end(),
            [](const QRect& a, const QRect& b) { return a.width() * a.height() > b.width() * b.height(); });
  if (faces.size() > kMaxFaces) faces.resize(kMaxFaces);
  std::sort(faces.begin(), faces.end(), [](const QRect& a, const QRect& b) { return a.x() < b.x(); });
  const double sx = static_cast<double>(videoSize->width()) / detectSize->width();
  const double sy = static_cast<double>(videoSize->height()) / detectSize->height();
  for (int i = 0; i < kMaxFaces; ++i) {
    Slot& slot = slots_[static_cast<size_t>(i)];
    if (i >= faces.size()) {
      if (slot.visible && ++slot.misses >= kHoldDetections) hide(slot);
      continue;
    }
    const QRect& face = faces[i];
    const double fx = face.x() * sx;
    const double fy = face.y() * sy;
    const double fw = face.width() * sx;
    const double fh = face.height() * sy;
    const int x = static_cast<int>(std::lround(fx + offsetX_ * fw));
    const int y = static_cast<int>(std::lround(fy + offsetY_ * fh));
    const int w = std::max(1, static_cast<int>(std::lround(width_ * fw)));
    const int h = std::max(1, static_cast<int>(std::lround(height_ * fh)));
    g_object_set(slot.overlay.get(), "offset-x", x, "offset-y", y, "overlay-width", w, "overlay-height", h, "alpha", 1.0,
                 nullptr);
    slot.visible = true;
    slot.misses = 0;
  }
}

void bindFaceOverlayFilter(Bindings& b) {
  const QString c = QStringLiteral("FaceOverlayFilter");
  b.addFactory(c, [](const Creation& creation) { return std::make_shared<FaceOverlayFilter>(creation); });
  b.add(c, QStringLiteral("setOverlayedImage"), [](Invocation& call) {
    call.as<FaceOverlayFilter>().setOverlayedImage(
        call.string(QStringLiteral("uri")), call.number(QStringLiteral("offsetXPercent")),
        call.number(QStringLiteral("offsetYPercent")), call.number(QStringLiteral("widthPercent")),
        call.number(QStringLiteral("heightPercent")), call.defer());
    return QJsonValue();
  });
  b.add(c, QStringLiteral("unsetOverlayedImage"), [](Invocation& call) {
    call.as<FaceOverlayFilter>().unsetOverlayedImage();
    return QJsonValue();
  });
}

}  // namespace pw
