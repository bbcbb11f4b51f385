// The studio's live media readings against a real engine and real GStreamer: the audio level
// meters (AudioLevelModel, a `level` element fed by the engine only while a node's audio flows)
// and the wires' bitrates (FlowMonitor, the engine's byte counters sampled once a second).

#include "AudioLevelModel.h"
#include "EdgeListModel.h"
#include "EngineClient.h"
#include "FlowMonitor.h"
#include "GraphModel.h"
#include "MediaTestUtil.h"
#include "NodeListModel.h"
#include "StudioTestUtil.h"
#include "Studio.h"
#include "TestConnection.h"
#include "gst/GstRef.h"
#include "gst/StructurePtr.h"
#include "pipewright/engine/Engine.h"

#include <QStandardPaths>
#include <QTemporaryDir>
#include <QTest>
#include <QUrl>

using namespace pw;
using namespace pw::studio;

namespace {

// The first level message a real `level` element posts for `source` (an audiotestsrc setting).
std::optional<AudioLevelModel::Level> levelOf(const QString& source) {
  GstElement* raw = gst_parse_launch(
      QStringLiteral("audiotestsrc %1 num-buffers=20 ! audio/x-raw,channels=2 ! level interval=50000000 ! fakesink")
          .arg(source).toUtf8().constData(), nullptr);
  ElementRef pipeline = ElementRef::adopt(raw);
  if (!pipeline) return std::nullopt;
  gst_element_set_state(pipeline.get(), GST_STATE_PLAYING);
  BusRef bus = BusRef::adopt(gst_element_get_bus(pipeline.get()));
  std::optional<AudioLevelModel::Level> level;
  while (!level) {
    MessageRef m = MessageRef::adopt(gst_bus_timed_pop_filtered(
        bus.get(), 10 * GST_SECOND, static_cast<GstMessageType>(GST_MESSAGE_ELEMENT | GST_MESSAGE_EOS | GST_MESSAGE_ERROR)));
    if (!m || GST_MESSAGE_TYPE(m.get()) != GST_MESSAGE_ELEMENT) break;
    level = AudioLevelModel::fromLevelMessage(gst_message_get_structure(m.get()));
  }
  gst_element_set_state(pipeline.get(), GST_STATE_NULL);
  return level;
}

}  // namespace

class TestStudioMeters : public QObject {
  Q_OBJECT

 private:
  QTemporaryDir dir_;
  std::unique_ptr<Engine> engine_;
  QString clip_;

 private Q_SLOTS:
  void initTestCase() {
    QStandardPaths::setTestModeEnabled(true);
    QString error;
    QVERIFY2(initGStreamer(&error), qPrintable(error));
    // 20 s of video and a steady tone at -6 dBFS peak (amplitude 0.5).
    clip_ = dir_.filePath("tone.webm");
    QVERIFY(runPipeline(QStringLiteral(
        "videotestsrc num-buffers=400 ! video/x-raw,width=160,height=120,framerate=20/1 ! vp8enc deadline=1 ! webmmux name=m ! "
        "filesink location=%1 audiotestsrc num-buffers=940 samplesperbuffer=1024 volume=0.5 ! audio/x-raw,rate=48000,channels=2 ! "
        "audioconvert ! opusenc ! m.").arg(clip_)));
    Config config;
    config.mediaFolders = {dir_.path()};
    config.iceLocalAddresses = {QStringLiteral("127.0.0.1")};
    engine_ = std::make_unique<Engine>(config);
  }
  void cleanupTestCase() {
    engine_->shutdown();
    engine_.reset();
  }

  void levelMessagesBecomeDecibels() {
    // A sine of amplitude 0.5: peak -6 dBFS, RMS -9 dBFS.
    const auto tone = levelOf(QStringLiteral("volume=0.5"));
    QVERIFY(tone);
    QVERIFY2(tone->rmsDb > -10 && tone->rmsDb < -8, qPrintable(QString::number(tone->rmsDb)));
    QVERIFY2(tone->peakDb > -7 && tone->peakDb < -5, qPrintable(QString::number(tone->peakDb)));
    // Silence reads as the meter's floor, not -inf.
    const auto silence = levelOf(QStringLiteral("wave=silence"));
    QVERIFY(silence);
    QCOMPARE(silence->rmsDb, AudioLevelModel::kFloorDb);
    QCOMPARE(silence->peakDb, AudioLevelModel::kFloorDb);
    // Other element messages are not levels.
    const StructurePtr other = StructurePtr::adopt(gst_structure_new_empty("barcode"));
    QVERIFY(!AudioLevelModel::fromLevelMessage(other.get()));
  }

  void bitrateFromByteCounters() {
    QCOMPARE(FlowMonitor::kbpsBetween(0, 125000, 1000), 1000.0);   // 125 kB in 1 s = 1000 kbit/s
    QCOMPARE(FlowMonitor::kbpsBetween(1000, 1000, 1000), 0.0);     // nothing new
    QCOMPARE(FlowMonitor::kbpsBetween(-1, 5000, 1000), 0.0);       // no earlier reading
    QCOMPARE(FlowMonitor::kbpsBetween(9000, 100, 1000), 0.0);      // the element was created again
    QCOMPARE(FlowMonitor::kbpsBetween(0, 5000, 0), 0.0);
  }

  // A player into a PassThrough: while it plays, the player's node has a meter above silence and
  // both wires carry a bitrate; after Stop the meter goes (its tap is detached) and the bitrate
  // falls to 0.
  void metersAndBitratesFollowTheMedia() {
    Studio studio(*engine_, dir_.path());
    GraphModel& graph = *studio.graph();
    AudioLevelModel& meters = *studio.meters();
    FlowMonitor& flow = *studio.flow();
    graph.newPipeline();
    const QString player = graph.addElement("PlayerEndpoint", 0, 0, {{"uri", QUrl::fromLocalFile(clip_).toString()}});
    const QString pass = graph.addElement("PassThrough", 300, 0);
    QCOMPARE(graph.connectPorts(player, pass, "ALL"), QString());
    QVERIFY(waitGraphIdle(graph, studio.client()));
    QVERIFY(!meters.metered(player));  // nothing flows yet: no tap
    QCOMPARE(meters.rmsDb(player), AudioLevelModel::kFloorDb);

    graph.run();
    QTRY_VERIFY_WITH_TIMEOUT(meters.metered(player), 15000);
    QTRY_VERIFY2_WITH_TIMEOUT(meters.rmsDb(player) > -20, qPrintable(QString::number(meters.rmsDb(player))), 15000);
    QVERIFY(meters.peakDb(player) >= meters.rmsDb(player));
    QVERIFY(meters.levels().contains(player));
    QTRY_VERIFY_WITH_TIMEOUT(flow.kbps(player, pass, "AUDIO") > 0, 15000);
    QTRY_VERIFY_WITH_TIMEOUT(flow.kbps(player, pass, "VIDEO") > 0, 15000);
    QVERIFY(flow.bitrates().contains(FlowMonitor::wireId(player, pass, "VIDEO")));

    graph.stop();
    QVERIFY(waitGraphIdle(graph, studio.client(), 30000));
    QTRY_VERIFY_WITH_TIMEOUT(!meters.metered(player), 15000);
    QCOMPARE(meters.rmsDb(player), AudioLevelModel::kFloorDb);
    QTRY_COMPARE_WITH_TIMEOUT(flow.kbps(player, pass, "AUDIO"), 0.0, 15000);
    QTRY_COMPARE_WITH_TIMEOUT(flow.kbps(player, pass, "VIDEO"), 0.0, 15000);
  }

  // The lean WebRTC path relays RTP between endpoints without GStreamer; the wires must still
  // show what flows. player → E1 ⇄ E2 → E3 ⇄ E4 (each ⇄ negotiated over 127.0.0.1): E2 → E3 is
  // a direct relay. Its wire reads E3's sent bytes and the negotiated RTP stream as its caps;
  // player → E1 goes through GStreamer (the junction) and reads caps from there.
  void leanRelayWiresHaveBitrateAndCaps() {
    Engine& engine = *engine_;
    auto c = std::make_shared<TestConnection>();
    const auto value = [](const QJsonObject& r) { return r.value("result").toObject().value("value").toString(); };
    const auto create = [&](const QString& type, QJsonObject params) {
      return value(call(engine, c, "create", {{"type", type}, {"constructorParams", params}}));
    };
    const auto invoke = [&](const QString& object, const QString& operation, const QJsonObject& params = {}) {
      return call(engine, c, "invoke", {{"object", object}, {"operation", operation}, {"operationParams", params}});
    };
    const QString pipeline = create("MediaPipeline", {});
    QVERIFY(!pipeline.isEmpty());
    const QString player = create("PlayerEndpoint", {{"mediaPipeline", pipeline}, {"uri", QUrl::fromLocalFile(clip_).toString()}});
    QStringList e;
    for (int i = 0; i < 4; ++i) {
      e << create("WebRtcEndpoint", {{"mediaPipeline", pipeline}});
      QVERIFY(call(engine, c, "subscribe", {{"object", e.last()}, {"type", "IceCandidateFound"}}).contains("result"));
    }
    QVERIFY(invoke(player, "connect", {{"sink", e[0]}}).contains("result"));
    QVERIFY(invoke(e[1], "connect", {{"sink", e[2]}}).contains("result"));
    for (int pair = 0; pair < 4; pair += 2) {
      const QString offer = value(invoke(e[pair], "generateOffer", {{"options", QJsonObject{{"offerToReceiveAudio", true}, {"offerToReceiveVideo", true}}}}));
      QVERIFY(offer.startsWith("v=0"));
      const QString answer = value(invoke(e[pair + 1], "processOffer", {{"offer", offer}}));
      QVERIFY2(answer.startsWith("v=0"), qPrintable(answer));
      QVERIFY(invoke(e[pair], "processAnswer", {{"answer", answer}}).contains("result"));
    }
    for (const QString& ep : e) QVERIFY(invoke(ep, "gatherCandidates").contains("result"));
    QVERIFY(invoke(player, "play").contains("result"));

    // Trickle: each candidate to the other endpoint of its pair, while waiting for the media.
    QDeadlineTimer deadline(20000);
    qint64 relayed = -1;
    while (!deadline.hasExpired() && relayed <= 0) {
      for (int i = 0; i < c->messages.size();) {
        const QJsonObject v = c->messages[i].value("params").toObject().value("value").toObject();
        const int from = static_cast<int>(e.indexOf(v.value("object").toString()));
        if (c->messages[i].value("method") != "onEvent" || v.value("type") != "IceCandidateFound" || from < 0) {
          ++i;
          continue;
        }
        c->messages.removeAt(i);
        const QJsonObject r = invoke(e[from ^ 1], "addIceCandidate", {{"candidate", v.value("data").toObject().value("candidate")}});
        QVERIFY2(r.contains("result"), qPrintable(QJsonDocument(r).toJson()));
      }
      QCoreApplication::processEvents(QEventLoop::AllEvents, 50);
      relayed = engine.receivedBytes(e[2], "VIDEO");
    }
    QVERIFY2(relayed > 0, "E3 sends the video that E2 receives");
    const qint64 before = engine.receivedBytes(e[2], "VIDEO");
    QTRY_VERIFY_WITH_TIMEOUT(engine.receivedBytes(e[2], "VIDEO") > before + 1000, 10000);  // and keeps sending
    QTRY_VERIFY_WITH_TIMEOUT(engine.receivedBytes(e[2], "AUDIO") > 0, 10000);
    QTRY_VERIFY_WITH_TIMEOUT(engine.receivedBytes(e[0], "VIDEO") > 0, 10000);  // the junction counts too

    const QString relayCaps = engine.connectionCaps(e[1], e[2], "VIDEO");
    QVERIFY2(relayCaps.startsWith("application/x-rtp") && relayCaps.contains("VP8") && relayCaps.contains("clock-rate=(int)90000"),
             qPrintable(relayCaps));
    QVERIFY2(engine.connectionCaps(e[1], e[2], "AUDIO").contains("OPUS"), qPrintable(engine.connectionCaps(e[1], e[2], "AUDIO")));
    QVERIFY(engine.connectionCaps(e[0], e[2], "VIDEO").isEmpty());  // not its source
    const QString junctionCaps = engine.connectionCaps(player, e[0], "VIDEO");
    QVERIFY2(junctionCaps.startsWith("video/x-vp8"), qPrintable(junctionCaps));
    QVERIFY(call(engine, c, "release", {{"object", pipeline}}).contains("result"));
  }
};

QTEST_GUILESS_MAIN(TestStudioMeters)
#include "tst_studio_meters.moc"
