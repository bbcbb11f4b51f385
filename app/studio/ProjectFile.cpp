#include "ProjectFile.h"

#include "EngineClient.h"
#include "EventLogModel.h"
#include "GraphFragment.h"
#include "GraphModel.h"
#include "pipewright/engine/Schema.h"

#include <QDateTime>
#include <QFile>
#include <QJsonArray>
#include <QJsonDocument>
#include <QSaveFile>
#include <QUrl>

namespace pw::studio {

namespace {
QString localPath(const QString& pathOrUrl) {
  const QUrl url(pathOrUrl);
  return url.isLocalFile() ? url.toLocalFile() : pathOrUrl;
}
}  // namespace

ProjectFile::ProjectFile(GraphModel& graph, EngineClient& client, EventLogModel& log, QObject* parent)
    : QObject(parent), graph_(graph), client_(client), log_(log) {}

QJsonObject ProjectFile::toJson() const {
  QJsonArray nodes;
  for (const GraphNode& n : graph_.nodes()->nodes()) nodes.append(GraphFragment::nodeToJson(n));
  QJsonArray edges;
  for (const GraphEdge& e : graph_.edges()->edges()) edges.append(GraphFragment::edgeToJson(e));
  return {{QStringLiteral("format"), QStringLiteral("pipewright-project")},
          {QStringLiteral("version"), kVersion},
          {QStringLiteral("savedAt"), QDateTime::currentDateTimeUtc().toString(Qt::ISODate)},
          {QStringLiteral("nodes"), nodes},
          {QStringLiteral("edges"), edges}};
}

bool ProjectFile::load(const QJsonObject& project, QString* error) {
  if (project.value(u"format").toString() != u"pipewright-project") {
    *error = QStringLiteral("This is not a Pipewright project (no \"format\": \"pipewright-project\")");
    return false;
  }
  const int version = project.value(u"version").toInt();
  if (version < 1 || version > kVersion) {
    *error = QStringLiteral("Project version %1 is not supported by this Pipewright (it reads version 1 to %2); "
                            "update Pipewright to open it")
                 .arg(version)
                 .arg(kVersion);
    return false;
  }
  QList<GraphNode> nodes;
  for (const QJsonValue& v : project.value(u"nodes").toArray()) {
    const GraphNode n = GraphFragment::nodeFromJson(v.toObject());
    const SchemaClass* cls = Schema::builtin().findClass(n.type);
    if (n.key.isEmpty() || !cls || cls->isAbstract) {
      *error = QStringLiteral("The project has an element of unknown type '%1'").arg(n.type);
      return false;
    }
    nodes.append(n);
  }
  graph_.newPipeline();
  for (const GraphNode& n : GraphFragment::hubsFirst(nodes)) graph_.insertNode(n);
  for (const QJsonValue& v : project.value(u"edges").toArray()) graph_.connectEdge(GraphFragment::edgeFromJson(v.toObject()));
  graph_.undoStack().clear();
  graph_.undoStack().setClean();
  return true;
}

QString ProjectFile::save(const QString& pathOrUrl) {
  const QString path = localPath(pathOrUrl);
  QSaveFile file(path);
  if (!file.open(QIODevice::WriteOnly)) return QStringLiteral("Cannot write %1: %2").arg(path, file.errorString());
  file.write(QJsonDocument(toJson()).toJson(QJsonDocument::Indented));
  if (!file.commit()) return QStringLiteral("Cannot write %1: %2").arg(path, file.errorString());
  graph_.undoStack().setClean();
  log_.add(QStringLiteral("info"), QStringLiteral("studio"), QStringLiteral("Project"), QStringLiteral("Saved %1").arg(path));
  return {};
}

QString ProjectFile::open(const QString& pathOrUrl) {
  const QString path = localPath(pathOrUrl);
  QFile file(path);
  if (!file.open(QIODevice::ReadOnly)) return QStringLiteral("Cannot open %1: %2").arg(path, file.errorString());
  QJsonParseError parseError;
  const QJsonDocument doc = QJsonDocument::fromJson(file.readAll(), &parseError);
  if (!doc.isObject()) {
    return QStringLiteral("%1 is not valid JSON (%2 at byte %3)").arg(path, parseError.errorString()).arg(parseError.offset);
  }
  QString error;
  if (!load(doc.object(), &error)) return error;
  log_.add(QStringLiteral("info"), QStringLiteral("studio"), QStringLiteral("Project"), QStringLiteral("Opened %1").arg(path));
  return {};
}

void ProjectFile::exportDot(const QString& pathOrUrl) {
  const QString path = localPath(pathOrUrl);
  const QString pipelineId = graph_.pipelineId();
  if (pipelineId.isEmpty()) {
    Q_EMIT dotExported(path, false, QStringLiteral("There is no pipeline to export yet"));
    return;
  }
  client_.invoke(pipelineId, QStringLiteral("getGstreamerDot"), {}, [this, path](const EngineClient::Reply& r) {
    if (!r.ok()) {
      Q_EMIT dotExported(path, false, r.errorMessage);
      return;
    }
    QSaveFile file(path);
    const bool ok = file.open(QIODevice::WriteOnly) && file.write(r.value.toString().toUtf8()) >= 0 && file.commit();
    Q_EMIT dotExported(path, ok, ok ? QString() : file.errorString());
  });
}

}  // namespace pw::studio
