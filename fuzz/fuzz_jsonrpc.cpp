// libFuzzer target: one WebSocket text frame of a client, handed to a live pw::Engine through
// Engine::handleMessage by an in-process Connection (what the WebSocket transport does).
//
// One engine serves the whole run. Before each input the harness makes sure its connection's
// session has a MediaPipeline; "@pipeline@" in the input becomes that pipeline's id and "@last@"
// the id of the last object a request created, so that mutations reach invoke/connect/release
// of real objects and not just "object not found". After each input the Qt event loop runs
// briefly (answers of deferred operations, GStreamer bus messages). Every kEpochInputs inputs,
// or when the session holds many objects, the session is closed with its objects released and
// a new connection starts, so memory stays bounded over millions of inputs.
//
// Fuzzed requests name arbitrary hosts (player URIs, RTP peers, ICE candidates): the target
// refuses to run outside a private network namespace (FuzzSupport.h; the ctest uses unshare -n).

#include "FuzzSupport.h"
#include "core/ObjectRegistry.h"
#include "core/SessionManager.h"
#include "pipewright/engine/Config.h"
#include "pipewright/engine/Connection.h"
#include "pipewright/engine/Engine.h"

#include <QCoreApplication>
#include <QJsonDocument>
#include <QJsonObject>
#include <QTemporaryDir>

#include <cstdint>
#include <memory>

namespace {

constexpr int kEpochInputs = 500;
constexpr int kMaxSessionObjects = 64;

class FuzzConnection : public pw::Connection {
 public:
  void sendMessage(const QByteArray& json) override {
    ++messages;
    // Remember created objects (answers whose value is an object id).
    if (json.size() > 4096 || !json.contains("_kurento.")) return;
    const QJsonObject reply = QJsonDocument::fromJson(json).object();
    const QString value = reply.value(u"result").toObject().value(u"value").toString();
    if (value.contains(u"_kurento.")) {
      lastObject = value;
      ++created;
    }
  }
  QString peer() const override { return QStringLiteral("fuzz"); }

  QString lastObject;
  int created = 0;
  qint64 messages = 0;
};

struct Harness {
  QTemporaryDir media;
  std::unique_ptr<pw::Engine> engine;
  std::shared_ptr<FuzzConnection> connection;
  QString pipeline;
  int inputs = 0;

  void send(const QByteArray& text) {
    engine->handleMessage(connection, text);
    for (int i = 0; i < 3; ++i) QCoreApplication::processEvents(QEventLoop::AllEvents);
  }

  // A new connection and session with a fresh pipeline; the old session's objects are released.
  void newEpoch() {
    if (connection) {
      const QString session = engine->sessions().boundSession(connection.get());
      if (!session.isEmpty()) engine->sessions().closeSession(session, true);
      engine->connectionClosed(connection);
    }
    for (const QString& id : engine->sessions().sessionIds()) engine->sessions().closeSession(id, true);
    QCoreApplication::processEvents(QEventLoop::AllEvents);
    connection = std::make_shared<FuzzConnection>();
    send(R"({"jsonrpc":"2.0","id":0,"method":"create","params":{"type":"MediaPipeline"}})");
    pipeline = connection->lastObject;
    connection->created = 0;
    inputs = 0;
  }
};

Harness* harness = nullptr;

}  // namespace

extern "C" int LLVMFuzzerInitialize(int*, char***) {
  pw::fuzz::requireLoopbackOnlyNetwork("fuzz_jsonrpc");
  pw::fuzz::quietLogs();
  static int argc = 1;
  static char name[] = "fuzz_jsonrpc";
  static char* argv[] = {name, nullptr};
  static QCoreApplication app(argc, argv);
  pw::fuzz::initGStreamerOrDie();
  harness = new Harness;  // lives for the whole run (libFuzzer exits without unwinding)
  pw::Config config;
  config.mediaFolders = {harness->media.path()};
  config.iceLocalAddresses = {QStringLiteral("127.0.0.1")};
  config.garbageCollectorPeriodSec = 3600;
  harness->engine = std::make_unique<pw::Engine>(config);
  harness->newEpoch();
  return 0;
}

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  if (size > 65536) return -1;
  Harness& h = *harness;
  if (++h.inputs > kEpochInputs || h.connection->created > kMaxSessionObjects ||
      !h.engine->registry().contains(h.pipeline)) {
    h.newEpoch();
  }
  QByteArray text(reinterpret_cast<const char*>(data), static_cast<qsizetype>(size));
  text.replace("@pipeline@", h.pipeline.toUtf8());
  text.replace("@last@", (h.connection->lastObject.isEmpty() ? h.pipeline : h.connection->lastObject).toUtf8());
  h.send(text);
  return 0;
}
