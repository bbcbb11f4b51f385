#include "ZBarFilter.h"

#include "core/Bindings.h"

namespace pw {
namespace {

// A code that stays in view is reported again at most this often (api-surface: once a second).
constexpr qint64 kRepeatIntervalNs = static_cast<qint64>(GST_SECOND);

}  // namespace

ZBarFilter::ZBarFilter(const Creation& creation) : MediaElement(creation, QStringLiteral("ZBarFilter")) {
  scanner_ = makeElement("zbar", "scanner");
  if (!scanner_) {
    throw KurentoException(ErrorCode::UnexpectedError,
                           QStringLiteral("GStreamer's zbar element is missing: install gstreamer1.0-plugins-bad"));
  }
  // One "barcode" element message per code and frame; no frame dump attached.
  g_object_set(scanner_.get(), "message", TRUE, "attach-frame", FALSE, nullptr);

  linkChain({addInput(MediaType::Audio, formats::kAny), addOutput(MediaType::Audio)});

  GstElement* in = addInput(MediaType::Video, formats::kRawVideo);
  ElementRef before = makeElement("videoconvert");
  ElementRef after = makeElement("videoconvert");
  addToBin({before.get(), scanner_.get(), after.get()});
  GstElement* out = addOutput(MediaType::Video);
  if (!linkChain({in, before.get(), scanner_.get(), after.get(), out})) {
    throw KurentoException(ErrorCode::UnexpectedError, QStringLiteral("ZBarFilter: cannot link the code scanner to raw video"));
  }
  start();
}

void ZBarFilter::handleBusMessage(GstMessage* message) {
  const GstStructure* s = GST_MESSAGE_TYPE(message) == GST_MESSAGE_ELEMENT ? gst_message_get_structure(message) : nullptr;
  if (!s || !gst_structure_has_name(s, "barcode")) {
    MediaElement::handleBusMessage(message);
    return;
  }
  const QString type = QString::fromUtf8(gst_structure_get_string(s, "type"));
  const QString value = QString::fromUtf8(gst_structure_get_string(s, "symbol"));
  if (type.isEmpty() && value.isEmpty()) return;
  // Time of the frame the code was read in; the wall clock when zbar does not say.
  guint64 runningTime = GST_CLOCK_TIME_NONE;
  const bool hasTime = gst_structure_get_uint64(s, "running-time", &runningTime) && GST_CLOCK_TIME_IS_VALID(runningTime);
  const qint64 now = hasTime ? static_cast<qint64>(runningTime) : g_get_monotonic_time() * 1000;
  const bool sameCode = type == lastType_ && value == lastValue_;
  const bool recent = lastRaisedNs_ >= 0 && now >= lastRaisedNs_ && now - lastRaisedNs_ < kRepeatIntervalNs;
  if (sameCode && recent) return;
  lastType_ = type;
  lastValue_ = value;
  lastRaisedNs_ = now;
  raise(QStringLiteral("CodeFound"), QJsonObject{{QStringLiteral("codeType"), type}, {QStringLiteral("value"), value}});
}

void bindZBarFilter(Bindings& b) {
  b.addFactory(QStringLiteral("ZBarFilter"), [](const Creation& creation) { return std::make_shared<ZBarFilter>(creation); });
}

}  // namespace pw
