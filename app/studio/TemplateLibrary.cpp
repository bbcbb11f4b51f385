#include "TemplateLibrary.h"

#include <QDir>
#include <QFile>
#include <QJsonArray>
#include <QJsonDocument>
#include <QStandardPaths>

#include <algorithm>

namespace pw::studio {

namespace {

constexpr auto kSample = "${sample}";
constexpr auto kRecording = "${recording}";

QJsonObject replacePlaceholders(const QJsonObject& params, const QString& sampleUri, const QString& recordingUri) {
  QJsonObject out = params;
  for (auto it = out.begin(); it != out.end(); ++it) {
    if (!it.value().isString()) continue;
    QString text = it.value().toString();
    text.replace(QLatin1String(kSample), sampleUri).replace(QLatin1String(kRecording), recordingUri);
    it.value() = text;
  }
  return out;
}

void loadFolder(const QString& folder, QList<TemplateLibrary::Template>& into, QStringList* problems) {
  const QDir dir(folder);
  for (const QFileInfo& info : dir.entryInfoList({QStringLiteral("*.json")}, QDir::Files | QDir::Readable, QDir::Name)) {
    QFile file(info.filePath());
    QString error;
    std::optional<TemplateLibrary::Template> tpl;
    if (file.open(QIODevice::ReadOnly)) tpl = TemplateLibrary::parse(file.read(1024 * 1024), info.filePath(), &error);
    else error = file.errorString();
    if (!tpl) {
      if (problems) problems->append(QStringLiteral("%1: %2").arg(info.filePath(), error));
      continue;
    }
    into.removeIf([&](const TemplateLibrary::Template& t) { return t.name == tpl->name; });
    into.append(*tpl);
  }
}

}  // namespace

std::optional<TemplateLibrary::Template> TemplateLibrary::parse(const QByteArray& json, const QString& file, QString* error) {
  QJsonParseError parseError;
  const QJsonDocument doc = QJsonDocument::fromJson(json, &parseError);
  if (!doc.isObject()) {
    *error = QStringLiteral("not valid JSON (%1)").arg(parseError.errorString());
    return std::nullopt;
  }
  const QJsonObject o = doc.object();
  if (o.value(u"format").toString() != u"pipewright-template") {
    *error = QStringLiteral("not a template (no \"format\": \"pipewright-template\")");
    return std::nullopt;
  }
  Template t;
  t.name = o.value(u"name").toString();
  t.title = o.value(u"title").toString(t.name);
  t.description = o.value(u"description").toString();
  t.order = o.value(u"order").toInt(1000);
  t.file = file;
  for (const QJsonValue& v : o.value(u"nodes").toArray()) {
    const GraphNode n = GraphFragment::nodeFromJson(v.toObject());
    if (n.key.isEmpty() || n.type.isEmpty()) {
      *error = QStringLiteral("a node without \"key\" or \"type\"");
      return std::nullopt;
    }
    for (const QJsonValue& p : n.constructorParams) t.needsSample = t.needsSample || p.toString().contains(QLatin1String(kSample));
    t.fragment.nodes.append(n);
  }
  for (const QJsonValue& v : o.value(u"edges").toArray()) t.fragment.edges.append(GraphFragment::edgeFromJson(v.toObject()));
  if (t.name.isEmpty() || t.fragment.nodes.isEmpty()) {
    *error = QStringLiteral("a template needs a \"name\" and at least one node");
    return std::nullopt;
  }
  return t;
}

QString TemplateLibrary::userFolder() {
  return QDir(QStandardPaths::writableLocation(QStandardPaths::GenericDataLocation)).filePath(QStringLiteral("pipewright/templates"));
}

QList<TemplateLibrary::Template> TemplateLibrary::load(QStringList* problems) {
  QList<Template> templates;
  loadFolder(QStringLiteral(":/pipewright/templates"), templates, problems);
  loadFolder(userFolder(), templates, problems);
  std::sort(templates.begin(), templates.end(), [](const Template& a, const Template& b) {
    return a.order != b.order ? a.order < b.order : a.name < b.name;
  });
  return templates;
}

std::optional<TemplateLibrary::Template> TemplateLibrary::find(const QString& name) {
  for (const Template& t : load()) {
    if (t.name == name) return t;
  }
  return std::nullopt;
}

GraphFragment TemplateLibrary::instantiate(const Template& tpl, const QString& sampleUri, const QString& recordingUri) {
  GraphFragment f = tpl.fragment;
  for (GraphNode& n : f.nodes) n.constructorParams = replacePlaceholders(n.constructorParams, sampleUri, recordingUri);
  return f;
}

}  // namespace pw::studio
