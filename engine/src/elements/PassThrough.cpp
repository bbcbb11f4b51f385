#include "PassThrough.h"

#include "core/Bindings.h"

namespace pw {

PassThrough::PassThrough(const Creation& creation) : MediaElement(creation, QStringLiteral("PassThrough")) {
  for (MediaType t : {MediaType::Audio, MediaType::Video}) {
    GstElement* in = addInput(t, formats::kAny);
    GstElement* out = addOutput(t);
    linkChain({in, out});
  }
  start();
}

void bindPassThrough(Bindings& b) {
  b.addFactory(QStringLiteral("PassThrough"), [](const Creation& c) { return std::make_shared<PassThrough>(c); });
}

}  // namespace pw
