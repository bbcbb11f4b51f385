#include "GStreamerFilter.h"

#include "FilterCommand.h"
#include "core/Bindings.h"
#include "pipewright/engine/Engine.h"

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
  const FilterCommand parsed = FilterCommand::parse(command_);
  userBin_ = parsed.build(ElementAllowList(creation.engine.config().gstreamerFilterAllowedElements), &userElements_);
  PadRef src = PadRef::adopt(gst_element_get_static_pad(userBin_.get(), "src"));
  const QString filterType = creation.params.value(u"filterType").toString();
  std::optional<MediaType> type;
  if (filterType == u"VIDEO") type = MediaType::Video;
  else if (filterType == u"AUDIO") type = MediaType::Audio;
  else type = detectMediaType(userBin_.get());
  if (!type || !src) {
    throw KurentoException(KurentoError::illegalParam(
        QStringLiteral("GStreamerFilter command '%1' must have one raw audio or video input and one output "
                       "(for example \"videoflip video-direction=horiz\")").arg(command_)));
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
  ElementAllowList::checkPropertyName(name);
  const QByteArray key = name.toUtf8();
  for (const ElementRef& element : userElements_) {
    if (g_object_class_find_property(G_OBJECT_GET_CLASS(element.get()), key.constData())) {
      FilterCommand::setProperty(element.get(), name, value, true);
      return;
    }
  }
  throw KurentoException(KurentoError::illegalParam(
      QStringLiteral("No element of '%1' has a property named '%2'").arg(command_, name)));
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
