#include "OutputPort.h"

#include "Branch.h"
#include "SinkInput.h"
#include "pipewright/engine/Engine.h"

#include <algorithm>

namespace pw {

std::shared_ptr<OutputPort> OutputPort::create(Engine& engine, MediaType type, GstBin* elementBin, ElementRef tee) {
  std::shared_ptr<OutputPort> port(new OutputPort(engine, type, elementBin, std::move(tee)));
  // Watch the tee's input: the format (to build branches) and buffers (media-flow state).
  struct ProbeData {
    std::shared_ptr<ProbeState> state;
    std::weak_ptr<OutputPort> port;
    Engine* engine;
  };
  auto* data = new ProbeData{port->probe_, port, &engine};
  PadRef sink = PadRef::adopt(gst_element_get_static_pad(port->tee_.get(), "sink"));
  gst_pad_add_probe(
      sink.get(), static_cast<GstPadProbeType>(GST_PAD_PROBE_TYPE_BUFFER | GST_PAD_PROBE_TYPE_BUFFER_LIST |
                                               GST_PAD_PROBE_TYPE_EVENT_DOWNSTREAM),
      [](GstPad*, GstPadProbeInfo* info, gpointer user) -> GstPadProbeReturn {
        auto* d = static_cast<ProbeData*>(user);
        if (info->type & (GST_PAD_PROBE_TYPE_BUFFER | GST_PAD_PROBE_TYPE_BUFFER_LIST)) {
          d->state->lastBufferUs.store(g_get_monotonic_time());
          return GST_PAD_PROBE_OK;
        }
        GstEvent* event = GST_PAD_PROBE_INFO_EVENT(info);
        if (GST_EVENT_TYPE(event) != GST_EVENT_CAPS) return GST_PAD_PROBE_OK;
        GstCaps* caps = nullptr;
        gst_event_parse_caps(event, &caps);
        bool first = false;
        {
          std::lock_guard lock(d->state->mutex);
          first = !d->state->caps;
          d->state->caps = CapsRef::addRef(caps);
        }
        if (first) {
          std::weak_ptr<OutputPort> weak = d->port;
          d->engine->post([weak]() {
            if (auto p = weak.lock()) p->resolvePending();
          });
        }
        return GST_PAD_PROBE_OK;
      },
      data, [](gpointer user) { delete static_cast<ProbeData*>(user); });
  return port;
}

namespace {
// Branch names must be unique within a bin, and several outputs can share one (hubs).
int nextBranchSerial() {
  static std::atomic<int> serial{0};
  return ++serial;
}
}  // namespace

OutputPort::OutputPort(Engine& engine, MediaType type, GstBin* elementBin, ElementRef tee)
    : engine_(engine), type_(type), elementBin_(elementBin), tee_(std::move(tee)) {}

OutputPort::~OutputPort() = default;

CapsRef OutputPort::currentCaps() const {
  std::lock_guard lock(probe_->mutex);
  return probe_->caps;
}

void OutputPort::attach(const std::shared_ptr<SinkInput>& input) {
  if (std::find(attached_.begin(), attached_.end(), input) == attached_.end()) attached_.push_back(input);
  CapsRef caps = currentCaps();
  // Pass-through inputs need no format decision; others wait until the source's format is known.
  if (!caps && !effectiveFormat(input->wantedFormat(), forced_).isEmpty()) {
    pending_.push_back(input);
    holdUntilResolved();
    return;
  }
  connectToBranch(input, caps);
}

void OutputPort::holdUntilResolved() {
  if (blockProbeId_) return;
  // Hold the source's first data at the tee until the branches for its format exist, so the
  // first frames (often the only keyframe for a while) reach every sink.
  struct HoldData {
    std::shared_ptr<ProbeState> state;
    std::weak_ptr<OutputPort> port;
    Engine* engine;
  };
  PadRef sink = PadRef::adopt(gst_element_get_static_pad(tee_.get(), "sink"));
  blockProbeId_ = gst_pad_add_probe(
      sink.get(), static_cast<GstPadProbeType>(GST_PAD_PROBE_TYPE_BLOCK_DOWNSTREAM),
      [](GstPad*, GstPadProbeInfo* info, gpointer user) -> GstPadProbeReturn {
        auto* d = static_cast<HoldData*>(user);
        bool known = false;
        {
          std::lock_guard lock(d->state->mutex);
          if ((info->type & GST_PAD_PROBE_TYPE_EVENT_DOWNSTREAM) &&
              GST_EVENT_TYPE(GST_PAD_PROBE_INFO_EVENT(info)) == GST_EVENT_CAPS && !d->state->caps) {
            GstCaps* caps = nullptr;
            gst_event_parse_caps(GST_PAD_PROBE_INFO_EVENT(info), &caps);
            d->state->caps = CapsRef::addRef(caps);
          }
          known = static_cast<bool>(d->state->caps);
        }
        if (!known && (info->type & GST_PAD_PROBE_TYPE_EVENT_DOWNSTREAM) &&
            GST_EVENT_TYPE(GST_PAD_PROBE_INFO_EVENT(info)) != GST_EVENT_CAPS) {
          return GST_PAD_PROBE_PASS;  // stream-start and the like go through
        }
        std::weak_ptr<OutputPort> weak = d->port;
        d->engine->post([weak]() {
          if (auto p = weak.lock()) p->resolvePending();
        });
        return GST_PAD_PROBE_OK;  // stay blocked until resolvePending removes the probe
      },
      new HoldData{probe_, weak_from_this(), &engine_}, [](gpointer u) { delete static_cast<HoldData*>(u); });
}

void OutputPort::resolvePending() {
  CapsRef caps = currentCaps();
  if (!caps && !pending_.empty()) return;  // the format is not known yet: keep holding
  auto pending = std::move(pending_);
  pending_.clear();
  for (const auto& input : pending) connectToBranch(input, caps);
  releaseHold();
}

void OutputPort::releaseHold() {
  if (!blockProbeId_) return;
  PadRef sink = PadRef::adopt(gst_element_get_static_pad(tee_.get(), "sink"));
  gst_pad_remove_probe(sink.get(), blockProbeId_);
  blockProbeId_ = 0;
}

void OutputPort::connectToBranch(const std::shared_ptr<SinkInput>& input, const CapsRef& caps) {
  const QString wanted = effectiveFormat(input->wantedFormat(), forced_);
  const QString description = transcodeDescription(caps.get(), wanted, settings_);
  // Pass-through consumers of any format share one branch; others one per format.
  const QString key = description.isEmpty() ? QStringLiteral("passthrough") : wanted;
  auto it = branches_.find(key);
  if (it == branches_.end()) {
    const QString name = QStringLiteral("%1-%2-%3")
                             .arg(mediaTypeName(type_).toLower(),
                                  description.isEmpty() ? QStringLiteral("passthrough") : QStringLiteral("transcode-") + formatSlug(wanted))
                             .arg(nextBranchSerial());
    QString error;
    auto branch = Branch::create(elementBin_, tee_.get(), name, description, &error);
    if (!branch) {
      if (branchError_) branchError_(error);
      return;
    }
    branch->setEncoderSettings(settings_);
    it = branches_.emplace(key, branch).first;
    if (branch->transcoding() && transcodingChanged_) transcodingChanged_(true, branch->name());
  }
  it->second->addTarget(input);
}

void OutputPort::detach(const SinkInput* input) {
  std::erase_if(attached_, [&](const auto& a) { return a.get() == input; });
  std::erase_if(pending_, [&](const auto& p) { return p.get() == input; });
  if (pending_.empty()) releaseHold();
  for (auto it = branches_.begin(); it != branches_.end(); ++it) {
    it->second->removeTarget(input);
    if (it->second->targetCount() == 0) {
      auto branch = it->second;
      branches_.erase(it);
      branch->dispose(engine_);
      if (branch->transcoding() && transcodingChanged_) transcodingChanged_(false, branch->name());
      return;
    }
  }
}

void OutputPort::detachAll() {
  attached_.clear();
  pending_.clear();
  releaseHold();
  for (auto& [key, branch] : branches_) branch->dispose(engine_);
  branches_.clear();
}

void OutputPort::setForcedFormat(const ForcedFormat& forced) {
  if (forced == forced_) return;
  forced_ = forced;
  const auto inputs = attached_;
  for (const auto& input : inputs) detach(input.get());
  for (const auto& input : inputs) attach(input);
}

void OutputPort::setEncoderSettings(const EncoderSettings& s) {
  settings_ = s;
  for (auto& [key, branch] : branches_) branch->setEncoderSettings(s);
}

bool OutputPort::transcoding() const {
  for (const auto& [key, branch] : branches_) {
    if (branch->transcoding()) return true;
  }
  return false;
}

QStringList OutputPort::branchNames() const {
  QStringList out;
  for (const auto& [key, branch] : branches_) out.append(branch->name());
  return out;
}

}  // namespace pw
