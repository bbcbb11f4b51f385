#pragma once

// The command of a GStreamerFilter: ONE chain of elements in gst-launch syntax, parsed here
// instead of by gst_parse_*, so that nothing but plain elements and caps can appear.
//
//   command  := segment ( '!' segment )*
//   segment  := caps | factory ( property '=' value )*
//   caps     := text whose first word contains '/', e.g. video/x-raw,width=320 (becomes a capsfilter)
//   value    := characters up to a space; "double quotes" group, a backslash takes the next
//               character as it is
//
// Refused: bins ( ... ), named references (name. / .pad), URIs (file:///..., http://...),
// empty segments, several chains (elements not joined by '!'), child properties (a::b).

#include "ElementAllowList.h"
#include "gst/GstRef.h"

#include <QList>
#include <QString>

#include <optional>
#include <vector>

namespace pw {

class FilterCommand {
 public:
  struct Property {
    QString name;
    QString value;
  };
  struct Segment {
    QString factory;  // empty for a caps segment
    QString caps;     // the caps text of a caps segment
    QList<Property> properties;

    bool isCaps() const { return factory.isEmpty(); }
  };

  static constexpr int kMaxElements = 32;

  // Throws KurentoException (40107) saying what is wrong and what to write instead.
  static FilterCommand parse(const QString& command);

  const QString& command() const { return command_; }
  const QList<Segment>& segments() const { return segments_; }

  // The command written back with the property `name` of segment `segment` set to `value`
  // (appended to the segment when it has none), or taken out when `value` is nullopt. Values are
  // quoted where they need it, so parse() reads the result back to the same segments.
  QString withProperty(int segment, const QString& name, const std::optional<QString>& value) const;
  // A value as a command writes it: as is, or in double quotes with '"' and '\' escaped when it
  // is empty or has spaces, quotes, backslashes or '!'.
  static QString quoteValue(const QString& value);

  // Creates the elements (each checked against `allowList`, each property through
  // setProperty()), links them in order inside a new GstBin and ghosts the first element's
  // free sink pad as "sink" and the last one's free src pad as "src". `elements` receives the
  // created elements in chain order. Throws KurentoException (40107).
  ElementRef build(const ElementAllowList& allowList, std::vector<ElementRef>* elements) const;

  // Sets `name` on `element` from its text form, after ElementAllowList::checkProperty().
  // Throws KurentoException (40107) when refused or when the text is not a valid value.
  static void setProperty(GstElement* element, const QString& name, const QString& value, bool running);

 private:
  QString command_;
  QList<Segment> segments_;
};

}  // namespace pw
