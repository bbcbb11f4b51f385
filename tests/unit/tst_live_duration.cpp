// LiveDuration (engine/src/elements/recorder): finding the duration field in the headers
// matroskamux/webmmux and fragmented mp4mux write, encoding it, and keeping it at the media on
// disk while a muxer that never finishes (a killed server) writes.

#include "elements/recorder/LiveDuration.h"
#include "gst/GstRef.h"
#include "MediaTestUtil.h"

#include <QFile>
#include <QRandomGenerator>
#include <QTemporaryDir>
#include <QTest>
#include <QtEndian>

#include <atomic>
#include <bit>

#include <fcntl.h>

using namespace pw;
using Container = LiveDuration::Container;
using Search = LiveDuration::Search;

namespace {

QByteArray readFile(const QString& path) {
  QFile f(path);
  return f.open(QIODevice::ReadOnly) ? f.readAll() : QByteArray();
}

// The duration (seconds) `field` holds in `data`.
double valueOf(Container container, const LiveDuration::Field& field, const QByteArray& data) {
  const auto* p = reinterpret_cast<const uchar*>(data.constData() + field.offset);
  if (container == Container::Matroska) {
    const double ticks = field.size == 8 ? std::bit_cast<double>(qFromBigEndian<quint64>(p))
                                         : std::bit_cast<float>(qFromBigEndian<quint32>(p));
    return ticks * static_cast<double>(field.scale) / 1e9;
  }
  const quint64 ticks = field.size == 8 ? qFromBigEndian<quint64>(p) : qFromBigEndian<quint32>(p);
  return static_cast<double>(ticks) / static_cast<double>(field.scale);
}

const char* kWebm = "videotestsrc num-buffers=%1 ! video/x-raw,width=64,height=48,framerate=30/1 ! vp8enc deadline=1 ! "
                    "webmmux %2 name=mux ! filesink name=file buffer-mode=unbuffered location=%3";
const char* kMp4 = "videotestsrc num-buffers=%1 ! video/x-raw,width=64,height=48,framerate=30/1 ! "
                   "x264enc speed-preset=ultrafast tune=zerolatency key-int-max=15 ! h264parse ! "
                   "mp4mux %2 name=mux ! filesink name=file buffer-mode=unbuffered location=%3";

}  // namespace

class TestLiveDuration : public QObject {
  Q_OBJECT

 private Q_SLOTS:
  void initTestCase() {
    gst_init(nullptr, nullptr);
    QVERIFY(dir_.isValid());
  }

  // The field of a finished file holds the muxer's final duration; every shorter prefix of the
  // header asks for more bytes.
  void findsTheField_data() {
    QTest::addColumn<int>("container");
    QTest::addColumn<QString>("launch");
    QTest::newRow("webmmux") << int(Container::Matroska) << QString::fromLatin1(kWebm).arg(30).arg("");
    QTest::newRow("matroskamux") << int(Container::Matroska)
                                 << QString::fromLatin1(kWebm).arg(30).arg("").replace("webmmux", "matroskamux");
    QTest::newRow("mp4mux fragmented") << int(Container::Mp4) << QString::fromLatin1(kMp4).arg(30).arg("fragment-duration=500");
  }
  void findsTheField() {
    QFETCH(int, container);
    QFETCH(QString, launch);
    const auto c = static_cast<Container>(container);
    const QString file = dir_.filePath(QStringLiteral("finished-%1").arg(QTest::currentDataTag()).replace(' ', '-'));
    QVERIFY(runPipeline(launch.arg(file)));
    const QByteArray data = readFile(file);
    LiveDuration::Field field;
    QCOMPARE(LiveDuration::find(c, data, &field), Search::Found);
    QCOMPARE(field.size, 8);
    QVERIFY2(qAbs(valueOf(c, field, data) - 1.0) < 0.05, qPrintable(QString::number(valueOf(c, field, data))));
    for (qsizetype n = 0; n < field.offset + field.size; ++n) {
      LiveDuration::Field partial;
      QCOMPARE(LiveDuration::find(c, QByteArrayView(data).first(n), &partial), Search::NeedMore);
    }
    // Damaged headers: no crash, and a field found lies inside the data.
    QRandomGenerator random(42);
    const qsizetype span = std::min<qsizetype>(data.size(), field.offset + 64);
    for (int i = 0; i < 3000; ++i) {
      QByteArray damaged = data.left(span);
      for (int flips = 1 + i % 4; flips > 0; --flips) {
        damaged[random.bounded(int(span))] = char(random.bounded(256));
      }
      if (i % 3 == 0) damaged.truncate(random.bounded(int(span)));
      LiveDuration::Field f;
      if (LiveDuration::find(c, damaged, &f) == Search::Found) {
        QVERIFY(f.offset >= 0 && f.offset + f.size <= damaged.size());
        QVERIFY(f.scale > 0);
      }
    }
    // encode() writes what valueOf() reads.
    QByteArray copy = data;
    const QByteArray bytes = LiveDuration::encode(c, field, 2500 * GST_MSECOND);
    QCOMPARE(bytes.size(), field.size);
    copy.replace(field.offset, field.size, bytes);
    QVERIFY(qAbs(valueOf(c, field, copy) - 2.5) < 0.001);
  }

  // Headers without the field: nothing to keep up to date.
  void absent() {
    LiveDuration::Field field;
    // A streamable WebM has no Duration.
    const QString streamable = dir_.filePath("streamable.webm");
    QVERIFY(runPipeline(QString::fromLatin1(kWebm).arg(10).arg("streamable=true", streamable)));
    QCOMPARE(LiveDuration::find(Container::Matroska, readFile(streamable), &field), Search::Absent);
    // A plain MP4 has its moov at the end and no mehd.
    const QString plain = dir_.filePath("plain.mp4");
    QVERIFY(runPipeline(QString::fromLatin1(kMp4).arg(10).arg("", plain)));
    QCOMPARE(LiveDuration::find(Container::Mp4, readFile(plain), &field), Search::Absent);
    // Not a header at all.
    const QByteArray junk(4096, '\x42');
    QCOMPARE(LiveDuration::find(Container::Matroska, junk, &field), Search::Absent);
    QCOMPARE(LiveDuration::find(Container::Mp4, QByteArray(16, '\0'), &field), Search::Absent);
  }

  // A muxer that never finishes (its end-of-stream dropped, then the pipeline torn down, as when
  // the server is killed): the header states the media on disk, at most kStep and a frame behind.
  void followsTheMediaOnDisk_data() {
    QTest::addColumn<int>("container");
    QTest::addColumn<QString>("launch");
    QTest::addColumn<double>("onDisk");  // seconds of media the muxer has written out
    QTest::addColumn<bool>("stopped");   // stop() called before the media: nothing rewritten
    const QString webm = QString::fromLatin1(kWebm).arg(60).arg("max-cluster-duration=1000000000");
    const QString mp4 = QString::fromLatin1(kMp4).arg(60).arg("fragment-duration=500");
    // Matroska writes every frame as it comes: 60 frames.
    QTest::newRow("webmmux") << int(Container::Matroska) << webm << 2.0 << false;
    // Fragmented MP4 writes whole fragments: the fourth one (1.5–2 s) is still in the muxer.
    QTest::newRow("mp4mux fragmented") << int(Container::Mp4) << mp4 << 1.5 << false;
    QTest::newRow("webmmux, stopped") << int(Container::Matroska) << webm << 0.0 << true;
    QTest::newRow("mp4mux, stopped") << int(Container::Mp4) << mp4 << 0.0 << true;
  }
  void followsTheMediaOnDisk() {
    QFETCH(int, container);
    QFETCH(QString, launch);
    QFETCH(double, onDisk);
    QFETCH(bool, stopped);
    const auto c = static_cast<Container>(container);
    const QString path =
        dir_.filePath(QStringLiteral("killed-%1").arg(QTest::currentDataTag()).replace(' ', '-').remove(','));
    QFile::remove(path);
    // Created here, so that it can be opened before the sink starts (which truncates the same inode).
    const int fd = ::open(path.toUtf8().constData(), O_WRONLY | O_CREAT | O_CLOEXEC, 0644);
    QVERIFY(fd >= 0);
    auto file = std::make_shared<MediaFile>(fd, path);
    GError* err = nullptr;
    ElementRef pipeline = ElementRef::adopt(gst_parse_launch(launch.arg(path).toUtf8().constData(), &err));
    QVERIFY2(!err, err ? err->message : "");
    QVERIFY(pipeline);
    ElementRef mux = ElementRef::adopt(gst_bin_get_by_name(GST_BIN(pipeline.get()), "mux"));
    ElementRef sink = ElementRef::adopt(gst_bin_get_by_name(GST_BIN(pipeline.get()), "file"));
    // Hold the muxer's end-of-stream back: it never finishes the file. And keep the length of
    // the stream from it, as the recorder's appsrcs do (matroskamux would write it at the start).
    std::atomic<bool> eosHeld{false};
    {
      GstIterator* it = gst_element_iterate_sink_pads(mux.get());
      GValue item = G_VALUE_INIT;
      while (gst_iterator_next(it, &item) == GST_ITERATOR_OK) {
        gst_pad_add_probe(
            GST_PAD(g_value_get_object(&item)),
            static_cast<GstPadProbeType>(GST_PAD_PROBE_TYPE_EVENT_DOWNSTREAM | GST_PAD_PROBE_TYPE_QUERY_UPSTREAM),
            [](GstPad*, GstPadProbeInfo* info, gpointer held) {
              if (info->type & GST_PAD_PROBE_TYPE_QUERY_UPSTREAM) {
                return GST_QUERY_TYPE(GST_PAD_PROBE_INFO_QUERY(info)) == GST_QUERY_DURATION ? GST_PAD_PROBE_DROP
                                                                                             : GST_PAD_PROBE_OK;
              }
              if (GST_EVENT_TYPE(GST_PAD_PROBE_INFO_EVENT(info)) != GST_EVENT_EOS) return GST_PAD_PROBE_OK;
              static_cast<std::atomic<bool>*>(held)->store(true);
              return GST_PAD_PROBE_DROP;
            },
            &eosHeld, nullptr);
        g_value_reset(&item);
      }
      g_value_unset(&item);
      gst_iterator_free(it);
    }
    PadRef sinkPad = PadRef::adopt(gst_element_get_static_pad(sink.get(), "sink"));
    auto live = LiveDuration::attach(sinkPad.get(), c, file);
    if (stopped) live->stop();
    gst_element_set_state(pipeline.get(), GST_STATE_PLAYING);
    QTRY_VERIFY_WITH_TIMEOUT(eosHeld.load(), 30000);
    QTest::qWait(300);  // the muxer writes out what it had before the end-of-stream
    gst_element_set_state(pipeline.get(), GST_STATE_NULL);

    const QByteArray data = readFile(path);
    LiveDuration::Field field;
    QCOMPARE(LiveDuration::find(c, data, &field), Search::Found);
    const double stated = valueOf(c, field, data);
    const double lag = stopped ? 0.0 : static_cast<double>(LiveDuration::kStep) / 1e9 + 1.0 / 30 + 0.001;
    QVERIFY2(stated <= onDisk + 0.001 && stated >= onDisk - lag,
             qPrintable(QStringLiteral("stated %1 s, %2 s on disk").arg(stated).arg(onDisk)));
  }

 private:
  QTemporaryDir dir_;
};

QTEST_GUILESS_MAIN(TestLiveDuration)
#include "tst_live_duration.moc"
