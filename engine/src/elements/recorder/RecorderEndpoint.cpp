#include "RecorderEndpoint.h"

#include "core/Bindings.h"
#include "core/MediaFolders.h"
#include "media/Formats.h"
#include "media/MediaPipeline.h"
#include "gst/RunningTime.h"
#include "media/SinkInput.h"
#include "pipewright/engine/Engine.h"
#include "pipewright/engine/Log.h"


#include <gst/app/gstappsrc.h>

#include <array>
#include <mutex>
#include <vector>

namespace pw {
namespace {

constexpr int kCollectWindowMs = 1500;     // longest wait for the other track before writing
constexpr size_t kMaxPendingSamples = 600; // bound while collecting (~10 s of audio+video)
constexpr int kFinalizeTimeoutMs = 5000;
constexpr int kReleaseFinishMs = 1000;
// A failed recording stops this long after its first error, so that the errors of the same
// failure from the elements before the muxer ("streaming stopped, reason not-negotiated") are
// still recognised as part of it.
constexpr int kFailedStopMs = 200;  // a released recording: how long the muxer may take to close
// stop(): media stamped before the stop may still be on its way (a transcoder or filter running
// behind under load); the file takes it until every track has reached the stop's time, has been
// quiet for kDrainIdleMs, or kDrainMaxMs have passed.
constexpr int kDrainPollMs = 50;
constexpr int kDrainIdleMs = 500;
constexpr int kDrainMaxMs = 3000;
constexpr size_t kMaxCuts = 64;  // paused spans remembered; older ones are folded into the offset
// Matroska clusters are closed at least this often (blocks reach the file as they come; short
// clusters keep the Cues fine and the guess of players that look for the last cluster close).
constexpr gint64 kClusterMaxNs = GST_SECOND;
// MP4 fragments: what a killed MP4 recording loses at most (a fragment reaches the file whole).
constexpr guint kFragmentMs = 500;

int slot(MediaType t) { return t == MediaType::Video ? 1 : 0; }

// Caps fields that describe how to show the picture, not how to decode it. A source may change
// them mid-stream (a Composite's grid goes from bt709 to bt601 when its first participant
// arrives), but matroskamux/webmmux refuse any caps change once their header is written ("Caps
// changes are not supported by Matroska") and mp4mux one outside codec_data: the file keeps
// the caps it started with.
constexpr std::array<const char*, 4> kDescriptiveFields{"colorimetry", "chroma-site", "mastering-display-info",
                                                        "content-light-level"};

CapsRef withoutDescriptiveFields(const GstCaps* caps) {
  CapsRef copy = CapsRef::adopt(gst_caps_copy(caps));
  for (guint i = 0; i < gst_caps_get_size(copy.get()); ++i) {
    GstStructure* s = gst_caps_get_structure(copy.get(), i);
    for (const char* field : kDescriptiveFields) gst_structure_remove_field(s, field);
  }
  return copy;
}

}  // namespace

bool RecorderEndpoint::muxerKeepsCaps(const GstCaps* current, const GstCaps* next) {
  if (!current || !next || gst_caps_is_equal(current, next)) return false;
  return gst_caps_is_equal(withoutDescriptiveFields(current).get(), withoutDescriptiveFields(next).get());
}

struct RecorderEndpoint::Shared {
  enum class Phase { Idle, Collecting, Recording, Paused, Stopping };

  std::mutex mutex;
  Phase phase = Phase::Idle;
  std::array<std::vector<GstRef<GstSample>>, 2> pending;
  std::array<ElementRef, 2> appsrc;
  std::array<bool, 2> keyframeSeen{};  // video starts on a keyframe (again after a cut)
  GstClockTime offset = GST_CLOCK_TIME_NONE;
  // Paused spans, in the pipeline's running time (the clock of the media's timestamps): media
  // stamped inside one is left out, media after it moves back by its length. Judged by timestamp,
  // not by arrival, so media that arrives late (a transcoder behind under load) still lands on
  // the right side of a pause. The last one is open (end NONE) while paused.
  struct Cut {
    GstClockTime start = GST_CLOCK_TIME_NONE;
    GstClockTime end = GST_CLOCK_TIME_NONE;
  };
  std::vector<Cut> cuts;
  GstClockTime foldedShift = 0;  // total length of cuts folded away (kMaxCuts)
  GstClockTime foldedUntil = 0;  // media stamped before this is too late to place
  // stop(): media stamped before stopAt still goes into the file (see kDrainMaxMs).
  GstClockTime stopAt = GST_CLOCK_TIME_NONE;
  std::array<bool, 2> reachedStop{};
  std::array<gint64, 2> lastArrivalUs{};
  bool collectScheduled = false;
  bool buildPosted = false;
  std::array<bool, 2> wantTrack{};  // tracks of the profile whose input has a source
  bool announced = false;
  Engine* engine = nullptr;
  std::weak_ptr<MediaObject> owner;

  // Streaming thread.
  void accept(MediaType type, GstSample* sample, SinkInput& input) {
    const int i = slot(type);
    GstBuffer* buffer = gst_sample_get_buffer(sample);
    if (!buffer || !GST_BUFFER_PTS_IS_VALID(buffer)) return;
    std::lock_guard lock(mutex);
    if (phase == Phase::Idle) return;
    if (phase != Phase::Collecting) {
      if (!appsrc[i]) return;  // not a track of this file (or no file yet)
      if (phase == Phase::Stopping) {
        if (!GST_CLOCK_TIME_IS_VALID(stopAt)) return;  // the file is being closed
        lastArrivalUs[i] = g_get_monotonic_time();
        if (GST_BUFFER_PTS(buffer) >= stopAt) {
          reachedStop[i] = true;
          return;
        }
      }
    }
    if (inCut(GST_BUFFER_PTS(buffer))) {
      // Left out: the next video frame written must be a keyframe.
      keyframeSeen[i] = false;
      return;
    }
    if (type == MediaType::Video && !keyframeSeen[i]) {
      if (GST_BUFFER_FLAG_IS_SET(buffer, GST_BUFFER_FLAG_DELTA_UNIT)) {
        input.requestKeyframe();
        return;
      }
      keyframeSeen[i] = true;
    }
    if (phase == Phase::Collecting) {
      if (pending[i].size() < kMaxPendingSamples) pending[i].push_back(GstRef<GstSample>::addRef(sample));
      // Start writing as soon as every track of the profile has data, or after the window.
      const bool complete = (!wantTrack[0] || !pending[0].empty()) && (!wantTrack[1] || !pending[1].empty());
      if (!collectScheduled || (complete && !buildPosted)) {
        const bool now = complete;
        buildPosted = buildPosted || complete;
        collectScheduled = true;
        std::weak_ptr<MediaObject> weak = owner;
        engine->post([weak, now]() {
          auto r = std::static_pointer_cast<RecorderEndpoint>(weak.lock());
          if (!r) return;
          if (now) r->buildSession();
          else r->startCollecting();
        });
      }
      return;
    }
    pushLocked(i, sample);
  }

  // Whether media stamped `pts` falls into a paused span (or before what can still be placed).
  bool inCut(GstClockTime pts) const {
    if (pts < foldedUntil) return true;
    for (const Cut& c : cuts) {
      if (pts >= c.start && (!GST_CLOCK_TIME_IS_VALID(c.end) || pts < c.end)) return true;
    }
    return false;
  }

  // The part of a closed cut after the file's first media (a pause before it moves nothing).
  GstClockTime cutLength(const Cut& c) const {
    const GstClockTime from = GST_CLOCK_TIME_IS_VALID(offset) ? std::max(c.start, offset) : c.end;
    return c.end > from ? c.end - from : 0;
  }

  // How far media stamped `pts` (not in a cut) moves back: the paused spans before it.
  GstClockTime pausedBefore(GstClockTime pts) const {
    GstClockTime total = foldedShift;
    for (const Cut& c : cuts) {
      if (GST_CLOCK_TIME_IS_VALID(c.end) && pts >= c.end) total += cutLength(c);
    }
    return total;
  }

  void startCut(GstClockTime now) { cuts.push_back(Cut{now, GST_CLOCK_TIME_NONE}); }

  void endCut(GstClockTime now) {
    if (cuts.empty() || GST_CLOCK_TIME_IS_VALID(cuts.back().end)) return;
    cuts.back().end = std::max(now, cuts.back().start);
    if (cuts.size() > kMaxCuts) {
      foldedShift += cutLength(cuts.front());
      foldedUntil = cuts.front().end;
      cuts.erase(cuts.begin());
    }
  }

  void pushLocked(int i, GstSample* sample) {
    GstBuffer* in = gst_sample_get_buffer(sample);
    const GstClockTime pts = GST_BUFFER_PTS(in);
    if (!GST_CLOCK_TIME_IS_VALID(offset)) offset = pts;
    const GstClockTime shift = offset + pausedBefore(pts);
    if (pts < shift) return;  // older than the recording's start
    GstBuffer* out = gst_buffer_copy(in);
    GST_BUFFER_PTS(out) = pts - shift;
    const GstClockTime dts = GST_BUFFER_DTS(in);
    GST_BUFFER_DTS(out) = GST_CLOCK_TIME_IS_VALID(dts) && dts >= shift ? dts - shift : GST_CLOCK_TIME_NONE;
    SinkInput::pushTo(appsrc[i].get(), gst_sample_get_caps(sample), out);
    if (!announced) {
      announced = true;
      std::weak_ptr<MediaObject> weak = owner;
      engine->post([weak]() {
        if (auto r = weak.lock()) r->raise(QStringLiteral("Recording"));
      });
    }
  }
};

namespace {

// The recorder's input: samples go to the recording (or nowhere while not recording).
class RecorderInput : public SinkInput {
 public:
  RecorderInput(MediaType type, QString format, std::shared_ptr<RecorderEndpoint::Shared> shared)
      : SinkInput(type, std::move(format), nullptr), shared_(std::move(shared)) {}

 protected:
  void push(GstSample* sample) override { shared_->accept(type(), sample, *this); }

 private:
  std::shared_ptr<RecorderEndpoint::Shared> shared_;
};

}  // namespace

std::optional<RecorderEndpoint::Profile> RecorderEndpoint::profileByName(const QString& name) {
  using namespace formats;
  static const QList<Profile> profiles{
      {QStringLiteral("WEBM"), QStringLiteral("webmmux"), kVp8, kOpus},
      {QStringLiteral("WEBM_VIDEO_ONLY"), QStringLiteral("webmmux"), kVp8, {}},
      {QStringLiteral("WEBM_AUDIO_ONLY"), QStringLiteral("webmmux"), {}, kOpus},
      {QStringLiteral("MKV"), QStringLiteral("matroskamux"), kH264, kOpus},
      {QStringLiteral("MKV_VIDEO_ONLY"), QStringLiteral("matroskamux"), kH264, {}},
      {QStringLiteral("MKV_AUDIO_ONLY"), QStringLiteral("matroskamux"), {}, kOpus},
      {QStringLiteral("MP4"), QStringLiteral("mp4mux"), kH264, kAac},
      {QStringLiteral("MP4_VIDEO_ONLY"), QStringLiteral("mp4mux"), kH264, {}},
      {QStringLiteral("MP4_AUDIO_ONLY"), QStringLiteral("mp4mux"), {}, kAac},
  };
  for (const auto& p : profiles) {
    if (p.name == name) return p;
  }
  return std::nullopt;
}

RecorderEndpoint::RecorderEndpoint(const Creation& creation)
    : UriEndpoint(creation, QStringLiteral("RecorderEndpoint"), creation.params.value(u"uri").toString()),
      stopOnEndOfStream_(creation.params.value(u"stopOnEndOfStream").toBool(false)) {
  const QString profileName = creation.params.value(u"mediaProfile").toString(QStringLiteral("WEBM"));
  const auto profile = profileByName(profileName);
  if (!profile) {
    throw KurentoException(KurentoError::illegalParam(
        QStringLiteral("Media profile %1 is not supported yet; use WEBM, MKV or MP4 (or their _VIDEO_ONLY / "
                       "_AUDIO_ONLY variants)").arg(profileName)));
  }
  profile_ = *profile;
  mediaPath_ = creation.engine.mediaFolders().locate(uri(), MediaFolders::Access::Write);
  // Early feedback; the file itself is opened (and the folders walked again) by record().
  QString why;
  if (!creation.engine.mediaFolders().checkFolders(mediaPath_, &why)) {
    throw KurentoException(KurentoError::illegalParam(QStringLiteral("Cannot record to '%1': %2").arg(uri(), why)));
  }
  shared_ = std::make_shared<Shared>();
  shared_->engine = &creation.engine;
  if (!profile_.audio.isEmpty()) {
    setInput(MediaType::Audio, std::make_shared<RecorderInput>(MediaType::Audio, profile_.audio, shared_));
  }
  if (!profile_.video.isEmpty()) {
    setInput(MediaType::Video, std::make_shared<RecorderInput>(MediaType::Video, profile_.video, shared_));
  }
  start();
}

RecorderEndpoint::~RecorderEndpoint() = default;

void RecorderEndpoint::record() {
  if (stopping_) {
    throw KurentoException(ErrorCode::MediaObjectNotAvailable,
                           QStringLiteral("The recorder is still finishing its file; call record() after Stopped"));
  }
  {
    std::lock_guard lock(shared_->mutex);
    shared_->owner = weak_from_this();
    if (shared_->phase == Shared::Phase::Paused) {
      // Resume: the paused span is cut out of the file (media stamped inside it is left out,
      // and video goes on with a keyframe if any of it was).
      shared_->endCut(runningTimeOf(pipeline()->gst()));
      // Paused before the file existed: keep collecting, the file starts with the next media.
      shared_->phase = session_ ? Shared::Phase::Recording : Shared::Phase::Collecting;
      if (!session_) {
        shared_->collectScheduled = false;
        shared_->buildPosted = false;
      }
    } else if (shared_->phase == Shared::Phase::Idle) {
      // Kurento creates the file when recording starts. Opened here, without following links
      // (a link swapped in since create() is refused), and kept open until the file is complete.
      file_ = std::make_shared<MediaFile>(
          engine().mediaFolders().openOrThrow(uri(), mediaPath_, MediaFolders::Access::Write));
      for (MediaType t : {MediaType::Audio, MediaType::Video}) {
        shared_->wantTrack[slot(t)] = static_cast<bool>(inputs_[index(t)]) && hasSource(t);
      }
      shared_->phase = Shared::Phase::Collecting;
      shared_->keyframeSeen = {};
      shared_->announced = false;
    }
  }
  // A keyframe now, so the file starts without waiting for the next one.
  if (inputs_[index(MediaType::Video)]) inputs_[index(MediaType::Video)]->requestKeyframe();
  setState(State::Start);
}

void RecorderEndpoint::startCollecting() {
  QTimer::singleShot(kCollectWindowMs, &engine(), [weak = weak_from_this()]() {
    if (auto r = std::static_pointer_cast<RecorderEndpoint>(weak.lock())) r->buildSession();
  });
}

void RecorderEndpoint::buildSession() {
  std::lock_guard lock(shared_->mutex);
  if (shared_->phase != Shared::Phase::Collecting && shared_->phase != Shared::Phase::Paused) return;
  session_ = ElementRef::adopt(gst_bin_new("recording"));
  ElementRef mux = makeElement(profile_.mux.toUtf8().constData(), "mux");
  const bool mp4 = profile_.mux == QLatin1String("mp4mux");
  // A killed server leaves a file that plays to within about a second of the kill (docs/media.md,
  // "Crash safety"): Matroska closes a cluster at least every second, even between keyframes, and
  // MP4 is fragmented (a moof+mdat per track every 0.5 s; a normal stop still writes the total
  // duration and the fragment index, mfra).
  if (mp4) {
    g_object_set(mux.get(), "fragment-duration", kFragmentMs, nullptr);
  } else {
    g_object_set(mux.get(), "max-cluster-duration", kClusterMaxNs, nullptr);
  }
  ElementRef sink = makeElement("filesink", "file");
  // Unbuffered (GstFileSinkBufferMode 2): every write reaches the kernel at once, so a killed
  // process loses nothing the muxer has output (the page cache survives it; only power loss
  // needs fsync). /proc/self/fd/N reopens the file record() opened (same inode, whatever the name
  // became), so the muxer can still seek back to rewrite its headers.
  g_object_set(sink.get(), "location", file_->procPath().toUtf8().constData(), "buffer-mode", 2, "sync", FALSE, "async", FALSE,
               nullptr);
  gst_bin_add_many(GST_BIN(session_.get()), mux.get(),
                   sink.get(), nullptr);
  gst_element_link(mux.get(), sink.get());
  // The muxers write the real duration only when they finish; until then the header states the
  // length of the media already on disk.
  {
    PadRef sinkPad = PadRef::adopt(gst_element_get_static_pad(sink.get(), "sink"));
    liveDuration_ = LiveDuration::attach(sinkPad.get(), mp4 ? LiveDuration::Container::Mp4 : LiveDuration::Container::Matroska,
                                         file_);
  }
  // The muxer's EOS reaching the file sink means every byte of the file has been written
  // (the sink writes synchronously and unbuffered): finish on the engine thread.
  {
    PadRef sinkPad = PadRef::adopt(gst_element_get_static_pad(sink.get(), "sink"));
    struct EosData {
      Engine* engine;
      std::weak_ptr<MediaObject> owner;
      GstElement* session;  // identity only
    };
    gst_pad_add_probe(
        sinkPad.get(), GST_PAD_PROBE_TYPE_EVENT_DOWNSTREAM,
        [](GstPad*, GstPadProbeInfo* info, gpointer user) -> GstPadProbeReturn {
          if (GST_EVENT_TYPE(GST_PAD_PROBE_INFO_EVENT(info)) != GST_EVENT_EOS) return GST_PAD_PROBE_OK;
          auto* d = static_cast<EosData*>(user);
          std::weak_ptr<MediaObject> weak = d->owner;
          GstElement* session = d->session;
          d->engine->post([weak, session]() {
            if (auto r = std::static_pointer_cast<RecorderEndpoint>(weak.lock())) r->onFileComplete(session);
          });
          return GST_PAD_PROBE_OK;
        },
        new EosData{&engine(), weak_from_this(), session_.get()}, [](gpointer u) { delete static_cast<EosData*>(u); });
  }
  GstClockTime offset = GST_CLOCK_TIME_NONE;
  for (MediaType t : {MediaType::Audio, MediaType::Video}) {
    const int i = slot(t);
    if (shared_->pending[i].empty()) continue;
    ElementRef src = SinkInput::makeAppSrc(QStringLiteral("rec-%1").arg(mediaTypeName(t).toLower()));
    ElementRef queue = makeElement("queue");
    gst_bin_add_many(GST_BIN(session_.get()), src.get(),
                     queue.get(), nullptr);
    gst_element_link(src.get(), queue.get());
    GstElement* last = queue.get();
    const QString& format = t == MediaType::Video ? profile_.video : profile_.audio;
    // Parsers complete the caps muxers need (a browser's Opus arrives without a rate, H.264 as
    // byte-stream, AAC without codec data).
    const char* parser = format == formats::kH264 ? "h264parse"
                         : format == formats::kAac ? "aacparse"
                         : format == formats::kOpus ? "opusparse"
                                                    : nullptr;
    if (parser) {
      GstElement* p = gst_element_factory_make(parser, nullptr);
      if (p) {
        gst_bin_add(GST_BIN(session_.get()), p);
        gst_element_link(last, p);
        last = p;
      }
    }
    // Request the muxer pad by kind: caps are not known yet, so plain linking could pick the wrong one.
    PadRef muxPad = PadRef::adopt(gst_element_request_pad_simple(mux.get(), t == MediaType::Video ? "video_%u" : "audio_%u"));
    if (muxPad) {
      // A change of descriptive fields only never reaches the muxer (muxerKeepsCaps).
      gst_pad_add_probe(
          muxPad.get(), GST_PAD_PROBE_TYPE_EVENT_DOWNSTREAM,
          [](GstPad* pad, GstPadProbeInfo* info, gpointer) -> GstPadProbeReturn {
            GstEvent* event = GST_PAD_PROBE_INFO_EVENT(info);
            if (GST_EVENT_TYPE(event) != GST_EVENT_CAPS) return GST_PAD_PROBE_OK;
            GstCaps* next = nullptr;
            gst_event_parse_caps(event, &next);
            CapsRef current = CapsRef::adopt(gst_pad_get_current_caps(pad));
            if (!muxerKeepsCaps(current.get(), next)) return GST_PAD_PROBE_OK;
            GST_INFO_OBJECT(pad, "keeping the file's caps %" GST_PTR_FORMAT " (new: %" GST_PTR_FORMAT ")", current.get(), next);
            return GST_PAD_PROBE_DROP;
          },
          nullptr, nullptr);
    }
    PadRef lastPad = PadRef::adopt(gst_element_get_static_pad(last, "src"));
    if (!muxPad || gst_pad_link(lastPad.get(), muxPad.get()) != GST_PAD_LINK_OK) {
      // An unused muxer pad would make the muxer wait for that track forever.
      if (muxPad) gst_element_release_request_pad(mux.get(), muxPad.get());
      qCWarning(lcRecorder, "%s cannot add a %s track to %s", qUtf8Printable(log::subject(ownerSession(), id())),
                qUtf8Printable(mediaTypeName(t)), qUtf8Printable(profile_.mux));
      continue;
    }
    shared_->appsrc[i] = src;
    const GstClockTime first = GST_BUFFER_PTS(gst_sample_get_buffer(shared_->pending[i].front().get()));
    if (!GST_CLOCK_TIME_IS_VALID(offset) || first < offset) offset = first;
  }
  gst_bin_add(bin(), session_.get());
  gst_element_sync_state_with_parent(session_.get());
  shared_->offset = offset;
  const bool paused = shared_->phase == Shared::Phase::Paused;
  shared_->phase = Shared::Phase::Recording;
  for (int i = 0; i < 2; ++i) {
    if (shared_->appsrc[i]) {
      for (const auto& s : shared_->pending[i]) shared_->pushLocked(i, s.get());
    }
    shared_->pending[i].clear();
  }
  if (paused) shared_->phase = Shared::Phase::Paused;
}

void RecorderEndpoint::pause() {
  std::lock_guard lock(shared_->mutex);
  if (shared_->phase != Shared::Phase::Recording && shared_->phase != Shared::Phase::Collecting) return;
  shared_->startCut(runningTimeOf(pipeline()->gst()));
  shared_->phase = Shared::Phase::Paused;
  setState(State::Pause);
  raise(QStringLiteral("Paused"));
}

void RecorderEndpoint::stop() { stopAndWait(nullptr); }

void RecorderEndpoint::stopAndWait(std::shared_ptr<DeferredReply> reply) {
  if (reply) waiting_.append(reply);
  if (stopping_) return;
  {
    std::lock_guard lock(shared_->mutex);
    if (shared_->phase == Shared::Phase::Idle) {
      // Nothing recording: answer at once.
      for (auto& w : std::exchange(waiting_, {})) w->resolve();
      return;
    }
    shared_->phase = Shared::Phase::Stopping;
    if (session_) {
      // The file ends where the stop is in the media's time: what is stamped before it and
      // still on its way (a transcoder or filter behind under load) is waited for, bounded.
      GstClockTime stopAt = runningTimeOf(pipeline()->gst());
      if (!shared_->cuts.empty() && !GST_CLOCK_TIME_IS_VALID(shared_->cuts.back().end)) {
        stopAt = std::min(stopAt, shared_->cuts.back().start);  // stopped while paused
      }
      shared_->stopAt = stopAt;
      shared_->reachedStop = {};
      shared_->lastArrivalUs.fill(g_get_monotonic_time());
    }
  }
  if (!session_) {
    finalize();
    return;
  }
  stopping_ = true;
  drainStartedUs_ = g_get_monotonic_time();
  drainTimer_ = std::make_unique<QTimer>();
  QObject::connect(drainTimer_.get(), &QTimer::timeout, [this]() {
    const gint64 now = g_get_monotonic_time();
    bool drained = now - drainStartedUs_ >= gint64{kDrainMaxMs} * 1000;
    if (!drained) {
      std::lock_guard lock(shared_->mutex);
      drained = true;
      for (int i = 0; i < 2; ++i) {
        if (shared_->appsrc[i] && !shared_->reachedStop[i] && now - shared_->lastArrivalUs[i] < gint64{kDrainIdleMs} * 1000) {
          drained = false;
        }
      }
    }
    if (drained) endStreams();
  });
  drainTimer_->start(kDrainPollMs);
}

void RecorderEndpoint::endStreams() {
  drainTimer_.reset();
  std::array<ElementRef, 2> sources;
  {
    // No more media once the tracks end (pushes happen under this lock, so none can follow).
    std::lock_guard lock(shared_->mutex);
    shared_->stopAt = GST_CLOCK_TIME_NONE;
    sources = shared_->appsrc;
  }
  // From here on the muxer writes the final duration itself.
  if (liveDuration_) liveDuration_->stop();
  // The muxer finishes the file when every track ends; the filesink's EOS then arrives
  // as a forwarded bus message (handleBusMessage).
  for (auto& s : sources) {
    if (s) gst_app_src_end_of_stream(GST_APP_SRC(s.get()));
  }
  finalizeTimeout_ = std::make_unique<QTimer>();
  finalizeTimeout_->setSingleShot(true);
  QObject::connect(finalizeTimeout_.get(), &QTimer::timeout, [this]() {
    qCWarning(lcRecorder, "%s the file did not finish within %d ms; closing it anyway",
              qUtf8Printable(log::subject(ownerSession(), id())), kFinalizeTimeoutMs);
    finalize();
  });
  finalizeTimeout_->start(kFinalizeTimeoutMs);
}

void RecorderEndpoint::finalize() {
  drainTimer_.reset();
  finalizeTimeout_.reset();
  if (session_) {
    stopAndRemove(session_.get());
    session_.reset();
  }
  sessionFailed_ = false;
  {
    std::lock_guard lock(shared_->mutex);
    shared_->phase = Shared::Phase::Idle;
    shared_->appsrc = {};
    for (auto& p : shared_->pending) p.clear();
    shared_->offset = GST_CLOCK_TIME_NONE;
    shared_->cuts.clear();
    shared_->foldedShift = 0;
    shared_->foldedUntil = 0;
    shared_->stopAt = GST_CLOCK_TIME_NONE;
    shared_->collectScheduled = false;
    shared_->buildPosted = false;
  }
  if (liveDuration_) liveDuration_->stop();
  liveDuration_.reset();
  // The descriptor closes when the recording bin lets go of it too (a released recording
  // finishes in the background).
  file_.reset();
  stopping_ = false;
  setState(State::Stop);
  raise(QStringLiteral("Stopped"));
  for (auto& w : std::exchange(waiting_, {})) w->resolve();
}

void RecorderEndpoint::handleBusMessage(GstMessage* message) {
  const bool ours = GST_MESSAGE_TYPE(message) == GST_MESSAGE_ERROR && session_ &&
                    gst_object_has_as_ancestor(GST_MESSAGE_SRC(message), GST_OBJECT(session_.get()));
  if (!ours) {
    MediaElement::handleBusMessage(message);
    return;
  }
  if (sessionFailed_) return;  // the same failure, seen from further upstream
  sessionFailed_ = true;
  MediaElement::handleBusMessage(message);
  QTimer::singleShot(kFailedStopMs, &engine(), [weak = weak_from_this(), session = session_.get()]() {
    auto r = std::static_pointer_cast<RecorderEndpoint>(weak.lock());
    if (!r || r->session_.get() != session || !r->sessionFailed_) return;
    qCWarning(lcRecorder, "%s the recording failed; stopping with what the file holds",
              qUtf8Printable(log::subject(r->ownerSession(), r->id())));
    r->finalize();
  });
}

void RecorderEndpoint::onSourceEndOfStream(MediaType) {
  if (stopOnEndOfStream_ && state() != State::Stop) stop();
}

void RecorderEndpoint::onFileComplete(GstElement* session) {
  if (stopping_ && session_.get() == session) finalize();
}

void RecorderEndpoint::onRelease() {
  // Releasing while recording still closes the file properly: the recording bin leaves the
  // pipeline and finishes on the Reaper's thread (the muxer writes its index, up to 1 s), so a
  // release never makes the engine thread wait for a file.
  if (session_) {
    std::array<ElementRef, 2> sources;
    {
      std::lock_guard lock(shared_->mutex);
      shared_->phase = Shared::Phase::Stopping;
      shared_->stopAt = GST_CLOCK_TIME_NONE;  // released: no waiting for late media
      sources = shared_->appsrc;
    }
    drainTimer_.reset();
    if (liveDuration_) liveDuration_->stop();
    for (auto& s : sources) {
      if (s) gst_app_src_end_of_stream(GST_APP_SRC(s.get()));
    }
    PadRef sinkPad;
    if (ElementRef file = ElementRef::adopt(gst_bin_get_by_name(GST_BIN(session_.get()), "file"))) {
      sinkPad = PadRef::adopt(gst_element_get_static_pad(file.get(), "sink"));
    }
    // Out of the element's bin but still PLAYING: the EOS just sent reaches the file.
    retireInBackground(std::move(session_), std::move(sinkPad), kReleaseFinishMs);
    finalize();
  }
  UriEndpoint::onRelease();
}

void bindRecorderEndpoint(Bindings& b) {
  const QString c = QStringLiteral("RecorderEndpoint");
  b.addFactory(c, [](const Creation& creation) {
    auto r = std::make_shared<RecorderEndpoint>(creation);
    return r;
  });
  b.add(c, QStringLiteral("record"), [](Invocation& call) {
    call.as<RecorderEndpoint>().record();
    return QJsonValue();
  });
  b.add(c, QStringLiteral("stopAndWait"), [](Invocation& call) {
    call.as<RecorderEndpoint>().stopAndWait(call.defer());
    return QJsonValue();
  });
}

}  // namespace pw
