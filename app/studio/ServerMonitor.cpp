#include "ServerMonitor.h"

#include <QDesktopServices>
#include <QHostAddress>
#include <QUrl>

#include "EngineClient.h"
#include "pipewright/engine/Schema.h"

#include <QJsonArray>

#include <algorithm>
#include <memory>

namespace pw::studio {

namespace {
const QString kManager = QStringLiteral("manager_ServerManager");

// A hub's HubPorts are its children, not the pipeline's: the class from the id ("…_kurento.Composite").
bool isHub(const QString& objectId) {
  const QString own = objectId.section(u'/', -1);
  const qsizetype dot = own.lastIndexOf(QLatin1String("_kurento."));
  return dot >= 0 && pw::Schema::builtin().isA(own.mid(dot + 9), QStringLiteral("Hub"));
}
}  // namespace

ServerMonitor::ServerMonitor(EngineClient& client, QObject* parent) : QObject(parent), client_(client) {
  timer_.setInterval(2000);
  connect(&timer_, &QTimer::timeout, this, &ServerMonitor::refresh);
  timer_.start();
  QTimer::singleShot(0, this, &ServerMonitor::refresh);
}

void ServerMonitor::setListenUrl(const QString& url) {
  listenUrl_ = url;
  Q_EMIT changed();
}

void ServerMonitor::setListenNote(const QString& note) {
  listenNote_ = note;
  Q_EMIT changed();
}

QString ServerMonitor::tutorialsUrl() const {
  QUrl url(listenUrl_);
  if (!url.isValid() || url.host().isEmpty()) return {};
  url.setScheme(url.scheme() == u"wss" ? QStringLiteral("https") : QStringLiteral("http"));
  const QHostAddress host(url.host());
  if (host == QHostAddress::AnyIPv4) url.setHost(QStringLiteral("127.0.0.1"));
  else if (host == QHostAddress::AnyIPv6 || host == QHostAddress::Any) url.setHost(QStringLiteral("::1"));
  url.setPath(QStringLiteral("/"));
  url.setQuery(QString());
  return url.toString();
}

bool ServerMonitor::openTutorials() const {
  const QString url = tutorialsUrl();
  return !url.isEmpty() && QDesktopServices::openUrl(QUrl(url));
}

void ServerMonitor::setClients(int count) {
  clients_ = count;
  Q_EMIT changed();
}

void ServerMonitor::setPipelines(QVariantList rows) {
  // Replies arrive in any order: rows are kept in pipeline-id order so that equal lists compare equal.
  std::sort(rows.begin(), rows.end(), [](const QVariant& a, const QVariant& b) {
    return a.toMap().value(QStringLiteral("id")).toString() < b.toMap().value(QStringLiteral("id")).toString();
  });
  if (rows == pipelines_) return;
  pipelines_ = std::move(rows);
  Q_EMIT pipelinesChanged();
}

void ServerMonitor::refresh() {
  if (refreshing_) return;
  refreshing_ = true;
  client_.invoke(kManager, QStringLiteral("getSessions"), {}, [this](const EngineClient::Reply& r) {
    if (r.ok()) {
      sessions_.clear();
      for (const QJsonValue& v : r.value.toArray()) sessions_.append(v.toString());
    }
  });
  client_.invoke(kManager, QStringLiteral("getUsedMemory"), {}, [this](const EngineClient::Reply& r) {
    if (r.ok()) memoryMiB_ = r.value.toDouble() / 1024.0;
  });
  client_.invoke(kManager, QStringLiteral("getUsedCpu"), {{QStringLiteral("interval"), 500}}, [this](const EngineClient::Reply& r) {
    if (r.ok()) cpuPercent_ = r.value.toDouble();
    Q_EMIT changed();
  });
  client_.invoke(kManager, QStringLiteral("getPipelines"), {}, [this](const EngineClient::Reply& r) {
    if (!r.ok()) {
      refreshing_ = false;
      return;
    }
    const QJsonArray ids = r.value.toArray();
    auto rows = std::make_shared<QVariantList>();
    auto remaining = std::make_shared<int>(static_cast<int>(ids.size()));
    if (ids.isEmpty()) {
      setPipelines({});
      refreshing_ = false;
      return;
    }
    for (const QJsonValue& v : ids) {
      const QString id = v.toString();
      client_.invoke(id, QStringLiteral("getName"), {}, [this, id, rows, remaining](const EngineClient::Reply& name) {
        client_.invoke(id, QStringLiteral("getChildren"), {}, [this, id, name, rows, remaining](const EngineClient::Reply& kids) {
          // Every element of the pipeline, the HubPorts inside its hubs included (the canvas shows them all).
          auto count = std::make_shared<qsizetype>(kids.ok() ? kids.value.toArray().size() : 0);
          auto waiting = std::make_shared<int>(1);
          auto finish = [this, id, name, rows, remaining, count, waiting]() {
            if (--*waiting > 0) return;
            rows->append(QVariantMap{{QStringLiteral("id"), id},
                                     {QStringLiteral("name"), name.ok() ? name.value.toString() : id},
                                     {QStringLiteral("elements"), *count}});
            if (--*remaining == 0) {
              setPipelines(std::move(*rows));
              refreshing_ = false;
            }
          };
          for (const QJsonValue& kid : kids.value.toArray()) {
            if (!isHub(kid.toString())) continue;
            ++*waiting;
            client_.invoke(kid.toString(), QStringLiteral("getChildren"), {}, [count, finish](const EngineClient::Reply& ports) {
              if (ports.ok()) *count += ports.value.toArray().size();
              finish();
            });
          }
          finish();
        });
      });
    }
  });
}

}  // namespace pw::studio
