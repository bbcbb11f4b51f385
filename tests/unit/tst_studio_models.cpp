// The studio's C++ models against a real engine (same thread, real GStreamer): every canvas verb
// is checked against what the engine really holds, through the engine's own API.

#include "EdgeListModel.h"
#include "EngineClient.h"
#include "EventLogModel.h"
#include "GraphModel.h"
#include "GstPaletteModel.h"
#include "GstPropertyModel.h"
#include "InspectorModel.h"
#include "MediaTestUtil.h"
#include "NodeListModel.h"
#include "PaletteModel.h"
#include "ProjectFile.h"
#include "StudioTestUtil.h"
#include "Studio.h"
#include "TemplateLibrary.h"
#include "TestConnection.h"
#include "WireCaps.h"
#include "gst/IteratorPtr.h"
#include "gst/ScopedValue.h"
#include "core/ObjectRegistry.h"
#include "media/MediaElement.h"
#include "pipewright/engine/Engine.h"

#include <QDeadlineTimer>
#include <QDir>
#include <QJsonArray>
#include <QJsonDocument>
#include <QStandardPaths>
#include <QTemporaryDir>
#include <QScopeGuard>
#include <QSignalSpy>
#include <QTest>
#include <QUrl>

using namespace pw;
using namespace pw::studio;

class TestStudioModels : public QObject {
  Q_OBJECT

 private:
  QTemporaryDir dir_;
  std::unique_ptr<Engine> engine_;
  std::shared_ptr<TestConnection> probe_;  // a second client (administrator) that reads the engine's truth
  QString clip_;

  bool waitIdle(GraphModel& graph, EngineClient& client, int timeoutMs = 15000) {
    return waitGraphIdle(graph, client, timeoutMs);
  }
  QJsonValue value(const QString& object, const QString& op, const QJsonObject& params = {}) {
    QJsonObject p{{"object", object}, {"operation", op}};
    if (!params.isEmpty()) p.insert("operationParams", params);
    return call(*engine_, probe_, "invoke", p).value("result").toObject().value("value");
  }
  // The engine's view of a pipeline: element types and wires, independent of ids.
  QStringList snapshot(const QString& pipeline) {
    QStringList out;
    QHash<QString, QString> types;
    const QJsonArray children = value(pipeline, "getChildren").toArray();
    for (const auto& c : children) {
      const QString id = c.toString();
      types[id] = call(*engine_, probe_, "describe", {{"object", id}}).value("result").toObject().value("type").toString();
      out.append(types[id]);
    }
    for (const auto& c : children) {
      for (const auto& link : value(c.toString(), "getSinkConnections").toArray()) {
        const QJsonObject l = link.toObject();
        out.append(QStringLiteral("%1->%2:%3").arg(types.value(l["source"].toString()), types.value(l["sink"].toString()),
                                                   l["type"].toString()));
      }
    }
    out.sort();
    return out;
  }
  // A double property of the `factory` element inside the engine's element `objectId`.
  std::optional<double> elementDouble(const QString& objectId, const char* factory, const char* property) {
    auto element = std::dynamic_pointer_cast<MediaElement>(engine_->registry().find(objectId));
    if (!element) return std::nullopt;
    IteratorPtr it = IteratorPtr::adopt(gst_bin_iterate_recurse(element->bin()));
    ScopedValue item;
    while (gst_iterator_next(it.get(), item.get()) == GST_ITERATOR_OK) {
      auto* e = GST_ELEMENT(g_value_get_object(item.get()));
      GstElementFactory* f = gst_element_get_factory(e);
      if (f && g_str_equal(GST_OBJECT_NAME(f), factory)) {
        double value = 0;
        g_object_get(e, property, &value, nullptr);
        return value;
      }
      g_value_reset(item.get());
    }
    return std::nullopt;
  }
  // The row of `name` in a GstPropertyModel, as role name → value.
  static QVariantMap propertyRow(const GstPropertyModel& model, const QString& name) {
    for (int i = 0; i < model.rowCount(); ++i) {
      const QModelIndex index = model.index(i);
      if (model.data(index, GstPropertyModel::NameRole).toString() != name) continue;
      QVariantMap row;
      const auto roles = model.roleNames();
      for (auto r = roles.begin(); r != roles.end(); ++r) row.insert(QString::fromLatin1(r.value()), model.data(index, r.key()));
      return row;
    }
    return {};
  }

 private Q_SLOTS:
  void initTestCase() {
    QStandardPaths::setTestModeEnabled(true);
    QString error;
    QVERIFY2(initGStreamer(&error), qPrintable(error));
    clip_ = dir_.filePath("clip.webm");
    QVERIFY(runPipeline(QStringLiteral("videotestsrc num-buffers=60 ! video/x-raw,width=320,height=240,framerate=30/1 ! "
                                       "vp8enc deadline=1 ! webmmux ! filesink location=%1").arg(clip_)));
    Config config;
    config.mediaFolders = {dir_.path()};
    engine_ = std::make_unique<Engine>(config);
    probe_ = std::make_shared<TestConnection>(true);
  }
  void cleanupTestCase() {
    engine_->shutdown();
    engine_.reset();
  }

  void paletteComesFromTheSchema() {
    PaletteModel palette;
    const QStringList names = palette.allNames();
    for (const char* expected : {"PlayerEndpoint", "RecorderEndpoint", "WebRtcEndpoint", "RtpEndpoint", "GStreamerFilter",
                                 "FaceOverlayFilter", "ZBarFilter", "ChromaFilter", "Composite", "HubPort", "PassThrough"}) {
      QVERIFY2(names.contains(QLatin1String(expected)), expected);
    }
    QVERIFY(!names.contains("MediaPipeline"));
    QVERIFY(!names.contains("Endpoint"));  // abstract
    QCOMPARE(PaletteModel::categoryOf("Composite"), QString("Hubs"));
    QCOMPARE(PaletteModel::categoryOf("ZBarFilter"), QString("Filters"));
    palette.setFilter("record");
    QCOMPARE(palette.count(), 1);
    QCOMPARE(palette.data(palette.index(0), PaletteModel::NameRole).toString(), QString("RecorderEndpoint"));
    palette.setFilter("");
    QCOMPARE(palette.count(), names.size());
  }

  // The palette's GStreamer tab: the allow-list's installed elements, searchable, with the
  // administrator's additions.
  void gstPaletteListsTheAllowedElements() {
    GstPaletteModel palette({"fakesink"});
    QCOMPARE(palette.count(), 0);  // nothing read before the tab asks
    palette.load();
    QVERIFY(palette.loaded());
    const QStringList names = palette.allNames();
    QVERIFY(names.contains("videobalance"));
    QVERIFY(names.contains("fakesink"));  // the administrator allowed it
    QVERIFY(!names.contains("filesrc"));
    QCOMPARE(palette.count(), names.size());
    palette.setFilter("balance");
    QVERIFY(palette.count() >= 1);
    QStringList shown;
    for (int i = 0; i < palette.count(); ++i) shown << palette.data(palette.index(i), GstPaletteModel::NameRole).toString();
    QVERIFY2(shown.contains("videobalance"), qPrintable(shown.join(' ')));
    QVERIFY(!shown.contains("videoflip"));
    const int row = int(shown.indexOf("videobalance"));
    QCOMPARE(palette.data(palette.index(row), GstPaletteModel::CategoryRole).toString(), QString("Video"));
    QCOMPARE(GstPaletteModel::categoryOf("Filter/Effect/Audio"), QString("Audio"));
    QCOMPARE(GstPaletteModel::categoryOf("Sink"), QString("Other"));
  }

  // A GStreamer property set in the inspector rewrites the node's command, reaches the running
  // element, is one undo step, and a saved project rebuilds the element with it.
  void gstPropertyEditsTheCommand() {
    EngineClient client(*engine_);
    EventLogModel log;
    GraphModel graph(client, log);
    GstPropertyModel props(graph, client, log, {});
    graph.newPipeline();
    const QString key = graph.addElement("GStreamerFilter", 0, 0, {{"command", "videobalance"}});
    QVERIFY(waitIdle(graph, client));
    const QString objectId = graph.snapshot(key).objectId;
    QVERIFY(!objectId.isEmpty());
    props.setNodeKey(key);
    QCOMPARE(props.factory(), QString("videobalance"));
    QVariantMap brightness = propertyRow(props, "brightness");
    QCOMPARE(brightness.value("kind").toString(), QString("double"));
    QCOMPARE(brightness.value("minimum").toDouble(), -1.0);
    QCOMPARE(brightness.value("maximum").toDouble(), 1.0);
    QCOMPARE(brightness.value("value").toDouble(), 0.0);
    QCOMPARE(brightness.value("isSet").toBool(), false);

    // Out of range: refused, nothing to undo.
    const int steps = graph.undoStack().count();
    QVERIFY(props.setValue("brightness", 5.0).contains("between -1 and 1"));
    QVERIFY(!props.setValue("no-such", 1).isEmpty());
    QCOMPARE(graph.undoStack().count(), steps);

    QCOMPARE(props.setValue("brightness", 0.3), QString());
    QVERIFY(waitIdle(graph, client));
    QCOMPARE(graph.snapshot(key).constructorParams.value("command").toString(), QString("videobalance brightness=0.3"));
    QCOMPARE(props.command(), QString("videobalance brightness=0.3"));
    QCOMPARE(propertyRow(props, "brightness").value("value").toDouble(), 0.3);
    QVERIFY(propertyRow(props, "brightness").value("isSet").toBool());
    QTRY_COMPARE(elementDouble(objectId, "videobalance", "brightness").value_or(-9), 0.3);
    QCOMPARE(graph.undoStack().count(), steps + 1);
    QCOMPARE(graph.undoText(), QString("Set videobalance brightness"));
    // The inspector's command row shows the command the node has now.
    QString shownCommand;
    for (const QVariant& row : InspectorModel(graph, client, log).propertyRows(key)) {
      if (row.toMap().value("name") == "command") shownCommand = row.toMap().value("value").toString();
    }
    QCOMPARE(shownCommand, QString("videobalance brightness=0.3"));
    const QJsonObject project = ProjectFile(graph, client, log).toJson();

    graph.undo();
    QVERIFY(waitIdle(graph, client));
    QCOMPARE(graph.snapshot(key).constructorParams.value("command").toString(), QString("videobalance"));
    QTRY_COMPARE(elementDouble(objectId, "videobalance", "brightness").value_or(-9), 0.0);
    QCOMPARE(propertyRow(props, "brightness").value("isSet").toBool(), false);
    graph.redo();
    QVERIFY(waitIdle(graph, client));
    QTRY_COMPARE(elementDouble(objectId, "videobalance", "brightness").value_or(-9), 0.3);

    // The saved project carries the command: a new element is created with it.
    EngineClient client2(*engine_);
    GraphModel reopened(client2, log);
    QString error;
    QVERIFY2(ProjectFile(reopened, client2, log).load(project, &error), qPrintable(error));
    QVERIFY(waitIdle(reopened, client2));
    QCOMPARE(reopened.nodes()->count(), 1);
    const GraphNode copy = reopened.nodes()->nodes().first();
    QCOMPARE(copy.constructorParams.value("command").toString(), QString("videobalance brightness=0.3"));
    QCOMPARE(elementDouble(copy.objectId, "videobalance", "brightness").value_or(-9), 0.3);

    // Enums by nick; booleans; a node that is not a GStreamerFilter has no section.
    const QString flip = graph.addElement("GStreamerFilter", 300, 0, {{"command", "videoflip"}});
    QVERIFY(waitIdle(graph, client));
    props.setNodeKey(flip);
    QCOMPARE(propertyRow(props, "video-direction").value("kind").toString(), QString("enum"));
    QVERIFY(propertyRow(props, "video-direction").value("nicks").toStringList().contains("horiz"));
    QVERIFY(props.setValue("video-direction", "sideways").contains("one of"));
    QCOMPARE(props.setValue("video-direction", "horiz"), QString());
    QCOMPARE(props.setValue("qos", false), QString());
    QVERIFY(waitIdle(graph, client));
    QCOMPARE(props.command(), QString("videoflip video-direction=horiz qos=false"));
    QCOMPARE(log.lastError(), QString());
    const QString passThrough = graph.addElement("PassThrough", 600, 0);
    props.setNodeKey(passThrough);
    QCOMPARE(props.factory(), QString());
    QCOMPARE(props.count(), 0);
  }

  // A wire's caps: "not negotiated yet" before media, GStreamer's caps while it runs.
  void wireCapsFollowTheRunningPipeline() {
    EngineClient client(*engine_);
    EventLogModel log;
    GraphModel graph(client, log);
    WireCaps caps(client, *graph.nodes());
    graph.newPipeline();
    const QString player = graph.addElement("PlayerEndpoint", 0, 0, {{"uri", QUrl::fromLocalFile(clip_).toString()}});
    const QString filter = graph.addElement("GStreamerFilter", 300, 0, {{"command", "videobalance"}});
    QCOMPARE(graph.connectPorts(player, filter, "VIDEO"), QString());
    QVERIFY(waitIdle(graph, client));
    const QString edge = WireCaps::edgeId(player, filter, "VIDEO");
    caps.query(player, filter, "VIDEO");
    QTRY_COMPARE(caps.edge(), edge);
    QCOMPARE(caps.text(), QString("not negotiated yet"));
    graph.run();
    QDeadlineTimer deadline(10000);
    while (!caps.text().startsWith("video/x-raw") && !deadline.hasExpired()) {
      caps.query(player, filter, "VIDEO");
      QTest::qWait(100);
    }
    QVERIFY2(caps.text().startsWith("video/x-raw, format=I420, width=320, height=240"), qPrintable(caps.text()));
    QVERIFY2(caps.text().contains("framerate=30/1"), qPrintable(caps.text()));
    QVERIFY2(!caps.text().contains("multiview") && !caps.text().contains("(int)"), qPrintable(caps.text()));
    QCOMPARE(WireCaps::shortCaps("video/x-raw, format=(string)I420, width=(int)640, interlace-mode=(string)progressive, "
                                 "multiview-mode=(string)mono, multiview-flags=(GstVideoMultiviewFlagsSet)0:ffffffff:/right-view-first/"
                                 "left-flipped, framerate=(fraction)30/1"),
             QString("video/x-raw, format=I420, width=640, framerate=30/1"));
    // No such connection (the wire's other direction): nothing negotiated.
    caps.query(filter, player, "VIDEO");
    QTRY_COMPARE(caps.edge(), WireCaps::edgeId(filter, player, "VIDEO"));
    QCOMPARE(caps.text(), QString("not negotiated yet"));
    graph.stop();
    QVERIFY(waitIdle(graph, client));
  }

  void addConnectUndoRedoRoundTrip() {
    EngineClient client(*engine_);
    EventLogModel log;
    GraphModel graph(client, log);
    graph.newPipeline();
    const QString player = graph.addElement("PlayerEndpoint", 0, 0, {{"uri", QUrl::fromLocalFile(clip_).toString()}});
    const QString recorder = graph.addElement("RecorderEndpoint", 300, 0, {{"uri", QUrl::fromLocalFile(dir_.filePath("out.webm")).toString()}});
    QVERIFY(!player.isEmpty() && !recorder.isEmpty());
    QCOMPARE(graph.connectPorts(player, recorder, "ALL"), QString());
    QVERIFY(waitIdle(graph, client));
    const QString pipeline = graph.pipelineId();
    QVERIFY(!pipeline.isEmpty());
    const QStringList built = snapshot(pipeline);
    QCOMPARE(built, QStringList({"PlayerEndpoint", "PlayerEndpoint->RecorderEndpoint:AUDIO",
                                 "PlayerEndpoint->RecorderEndpoint:VIDEO", "RecorderEndpoint"}));
    QCOMPARE(graph.edges()->count(), 2);

    // Undo everything: the engine is empty; redo everything: the same engine state again.
    for (int i = 0; i < 3; ++i) graph.undo();
    QVERIFY(waitIdle(graph, client));
    QCOMPARE(snapshot(pipeline), QStringList());
    QCOMPARE(graph.nodes()->count(), 0);
    for (int i = 0; i < 3; ++i) graph.redo();
    QVERIFY(waitIdle(graph, client));
    QCOMPARE(snapshot(pipeline), built);
    QCOMPARE(graph.edges()->count(), 2);
    // Undo of the connect alone removes exactly the wires.
    graph.undo();
    QVERIFY(waitIdle(graph, client));
    QCOMPARE(snapshot(pipeline), QStringList({"PlayerEndpoint", "RecorderEndpoint"}));
    graph.redo();
    QVERIFY(waitIdle(graph, client));
    QCOMPARE(snapshot(pipeline), built);
  }

  void deleteUndoRecreatesWithPropertiesAndWires() {
    EngineClient client(*engine_);
    EventLogModel log;
    GraphModel graph(client, log);
    graph.newPipeline();
    const QString player = graph.addElement("PlayerEndpoint", 0, 0, {{"uri", QUrl::fromLocalFile(clip_).toString()}});
    const QString filter = graph.addElement("GStreamerFilter", 300, 0, {{"command", "videoflip video-direction=horiz"}});
    const QString recorder = graph.addElement("RecorderEndpoint", 600, 0, {{"uri", QUrl::fromLocalFile(dir_.filePath("d.webm")).toString()}});
    graph.connectPorts(player, filter, "VIDEO");
    graph.connectPorts(filter, recorder, "VIDEO");
    QVERIFY(waitIdle(graph, client));
    graph.setElementProperty(filter, "maxEncoderBitrate", 345000);
    QVERIFY(waitIdle(graph, client));
    const QString pipeline = graph.pipelineId();
    const QStringList before = snapshot(pipeline);
    QVERIFY(before.contains("GStreamerFilter->RecorderEndpoint:VIDEO"));
    const QString oldId = graph.snapshot(filter).objectId;

    graph.select(filter, "replace");
    graph.removeSelected();
    QVERIFY(waitIdle(graph, client));
    QCOMPARE(snapshot(pipeline), QStringList({"PlayerEndpoint", "RecorderEndpoint"}));
    QCOMPARE(graph.edges()->count(), 0);

    graph.undo();
    QVERIFY(waitIdle(graph, client));
    QCOMPARE(snapshot(pipeline), before);
    const QString newId = graph.snapshot(filter).objectId;
    QVERIFY(!newId.isEmpty() && newId != oldId);  // a new element, same node
    QCOMPARE(value(newId, "getMaxEncoderBitrate").toInt(), 345000);
    QCOMPARE(value(newId, "getCommand").toString(), QString("videoflip video-direction=horiz"));
  }

  void refusedWiresSayWhy() {
    EngineClient client(*engine_);
    EventLogModel log;
    GraphModel graph(client, log);
    graph.newPipeline();
    const QString player = graph.addElement("PlayerEndpoint", 0, 0, {{"uri", QUrl::fromLocalFile(clip_).toString()}});
    const QString recorder = graph.addElement("RecorderEndpoint", 300, 0, {{"uri", QUrl::fromLocalFile(dir_.filePath("r.webm")).toString()}});
    const QString hub = graph.addElement("Composite", 600, 0);
    QVERIFY(waitIdle(graph, client));
    QSignalSpy refused(&graph, &GraphModel::refused);
    QVERIFY(graph.connectPorts(recorder, player, "VIDEO").contains("has no outputs"));
    QVERIFY(graph.connectPorts(player, hub, "ALL").contains("HubPort"));
    QVERIFY(graph.connectPorts(player, recorder, "DATA").contains("DATA"));
    QCOMPARE(refused.count(), 3);
    QCOMPARE(graph.edges()->count(), 0);
    // Missing constructor parameters are refused before any call.
    QVERIFY(graph.addElement("PlayerEndpoint", 0, 0, {}).isEmpty());
    QVERIFY(refused.last().first().toString().contains("uri"));
    // A HubPort joins a hub on the canvas.
    const QString port = graph.addElement("HubPort", 600, 200, {{"hub", hub}});
    QVERIFY(!port.isEmpty());
    QCOMPARE(graph.connectPorts(player, port, "ALL"), QString());
    QVERIFY(waitIdle(graph, client));
    QCOMPARE(graph.edges()->count(), 2);
  }

  void projectSaveAndOpenRebuildsThePipeline() {
    EngineClient client(*engine_);
    EventLogModel log;
    GraphModel graph(client, log);
    ProjectFile project(graph, client, log);
    graph.newPipeline();
    const QString player = graph.addElement("PlayerEndpoint", 40, 60, {{"uri", QUrl::fromLocalFile(clip_).toString()}});
    const QString hub = graph.addElement("Composite", 600, 60);
    const QString port = graph.addElement("HubPort", 300, 60, {{"hub", hub}});
    graph.connectPorts(player, port, "ALL");
    QVERIFY(waitIdle(graph, client));
    const QStringList before = snapshot(graph.pipelineId());
    const QString file = dir_.filePath("p.pwproj");
    QCOMPARE(project.save(file), QString());
    QVERIFY(!graph.dirty());

    graph.newPipeline();
    QVERIFY(waitIdle(graph, client));
    QCOMPARE(graph.nodes()->count(), 0);
    QCOMPARE(project.open(file), QString());
    QVERIFY(waitIdle(graph, client));
    QCOMPARE(snapshot(graph.pipelineId()), before);
    QCOMPARE(graph.snapshot(player).position, QPointF(40, 60));
    QCOMPARE(graph.snapshot(port).hubKey, hub);
    QVERIFY(!graph.canUndo());

    // Bad files say what is wrong.
    QFile bad(dir_.filePath("bad.pwproj"));
    QVERIFY(bad.open(QIODevice::WriteOnly));
    bad.write("{\"format\":\"pipewright-project\",\"version\":99}");
    bad.close();
    QVERIFY(project.open(bad.fileName()).contains("version 99"));
    QVERIFY(project.open(dir_.filePath("missing.pwproj")).contains("Cannot open"));
  }

  void remotePipelinesAppearLive() {
    // A remote client (another session) builds a pipeline...
    auto remote = std::make_shared<TestConnection>();
    const QString pipeline = call(*engine_, remote, "create", {{"type", "MediaPipeline"}}).value("result").toObject().value("value").toString();
    auto create = [&](const QString& type, QJsonObject params) {
      params.insert("mediaPipeline", pipeline);
      return call(*engine_, remote, "create", {{"type", type}, {"constructorParams", params}}).value("result").toObject().value("value").toString();
    };
    const QString player = create("PlayerEndpoint", {{"uri", QUrl::fromLocalFile(clip_).toString()}});
    const QString pass = create("PassThrough", {});
    call(*engine_, remote, "invoke", {{"object", player}, {"operation", "connect"}, {"params", QJsonObject{}}, {"operationParams", QJsonObject{{"sink", pass}}}});

    // ...the studio opens it: nodes, wires, arranged left to right.
    EngineClient client(*engine_);
    EventLogModel log;
    GraphModel graph(client, log);
    graph.openPipeline(pipeline);
    QVERIFY(waitIdle(graph, client));
    QCOMPARE(graph.nodes()->count(), 2);
    // connect() without a type links AUDIO, VIDEO and DATA: the canvas shows what the engine holds.
    QCOMPARE(graph.edges()->count(), value(player, "getSinkConnections").toArray().size());
    QCOMPARE(graph.edges()->count(), 3);
    const QString playerKey = graph.keyOfType("PlayerEndpoint");
    const QString passKey = graph.keyOfType("PassThrough");
    QVERIFY(graph.snapshot(playerKey).remote);
    QVERIFY(graph.snapshot(playerKey).position.x() < graph.snapshot(passKey).position.x());

    // Live: what the remote client adds and removes shows up.
    const QString recorder = create("RecorderEndpoint", {{"uri", QUrl::fromLocalFile(dir_.filePath("remote.webm")).toString()}});
    call(*engine_, remote, "invoke", {{"object", pass}, {"operation", "connect"}, {"operationParams", QJsonObject{{"sink", recorder}, {"mediaType", "VIDEO"}}}});
    QTRY_COMPARE_WITH_TIMEOUT(graph.nodes()->count(), 3, 5000);
    QTRY_COMPARE_WITH_TIMEOUT(graph.edges()->count(), 4, 5000);
    call(*engine_, remote, "release", {{"object", pass}});
    QTRY_COMPARE_WITH_TIMEOUT(graph.nodes()->count(), 2, 5000);
    QTRY_COMPARE_WITH_TIMEOUT(graph.edges()->count(), 0, 5000);

    // And what the studio adds is visible to the remote client.
    graph.addElement("PassThrough", 0, 0);
    QVERIFY(waitIdle(graph, client));
    QCOMPARE(value(pipeline, "getChildren").toArray().size(), 3);

    // When the owner releases the pipeline the canvas empties and says why.
    call(*engine_, remote, "release", {{"object", pipeline}});
    QTRY_COMPARE_WITH_TIMEOUT(graph.pipelineId(), QString(), 5000);
    QCOMPARE(graph.nodes()->count(), 0);
  }

  // RemotePipelineFollower on the studio's own pipeline: another client's element created in it
  // appears (right of the others, its uri kept for saving), wires that client makes and removes
  // are drawn and taken away, its release is logged with the element's label, and elements of
  // another pipeline stay off the canvas.
  void followerKeepsTheCanvasInStepWithOtherClients() {
    QCOMPARE(EventLogModel::objectLabel("p/c182abcd_kurento.PlayerEndpoint"), QString("PlayerEndpoint c182"));
    QCOMPARE(EventLogModel::objectLabel("p/c182abcd", "PassThrough"), QString("PassThrough c182"));
    EngineClient client(*engine_);
    EventLogModel log;
    GraphModel graph(client, log);
    graph.newPipeline();
    const QString pass = graph.addElement("PassThrough", 0, 0);
    QVERIFY(waitIdle(graph, client));
    const QString pipeline = graph.pipelineId();
    const QString passId = graph.snapshot(pass).objectId;
    const QString uri = QUrl::fromLocalFile(clip_).toString();
    auto create = [&](const QString& type, QJsonObject params) {
      return call(*engine_, probe_, "create", {{"type", type}, {"constructorParams", params}}).value("result").toObject().value("value").toString();
    };
    const QString player = create("PlayerEndpoint", {{"mediaPipeline", pipeline}, {"uri", uri}});
    QVERIFY(!player.isEmpty());
    QTRY_COMPARE_WITH_TIMEOUT(graph.nodes()->count(), 2, 5000);
    QVERIFY(waitIdle(graph, client));
    const QString playerKey = graph.keyOfType("PlayerEndpoint");
    const GraphNode found = graph.snapshot(playerKey);
    QCOMPARE(found.objectId, player);
    QVERIFY(found.remote);
    QCOMPARE(found.state, QString("ready"));
    QVERIFY(found.position.x() > graph.snapshot(pass).position.x());
    QCOMPARE(found.constructorParams.value("uri").toString(), uri);

    value(player, "connect", {{"sink", passId}, {"mediaType", "VIDEO"}});
    QTRY_COMPARE_WITH_TIMEOUT(graph.edges()->count(), 1, 5000);
    QCOMPARE(graph.edgesInto(pass, "VIDEO").size(), 1);
    QCOMPARE(graph.edgesInto(pass, "VIDEO").first().sourceKey, playerKey);
    value(player, "disconnect", {{"sink", passId}, {"mediaType", "VIDEO"}});
    QTRY_COMPARE_WITH_TIMEOUT(graph.edges()->count(), 0, 5000);

    const QString other = call(*engine_, probe_, "create", {{"type", "MediaPipeline"}}).value("result").toObject().value("value").toString();
    create("PassThrough", {{"mediaPipeline", other}});
    QTest::qWait(300);
    QVERIFY(waitIdle(graph, client));
    QCOMPARE(graph.nodes()->count(), 2);

    call(*engine_, probe_, "release", {{"object", player}});
    QTRY_COMPARE_WITH_TIMEOUT(graph.nodes()->count(), 1, 5000);
    QCOMPARE(graph.snapshot(pass).objectId, passId);
    bool logged = false;
    for (const auto& e : log.entries()) {
      logged = logged || (e.source == EventLogModel::objectLabel(player, "PlayerEndpoint") && e.text == "released by another client");
    }
    QVERIFY(logged);
    call(*engine_, probe_, "release", {{"object", other}});
  }

  void newTwiceInARowStillBuilds() {
    // Regression: a second New while the first pipeline is still being created.
    EngineClient client(*engine_);
    EventLogModel log;
    GraphModel graph(client, log);
    graph.newPipeline();
    graph.newPipeline();
    const QString key = graph.addElement("PassThrough", 0, 0);
    QVERIFY(waitIdle(graph, client));
    QCOMPARE(graph.snapshot(key).state, QString("ready"));
    QCOMPARE(value(graph.pipelineId(), "getChildren").toArray().size(), 1);
  }

  void exportDotWritesTheRealGraph() {
    EngineClient client(*engine_);
    EventLogModel log;
    GraphModel graph(client, log);
    graph.newPipeline();
    graph.addElement("PassThrough", 0, 0);
    QVERIFY(waitIdle(graph, client));
    ProjectFile project(graph, client, log);
    QSignalSpy exported(&project, &ProjectFile::dotExported);
    const QString file = dir_.filePath("graph.dot");
    project.exportDot(QUrl::fromLocalFile(file).toString());
    QTRY_COMPARE_WITH_TIMEOUT(exported.count(), 1, 5000);
    QVERIFY(exported.first().at(1).toBool());
    QFile dot(file);
    QVERIFY(dot.open(QIODevice::ReadOnly));
    const QByteArray text = dot.readAll();
    QVERIFY(text.startsWith("digraph"));
    QVERIFY2(text.contains("GstBin") && text.contains("PassThrough-"), text.left(800).constData());  // the real GStreamer graph
  }

  // InspectorModel: rows from the schema (base classes first, structure hidden), values read
  // from the engine on refresh, methods invoked and their outcome reported.
  void inspectorReadsAndCallsTheEngine() {
    EngineClient client(*engine_);
    EventLogModel log;
    GraphModel graph(client, log);
    InspectorModel inspector(graph, client, log);
    graph.newPipeline();
    const QString player = graph.addElement("PlayerEndpoint", 0, 0, {{"uri", QUrl::fromLocalFile(clip_).toString()}});
    QVERIFY(waitIdle(graph, client));
    const QString objectId = graph.snapshot(player).objectId;
    QVERIFY(!objectId.isEmpty());

    QHash<QString, QVariantMap> rows;
    QStringList order;
    for (const QVariant& row : inspector.propertyRows(player)) {
      rows.insert(row.toMap().value("name").toString(), row.toMap());
      order.append(row.toMap().value("declaredBy").toString());
    }
    QCOMPARE(order.first(), QString("MediaObject"));
    QCOMPARE(order.last(), QString("PlayerEndpoint"));
    for (const char* hidden : {"mediaPipeline", "parent", "children", "elementGstreamerDot"}) QVERIFY2(!rows.contains(hidden), hidden);
    QCOMPARE(rows.value("uri").value("value").toString(), QUrl::fromLocalFile(clip_).toString());  // as the studio holds it
    QVERIFY(rows.value("name").value("writable").toBool());
    QStringList methods;
    for (const QVariant& m : inspector.methodRows(player)) methods.append(m.toMap().value("name").toString());
    QVERIFY(methods.contains("play") && methods.contains("stop"));
    QVERIFY(!methods.contains("connect") && !methods.contains("disconnect"));
    QCOMPARE(inspector.propertyRows("no-such-key"), QVariantList());

    // The drop form asks for required parameters only, never the pipeline.
    const QVariantList params = inspector.constructorParams("PlayerEndpoint");
    QCOMPARE(params.size(), 1);
    QCOMPARE(params.first().toMap().value("name").toString(), QString("uri"));
    QCOMPARE(inspector.constructorParams("HubPort").first().toMap().value("name").toString(), QString("hub"));
    QCOMPARE(inspector.constructorParams("PassThrough"), QVariantList());

    // A value changed by another client shows after refresh().
    value(objectId, "setName", {{"name", "renamed elsewhere"}});
    QSignalSpy changed(&inspector, &InspectorModel::valuesChanged);
    inspector.refresh(player);
    QTRY_COMPARE_WITH_TIMEOUT(changed.count(), 1, 5000);
    QCOMPARE(changed.first().first().toString(), player);
    QString shownName;
    for (const QVariant& row : inspector.propertyRows(player)) {
      if (row.toMap().value("name") == "name") shownName = row.toMap().value("value").toString();
    }
    QCOMPARE(shownName, QString("renamed elsewhere"));
    // An edit through the graph (one undo step) shows at once.
    changed.clear();
    graph.setElementProperty(player, "name", "cam");
    QCOMPARE(changed.count(), 1);
    QVERIFY(waitIdle(graph, client));
    QCOMPARE(value(objectId, "getName").toString(), QString("cam"));

    // Methods: the outcome is reported and logged; play() marks the player as playing.
    QSignalSpy finished(&inspector, &InspectorModel::methodFinished);
    inspector.callMethod("no-such-key", "play", {});
    QCOMPARE(finished.count(), 1);
    QCOMPARE(finished.first().at(2).toBool(), false);
    inspector.callMethod(player, "play", {});
    QTRY_COMPARE_WITH_TIMEOUT(finished.count(), 2, 5000);
    QCOMPARE(finished.at(1).at(1).toString(), QString("play"));
    QVERIFY(finished.at(1).at(2).toBool());
    QCOMPARE(graph.snapshot(player).playerState, QString("PLAYING"));
    inspector.callMethod(player, "stop", {});
    QTRY_COMPARE_WITH_TIMEOUT(finished.count(), 3, 5000);
    QVERIFY(finished.at(2).at(2).toBool());
    bool logged = false;
    for (const auto& e : log.entries()) logged = logged || (e.type == "play" && e.level == "info");
    QVERIFY(logged);
  }

  // ProjectFile: the JSON holds studio facts only; bad projects are refused before the canvas
  // changes; a loaded project is a new pipeline with the same keys and an empty, clean undo stack.
  void projectFileRefusesBadProjectsAndRoundTrips() {
    EngineClient client(*engine_);
    EventLogModel log;
    GraphModel graph(client, log);
    ProjectFile project(graph, client, log);
    QSignalSpy exported(&project, &ProjectFile::dotExported);
    project.exportDot(dir_.filePath("none.dot"));
    QCOMPARE(exported.count(), 1);  // nothing to export yet, said at once
    QCOMPARE(exported.first().at(1).toBool(), false);

    graph.newPipeline();
    const QString player = graph.addElement("PlayerEndpoint", 20, 40, {{"uri", QUrl::fromLocalFile(clip_).toString()}});
    const QString pass = graph.addElement("PassThrough", 300, 40);
    graph.connectPorts(player, pass, "VIDEO");
    graph.setElementProperty(pass, "name", "middle");
    QVERIFY(waitIdle(graph, client));
    const QString pipeline = graph.pipelineId();
    const QStringList before = snapshot(pipeline);

    const QJsonObject json = project.toJson();
    QCOMPARE(json.value("format").toString(), QString("pipewright-project"));
    QCOMPARE(json.value("version").toInt(), ProjectFile::kVersion);
    QCOMPARE(json.value("nodes").toArray().size(), 2);
    QCOMPARE(json.value("edges").toArray().size(), 1);
    const QByteArray text = QJsonDocument(json).toJson();
    QVERIFY2(!text.contains(pipeline.toUtf8()), text.constData());  // object ids are never saved
    QVERIFY(text.contains("\"middle\""));

    QString error;
    QJsonObject wrong = json;
    wrong.insert("format", "something-else");
    QVERIFY(!project.load(wrong, &error));
    QVERIFY2(error.contains("not a Pipewright project"), qPrintable(error));
    QJsonObject newer = json;
    newer.insert("version", ProjectFile::kVersion + 1);
    QVERIFY(!project.load(newer, &error));
    QVERIFY2(error.contains("not supported"), qPrintable(error));
    QJsonObject unknown = json;
    QJsonArray nodes = unknown.value("nodes").toArray();
    QJsonObject first = nodes.first().toObject();
    first.insert("type", "NoSuchElement");
    nodes.replace(0, first);
    unknown.insert("nodes", nodes);
    QVERIFY(!project.load(unknown, &error));
    QVERIFY2(error.contains("NoSuchElement"), qPrintable(error));
    QCOMPARE(graph.pipelineId(), pipeline);  // refused before anything changed
    QCOMPARE(graph.nodes()->count(), 2);
    QFile garbage(dir_.filePath("garbage.pwproj"));
    QVERIFY(garbage.open(QIODevice::WriteOnly));
    garbage.write("{not json");
    garbage.close();
    QVERIFY(project.open(garbage.fileName()).contains("not valid JSON"));

    QVERIFY(graph.dirty());
    QCOMPARE(project.save(QUrl::fromLocalFile(dir_.filePath("round.pwproj")).toString()), QString());
    QVERIFY(!graph.dirty());
    QVERIFY(project.load(json, &error));
    QVERIFY(waitIdle(graph, client));
    QVERIFY(graph.pipelineId() != pipeline);
    QCOMPARE(snapshot(graph.pipelineId()), before);
    QCOMPARE(graph.snapshot(pass).type, QString("PassThrough"));  // same keys
    QCOMPARE(graph.snapshot(player).position, QPointF(20, 40));
    QCOMPARE(value(graph.snapshot(pass).objectId, "getName").toString(), QString("middle"));
    QVERIFY(!graph.canUndo() && !graph.dirty());
    project.exportDot(dir_.filePath("round.dot"));
    QTRY_COMPARE_WITH_TIMEOUT(exported.count(), 2, 5000);
    QVERIFY(exported.at(1).at(1).toBool());
  }

  void autosaveIsRecoveredAfterACrash() {
    const QString media = dir_.filePath("studio-media");
    QDir().mkpath(media);
    const QString autosave = Studio::autosavePathFor();
    QFile::remove(autosave);  // before the Studio: an old one would wait for a decision
    {
      // A session that ends without the user deciding about its unsaved work (a crash after the
      // last autosave, or a SIGTERM): the autosave stays.
      Studio studio(*engine_, media);
      studio.graph()->newPipeline();
      studio.graph()->addElement("PassThrough", 120, 80);
      QVERIFY(waitIdle(*studio.graph(), studio.client()));
      studio.autosaveNow();
      QVERIFY(QFile::exists(autosave));
      QVERIFY(studio.unsavedWork());
      QVERIFY(!studio.mayClose());
    }
    QVERIFY2(QFile::exists(autosave), "unsaved work that nobody discarded stays in the autosave");
    Studio next(*engine_, media);
    QVERIFY(next.hasRecovery());
    next.recover();
    QVERIFY(waitIdle(*next.graph(), next.client()));
    QCOMPARE(next.graph()->nodes()->count(), 1);
    QCOMPARE(next.graph()->nodes()->nodes().first().position, QPointF(120, 80));
    QVERIFY(!next.graph()->nodes()->nodes().first().objectId.isEmpty());
    QVERIFY(!next.hasRecovery());
    QVERIFY(!QFile::exists(autosave));
  }

  // Templates are data (resources/templates/*.json): each one loads, builds its nodes and wires
  // in the engine, runs and stops without an element error; a user file of the same name
  // replaces a built-in one.
  void everyTemplateBuildsAndRuns() {
    const QString media = dir_.filePath("studio-media");
    QDir().mkpath(media);
    QStringList problems;
    const QList<TemplateLibrary::Template> templates = TemplateLibrary::load(&problems);
    QVERIFY2(problems.isEmpty(), qPrintable(problems.join(u'\n')));
    QVERIFY(templates.size() >= 4);
    Studio studio(*engine_, media);
    for (const TemplateLibrary::Template& t : templates) {
      QSignalSpy applied(&studio, &Studio::templateApplied);
      studio.applyTemplate(t.name);
      QTRY_COMPARE_WITH_TIMEOUT(applied.count(), 1, 60000);  // the sample clip is written once, first
      QVERIFY(waitIdle(*studio.graph(), studio.client()));
      QCOMPARE(studio.graph()->nodes()->count(), static_cast<int>(t.fragment.nodes.size()));
      // Each wire is there (an "ALL" one as one wire per media type both ends have).
      QVERIFY(studio.graph()->edges()->count() >= static_cast<int>(t.fragment.edges.size()));
      for (const GraphNode& n : studio.graph()->nodes()->nodes()) QVERIFY2(!n.objectId.isEmpty(), qPrintable(t.name + ": " + n.type + ": " + n.error));
      studio.graph()->run();
      QVERIFY(waitIdle(*studio.graph(), studio.client()));
      QTest::qWait(500);
      studio.graph()->stop();
      QVERIFY(waitIdle(*studio.graph(), studio.client(), 30000));
      for (const GraphNode& n : studio.graph()->nodes()->nodes()) {
        QVERIFY2(n.state == u"ready", qPrintable(t.name + ": " + n.type + " is " + n.state + ": " + n.error));
      }
    }
    // The user's own file replaces the built-in one of that name.
    QDir().mkpath(TemplateLibrary::userFolder());
    QFile mine(QDir(TemplateLibrary::userFolder()).filePath("mine.json"));
    QVERIFY(mine.open(QIODevice::WriteOnly));
    mine.write(R"({"format": "pipewright-template", "name": "player-recorder", "title": "Mine",
                   "nodes": [{"key": "p", "type": "PassThrough", "x": 0, "y": 0}], "edges": []})");
    mine.close();
    auto cleanup = qScopeGuard([&] { mine.remove(); });
    const std::optional<TemplateLibrary::Template> replaced = TemplateLibrary::find("player-recorder");
    QVERIFY(replaced);
    QCOMPARE(replaced->title, QStringLiteral("Mine"));
    QCOMPARE(TemplateLibrary::load().size(), templates.size());
  }

  // The autosave goes only with a save or an explicit Discard.
  void autosaveIsDeletedBySaveOrDiscard() {
    const QString media = dir_.filePath("studio-media");
    QDir().mkpath(media);
    const QString autosave = Studio::autosavePathFor();
    QFile::remove(autosave);
    Studio studio(*engine_, media);
    studio.graph()->newPipeline();
    studio.graph()->addElement("PassThrough", 120, 80);
    QVERIFY(waitIdle(*studio.graph(), studio.client()));
    studio.autosaveNow();
    QVERIFY(QFile::exists(autosave));
    QCOMPARE(studio.saveProject(dir_.filePath("saved.pwproj")), QString());
    QVERIFY(!QFile::exists(autosave));
    QVERIFY(studio.mayClose());
    studio.graph()->addElement("PassThrough", 320, 80);
    QVERIFY(waitIdle(*studio.graph(), studio.client()));
    studio.autosaveNow();
    QVERIFY(QFile::exists(autosave));
    QVERIFY(!studio.mayClose());
    studio.discardAndQuit();
    QVERIFY(!QFile::exists(autosave));
    QVERIFY(studio.mayClose());
  }

  void moveIsOneUndoStepAndSnaps() {
    EngineClient client(*engine_);
    EventLogModel log;
    GraphModel graph(client, log);
    graph.newPipeline();
    const QString a = graph.addElement("PassThrough", 0, 0);
    const QString b = graph.addElement("PassThrough", 0, 200);
    QVERIFY(waitIdle(graph, client));
    graph.selectAll();
    const int steps = graph.undoStack().count();
    graph.beginMove(a);
    for (int i = 1; i <= 10; ++i) graph.moveTo(a, i * 10.3, i * 5.1);
    graph.endMove();
    QCOMPARE(graph.undoStack().count(), steps + 1);
    QCOMPARE(graph.snapshot(a).position, QPointF(100, 60));  // snapped to the 20 px grid
    QCOMPARE(graph.snapshot(b).position, QPointF(100, 260));
    graph.undo();
    QCOMPARE(graph.snapshot(a).position, QPointF(0, 0));
    QCOMPARE(graph.snapshot(b).position, QPointF(0, 200));
    // Rubber band: Ctrl toggles, Shift adds.
    graph.clearSelection();
    graph.selectInRect(-10, -10, 50, 50, "replace");
    QCOMPARE(graph.selectedKeys(), QStringList({a}));
    graph.selectInRect(-10, 190, 50, 50, "add");
    QCOMPARE(graph.selectionCount(), 2);
    graph.selectInRect(-10, -10, 50, 50, "toggle");
    QCOMPARE(graph.selectedKeys(), QStringList({b}));
  }

  // A recorder whose file fails while it runs (here a filter changes the frame rate, which a WebM
  // track cannot take): its node turns red with the engine's message, REC stops, the log line is
  // a sentence (not JSON), and the next Run starts without the old error.
  void elementErrorShowsOnTheNode() {
    const QString longClip = dir_.filePath("clip6.webm");
    QVERIFY(runPipeline(QStringLiteral("videotestsrc num-buffers=180 ! video/x-raw,width=320,height=240,framerate=30/1 ! "
                                       "vp8enc deadline=1 ! webmmux ! filesink location=%1").arg(longClip)));
    EngineClient client(*engine_);
    EventLogModel log;
    GraphModel graph(client, log);
    graph.newPipeline();
    const QString player = graph.addElement("PlayerEndpoint", 0, 0, {{"uri", QUrl::fromLocalFile(longClip).toString()}});
    const QString filter = graph.addElement("GStreamerFilter", 300, 0, {{"command", "videorate ! capsfilter caps=video/x-raw,framerate=30/1"}});
    const QString recorder = graph.addElement("RecorderEndpoint", 600, 0,
                                              {{"uri", QUrl::fromLocalFile(dir_.filePath("fails.webm")).toString()},
                                               {"mediaProfile", "WEBM_VIDEO_ONLY"}});
    QCOMPARE(graph.connectPorts(player, filter, "VIDEO"), QString());
    QCOMPARE(graph.connectPorts(filter, recorder, "VIDEO"), QString());
    QVERIFY(waitIdle(graph, client));
    graph.run();
    QTRY_COMPARE_WITH_TIMEOUT(graph.snapshot(recorder).recordState, QString("RECORDING"), 15000);
    QTest::qWait(1000);
    InspectorModel inspector(graph, client, log);
    inspector.callMethod(filter, "setElementProperty", {{"propertyName", "caps"}, {"propertyValue", "video/x-raw,framerate=15/1"}});
    QTRY_COMPARE_WITH_TIMEOUT(graph.snapshot(recorder).state, QString("failed"), 10000);
    const GraphNode failed = graph.snapshot(recorder);
    QVERIFY2(failed.error.contains("Caps changes are not supported by Matroska"), qPrintable(failed.error));
    QVERIFY2(failed.recordState != "RECORDING", qPrintable(failed.recordState));
    QCOMPARE(graph.snapshot(player).state, QString("ready"));  // only the element that failed
    QCOMPARE(graph.nodes()->data(graph.nodes()->index(graph.nodes()->indexOf(recorder)), NodeListModel::StateRole).toString(),
             QString("failed"));
    bool logged = false;
    for (const auto& e : log.entries()) {
      if (e.type == "Error" && e.level == "error") {
        logged = true;
        QVERIFY2(!e.text.startsWith('{') && e.text.contains("Caps changes are not supported"), qPrintable(e.text));
      }
    }
    QVERIFY(logged);
    graph.stop();
    QVERIFY(waitIdle(graph, client, 30000));
    graph.run();
    QCOMPARE(graph.snapshot(recorder).state, QString("ready"));
    QCOMPARE(graph.snapshot(recorder).error, QString());
    QTRY_COMPARE_WITH_TIMEOUT(graph.snapshot(recorder).recordState, QString("RECORDING"), 15000);
    graph.stop();
    QVERIFY(waitIdle(graph, client, 30000));
  }

  // The model's rules for recorder events, whatever server sends them (a Kurento server raises
  // no Stopped after an Error): Error ends REC, PAUSED keeps the time recorded, Recording after a
  // pause goes on counting from there.
  void recorderStatesFollowEvents() {
    EngineClient client(*engine_);
    EventLogModel log;
    GraphModel graph(client, log);
    graph.newPipeline();
    const QString recorder = graph.addElement("RecorderEndpoint", 0, 0, {{"uri", QUrl::fromLocalFile(dir_.filePath("events.webm")).toString()}});
    QVERIFY(waitIdle(graph, client));
    const QString id = graph.snapshot(recorder).objectId;
    QVERIFY(!id.isEmpty());
    Q_EMIT client.eventReceived("Recording", id, {});
    QCOMPARE(graph.snapshot(recorder).recordState, QString("RECORDING"));
    const qint64 since = graph.snapshot(recorder).recordingSinceMs;
    QTest::qWait(300);
    Q_EMIT client.eventReceived("Paused", id, {});
    QCOMPARE(graph.snapshot(recorder).recordState, QString("PAUSED"));
    QVERIFY(graph.snapshot(recorder).pausedAtMs - since >= 300);
    QTest::qWait(400);
    Q_EMIT client.eventReceived("Recording", id, {});
    QCOMPARE(graph.snapshot(recorder).recordState, QString("RECORDING"));
    QVERIFY2(graph.snapshot(recorder).recordingSinceMs - since >= 400, "the paused time is not counted");
    Q_EMIT client.eventReceived("Error", id, {{"type", "RESOURCE_ERROR_WRITE"}, {"description", "No space left"}, {"errorCode", 3}});
    QCOMPARE(graph.snapshot(recorder).recordState, QString("FAILED"));
    QCOMPARE(graph.snapshot(recorder).state, QString("failed"));
    QCOMPARE(graph.snapshot(recorder).error, QString("No space left — RESOURCE_ERROR_WRITE, code 3"));
    Q_EMIT client.eventReceived("Stopped", id, {});
    QCOMPARE(graph.snapshot(recorder).recordState, QString("FAILED"));
  }

  // TRANSCODING means decoding and encoding now: it goes when Stop stops the media, although the
  // branch stays while the wire does. A released element's late events and its release are
  // logged with its class and short id, never with the raw object id.
  void transcodingEndsWithStopAndReleasesAreReadable() {
    EngineClient client(*engine_);
    EventLogModel log;
    GraphModel graph(client, log);
    graph.newPipeline();
    const QString player = graph.addElement("PlayerEndpoint", 0, 0, {{"uri", QUrl::fromLocalFile(clip_).toString()}});
    const QString recorder = graph.addElement("RecorderEndpoint", 300, 0, {{"uri", QUrl::fromLocalFile(dir_.filePath("tc.webm")).toString()}});
    QCOMPARE(graph.connectPorts(player, recorder, "ALL"), QString());
    QVERIFY(waitIdle(graph, client));
    auto transcoding = [&]() {
      return graph.nodes()->data(graph.nodes()->index(graph.nodes()->indexOf(player)), NodeListModel::TranscodingRole).toBool();
    };
    graph.run();
    QTRY_VERIFY_WITH_TIMEOUT(transcoding(), 10000);
    graph.stop();
    QVERIFY(waitIdle(graph, client, 30000));
    QTRY_VERIFY_WITH_TIMEOUT(!transcoding(), 5000);
    QVERIFY2(!graph.snapshot(player).transcodingBins.isEmpty(), "the branch is still there: the badge follows the media");
    graph.run();
    QTRY_VERIFY_WITH_TIMEOUT(transcoding(), 10000);
    graph.removeNodes({player});
    QVERIFY(waitIdle(graph, client));
    QTest::qWait(1500);  // late events of the released player
    graph.stop();
    QVERIFY(waitIdle(graph, client, 30000));
    bool released = false;
    for (const auto& e : log.entries()) {
      QVERIFY2(!e.source.contains("_kurento"), qPrintable(e.source + " " + e.type));
      if (e.type == "Released" && e.source.startsWith("PlayerEndpoint ")) released = true;
    }
    QVERIFY(released);
  }
};

QTEST_GUILESS_MAIN(TestStudioModels)
#include "tst_studio_models.moc"
