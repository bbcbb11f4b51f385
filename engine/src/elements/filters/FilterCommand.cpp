#include "FilterCommand.h"

#include "gst/ScopedValue.h"
#include "pipewright/engine/KurentoError.h"

#include <QRegularExpression>

#include <algorithm>

namespace pw {
namespace {

const QString kOneChain = QStringLiteral(
    "Write one chain of elements joined by '!', for example \"videoflip video-direction=horiz ! videobalance saturation=0\".");

[[noreturn]] void refuse(const QString& command, const QString& what) {
  throw KurentoException(KurentoError::illegalParam(QStringLiteral("GStreamerFilter command '%1': %2").arg(command, what)));
}

bool isAsciiLetterOrDigit(QChar c) {
  return c.unicode() < 128 && c.isLetterOrNumber();
}
bool isFactoryChar(QChar c) {
  return isAsciiLetterOrDigit(c) || c == u'_' || c == u'-' || c == u'+';
}
bool isPropertyChar(QChar c) {
  return isAsciiLetterOrDigit(c) || c == u'_' || c == u'-';
}

// The command cut at every '!' outside double quotes; quotes and escapes are kept.
QStringList splitSegments(const QString& command) {
  QStringList segments;
  QString current;
  bool quoted = false;
  for (qsizetype i = 0; i < command.size(); ++i) {
    const QChar c = command[i];
    if (c == u'\\') {
      if (i + 1 >= command.size()) refuse(command, QStringLiteral("it ends with a backslash; escape it as \\\\."));
      current += c;
      current += command[++i];
    } else if (c == u'"') {
      quoted = !quoted;
      current += c;
    } else if (c == u'!' && !quoted) {
      segments << current;
      current.clear();
    } else {
      current += c;
    }
  }
  if (quoted) refuse(command, QStringLiteral("a double quote is not closed."));
  segments << current;
  return segments;
}

void refuseBin(const QString& command) {
  refuse(command, QStringLiteral("bins '( ... )' are not accepted. ") + kOneChain);
}
void refuseReference(const QString& command, const QString& token) {
  refuse(command, QStringLiteral("named references such as '%1' are not accepted (no 'name.' or '.pad'). ").arg(token) + kOneChain);
}

FilterCommand::Segment parseElement(const QString& command, const QString& text) {
  FilterCommand::Segment segment;
  const qsizetype n = text.size();
  qsizetype i = 0;
  while (i < n && isFactoryChar(text[i])) ++i;
  segment.factory = text.left(i);
  if (segment.factory.isEmpty()) {
    refuse(command, QStringLiteral("unexpected character '%1' where an element name should be. ").arg(text[0]) + kOneChain);
  }
  if (i < n && text[i] == u'.') refuseReference(command, text.left(i + 1));
  if (i < n && (text[i] == u'(' || text[i] == u')')) refuseBin(command);
  if (i < n && !text[i].isSpace()) {
    refuse(command, QStringLiteral("unexpected character '%1' after the element name '%2'.").arg(text[i]).arg(segment.factory));
  }
  auto skipSpaces = [&] {
    while (i < n && text[i].isSpace()) ++i;
  };
  for (;;) {
    skipSpaces();
    if (i >= n) break;
    if (text[i] == u'(' || text[i] == u')') refuseBin(command);
    const qsizetype start = i;
    while (i < n && isPropertyChar(text[i])) ++i;
    const QString name = text.mid(start, i - start);
    if (i < n && text[i] == u'.') {
      qsizetype end = i;
      while (end < n && !text[end].isSpace()) ++end;
      refuseReference(command, text.mid(start, end - start));
    }
    if (name.isEmpty()) {
      refuse(command, QStringLiteral("unexpected character '%1' after the element '%2'; properties are written name=value.")
                          .arg(text[i])
                          .arg(segment.factory));
    }
    if (i < n && text[i] == u':') {
      refuse(command, QStringLiteral("child properties such as '%1::...' are not accepted; set properties of the element itself.").arg(name));
    }
    skipSpaces();
    if (i >= n || text[i] != u'=') {
      refuse(command, QStringLiteral("'%1' is neither a property=value of '%2' nor joined to it with '!' (a command is one "
                                     "chain; several chains are not accepted). ")
                              .arg(name, segment.factory) +
                          kOneChain);
    }
    if (!name[0].isLetter()) refuse(command, QStringLiteral("the property name '%1' does not start with a letter.").arg(name));
    ++i;
    skipSpaces();
    QString value;
    bool given = false;
    bool quoted = false;
    while (i < n && (quoted || !text[i].isSpace())) {
      const QChar c = text[i];
      given = true;
      if (c == u'\\' && i + 1 < n) {
        value += text[i + 1];
        i += 2;
      } else if (c == u'"') {
        quoted = !quoted;
        ++i;
      } else {
        value += c;
        ++i;
      }
    }
    if (!given) {
      refuse(command, QStringLiteral("the property '%1' has no value (write %1=\"\" for an empty text).").arg(name));
    }
    segment.properties.append({name, value});
  }
  return segment;
}

FilterCommand::Segment parseSegment(const QString& command, const QString& raw) {
  const QString text = raw.trimmed();
  if (text.isEmpty()) {
    refuse(command, QStringLiteral("an element is missing (nothing between two '!', or a '!' at an end). ") + kOneChain);
  }
  if (text.startsWith(u'(') || text.startsWith(u')')) refuseBin(command);
  qsizetype wordEnd = 0;
  while (wordEnd < text.size() && !text[wordEnd].isSpace()) ++wordEnd;
  const QString firstWord = text.left(wordEnd);
  static const QRegularExpression uriScheme(QStringLiteral("^[A-Za-z][A-Za-z0-9+.-]*:"));
  if (uriScheme.match(firstWord).hasMatch()) {
    refuse(command, QStringLiteral("URIs such as '%1' are not accepted as elements; play and record files and streams with "
                                   "PlayerEndpoint and RecorderEndpoint.")
                        .arg(firstWord));
  }
  if (firstWord.startsWith(u'.')) refuseReference(command, firstWord);
  if (!firstWord.contains(u'/')) return parseElement(command, text);

  FilterCommand::Segment caps;
  caps.caps = text;
  CapsRef parsed = CapsRef::adopt(gst_caps_from_string(text.toUtf8().constData()));
  if (!parsed || gst_caps_is_any(parsed.get()) || gst_caps_is_empty(parsed.get())) {
    refuse(command, QStringLiteral("'%1' is not valid caps (for example video/x-raw,width=320,height=240).").arg(text));
  }
  return caps;
}

QString segmentName(const FilterCommand::Segment& segment) {
  return segment.isCaps() ? segment.caps : segment.factory;
}

// The first pad of `element` in `direction` that is not linked yet.
PadRef freePad(GstElement* element, GstPadDirection direction) {
  PadRef found;
  GST_OBJECT_LOCK(element);
  for (GList* l = direction == GST_PAD_SINK ? element->sinkpads : element->srcpads; l; l = l->next) {
    GstPad* pad = GST_PAD(l->data);
    if (!GST_PAD_PEER(pad)) {
      found = PadRef::addRef(pad);
      break;
    }
  }
  GST_OBJECT_UNLOCK(element);
  return found;
}

void ghost(GstElement* bin, GstElement* element, GstPadDirection direction, const char* name) {
  PadRef pad = freePad(element, direction);
  if (!pad) return;
  GstPad* ghostPad = gst_ghost_pad_new(name, pad.get());
  if (ghostPad) gst_element_add_pad(bin, ghostPad);  // takes the floating reference
}

}  // namespace

FilterCommand FilterCommand::parse(const QString& command) {
  FilterCommand result;
  result.command_ = command;
  if (command.trimmed().isEmpty()) refuse(command, QStringLiteral("the command is empty. ") + kOneChain);
  const QStringList raw = splitSegments(command);
  if (raw.size() > kMaxElements) {
    refuse(command, QStringLiteral("a command may have at most %1 elements.").arg(kMaxElements));
  }
  for (const QString& segment : raw) result.segments_.append(parseSegment(command, segment));
  return result;
}

QString FilterCommand::quoteValue(const QString& value) {
  static const QRegularExpression needsQuotes(QStringLiteral("[\\s\"\\\\!]"));
  if (!value.isEmpty() && !value.contains(needsQuotes)) return value;
  QString quoted = value;
  quoted.replace(u'\\', QStringLiteral("\\\\")).replace(u'"', QStringLiteral("\\\""));
  return u'"' + quoted + u'"';
}

QString FilterCommand::withProperty(int segment, const QString& name, const std::optional<QString>& value) const {
  QStringList parts;
  for (int i = 0; i < segments_.size(); ++i) {
    const Segment& s = segments_[i];
    if (s.isCaps()) {
      parts << s.caps;
      continue;
    }
    QList<Property> properties = s.properties;
    if (i == segment) {
      auto it = std::find_if(properties.begin(), properties.end(), [&](const Property& p) { return p.name == name; });
      if (!value) {
        if (it != properties.end()) properties.erase(it);
      } else if (it != properties.end()) {
        it->value = *value;
      } else {
        properties.append({name, *value});
      }
    }
    QString text = s.factory;
    for (const Property& p : properties) text += u' ' + p.name + u'=' + quoteValue(p.value);
    parts << text;
  }
  return parts.join(QStringLiteral(" ! "));
}

ElementRef FilterCommand::build(const ElementAllowList& allowList, std::vector<ElementRef>* elements) const {
  ElementRef bin = ElementRef::adopt(gst_bin_new(nullptr));
  std::vector<ElementRef> made;
  for (const Segment& segment : segments_) {
    ElementRef element;
    if (segment.isCaps()) {
      element = makeElement("capsfilter");
      if (!element) refuse(command_, QStringLiteral("the element capsfilter is not installed."));
      setProperty(element.get(), QStringLiteral("caps"), segment.caps, false);
    } else {
      allowList.checkFactory(segment.factory);
      element = makeElement(segment.factory.toUtf8().constData());
      if (!element) refuse(command_, QStringLiteral("the element '%1' could not be created.").arg(segment.factory));
      for (const Property& property : segment.properties) setProperty(element.get(), property.name, property.value, false);
    }
    gst_bin_add(GST_BIN(bin.get()), element.get());
    if (!made.empty() && !gst_element_link(made.back().get(), element.get())) {
      refuse(command_, QStringLiteral("'%1' cannot be linked to '%2' (their formats do not match).")
                           .arg(segmentName(segments_[static_cast<qsizetype>(made.size()) - 1]), segmentName(segment)));
    }
    made.push_back(std::move(element));
  }
  if (made.empty()) refuse(command_, QStringLiteral("the command is empty. ") + kOneChain);
  ghost(bin.get(), made.front().get(), GST_PAD_SINK, "sink");
  ghost(bin.get(), made.back().get(), GST_PAD_SRC, "src");
  if (elements) *elements = std::move(made);
  return bin;
}

void FilterCommand::setProperty(GstElement* element, const QString& name, const QString& value, bool running) {
  GParamSpec* spec = ElementAllowList::checkProperty(element, name, running);
  ScopedValue parsed(spec->value_type);
  if (!gst_value_deserialize_with_pspec(parsed.get(), value.toUtf8().constData(), spec)) {
    GstElementFactory* factory = gst_element_get_factory(element);
    throw KurentoException(KurentoError::illegalParam(
        QStringLiteral("GStreamerFilter: \"%1\" is not a valid value for the property \"%2\" of \"%3\" (type %4).")
            .arg(value, name, factory ? QString::fromUtf8(GST_OBJECT_NAME(factory)) : QString(),
                 QString::fromUtf8(g_type_name(spec->value_type)))));
  }
  g_object_set_property(G_OBJECT(element), spec->name, parsed.get());
}

}  // namespace pw
