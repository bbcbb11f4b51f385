#pragma once

// What a GStreamerFilter command may be built from, for a palette (the studio's GStreamer tab):
// the installed element factories that an ElementAllowList admits, and for one of them the
// properties a client may set, read from their GParamSpecs. Reads only the GStreamer registry,
// so it runs on any thread; loading the filters' plugins the first time takes a moment.

#include "ElementAllowList.h"

#include <QList>
#include <QString>
#include <QStringList>
#include <QVariant>

namespace pw {

struct FilterFactoryInfo {
  QString name;         // "videobalance"
  QString longName;     // "Video balance"
  QString klass;        // "Filter/Effect/Video"
  QString description;
};

struct FilterPropertyInfo {
  enum class Kind { Boolean, Integer, Double, Enum, Flags, String };
  QString name;
  Kind kind = Kind::String;
  QString typeName;           // the GType's name: "gdouble", "GstVideoBalance..."
  QVariant defaultValue;      // bool, qint64/quint64, double, or the text (enum nick, flags "a+b")
  QVariant minimum, maximum;  // numbers only
  QStringList nicks;          // the values of an enum or flags type, as written in a command
  QString blurb;

  static QString kindName(Kind kind);  // "bool", "int", "double", "enum", "flags", "string"
};

class FilterElementCatalog {
 public:
  // Every installed factory `allowList` admits, sorted by name.
  static QList<FilterFactoryInfo> allowedFactories(const ElementAllowList& allowList);
  // The properties of `factory` a running GStreamerFilter lets a client set (writable, not
  // construct-only, not hazardous by name, a value that can be written as text), in the
  // element's order. Empty when `allowList` refuses the factory or it is not installed.
  static QList<FilterPropertyInfo> properties(const ElementAllowList& allowList, const QString& factory);
};

}  // namespace pw
