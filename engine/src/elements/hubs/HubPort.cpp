#include "HubPort.h"

#include "Hub.h"
#include "core/Bindings.h"
#include "media/OutputPort.h"
#include "media/SinkInput.h"
#include "pipewright/engine/Engine.h"

namespace pw {

HubPort::HubPort(const Creation& creation) : MediaElement(creation, QStringLiteral("HubPort")) {
  for (MediaType t : {MediaType::Audio, MediaType::Video}) {
    const QString kind = mediaTypeName(t).toLower();
    // Client → hub: input → tee the hub attaches to.
    GstElement* in = addInput(t, formats::kAny);
    ElementRef tee = makeElement("tee", ("to-hub-" + kind).toUtf8().constData());
    g_object_set(tee.get(), "allow-not-linked", TRUE, nullptr);
    addToBin({tee.get()});
    linkChain({in, tee.get()});
    toHub_[index(t)] = OutputPort::create(engine(), t, bin(), tee);
    // Hub → client: appsrc the hub feeds → the port's output.
    ElementRef src = SinkInput::makeAppSrc("from-hub-" + kind);
    addToBin({src.get()});
    linkChain({src.get(), addOutput(t)});
    fromHub_[index(t)] = std::make_shared<SinkInput>(t, formats::kAny, src);
    SinkInput::relayUpstreamRequests(fromHub_[index(t)]);
  }
  start();
}

std::shared_ptr<Hub> HubPort::hub() const { return std::dynamic_pointer_cast<Hub>(parent()); }

void HubPort::onRegistered() {
  MediaElement::onRegistered();
  if (auto h = hub()) h->portAdded(std::static_pointer_cast<HubPort>(shared_from_this()));
}

void HubPort::onRelease() {
  if (!leaving_) {
    leaving_ = true;
    if (auto h = hub()) h->portRemoved(*this);
    for (auto& out : toHub_) {
      if (out) out->detachAll();
    }
  }
  MediaElement::onRelease();
}

void bindHubPort(Bindings& b) {
  b.addFactory(QStringLiteral("HubPort"), [](const Creation& c) { return std::make_shared<HubPort>(c); });
}

}  // namespace pw
