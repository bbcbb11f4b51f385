// libFuzzer target: the GStreamerFilter command parser (FilterCommand::parse), and for a command
// it accepts, building the chain with the default allow-list (element creation, property
// checks, gst_value_deserialize of every value, linking). Input: the command as UTF-8.

#include "FuzzSupport.h"
#include "elements/filters/ElementAllowList.h"
#include "elements/filters/FilterCommand.h"
#include "pipewright/engine/KurentoError.h"

#include <QString>

#include <cstdint>
#include <cstdio>
#include <cstdlib>

namespace {

void check(bool ok, const char* what) {
  if (!ok) {
    std::fprintf(stderr, "fuzz_filter_command: invariant broken: %s\n", what);
    std::abort();
  }
}

bool isFactoryName(const QString& name) {
  for (QChar c : name) {
    if (!(c.unicode() < 128 && (c.isLetterOrNumber() || c == u'_' || c == u'-' || c == u'+'))) return false;
  }
  return !name.isEmpty();
}

}  // namespace

extern "C" int LLVMFuzzerInitialize(int*, char***) {
  pw::fuzz::quietLogs();
  pw::fuzz::initGStreamerOrDie();
  return 0;
}

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  if (size > 4096) return -1;  // commands are short; longer inputs only slow the search
  const QString command = QString::fromUtf8(reinterpret_cast<const char*>(data), static_cast<qsizetype>(size));
  pw::FilterCommand parsed;
  try {
    parsed = pw::FilterCommand::parse(command);
  } catch (const pw::KurentoException& e) {
    check(e.error().code == pw::ErrorCode::MediaObjectIllegalParamError, "parse() refuses with 40107 only");
    return 0;
  }
  // What parse() promises (FilterCommand.h): one chain of at most kMaxElements plain elements or caps.
  check(!parsed.segments().isEmpty() && parsed.segments().size() <= pw::FilterCommand::kMaxElements, "1..kMaxElements segments");
  for (const auto& segment : parsed.segments()) {
    if (segment.isCaps()) {
      check(!segment.caps.isEmpty() && segment.properties.isEmpty(), "a caps segment has caps text and no properties");
      continue;
    }
    check(isFactoryName(segment.factory), "factory names are [A-Za-z0-9_+-]");
    for (const auto& property : segment.properties) {
      check(!property.name.isEmpty() && property.name[0].isLetter() && !property.name.contains(u':'),
            "property names start with a letter and have no ':'");
    }
  }
  static const pw::ElementAllowList allowList;
  try {
    std::vector<pw::ElementRef> elements;
    pw::ElementRef bin = parsed.build(allowList, &elements);
    check(bin && elements.size() == static_cast<size_t>(parsed.segments().size()), "build() makes one element per segment");
    for (const auto& element : elements) {
      GstElementFactory* factory = gst_element_get_factory(element.get());
      const QString name = factory ? QString::fromUtf8(GST_OBJECT_NAME(factory)) : QString();
      check(name == u"capsfilter" || allowList.allows(name), "build() creates allowed elements only");
    }
  } catch (const pw::KurentoException& e) {
    check(e.error().code == pw::ErrorCode::MediaObjectIllegalParamError, "build() refuses with 40107 only");
  }
  return 0;
}
