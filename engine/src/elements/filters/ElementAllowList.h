#pragma once

// Which GStreamer element factories and properties a client's GStreamerFilter command may use.
//
// A factory is allowed when
//   - the administrator lists it in the config key gstreamerFilterAllowedElements, or
//   - it is one of a few generic, harmless elements (builtinElements()), or
//   - its klass has a Filter, Effect or Converter token and no token of a source, sink,
//     network, file, device, muxer, payloader, codec or parser, it is not on a short list of
//     filters known to reach outside the process (builtinRefused()), and none of its properties
//     has a hazardous name (isHazardousProperty()).
// Independently, a client never sets a property with a hazardous name, whatever the list.

#include "gst/GstRef.h"

#include <QString>
#include <QStringList>

namespace pw {

class ElementAllowList {
 public:
  static constexpr const char* kConfigKey = "gstreamerFilterAllowedElements";

  explicit ElementAllowList(QStringList adminAllowed = {});

  // Throws KurentoException (40107) naming the factory, why it is refused and the config key
  // an administrator can use to allow it; also when no such factory is installed.
  void checkFactory(const QString& factory) const;
  // checkFactory() as a test: true when allowed, else false with the reason in `why`.
  bool allows(const QString& factory, QString* why = nullptr) const;

  // Throws unless a client may set `property` on `element`: its name is not hazardous, the
  // element has it, it is writable (and not construct-only once the element is running), and
  // its value can be written as text (no object or pointer). Returns its GParamSpec.
  static GParamSpec* checkProperty(GstElement* element, const QString& property, bool running);
  // Throws when `property` has a hazardous name (see isHazardousProperty()).
  static void checkPropertyName(const QString& property);

  // A name that suggests a file, a network address, a device, a program or code: location,
  // uri, *file*, *path*, dir, *profile*, host, port, socket, fd, device, template, command, ...
  static bool isHazardousProperty(const QString& name);

  // Generic elements allowed whatever their klass (each checked to have no file, network or
  // process property).
  static const QStringList& builtinElements();
  // Elements the klass rule would let through but that reach outside the process.
  static const QStringList& builtinRefused();

 private:
  QStringList adminAllowed_;
};

}  // namespace pw
