#pragma once

// Every live remote object by id (spec §4), with parent/child cascade on release.

#include <QHash>
#include <QString>
#include <QStringList>

#include "Caller.h"

#include <memory>

namespace pw {

class Engine;
class MediaObject;

class ObjectRegistry {
 public:
  explicit ObjectRegistry(Engine& engine) : engine_(engine) {}

  // New ids: "<uuid>_kurento.MediaPipeline" or "<parentId>/<uuid>_kurento.<Type>".
  static QString makeId(const QString& type, const QString& parentId);
  static QString newUuid();

  void add(const std::shared_ptr<MediaObject>& object);
  std::shared_ptr<MediaObject> find(const QString& id) const;
  // The object as `caller` may see it: another session's objects do not exist for it
  // (Kurento's "object not found"), unless the caller is an administrator.
  std::shared_ptr<MediaObject> findFor(const QString& id, const Caller& caller) const;
  static bool visibleTo(const MediaObject& object, const Caller& caller);
  bool contains(const QString& id) const { return objects_.contains(id); }
  int size() const { return static_cast<int>(objects_.size()); }
  QStringList idsOfType(const QString& type) const;
  // How many live objects there are of each MediaObject::resourceClass() (one pass).
  QHash<QString, int> countByResourceClass() const;

  // Releases the object and all its descendants (children first). Returns released ids.
  QStringList release(const QString& id);
  // Releases everything; pipelines first.
  void releaseAll();

 private:
  Engine& engine_;
  QHash<QString, std::shared_ptr<MediaObject>> objects_;
};

}  // namespace pw
