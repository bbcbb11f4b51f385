#include "ServerManager.h"

#include "Bindings.h"
#include "ObjectRegistry.h"
#include "SessionManager.h"
#include "pipewright/engine/Engine.h"
#include "pipewright/engine/Schema.h"

#include <QDateTime>
#include <QElapsedTimer>
#include <QFile>
#include <QJsonArray>
#include <QThread>
#include <QTimer>

#include <ctime>

namespace pw {

ServerManager::ServerManager(Engine& engine)
    : MediaObject(engine, QStringLiteral("ServerManager"), QStringLiteral("manager_ServerManager"), nullptr) {}

QJsonObject ServerManager::info() const {
  const Schema& schema = engine().schema();
  QJsonArray modules;
  const QString generated = QDateTime::fromMSecsSinceEpoch(engine().startTimeMs()).toString(Qt::ISODate);
  for (const auto& m : schema.modules()) {
    modules.append(Schema::complex(QStringLiteral("ModuleInfo"),
                                   QJsonObject{{QStringLiteral("name"), m.name},
                                               {QStringLiteral("version"), m.version},
                                               {QStringLiteral("generationTime"), generated},
                                               {QStringLiteral("factories"), QJsonArray::fromStringList(m.factories)}}));
  }
  return Schema::complex(QStringLiteral("ServerInfo"),
                         QJsonObject{{QStringLiteral("version"), QStringLiteral(PIPEWRIGHT_KURENTO_VERSION)},
                                     {QStringLiteral("type"), QStringLiteral("KMS")},
                                     {QStringLiteral("capabilities"), QJsonArray{QStringLiteral("transactions")}},
                                     {QStringLiteral("modules"), modules}});
}

qint64 ServerManager::usedMemoryKiB() {
  QFile f(QStringLiteral("/proc/self/status"));
  if (!f.open(QIODevice::ReadOnly)) return 0;
  for (const QByteArray& line : f.readAll().split('\n')) {
    if (line.startsWith("VmRSS:")) return line.mid(6).trimmed().split(' ').value(0).toLongLong();
  }
  return 0;
}

qint64 ServerManager::processCpuMs() {
  timespec ts{};
  clock_gettime(CLOCK_PROCESS_CPUTIME_ID, &ts);
  return static_cast<qint64>(ts.tv_sec) * 1000 + ts.tv_nsec / 1000000;
}

void bindServerManager(Bindings& b) {
  const QString c = QStringLiteral("ServerManager");
  b.add(c, QStringLiteral("getInfo"), [](Invocation& call) { return call.as<ServerManager>().info(); });
  // Other sessions' pipelines and ids stay hidden unless the caller is an administrator.
  b.add(c, QStringLiteral("getPipelines"), [](Invocation& call) {
    ObjectRegistry& registry = call.engine().registry();
    QStringList ids = registry.idsOfType(QStringLiteral("MediaPipeline"));
    ids.removeIf([&](const QString& id) { return !registry.findFor(id, call.caller()); });
    return QJsonValue(QJsonArray::fromStringList(ids));
  });
  b.add(c, QStringLiteral("getSessions"), [](Invocation& call) {
    if (call.caller().administrator) return QJsonValue(QJsonArray::fromStringList(call.engine().sessions().sessionIds()));
    return QJsonValue(QJsonArray{call.sessionId()});
  });
  b.add(c, QStringLiteral("getMetadata"), [](Invocation& call) { return QJsonValue(call.engine().config().metadata); });
  b.add(c, QStringLiteral("getKmd"), [](Invocation& call) {
    const SchemaModule* m = call.engine().schema().findModule(call.string(QStringLiteral("moduleName")));
    if (!m) {
      throw KurentoException(ErrorCode::ServerManagerErrorKmdNotFound,
                             QStringLiteral("Module '%1' not found").arg(call.string(QStringLiteral("moduleName"))));
    }
    return QJsonValue(QString::fromUtf8(m->text));
  });
  b.add(c, QStringLiteral("getCpuCount"), [](Invocation&) { return QJsonValue(QThread::idealThreadCount()); });
  b.add(c, QStringLiteral("getUsedMemory"), [](Invocation&) { return QJsonValue(ServerManager::usedMemoryKiB()); });
  b.add(c, QStringLiteral("getUsedCpu"), [](Invocation& call) {
    // Sampled over `interval` ms without blocking the engine thread.
    const qint64 intervalMs = std::clamp<qint64>(call.integer(QStringLiteral("interval")), 10, 10000);
    auto reply = call.defer();
    const qint64 cpuStart = ServerManager::processCpuMs();
    auto wall = std::make_shared<QElapsedTimer>();
    wall->start();
    QTimer::singleShot(intervalMs, &call.engine(), [reply, cpuStart, wall]() {
      const double elapsed = std::max<qint64>(1, wall->elapsed());
      const double cpus = std::max(1, QThread::idealThreadCount());
      reply->resolve(100.0 * (ServerManager::processCpuMs() - cpuStart) / elapsed / cpus);
    });
    return QJsonValue();
  });
}

}  // namespace pw
