#pragma once

// C++ handlers bound to the schema: a factory per creatable class and a handler per
// operation (method or property accessor). A unit test checks that bindings and schema agree.

#include "Invocation.h"

#include <QHash>
#include <QJsonValue>
#include <QString>

#include <functional>
#include <memory>

namespace pw {

class Engine;
class MediaObject;

struct Creation {
  Engine& engine;
  QString id;
  std::shared_ptr<MediaObject> parent;
  QJsonObject params;  // validated constructor params, defaults filled
};

using Factory = std::function<std::shared_ptr<MediaObject>(const Creation&)>;
using Handler = std::function<QJsonValue(Invocation&)>;

class Bindings {
 public:
  // All classes of this build, registered once.
  static const Bindings& builtin();

  void addFactory(const QString& className, Factory factory);
  void add(const QString& className, const QString& operation, Handler handler);

  const Factory* factory(const QString& className) const;
  // The handler for `operation` on `className` or its nearest ancestor that binds it.
  const Handler* handler(const QString& className, const QString& operation) const;

  QStringList factoryClasses() const { return factories_.keys(); }
  // "Class.operation" for every bound handler.
  QStringList boundOperations() const;

 private:
  QHash<QString, Factory> factories_;
  QHash<QString, QHash<QString, Handler>> handlers_;
};

}  // namespace pw
