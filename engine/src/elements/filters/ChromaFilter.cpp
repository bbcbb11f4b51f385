#include "ChromaFilter.h"

#include "OverlayImage.h"
#include "StillImage.h"
#include "core/Bindings.h"
#include "core/Invocation.h"

#include <QUrl>

#include <gst/video/video.h>

namespace pw {
namespace {

// What the pad probe owns: the keyer (weak: the filter may go first) and the frames' layout.
struct ProbeState {
  std::weak_ptr<ChromaKeyer> keyer;
  GstVideoInfo info{};
  bool hasInfo = false;
};

ChromaKeyer::Frame frameOf(GstVideoFrame& vf) {
  ChromaKeyer::Frame f;
  f.width = GST_VIDEO_FRAME_WIDTH(&vf);
  f.height = GST_VIDEO_FRAME_HEIGHT(&vf);
  for (int i = 0; i < 3; ++i) {
    f.planes[static_cast<size_t>(i)] = static_cast<std::uint8_t*>(GST_VIDEO_FRAME_PLANE_DATA(&vf, i));
    f.strides[static_cast<size_t>(i)] = GST_VIDEO_FRAME_PLANE_STRIDE(&vf, i);
  }
  return f;
}

// Streaming thread, on the I420 frames: calibrate, then key when there is a background.
GstPadProbeReturn keyFrame(GstPad*, GstPadProbeInfo* info, gpointer user) {
  auto* state = static_cast<ProbeState*>(user);
  try {
    if (GST_PAD_PROBE_INFO_TYPE(info) & GST_PAD_PROBE_TYPE_EVENT_DOWNSTREAM) {
      GstEvent* event = GST_PAD_PROBE_INFO_EVENT(info);
      if (event && GST_EVENT_TYPE(event) == GST_EVENT_CAPS) {
        GstCaps* caps = nullptr;
        gst_event_parse_caps(event, &caps);
        state->hasInfo = caps && gst_video_info_from_caps(&state->info, caps) &&
                         GST_VIDEO_INFO_FORMAT(&state->info) == GST_VIDEO_FORMAT_I420;
      }
      return GST_PAD_PROBE_OK;
    }
    GstBuffer* buffer = GST_PAD_PROBE_INFO_BUFFER(info);
    auto keyer = state->keyer.lock();
    if (!buffer || !state->hasInfo || !keyer) return GST_PAD_PROBE_OK;
    GstVideoFrame vf;
    if (!gst_video_frame_map(&vf, &state->info, buffer, GST_MAP_READ)) return GST_PAD_PROBE_OK;
    const bool write = keyer->observe(frameOf(vf));
    gst_video_frame_unmap(&vf);
    if (!write) return GST_PAD_PROBE_OK;
    buffer = gst_buffer_make_writable(buffer);
    GST_PAD_PROBE_INFO_DATA(info) = buffer;
    if (gst_video_frame_map(&vf, &state->info, buffer, GST_MAP_WRITE)) {
      keyer->key(frameOf(vf));
      gst_video_frame_unmap(&vf);
    }
  } catch (...) {
    // Out of memory while scaling a background: this frame passes unchanged.
  }
  return GST_PAD_PROBE_OK;
}

int windowField(const QJsonObject& window, const char* name) {
  return static_cast<int>(window.value(QLatin1String(name)).toDouble());
}

bool isRemote(const QString& uri) {
  const QString scheme = QUrl(uri).scheme().toLower();
  return scheme == u"http" || scheme == u"https";
}

}  // namespace

ChromaFilter::ChromaFilter(const Creation& creation) : MediaElement(creation, QStringLiteral("ChromaFilter")) {
  const QJsonObject window = creation.params.value(u"window").toObject();
  const QRect area(windowField(window, "topRightCornerX"), windowField(window, "topRightCornerY"),
                   windowField(window, "width"), windowField(window, "height"));
  if (area.x() < 0 || area.y() < 0 || area.width() <= 0 || area.height() <= 0) {
    throw KurentoException(KurentoError::illegalParam(
        QStringLiteral("ChromaFilter: 'window' must lie in the frame with a size: topRightCornerX and topRightCornerY "
                       "(its top-left corner) at least 0, width and height greater than 0, in pixels; not %1,%2 %3x%4")
            .arg(area.x())
            .arg(area.y())
            .arg(area.width())
            .arg(area.height())));
  }
  keyer_ = std::make_shared<ChromaKeyer>(area);

  const QString who = QStringLiteral("ChromaFilter");
  const QString background = creation.params.value(u"backgroundImage").toString();
  if (isRemote(background)) {
    pendingBackground_ = background;
  } else if (!background.isEmpty()) {
    useBackground(loadOverlayImage(engine(), background, who), who);  // throws 40107: create fails
  }

  ElementRef convertIn = makeElement("videoconvert");
  ElementRef i420 = makeElement("capsfilter", "chroma-i420");
  ElementRef convertOut = makeElement("videoconvert");
  if (!convertIn || !i420 || !convertOut) {
    throw KurentoException(ErrorCode::UnexpectedError,
                           QStringLiteral("GStreamer's videoconvert is missing: install gstreamer1.0-plugins-base"));
  }
  CapsRef caps = CapsRef::adopt(gst_caps_from_string("video/x-raw,format=I420"));
  g_object_set(i420.get(), "caps", caps.get(), nullptr);

  linkChain({addInput(MediaType::Audio, formats::kAny), addOutput(MediaType::Audio)});
  GstElement* in = addInput(MediaType::Video, formats::kRawVideo);
  addToBin({convertIn.get(), i420.get(), convertOut.get()});
  GstElement* out = addOutput(MediaType::Video);
  if (!linkChain({in, convertIn.get(), i420.get(), convertOut.get(), out})) {
    throw KurentoException(ErrorCode::UnexpectedError, QStringLiteral("ChromaFilter: cannot link the keyer to raw video"));
  }
  PadRef keyed = PadRef::adopt(gst_element_get_static_pad(i420.get(), "src"));
  auto* state = new ProbeState;
  state->keyer = keyer_;
  gst_pad_add_probe(keyed.get(), static_cast<GstPadProbeType>(GST_PAD_PROBE_TYPE_BUFFER | GST_PAD_PROBE_TYPE_EVENT_DOWNSTREAM),
                    keyFrame, state, [](gpointer user) { delete static_cast<ProbeState*>(user); });
  start();
}

void ChromaFilter::onRegistered() {
  MediaElement::onRegistered();
  if (pendingBackground_.isEmpty()) return;
  // The constructor's http(s) image: fetched now; a refusal is raised as an Error event.
  std::weak_ptr<MediaObject> weak = weak_from_this();
  const QString uri = std::exchange(pendingBackground_, QString());
  auto reply = std::make_shared<DeferredReply>(engine(), [weak](const QJsonValue&, const KurentoError* error) {
    auto self = weak.lock();
    if (error && self) self->raiseError(QStringLiteral("INVALID_URI"), error->message, static_cast<int>(error->code));
  });
  try {
    setBackground(uri, reply);
  } catch (const KurentoException& e) {
    reply->reject(e.error());
  }
}

void ChromaFilter::setBackground(const QString& uri, const std::shared_ptr<DeferredReply>& reply) {
  const QString who = QStringLiteral("ChromaFilter.setBackground");
  std::weak_ptr<MediaObject> weak = weak_from_this();
  withOverlayImage(engine(), uri, who, reply, [weak, who](const OverlayImage& image) {
    auto self = std::static_pointer_cast<ChromaFilter>(weak.lock());
    if (!self) {
      throw KurentoException(ErrorCode::MediaObjectNotFound,
                             QStringLiteral("The ChromaFilter was released while its background image was fetched"));
    }
    self->useBackground(image, who);
  });
}

void ChromaFilter::useBackground(const OverlayImage& image, const QString& who) {
  QString why;
  std::optional<StillImage> decoded = decodeStillImage(*image.file, image.size, &why);
  if (!decoded) {
    throw KurentoException(KurentoError::illegalParam(QStringLiteral("%1: the background image cannot be used: %2").arg(who, why)));
  }
  keyer_->setBackground(std::make_shared<const StillImage>(std::move(*decoded)));
}

void ChromaFilter::unsetBackground() { keyer_->setBackground(nullptr); }

void bindChromaFilter(Bindings& b) {
  const QString c = QStringLiteral("ChromaFilter");
  b.addFactory(c, [](const Creation& creation) { return std::make_shared<ChromaFilter>(creation); });
  b.add(c, QStringLiteral("setBackground"), [](Invocation& call) {
    call.as<ChromaFilter>().setBackground(call.string(QStringLiteral("uri")), call.defer());
    return QJsonValue();
  });
  b.add(c, QStringLiteral("unsetBackground"), [](Invocation& call) {
    call.as<ChromaFilter>().unsetBackground();
    return QJsonValue();
  });
}

}  // namespace pw
