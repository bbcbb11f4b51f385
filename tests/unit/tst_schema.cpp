// The schema and the C++ bindings must agree (design §1): every operation of every creatable
// class has a handler, and every handler answers an operation the schema declares.

#include "TestConnection.h"
#include "core/Bindings.h"
#include "core/Invocation.h"
#include "pipewright/engine/Schema.h"

#include <QJsonArray>
#include <QTest>

#include <limits>
#include <stdexcept>

using namespace pw;

class TestSchema : public QObject {
  Q_OBJECT

 private Q_SLOTS:
  void modulesLoad() {
    const Schema& s = Schema::builtin();
    QStringList names;
    for (const auto& m : s.modules()) names.append(m.name);
    QCOMPARE(names, QStringList({"core", "elements", "filters", "chroma"}));
    QVERIFY(s.findModule("core")->factories.contains("MediaPipeline"));
    QVERIFY(s.findModule("elements")->factories.contains("WebRtcEndpoint"));
    QVERIFY(s.findModule("filters")->factories.contains("GStreamerFilter"));
    QVERIFY(s.findModule("chroma")->factories.contains("ChromaFilter"));
  }

  void hierarchyMatchesSpec_data() {
    QTest::addColumn<QString>("type");
    QTest::addColumn<QStringList>("ancestors");
    QTest::newRow("pipeline") << "MediaPipeline" << QStringList{"MediaObject"};
    QTest::newRow("manager") << "ServerManager" << QStringList{"MediaObject"};
    QTest::newRow("composite") << "Composite" << QStringList{"Hub", "MediaObject"};
    QTest::newRow("hubport") << "HubPort" << QStringList{"MediaElement", "MediaObject"};
    QTest::newRow("filter") << "GStreamerFilter" << QStringList{"Filter", "MediaElement", "MediaObject"};
    QTest::newRow("player") << "PlayerEndpoint" << QStringList{"UriEndpoint", "Endpoint", "MediaElement", "MediaObject"};
    QTest::newRow("webrtc") << "WebRtcEndpoint"
                            << QStringList{"BaseRtpEndpoint", "SdpEndpoint", "SessionEndpoint", "Endpoint",
                                           "MediaElement", "MediaObject"};
  }
  void hierarchyMatchesSpec() {
    QFETCH(QString, type);
    QFETCH(QStringList, ancestors);
    QCOMPARE(Schema::builtin().ancestors(type), ancestors);
  }

  void accessorsDerivedFromProperties() {
    const Schema& s = Schema::builtin();
    QVERIFY(s.findOperation("WebRtcEndpoint", "getICECandidatePairs"));
    QVERIFY(s.findOperation("WebRtcEndpoint", "setStunServerAddress"));
    QVERIFY(s.findOperation("PlayerEndpoint", "setPosition"));
    QVERIFY(!s.findOperation("PlayerEndpoint", "setUri"));  // final: getter only
    QVERIFY(!s.findOperation("ServerManager", "setInfo"));  // read-only
    QVERIFY(!s.findOperation("MediaPipeline", "noSuchThing"));
  }

  void everyCreatableClassIsFullyBound() {
    const Schema& s = Schema::builtin();
    const Bindings& b = Bindings::builtin();
    QStringList missing;
    for (const QString& cls : b.factoryClasses()) {
      QVERIFY2(s.findClass(cls), qPrintable("factory for a class the schema lacks: " + cls));
      for (const auto& op : s.operations(cls)) {
        if (!b.handler(cls, op.name)) missing.append(cls + "." + op.name);
      }
    }
    // ServerManager is not creatable but is a live object: bind all of it too.
    for (const auto& op : s.operations("ServerManager")) {
      if (!b.handler("ServerManager", op.name)) missing.append("ServerManager." + op.name);
    }
    QVERIFY2(missing.isEmpty(), qPrintable("operations without a handler: " + missing.join(", ")));
  }

  void everyHandlerIsInTheSchema() {
    const Schema& s = Schema::builtin();
    QStringList unknown;
    for (const QString& entry : Bindings::builtin().boundOperations()) {
      const QString cls = entry.section('.', 0, 0);
      const QString op = entry.section('.', 1);
      const auto found = s.findOperation(cls, op);
      if (!found) unknown.append(entry);
    }
    QVERIFY2(unknown.isEmpty(), qPrintable("handlers the schema does not declare: " + unknown.join(", ")));
  }

  void valueChecking() {
    const Schema& s = Schema::builtin();
    QCOMPARE(s.checkValue("int", 5.0, "x").toInteger(), 5);
    QVERIFY_THROWS_EXCEPTION(KurentoException, s.checkValue("int", 5.5, "x"));
    // fuzz_schema: an int64 beyond qint64 is refused (it was converted with undefined behaviour).
    QCOMPARE(s.checkValue("int64", -9223372036854775808.0, "x").toInteger(), std::numeric_limits<qint64>::min());
    QVERIFY_THROWS_EXCEPTION(KurentoException, s.checkValue("int64", 6.66667e24, "x"));
    QVERIFY_THROWS_EXCEPTION(KurentoException, s.checkValue("int64", 9223372036854775808.0, "x"));
    QVERIFY_THROWS_EXCEPTION(KurentoException, s.checkValue("int64[]", QJsonArray{1, -1e300}, "x"));
    QVERIFY_THROWS_EXCEPTION(KurentoException, s.checkValue("String", 3, "x"));
    QVERIFY_THROWS_EXCEPTION(KurentoException, s.checkValue("MediaType", "video", "x"));  // case-sensitive
    QCOMPARE(s.checkValue("MediaType", "VIDEO", "x").toString(), QString("VIDEO"));
    QCOMPARE(s.checkValue("float", 0, "x").toDouble(), 0.0);  // integers accepted for floats
    const auto cand = s.checkValue("IceCandidate", QJsonObject{{"candidate", "candidate:1 1 UDP 1 1.2.3.4 5 typ host"},
                                                               {"sdpMid", "0"}, {"sdpMLineIndex", 0}}, "candidate");
    QCOMPARE(cand.toObject().value("__type__").toString(), QString("IceCandidate"));
    try {
      s.checkParams(s.findClass("PlayerEndpoint")->constructorParams, QJsonObject{{"mediaPipeline", "p"}, {"uri", 42}});
      QFAIL("a number for 'uri' was accepted");
    } catch (const KurentoException& e) {
      QCOMPARE(e.error().code, ErrorCode::MarshallError);
      QVERIFY(e.error().message.contains("'uri'"));
    }
  }

  // Every request gets exactly one answer. A request still waiting when the engine stops
  // (getUsedCpu's timer here) is answered then, once, with 40003; its timer, destroyed with the
  // engine, adds nothing and does not touch the destroyed engine (the asan tree's rpc test once
  // found that).
  void pendingRequestAnsweredOnceWhenEngineStops() {
    auto c = std::make_shared<TestConnection>();
    auto engine = std::make_unique<pw::Engine>(pw::Config{});
    engine->handleMessage(c, R"({"jsonrpc":"2.0","id":1,"method":"invoke","params":{"object":"manager_ServerManager",)"
                             R"("operation":"getUsedCpu","operationParams":{"interval":10}}})");
    QVERIFY(c->messages.isEmpty());  // deferred: the timer has not run
    engine.reset();
    QTest::qWait(50);
    QCOMPARE(c->messages.size(), 1);
    const QJsonObject answer = c->messages.first();
    QCOMPARE(answer.value("id").toInt(), 1);
    QCOMPARE(answer.value("error").toObject().value("code").toInt(), 40003);
    QVERIFY(answer.value("error").toObject().value("message").toString().contains("stopping"));
  }

  // ... and answered by whoever comes first: abandonPendingRequests() answers what is still
  // waiting, a later resolve is not sent, a finished request is not answered again.
  void abandonedRequestIsNotAnsweredTwice() {
    pw::Engine engine{pw::Config{}};
    int answers = 0;
    auto waiting = std::make_shared<DeferredReply>(engine, [&](const QJsonValue&, const KurentoError*) { ++answers; });
    auto finished = std::make_shared<DeferredReply>(engine, [&](const QJsonValue&, const KurentoError*) { ++answers; });
    engine.trackPendingRequest(waiting);
    engine.trackPendingRequest(finished);
    finished->resolve();
    QCOMPARE(answers, 1);
    QCOMPARE(engine.abandonPendingRequests(), 1);
    QCOMPARE(answers, 2);
    waiting->resolve();
    waiting.reset();
    QCOMPARE(answers, 2);
    QCOMPARE(engine.abandonPendingRequests(), 0);
  }

  // A posted task that throws (Engine::customEvent catches it) drops the reply it carried: the
  // reply answers 40003 from its destructor, once.
  void throwingTaskAnswersOnce() {
    pw::Engine engine{pw::Config{}};
    int answers = 0;
    int code = 0;
    {
      auto reply = std::make_shared<DeferredReply>(engine, [&](const QJsonValue&, const KurentoError* error) {
        ++answers;
        code = error ? static_cast<int>(error->code) : 0;
      });
      engine.post([reply]() { throw std::runtime_error("the task failed"); });
    }
    QCOMPARE(answers, 0);
    QCoreApplication::sendPostedEvents(&engine);
    QCOMPARE(answers, 1);
    QCOMPARE(code, 40003);
    QTest::qWait(20);
    QCOMPARE(answers, 1);
  }
};

QTEST_GUILESS_MAIN(TestSchema)
#include "tst_schema.moc"
