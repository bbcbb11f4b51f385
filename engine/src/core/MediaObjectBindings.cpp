// Handlers of the MediaObject members every remote object shares.

#include "Bindings.h"
#include "MediaObject.h"
#include "ObjectRegistry.h"
#include "pipewright/engine/Engine.h"

#include <QJsonArray>

namespace pw {

void bindMediaObject(Bindings& b) {
  const QString c = QStringLiteral("MediaObject");
  b.add(c, QStringLiteral("getId"), [](Invocation& call) { return QJsonValue(call.object().id()); });
  b.add(c, QStringLiteral("getName"), [](Invocation& call) { return QJsonValue(call.object().name()); });
  b.add(c, QStringLiteral("setName"), [](Invocation& call) {
    call.object().setName(call.string(QStringLiteral("name")));
    return QJsonValue();
  });
  b.add(c, QStringLiteral("getSendTagsInEvents"),
        [](Invocation& call) { return QJsonValue(call.object().sendTagsInEvents()); });
  b.add(c, QStringLiteral("setSendTagsInEvents"), [](Invocation& call) {
    call.object().setSendTagsInEvents(call.boolean(QStringLiteral("sendTagsInEvents")));
    return QJsonValue();
  });
  b.add(c, QStringLiteral("getCreationTime"),
        [](Invocation& call) { return QJsonValue(static_cast<qint64>(call.object().creationTime())); });
  b.add(c, QStringLiteral("getParent"), [](Invocation& call) {
    auto p = call.object().parent();
    return p ? QJsonValue(p->id()) : QJsonValue(QJsonValue::Null);
  });
  b.add(c, QStringLiteral("getMediaPipeline"), [](Invocation& call) {
    const QString id = call.object().pipelineId();
    return id.isEmpty() ? QJsonValue(QJsonValue::Null) : QJsonValue(id);
  });
  b.add(c, QStringLiteral("getChildren"),
        [](Invocation& call) { return QJsonValue(QJsonArray::fromStringList(call.object().childIds())); });
  b.add(c, QStringLiteral("addTag"), [](Invocation& call) {
    const QString key = call.string(QStringLiteral("key"));
    call.object().addTag(key, call.string(QStringLiteral("value")));
    if (key == QLatin1String(Engine::kOpenInStudioTag) && !call.object().pipelineId().isEmpty()) {
      Q_EMIT call.engine().openInStudioRequested(call.object().pipelineId());
    }
    return QJsonValue();
  });
  b.add(c, QStringLiteral("removeTag"), [](Invocation& call) {
    call.object().removeTag(call.string(QStringLiteral("key")));
    return QJsonValue();
  });
  b.add(c, QStringLiteral("getTag"),
        [](Invocation& call) { return QJsonValue(call.object().tag(call.string(QStringLiteral("key")))); });
  b.add(c, QStringLiteral("getTags"), [](Invocation& call) { return QJsonValue(call.object().tagsJson()); });
}

}  // namespace pw
