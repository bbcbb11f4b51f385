#include "SampleMedia.h"

#include "gst/ErrorPtr.h"

#include <QDir>
#include <QFile>
#include <QFileInfo>

#include <gst/gst.h>

namespace pw::studio {

SampleMedia::SampleMedia(QString path) : path_(std::move(path)) {
  poll_.setInterval(100);
  QObject::connect(&poll_, &QTimer::timeout, [this]() { poll(); });
}

SampleMedia::~SampleMedia() {
  if (pipeline_) {
    gst_element_set_state(pipeline_.get(), GST_STATE_NULL);
    QFile::remove(path_ + QStringLiteral(".part"));
  }
}

bool SampleMedia::exists() const { return QFileInfo(path_).size() > 0; }

void SampleMedia::ensure(std::function<void(bool, const QString&)> done) {
  if (exists()) {
    done(true, {});
    return;
  }
  waiting_.push_back(std::move(done));
  if (pipeline_) return;
  QDir().mkpath(QFileInfo(path_).absolutePath());
  // 20 s of SMPTE bars with a running clock, and a tick every second.
  const QString description = QStringLiteral(
      "videotestsrc num-buffers=600 pattern=smpte ! video/x-raw,width=640,height=360,framerate=30/1 ! "
      "timeoverlay font-desc=\"Sans 28\" ! videoconvert ! vp8enc deadline=1 cpu-used=8 target-bitrate=800000 ! "
      "webmmux name=mux ! filesink name=out "
      "audiotestsrc num-buffers=938 samplesperbuffer=1024 wave=ticks ! audio/x-raw,rate=48000,channels=2 ! "
      "audioconvert ! opusenc ! mux.");
  ErrorPtr error;
  pipeline_ = ElementRef::adopt(gst_parse_launch(description.toUtf8().constData(), error.out()));
  if (!pipeline_ || error) {
    const QString message = error ? QString::fromUtf8(error->message) : QStringLiteral("cannot build the pipeline");
    error.reset();
    pipeline_.reset();
    finish(false, message);
    return;
  }
  ElementRef out = ElementRef::adopt(gst_bin_get_by_name(GST_BIN(pipeline_.get()), "out"));
  g_object_set(out.get(), "location", (path_ + QStringLiteral(".part")).toUtf8().constData(), nullptr);
  gst_element_set_state(pipeline_.get(), GST_STATE_PLAYING);
  poll_.start();
}

void SampleMedia::poll() {
  if (!pipeline_) return;
  BusRef bus = BusRef::adopt(gst_element_get_bus(pipeline_.get()));
  GstRef<GstMessage> msg = GstRef<GstMessage>::adopt(
      gst_bus_pop_filtered(bus.get(), static_cast<GstMessageType>(GST_MESSAGE_EOS | GST_MESSAGE_ERROR)));
  if (!msg) return;
  bool ok = GST_MESSAGE_TYPE(msg.get()) == GST_MESSAGE_EOS;
  QString message;
  if (!ok) {
    ErrorPtr err;
    gst_message_parse_error(msg.get(), err.out(), nullptr);
    message = err ? QString::fromUtf8(err->message) : QStringLiteral("error");
  }
  poll_.stop();
  gst_element_set_state(pipeline_.get(), GST_STATE_NULL);
  pipeline_.reset();
  if (ok) {
    QFile::remove(path_);
    ok = QFile::rename(path_ + QStringLiteral(".part"), path_);
    if (!ok) message = QStringLiteral("cannot write %1").arg(path_);
  }
  finish(ok, message);
}

void SampleMedia::finish(bool ok, const QString& message) {
  auto waiting = std::move(waiting_);
  waiting_.clear();
  for (auto& done : waiting) done(ok, message);
}

}  // namespace pw::studio
