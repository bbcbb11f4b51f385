#include "ObjectRegistry.h"

#include "MediaObject.h"
#include "SessionManager.h"
#include "pipewright/engine/Engine.h"

#include <QUuid>

namespace pw {

QString ObjectRegistry::newUuid() { return QUuid::createUuid().toString(QUuid::WithoutBraces); }

QString ObjectRegistry::makeId(const QString& type, const QString& parentId) {
  const QString own = newUuid() + QStringLiteral("_kurento.") + type;
  return parentId.isEmpty() ? own : parentId + u'/' + own;
}

void ObjectRegistry::add(const std::shared_ptr<MediaObject>& object) {
  objects_.insert(object->id(), object);
  if (auto p = object->parent()) p->addChild(object->id());
  try {
    object->onRegistered();
  } catch (...) {
    release(object->id());  // no half-registered object stays behind
    throw;
  }
}

std::shared_ptr<MediaObject> ObjectRegistry::find(const QString& id) const {
  auto it = objects_.constFind(id);
  return it == objects_.constEnd() ? nullptr : it.value();
}

bool ObjectRegistry::visibleTo(const MediaObject& object, const Caller& caller) {
  return caller.administrator || object.ownerSession().isEmpty() || object.ownerSession() == caller.sessionId;
}

std::shared_ptr<MediaObject> ObjectRegistry::findFor(const QString& id, const Caller& caller) const {
  auto object = find(id);
  return object && visibleTo(*object, caller) ? object : nullptr;
}

QStringList ObjectRegistry::idsOfType(const QString& type) const {
  QStringList out;
  for (auto it = objects_.begin(); it != objects_.end(); ++it) {
    if (it.value()->type() == type) out.append(it.key());
  }
  out.sort();
  return out;
}

QHash<QString, int> ObjectRegistry::countByResourceClass() const {
  QHash<QString, int> out;
  for (auto it = objects_.begin(); it != objects_.end(); ++it) ++out[it.value()->resourceClass()];
  return out;
}

QStringList ObjectRegistry::release(const QString& id) {
  QStringList released;
  auto obj = find(id);
  if (!obj) return released;
  // Children first: a hub's ports before the hub, a pipeline's elements before the pipeline.
  const QStringList children = obj->childIds();
  for (const auto& child : children) released += release(child);
  obj->onRelease();
  objects_.remove(id);
  if (auto p = obj->parent()) p->removeChild(id);
  engine_.sessions().objectReleased(id);
  if (auto manager = find(QStringLiteral("manager_ServerManager"))) {
    manager->raise(QStringLiteral("ObjectDestroyed"), QJsonObject{{QStringLiteral("objectId"), id}}, obj->ownerSession());
  }
  released.append(id);
  return released;
}

void ObjectRegistry::releaseAll() {
  for (const auto& id : idsOfType(QStringLiteral("MediaPipeline"))) release(id);
  // Anything left (the ServerManager) just goes.
  for (auto& o : objects_) o->onRelease();
  objects_.clear();
}

}  // namespace pw
