#include "StillImage.h"

#include "core/MediaFile.h"
#include "gst/ErrorPtr.h"
#include "gst/GstRef.h"

#include <gst/video/video.h>

#include <algorithm>
#include <cstring>

namespace pw {
namespace {

constexpr GstClockTime kDecodeTimeout = 5 * GST_SECOND;

QSize fitted(QSize size) {
  if (size.width() <= kMaxStillImageSize.width() && size.height() <= kMaxStillImageSize.height()) return size;
  return size.scaled(kMaxStillImageSize, Qt::KeepAspectRatio).expandedTo(QSize(1, 1));
}

}  // namespace

std::optional<StillImage> decodeStillImage(const MediaFile& file, QSize size, QString* why) {
  if (size.isEmpty()) {
    *why = QStringLiteral("the image has no size");
    return std::nullopt;
  }
  const QSize target = fitted(size);
  // decodebin picks the image decoder (pngdec, jpegdec, …): one buffer, then EOS; fakesink
  // keeps the last sample.
  const QByteArray description =
      QStringLiteral("filesrc name=src ! decodebin ! videoconvert ! videoscale ! "
                     "video/x-raw,format=RGB,width=%1,height=%2,pixel-aspect-ratio=1/1 ! "
                     "fakesink name=sink sync=false enable-last-sample=true")
          .arg(target.width())
          .arg(target.height())
          .toUtf8();
  ErrorPtr err;
  ElementRef pipeline = ElementRef::adopt(gst_parse_launch(description.constData(), err.out()));
  if (!pipeline) {
    *why = QString::fromUtf8(err ? err->message : "GStreamer cannot build an image decoder");
    return std::nullopt;
  }
  ElementRef src = ElementRef::adopt(gst_bin_get_by_name(GST_BIN(pipeline.get()), "src"));
  ElementRef sink = ElementRef::adopt(gst_bin_get_by_name(GST_BIN(pipeline.get()), "sink"));
  g_object_set(src.get(), "location", file.procPath().toUtf8().constData(), nullptr);

  std::optional<StillImage> image;
  BusRef bus = BusRef::adopt(gst_element_get_bus(pipeline.get()));
  if (gst_element_set_state(pipeline.get(), GST_STATE_PLAYING) == GST_STATE_CHANGE_FAILURE) {
    *why = QStringLiteral("it cannot be decoded");
  } else {
    MessageRef message = MessageRef::adopt(gst_bus_timed_pop_filtered(
        bus.get(), kDecodeTimeout, static_cast<GstMessageType>(GST_MESSAGE_EOS | GST_MESSAGE_ERROR)));
    if (!message) {
      *why = QStringLiteral("decoding it took too long");
    } else if (GST_MESSAGE_TYPE(message.get()) == GST_MESSAGE_ERROR) {
      ErrorPtr decodeError;
      gst_message_parse_error(message.get(), decodeError.out(), nullptr);
      *why = QString::fromUtf8(decodeError ? decodeError->message : "it cannot be decoded");
    } else {
      SampleRef sample;
      g_object_get(sink.get(), "last-sample", sample.out(), nullptr);
      GstVideoInfo info;
      GstVideoFrame frame;
      if (sample && gst_video_info_from_caps(&info, gst_sample_get_caps(sample.get())) &&
          gst_video_frame_map(&frame, &info, gst_sample_get_buffer(sample.get()), GST_MAP_READ)) {
        StillImage decoded;
        decoded.width = GST_VIDEO_FRAME_WIDTH(&frame);
        decoded.height = GST_VIDEO_FRAME_HEIGHT(&frame);
        const int stride = GST_VIDEO_FRAME_PLANE_STRIDE(&frame, 0);
        const auto* data = static_cast<const std::uint8_t*>(GST_VIDEO_FRAME_PLANE_DATA(&frame, 0));
        const size_t row = static_cast<size_t>(decoded.width) * 3;
        decoded.rgb.resize(row * static_cast<size_t>(decoded.height));
        for (int y = 0; y < decoded.height; ++y) std::memcpy(decoded.rgb.data() + row * y, data + static_cast<size_t>(stride) * y, row);
        gst_video_frame_unmap(&frame);
        image = std::move(decoded);
      } else {
        *why = QStringLiteral("it decodes to no picture");
      }
    }
  }
  gst_element_set_state(pipeline.get(), GST_STATE_NULL);
  return image;
}

}  // namespace pw
