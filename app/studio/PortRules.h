#pragma once

// Which media ports a class shows on the canvas, and whether a wire may join two of them.
// Kurento lets any element connect any media type; the studio only offers the ports where media
// can actually come out or go in, and explains refused drops.

#include <QString>
#include <QStringList>

namespace pw::studio {

class PortRules {
 public:
  static QStringList inputs(const QString& type);
  static QStringList outputs(const QString& type);
  // Empty when the wire is allowed, else a sentence saying why not. mediaType may be "ALL".
  static QString refusal(const QString& sourceType, const QString& sinkType, const QString& mediaType);
  // The media types an "ALL" wire (or a single type) joins.
  static QStringList typesToConnect(const QString& sourceType, const QString& sinkType, const QString& mediaType);
  static bool isHub(const QString& type);
};

}  // namespace pw::studio
