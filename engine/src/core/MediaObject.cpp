#include "MediaObject.h"

#include "SessionManager.h"
#include "pipewright/engine/Engine.h"
#include "pipewright/engine/KurentoError.h"
#include "pipewright/engine/Schema.h"
#include "pipewright/engine/Log.h"

#include <QDateTime>

namespace pw {

MediaObject::MediaObject(Engine& engine, QString type, QString id, std::shared_ptr<MediaObject> parent)
    : engine_(engine),
      type_(std::move(type)),
      id_(std::move(id)),
      parent_(parent),
      name_(id_),
      creationTime_(QDateTime::currentSecsSinceEpoch()) {}

MediaObject::~MediaObject() = default;

QString MediaObject::pipelineId() const {
  auto p = parent();
  if (!p) return type_ == u"MediaPipeline" ? id_ : QString();
  return p->pipelineId();
}

void MediaObject::addTag(const QString& key, const QString& value) {
  for (auto& t : tags_) {
    if (t.first == key) {
      t.second = value;
      return;
    }
  }
  tags_.append({key, value});
}

void MediaObject::removeTag(const QString& key) {
  tags_.removeIf([&](const auto& t) { return t.first == key; });
}

QString MediaObject::tag(const QString& key) const {
  for (const auto& t : tags_) {
    if (t.first == key) return t.second;
  }
  throw KurentoException(ErrorCode::MediaObjectTagKeyNotFound, QStringLiteral("Tag key '%1' not found").arg(key));
}

QJsonArray MediaObject::tagsJson() const {
  QJsonArray out;
  for (const auto& t : tags_) {
    out.append(Schema::complex(QStringLiteral("Tag"),
                               QJsonObject{{QStringLiteral("key"), t.first}, {QStringLiteral("value"), t.second}}));
  }
  return out;
}

void MediaObject::raise(const QString& eventType, QJsonObject fields, const QString& audience) {
  fields.insert(QStringLiteral("source"), id_);
  if (!fields.contains(u"type")) fields.insert(QStringLiteral("type"), eventType);
  fields.insert(QStringLiteral("timestampMillis"), QString::number(QDateTime::currentMSecsSinceEpoch()));
  fields.insert(QStringLiteral("tags"), sendTagsInEvents_ ? tagsJson() : QJsonArray());
  engine_.sessions().deliverEvent(id_, eventType, fields, audience);
}

void MediaObject::raiseError(const QString& kind, const QString& description, int errorCode) {
  // Every element error (an Error event) logs one line, with the element and its session.
  qCWarning(log::categoryFor(type()), "%s error %s: %s", qUtf8Printable(log::subject(ownerSession(), id())),
            qUtf8Printable(log::clip(kind)), qUtf8Printable(log::clip(description, 400)));
  raise(QStringLiteral("Error"), QJsonObject{{QStringLiteral("type"), kind},
                                              {QStringLiteral("description"), description},
                                              {QStringLiteral("errorCode"), errorCode}});
}

}  // namespace pw
