#include "GStreamerFilter.h"

#include "core/Bindings.h"

namespace pw {
namespace {

// Which raw media the user's bin consumes, from its sink pad's caps.
std::optional<MediaType> detectMediaType(GstElement* bin) {
  PadRef sink = PadRef::adopt(gst_element_get_static_pad(bin, "sink"));
  if (!sink) return std::nullopt;
  CapsRef caps = CapsRef::adopt(gst_pad_query_caps(sink.get(), nullptr));
  CapsRef video = CapsRef::adopt(gst_caps_from_string("video/x-raw"));
  CapsRef audio = CapsRef::adopt(gst_caps_from_string("audio/x-raw"));
  if (caps && gst_caps_can_intersect(caps.get(), video.get())) return MediaType::Video;
  if (caps && gst_caps_can_intersect(caps.get(), audio.get())) return MediaType::Audio;
  return std::nullopt;
}

}  // namespace

GStreamerFilter::GStreamerFilter(const Creation& creation)
    : MediaElement(creation, QStringLiteral("GStreamerFilter")),
      command_(creation.params.value(u"command").toString()) {
  GError* err = nullptr;
  userBin_ = ElementRef::adopt(gst_parse_bin_from_description(command_.toUtf8().constData(), TRUE, &err));
  if (!userBin_ || err) {
    const QString why = err ? QString::fromUtf8(err->message) : QStringLiteral("unknown error");
    if (err) g_error_free(err);
    throw KurentoException(KurentoError::illegalParam(
        QStringLiteral("GStreamerFilter command '%1' is not a valid GStreamer description: %2").arg(command_, why)));
  }
  PadRef src = PadRef::adopt(gst_element_get_static_pad(userBin_.get(), "src"));
  const QString filterType = creation.params.value(u"filterType").toString();
  std::optional<MediaType> type;
  if (filterType == u"VIDEO") type = MediaType::Video;
  else if (filterType == u"AUDIO") type = MediaType::Audio;
  else type = detectMediaType(userBin_.get());
  if (!type || !src) {
    throw KurentoException(KurentoError::illegalParam(
        QStringLiteral("GStreamerFilter command '%1' must have one raw audio or video input and one output "
                       "(for example \"videoflip method=horizontal-flip\")").arg(command_)));
  }
  for (MediaType t : {MediaType::Audio, MediaType::Video}) {
    if (t != *type) {
      linkChain({addInput(t, formats::kAny), addOutput(t)});
      continue;
    }
    const bool video = t == MediaType::Video;
    GstElement* in = addInput(t, video ? formats::kRawVideo : formats::kRawAudio);
    ElementRef before = makeElement(video ? "videoconvert" : "audioconvert");
    ElementRef after = makeElement(video ? "videoconvert" : "audioconvert");
    GstElement* beforeRaw = before.get();
    GstElement* afterRaw = after.get();
    GstElement* user = userBin_.get();
    addToBin({before.get(), user, after.get()});
    GstElement* out = addOutput(t);
    if (!linkChain({in, beforeRaw, user, afterRaw, out})) {
      throw KurentoException(KurentoError::illegalParam(
          QStringLiteral("GStreamerFilter command '%1' cannot be linked to raw %2").arg(command_, video ? "video" : "audio")));
    }
  }
  start();
}

void GStreamerFilter::setElementProperty(const QString& name, const QString& value) {
  GstIterator* it = gst_bin_iterate_recurse(GST_BIN(userBin_.get()));
  GValue item = G_VALUE_INIT;
  bool done = false;
  bool set = false;
  while (!done && !set) {
    switch (gst_iterator_next(it, &item)) {
      case GST_ITERATOR_OK: {
        GObject* obj = G_OBJECT(g_value_get_object(&item));
        if (g_object_class_find_property(G_OBJECT_GET_CLASS(obj), name.toUtf8().constData())) {
          gst_util_set_object_arg(obj, name.toUtf8().constData(), value.toUtf8().constData());
          set = true;
        }
        g_value_reset(&item);
        break;
      }
      case GST_ITERATOR_RESYNC: gst_iterator_resync(it); break;
      default: done = true; break;
    }
  }
  g_value_unset(&item);
  gst_iterator_free(it);
  if (!set) {
    throw KurentoException(KurentoError::illegalParam(
        QStringLiteral("No element of '%1' has a property named '%2'").arg(command_, name)));
  }
}

void bindGStreamerFilter(Bindings& b) {
  const QString c = QStringLiteral("GStreamerFilter");
  b.addFactory(c, [](const Creation& creation) { return std::make_shared<GStreamerFilter>(creation); });
  b.add(c, QStringLiteral("getCommand"), [](Invocation& call) { return QJsonValue(call.as<GStreamerFilter>().command()); });
  b.add(c, QStringLiteral("setElementProperty"), [](Invocation& call) {
    call.as<GStreamerFilter>().setElementProperty(call.string(QStringLiteral("propertyName")),
                                                  call.string(QStringLiteral("propertyValue")));
    return QJsonValue();
  });
}

}  // namespace pw
