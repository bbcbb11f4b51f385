#pragma once

// Base of every remote object (spec §4 ids, api-surface MediaObject members).

#include <QJsonArray>
#include <QJsonObject>
#include <QList>
#include <QPair>
#include <QString>
#include <QStringList>

#include <memory>

namespace pw {

class Engine;

class MediaObject : public std::enable_shared_from_this<MediaObject> {
 public:
  MediaObject(Engine& engine, QString type, QString id, std::shared_ptr<MediaObject> parent);
  virtual ~MediaObject();
  MediaObject(const MediaObject&) = delete;
  MediaObject& operator=(const MediaObject&) = delete;

  Engine& engine() const { return engine_; }
  const QString& type() const { return type_; }
  const QString& id() const { return id_; }
  std::shared_ptr<MediaObject> parent() const { return parent_.lock(); }
  // The pipeline id: the object itself for a pipeline, the top-most ancestor otherwise.
  QString pipelineId() const;

  const QString& name() const { return name_; }
  void setName(const QString& name) { name_ = name; }
  bool sendTagsInEvents() const { return sendTagsInEvents_; }
  void setSendTagsInEvents(bool on) { sendTagsInEvents_ = on; }
  qint64 creationTime() const { return creationTime_; }
  // The session whose pipeline this object belongs to; empty for shared objects (ServerManager).
  const QString& ownerSession() const { return ownerSession_; }
  void setOwnerSession(const QString& sessionId) { ownerSession_ = sessionId; }

  void addTag(const QString& key, const QString& value);
  void removeTag(const QString& key);
  // Throws 40110 when absent.
  QString tag(const QString& key) const;
  QJsonArray tagsJson() const;

  const QStringList& childIds() const { return children_; }
  void addChild(const QString& id) { children_.append(id); }
  void removeChild(const QString& id) { children_.removeAll(id); }

  // Raises an event on this object: `fields` plus source, type, timestampMillis and tags.
  // `audience`, when set, limits delivery to that session (and administrators).
  void raise(const QString& eventType, QJsonObject fields = {}, const QString& audience = {});
  // Raises an `Error` event (data.type = error kind).
  void raiseError(const QString& kind, const QString& description, int errorCode = 0);

  // What ResourceGuard counts this object as: its type, or a finer class when one type has
  // several implementations of different cost (a lean WebRtcEndpoint: "WebRtcEndpoint:lean").
  virtual QString resourceClass() const { return type_; }

  // Called once the registry holds the object (shared_from_this() works from here on).
  virtual void onRegistered() {}
  // Tears down media resources; called once by the registry when the object is released.
  virtual void onRelease() {}
  // A GStreamer dot graph of the object's media, or empty when it has none.
  virtual QString gstreamerDot(const QString& /*details*/) const { return {}; }

 private:
  Engine& engine_;
  QString type_;
  QString id_;
  std::weak_ptr<MediaObject> parent_;
  QString name_;
  QList<QPair<QString, QString>> tags_;
  bool sendTagsInEvents_ = false;
  qint64 creationTime_ = 0;
  QString ownerSession_;
  QStringList children_;
};

}  // namespace pw
