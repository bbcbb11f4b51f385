#include "WebRtcEndpoint.h"

#include "DtlsCertificate.h"

#include "Remb.h"

#include "core/Bindings.h"
#include "media/Formats.h"
#include "media/MediaPipeline.h"
#include "media/SinkInput.h"
#include "RtpCodecs.h"
#include "gst/ErrorPtr.h"
#include "gst/GCharPtr.h"
#include "gst/GLibOwners.h"
#include "gst/GObjectPtr.h"
#include "gst/IteratorPtr.h"
#include "gst/ScopedValue.h"
#include "gst/StructurePtr.h"
#include "gst/WebRtcSessionDescriptionPtr.h"
#include "pipewright/engine/Engine.h"
#include "pipewright/engine/Schema.h"

#include <QDateTime>
#include <QMap>

#include <gst/sdp/sdp.h>
#include <gst/video/video-event.h>
#include <gst/webrtc/webrtc.h>

#include <atomic>

namespace pw {

struct WebRtcEndpoint::Callbacks {
  Engine* engine = nullptr;
  std::weak_ptr<MediaObject> owner;
  ElementRef bin;
  ElementRef videoTee;
  ElementRef audioTee;
  std::atomic<bool> videoLinked{false};
  std::atomic<bool> audioLinked{false};
  std::shared_ptr<Remb> remb;  // set once in the constructor, before any signal is connected

  template <typename F>
  void post(F fn) {
    std::weak_ptr<MediaObject> weak = owner;
    engine->post([weak, fn]() {
      if (auto e = std::static_pointer_cast<WebRtcEndpoint>(weak.lock())) fn(*e);
    });
  }
};

namespace {

using Callbacks = WebRtcEndpoint::Callbacks;
using ReplyFn = std::function<void(WebRtcEndpoint&, const GstStructure*)>;

// A promise whose reply is handed to `done` on the engine thread.
PromiseRef enginePromise(const std::shared_ptr<Callbacks>& cb, ReplyFn done) {
  struct Data {
    std::shared_ptr<Callbacks> cb;
    ReplyFn done;
  };
  return PromiseRef::adopt(gst_promise_new_with_change_func(
      [](GstPromise* promise, gpointer user) {
        auto* d = static_cast<Data*>(user);
        const GstPromiseResult result = gst_promise_wait(promise);
        // The reply belongs to the promise (transfer none): the engine thread gets a copy.
        const GstStructure* reply = result == GST_PROMISE_RESULT_REPLIED ? gst_promise_get_reply(promise) : nullptr;
        auto copy = std::make_shared<StructurePtr>(copyStructure(reply));
        ReplyFn done = d->done;
        d->cb->post([done, copy](WebRtcEndpoint& e) { done(e, copy->get()); });
      },
      new Data{cb, std::move(done)}, [](gpointer user) { delete static_cast<Data*>(user); }));
}

QString replyError(const GstStructure* reply) {
  if (!reply || !gst_structure_has_field(reply, "error")) return {};
  ErrorPtr err;
  gst_structure_get(reply, "error", G_TYPE_ERROR, err.out(), nullptr);
  return err ? QString::fromUtf8(err->message) : QStringLiteral("unknown error");
}

// webrtcbin streaming thread: a new incoming stream → depayloader → our output tee.
void onIncomingPad(GstElement*, GstPad* pad, gpointer user) {
  if (GST_PAD_DIRECTION(pad) != GST_PAD_SRC) return;
  auto& cb = **static_cast<std::shared_ptr<Callbacks>*>(user);
  CapsRef caps = CapsRef::adopt(gst_pad_get_current_caps(pad));
  if (!caps) caps = CapsRef::adopt(gst_pad_query_caps(pad, nullptr));
  if (!caps || gst_caps_is_empty(caps.get())) return;
  const GstStructure* s = gst_caps_get_structure(caps.get(), 0);
  const QString media = QString::fromUtf8(gst_structure_get_string(s, "media"));
  const QString encoding = QString::fromUtf8(gst_structure_get_string(s, "encoding-name")).toUpper();
  const bool video = media == u"video";
  guint ssrc = 0;
  if (video && cb.remb && gst_structure_get_uint(s, "ssrc", &ssrc)) cb.remb->addVideoSsrc(ssrc);  // what our REMBs are about
  std::atomic<bool>& linked = video ? cb.videoLinked : cb.audioLinked;
  const QString depay = depayloaderFor(encoding);
  GstElement* chain = nullptr;
  bool first = false;
  if (!depay.isEmpty() && !linked.exchange(true)) {
    chain = gst_parse_bin_from_description(depay.toUtf8().constData(), TRUE, nullptr);
    first = true;
  }
  if (!chain) chain = gst_element_factory_make("fakesink", nullptr);  // a stream we do not use: drained
  gst_bin_add(GST_BIN(cb.bin.get()), chain);
  if (first) {
    PadRef src = PadRef::adopt(gst_element_get_static_pad(chain, "src"));
    PadRef teeSink = PadRef::adopt(gst_element_get_static_pad(video ? cb.videoTee.get() : cb.audioTee.get(), "sink"));
    gst_pad_link(src.get(), teeSink.get());
  }
  gst_element_sync_state_with_parent(chain);
  PadRef sink = PadRef::adopt(gst_element_get_static_pad(chain, "sink"));
  gst_pad_link(pad, sink.get());
}

QString iceComponentState(int webrtcIceState) {
  switch (webrtcIceState) {
    case GST_WEBRTC_ICE_CONNECTION_STATE_NEW: return QStringLiteral("GATHERING");
    case GST_WEBRTC_ICE_CONNECTION_STATE_CHECKING: return QStringLiteral("CONNECTING");
    case GST_WEBRTC_ICE_CONNECTION_STATE_CONNECTED: return QStringLiteral("CONNECTED");
    case GST_WEBRTC_ICE_CONNECTION_STATE_COMPLETED: return QStringLiteral("READY");
    case GST_WEBRTC_ICE_CONNECTION_STATE_FAILED: return QStringLiteral("FAILED");
    default: return QStringLiteral("DISCONNECTED");
  }
}

// Sets `pem` on every DTLS-SRTP decoder in `element` (itself or inside it): that is where a
// webrtcbin DTLS transport keeps its certificate.
void presentCertificate(GstElement* element, const QByteArray& pem) {
  auto apply = [&pem](GstElement* e) {
    GstElementFactory* factory = gst_element_get_factory(e);
    if (factory && g_strcmp0(GST_OBJECT_NAME(factory), "dtlssrtpdec") == 0) g_object_set(e, "pem", pem.constData(), nullptr);
  };
  apply(element);
  if (!GST_IS_BIN(element)) return;
  IteratorPtr it = IteratorPtr::adopt(gst_bin_iterate_recurse(GST_BIN(element)));
  ScopedValue item;
  while (gst_iterator_next(it.get(), item.get()) == GST_ITERATOR_OK) {
    apply(GST_ELEMENT(g_value_get_object(item.get())));
    g_value_reset(item.get());
  }
}

// webrtcbin 1.22 derives a=fingerprint from the whole PEM text, which is wrong when the PEM also
// holds the key: announce the certificate's real SHA-256 fingerprint instead.
QString withFingerprint(const QString& sdp, const QString& sha256) {
  if (sha256.isEmpty()) return sdp;
  QStringList lines = sdp.split(QStringLiteral("\r\n"));
  for (QString& l : lines) {
    if (l.startsWith(u"a=fingerprint:")) l = QStringLiteral("a=fingerprint:sha-256 ") + sha256;
  }
  return lines.join(QStringLiteral("\r\n"));
}

// Drops a=ssrc / a=ssrc-group: webrtcbin announces SSRCs its payloaders then do not use, and a
// browser that trusts them decodes the frames without ever showing them. With BUNDLE, the peer
// matches our streams by payload type instead.
QString withoutSsrcLines(const QString& sdp) {
  QStringList lines = sdp.split(QStringLiteral("\r\n"));
  lines.removeIf([](const QString& l) { return l.startsWith(u"a=ssrc:") || l.startsWith(u"a=ssrc-group:"); });
  return lines.join(QStringLiteral("\r\n"));
}

// Adds "b=AS:<kbps>" to the audio and video sections (after their c= line) when limits are set.
QString withBandwidth(const QString& sdp, int audioKbps, int videoKbps) {
  if (audioKbps <= 0 && videoKbps <= 0) return sdp;
  QStringList lines = sdp.split(QStringLiteral("\r\n"));
  int limit = 0;
  bool pending = false;
  for (int i = 0; i < lines.size(); ++i) {
    const QString& l = lines[i];
    if (l.startsWith(u"m=")) {
      limit = l.startsWith(u"m=video") ? videoKbps : l.startsWith(u"m=audio") ? audioKbps : 0;
      pending = limit > 0;
      continue;
    }
    if (pending && (l.startsWith(u"c=") || !l.startsWith(u"i="))) {
      const int at = l.startsWith(u"c=") ? i + 1 : i;
      lines.insert(at, QStringLiteral("b=AS:%1").arg(limit));
      pending = false;
      ++i;
    }
  }
  return lines.join(QStringLiteral("\r\n"));
}

// Our answer's a=fmtp for the H.264 payload type chosen per m-line (`fmtp`: m-line index → the
// payload type and what RFC 6184 lets us answer, see h264AnswerFmtp). webrtcbin copies the
// offer's parameters, the offerer's sprop-parameter-sets among them, into its answer.
QString withH264Fmtp(const QString& sdp, const QMap<int, QPair<int, QString>>& fmtp) {
  if (fmtp.isEmpty()) return sdp;
  QStringList lines = sdp.split(QStringLiteral("\r\n"));
  int mline = -1;
  for (int i = 0; i < lines.size(); ++i) {
    if (lines[i].startsWith(u"m=")) {
      ++mline;
      continue;
    }
    const auto it = fmtp.constFind(mline);
    if (it == fmtp.constEnd()) continue;
    const QString prefix = QStringLiteral("a=fmtp:%1 ").arg(it->first);
    if (!lines[i].startsWith(prefix)) continue;
    if (it->second.isEmpty()) {
      lines.removeAt(i--);
    } else {
      lines[i] = prefix + it->second;
    }
  }
  return lines.join(QStringLiteral("\r\n"));
}

}  // namespace

WebRtcEndpoint::WebRtcEndpoint(const Creation& creation)
    : WebRtcPeer(creation, QStringLiteral("WebRtcEndpoint")),
      recvOnly_(creation.params.value(u"recvonly").toBool(false)),
      sendOnly_(creation.params.value(u"sendonly").toBool(false)) {
  useDataChannels_ = creation.params.value(u"useDataChannels").toBool(false);
  if (recvOnly_ && sendOnly_) {
    throw KurentoException(KurentoError::illegalParam(QStringLiteral("A WebRtcEndpoint cannot be both recvonly and sendonly")));
  }
  QString certificateError;
  const DtlsCertificate::Identity identity = DtlsCertificate::get(creation.engine.config(), &certificateError);
  if (identity.pem.isEmpty()) {
    throw KurentoException(ErrorCode::UnexpectedError,
                           QStringLiteral("No DTLS certificate: %1 (fix or remove \"pemCertificate\" in the config)").arg(certificateError));
  }
  dtlsFingerprint_ = identity.sha256;
  webrtc_ = makeElement("webrtcbin", "webrtc");
  if (!webrtc_) {
    throw KurentoException(ErrorCode::UnexpectedError,
                           QStringLiteral("GStreamer's webrtcbin is missing: install gstreamer1.0-plugins-bad and gstreamer1.0-nice"));
  }
  // The endpoint relays without decoding: the jitter buffer only needs to reorder (and wait for
  // NACKed packets), so it holds little (jitterBufferLatencyMs; it delays the first frame too).
  g_object_set(webrtc_.get(), "bundle-policy", GST_WEBRTC_BUNDLE_POLICY_MAX_BUNDLE, "latency",
               static_cast<guint>(creation.engine.config().jitterBufferLatencyMs), nullptr);
  addToBin({webrtc_.get()});
  callbacks_ = std::make_shared<Callbacks>();
  callbacks_->engine = &creation.engine;
  callbacks_->bin = ElementRef::addRef(GST_ELEMENT(bin()));
  callbacks_->videoTee = ElementRef::addRef(addOutput(MediaType::Video));
  callbacks_->audioTee = ElementRef::addRef(addOutput(MediaType::Audio));
  // Only the configured local addresses take part in ICE (loopback only while the control
  // port is; security issue item 4).
  GstRef<GstWebRTCICE> ice;
  g_object_get(webrtc_.get(), "ice-agent", ice.out(), nullptr);
  if (ice) {
    for (const auto& address : creation.engine.config().iceAddresses()) {
      gboolean ok = FALSE;
      g_signal_emit_by_name(ice.get(), "add-local-ip-address", address.toUtf8().constData(), &ok);
    }
  }
  // libnice probes UPnP routers (SSDP multicast to 239.255.255.250) unless told not to: media
  // stays on the configured addresses, so switch it off on every agent webrtcbin creates.
  g_signal_connect(webrtc_.get(), "deep-element-added",
                   G_CALLBACK(+[](GstBin*, GstBin*, GstElement* element, gpointer) {
                     GObjectClass* klass = G_OBJECT_GET_CLASS(element);
                     if (!g_object_class_find_property(klass, "agent")) return;
                     GObjectRef<GObject> agent;
                     g_object_get(element, "agent", agent.out(), nullptr);
                     if (!agent) return;
                     if (g_object_class_find_property(G_OBJECT_GET_CLASS(agent.get()), "upnp")) {
                       g_object_set(agent.get(), "upnp", FALSE, nullptr);
                     }
                   }),
                   nullptr);
  // Every DTLS transport presents the one certificate. webrtcbin adds a transport's bins while
  // their elements are still in NULL, before the DTLS connection is made with a certificate.
  g_signal_connect_data(
      webrtc_.get(), "element-added",
      G_CALLBACK(+[](GstBin*, GstElement* element, gpointer user) { presentCertificate(element, *static_cast<QByteArray*>(user)); }),
      new QByteArray(identity.pem), [](gpointer data, GClosure*) { delete static_cast<QByteArray*>(data); },
      GConnectFlags(0));
  setUpRemb();
  callbacks_->remb = remb_;
  start();
}

WebRtcEndpoint::~WebRtcEndpoint() {
  // Runs on the engine thread once the bin is NULL (the Reaper stops it after a release).
  // The handlers hold the callbacks, which hold the bin: break the cycle.
  handlers_.clear();
  channels_.clear();
  if (callbacks_) {
    callbacks_->bin.reset();
    callbacks_->videoTee.reset();
    callbacks_->audioTee.reset();
  }
}

void WebRtcEndpoint::attachSignals() {
  callbacks_->owner = weak_from_this();
  auto* holder = new std::shared_ptr<Callbacks>(callbacks_);
  auto freeHolder = [](gpointer data, GClosure*) { delete static_cast<std::shared_ptr<Callbacks>*>(data); };
  handlers_.push_back(SignalConnection::connect(webrtc_.get(), "pad-added", G_CALLBACK(onIncomingPad), holder, freeHolder));
  handlers_.push_back(SignalConnection::connect(
      webrtc_.get(), "on-ice-candidate",
      G_CALLBACK(+[](GstElement*, guint mline, gchar* candidate, gpointer user) {
        auto& cb = **static_cast<std::shared_ptr<Callbacks>*>(user);
        const QString text = QString::fromUtf8(candidate);
        cb.post([mline, text](WebRtcEndpoint& e) { e.onLocalCandidate(static_cast<int>(mline), text); });
      }),
      new std::shared_ptr<Callbacks>(callbacks_), freeHolder));
  handlers_.push_back(SignalConnection::connect(
      webrtc_.get(), "on-data-channel", G_CALLBACK(+[](GstElement*, GstWebRTCDataChannel* channel, gpointer user) {
        auto& cb = **static_cast<std::shared_ptr<Callbacks>*>(user);
        auto ref = GObjectRef<GstWebRTCDataChannel>::addRef(channel);
        cb.post([ref](WebRtcEndpoint& e) { e.adoptChannel(ref.get()); });
      }),
      new std::shared_ptr<Callbacks>(callbacks_), freeHolder));
  auto notify = [this, freeHolder](const char* signal, void (WebRtcEndpoint::*handler)(int), const char* property) {
    struct Data {
      std::shared_ptr<Callbacks> cb;
      void (WebRtcEndpoint::*handler)(int);
      const char* property;
    };
    handlers_.push_back(SignalConnection::connect(
        webrtc_.get(), signal, G_CALLBACK(+[](GObject* obj, GParamSpec*, gpointer user) {
          auto* d = static_cast<Data*>(user);
          gint value = 0;
          g_object_get(obj, d->property, &value, nullptr);
          auto handler = d->handler;
          d->cb->post([handler, value](WebRtcEndpoint& e) { (e.*handler)(value); });
        }),
        new Data{callbacks_, handler, property}, [](gpointer data, GClosure*) { delete static_cast<Data*>(data); }));
    Q_UNUSED(freeHolder);
  };
  notify("notify::ice-gathering-state", &WebRtcEndpoint::onGatheringState, "ice-gathering-state");
  notify("notify::ice-connection-state", &WebRtcEndpoint::onIceState, "ice-connection-state");
  notify("notify::connection-state", &WebRtcEndpoint::onConnectionState, "connection-state");
}

void WebRtcEndpoint::applyIceServers() {
  if (!stunServerAddress.isEmpty()) {
    const QString stun = QStringLiteral("stun://%1:%2").arg(stunServerAddress).arg(stunServerPort);
    g_object_set(webrtc_.get(), "stun-server", stun.toUtf8().constData(), nullptr);
  }
  if (!turnUrl.isEmpty()) {
    const QString turn = QStringLiteral("turn://") + turnUrl;
    g_object_set(webrtc_.get(), "turn-server", turn.toUtf8().constData(), nullptr);
  }
}

void WebRtcEndpoint::processOffer(const QString& offer, std::shared_ptr<DeferredReply> reply) {
  if (negotiating_ || !remoteSdp_.isEmpty() || !localSdp_.isEmpty()) {
    throw KurentoException(ErrorCode::SdpEndPointAlreadyNegotiated,
                           QStringLiteral("This WebRtcEndpoint already negotiated; create a new endpoint for a new peer"));
  }
  SdpMessagePtr sdp = parseSdp(offer, "offer");
  const guint count = gst_sdp_message_medias_len(sdp.get());
  // Decide every m-line first, so a bad offer changes nothing.
  struct Line {
    bool video = false;
    bool media = false;
    bool send = false;
    Codec codec;
  };
  QList<Line> lines;
  QStringList mids;
  QMap<int, QPair<int, QString>> h264Fmtp;
  bool anyCodec = false;
  for (guint i = 0; i < count; ++i) {
    const GstSDPMedia* m = gst_sdp_message_get_media(sdp.get(), i);
    const QString kind = QString::fromUtf8(gst_sdp_media_get_media(m));
    const char* mid = gst_sdp_media_get_attribute_val(m, "mid");
    mids.append(mid ? QString::fromUtf8(mid) : QString::number(i));
    Line line;
    line.video = kind == u"video";
    // Port 0 rejects a section, unless it is bundle-only in a BUNDLE group (RFC 8843): then it
    // shares the bundle's transport, as in every offer of a max-bundle peer such as webrtcbin.
    line.media = (kind == u"video" || kind == u"audio") && carriesMedia(sdp.get(), m);
    if (line.media) {
      line.codec = chooseCodec(m, line.video);
      anyCodec = anyCodec || line.codec.payload >= 0;
      if (line.codec.encoding == u"H264") h264Fmtp.insert(static_cast<int>(i), {line.codec.payload, line.codec.fmtp});
      const QString dir = direction(m);
      line.send = line.codec.payload >= 0 && !recvOnly_ && (dir == u"sendrecv" || dir == u"recvonly");
    }
    lines.append(line);
  }
  if (!anyCodec) {
    throw KurentoException(ErrorCode::SdpEndPointProcessOfferError,
                           QStringLiteral("No common codec: Pipewright accepts VP8, VP9 or H.264 (packetization-mode=1) "
                                          "video and Opus audio"));
  }
  applyIceServers();
  for (int i = 0; i < lines.size(); ++i) {
    const Line& line = lines[i];
    if (!line.media || line.codec.payload < 0) continue;
    const MediaType type = line.video ? MediaType::Video : MediaType::Audio;
    CapsRef prefs = CapsRef::adopt(gst_caps_copy(line.codec.caps.get()));
    GstStructure* ps = gst_caps_get_structure(prefs.get(), 0);
    gst_structure_set_name(ps, "application/x-rtp");
    gst_structure_remove_fields(ps, "profile-level-id", "a-mid", "a-extmap-allow-mixed", nullptr);
    if (line.video) {
      gst_structure_set(ps, "rtcp-fb-nack", G_TYPE_BOOLEAN, TRUE, "rtcp-fb-nack-pli", G_TYPE_BOOLEAN, TRUE,
                        "rtcp-fb-ccm-fir", G_TYPE_BOOLEAN, TRUE, "rtcp-fb-goog-remb", G_TYPE_BOOLEAN, TRUE, nullptr);
    }
    addStream(type, line.codec.encoding, line.codec.payload, prefs.get(), line.send, !sendOnly_, line.codec.packetizationMode);
  }
  mids_ = mids;
  answerH264Fmtp_ = h264Fmtp;
  remoteSdp_ = offer;
  negotiating_ = true;
  const WebRtcSessionDescriptionPtr desc = makeSessionDescription(GST_WEBRTC_SDP_TYPE_OFFER, std::move(sdp));
  auto fail = [reply](WebRtcEndpoint& e, const QString& why) {
    e.negotiating_ = false;
    reply->reject({ErrorCode::SdpEndPointProcessOfferError, QStringLiteral("Cannot answer the offer: %1").arg(why)});
  };
  const PromiseRef setRemote = enginePromise(callbacks_, [reply, fail](WebRtcEndpoint& e, const GstStructure* r) {
    if (const QString err = replyError(r); !err.isEmpty()) return fail(e, err);
    e.remoteSet_ = true;
    e.createLocalDescription(GST_WEBRTC_SDP_TYPE_ANSWER, [reply](WebRtcEndpoint& e2, const QString& text) {
      e2.finishNegotiation(text, reply);
    }, [fail](WebRtcEndpoint& e2, const QString& why) { fail(e2, why); });
  });
  // webrtcbin copies the description and holds its own reference to the promise.
  g_signal_emit_by_name(webrtc_.get(), "set-remote-description", desc.get(), setRemote.get());
}

void WebRtcEndpoint::addStream(MediaType type, const QString& encoding, int payload, GstCaps* prefs, bool send, bool receive,
                               int packetizationMode) {
  GstRef<GstWebRTCRTPTransceiver> transceiver;
  if (send && !inputs_[index(type)]) {
    // Send path: input (the negotiated codec) → payloader → a new webrtcbin sink pad.
    GstElement* pay = gst_parse_bin_from_description(
        payloaderFor(encoding, payload, mtu, packetizationMode).toUtf8().constData(), TRUE, nullptr);
    if (!pay) {
      throw KurentoException(ErrorCode::SdpEndPointProcessOfferError,
                             QStringLiteral("Cannot send %1: the GStreamer payloader is missing").arg(encoding));
    }
    GstElement* in = addInput(type, wantedFormat(encoding));
    addToBin({pay});
    linkChain({in, pay});
    PadRef sinkPad = PadRef::adopt(gst_element_request_pad_simple(webrtc_.get(), "sink_%u"));
    PadRef paySrc = PadRef::adopt(gst_element_get_static_pad(pay, "src"));
    gst_pad_link(paySrc.get(), sinkPad.get());
    gst_element_sync_state_with_parent(pay);
    gst_element_sync_state_with_parent(in);
    g_object_get(sinkPad.get(), "transceiver", transceiver.out(), nullptr);
    if (transceiver) {
      g_object_set(transceiver.get(), "direction",
                   receive ? GST_WEBRTC_RTP_TRANSCEIVER_DIRECTION_SENDRECV : GST_WEBRTC_RTP_TRANSCEIVER_DIRECTION_SENDONLY, nullptr);
    }
    attachExistingSource(type);
  } else {
    g_signal_emit_by_name(webrtc_.get(), "add-transceiver",
                          receive ? GST_WEBRTC_RTP_TRANSCEIVER_DIRECTION_RECVONLY : GST_WEBRTC_RTP_TRANSCEIVER_DIRECTION_INACTIVE,
                          prefs, transceiver.out());
  }
  if (transceiver) {
    g_object_set(transceiver.get(), "codec-preferences", prefs, nullptr);
    if (type == MediaType::Video) g_object_set(transceiver.get(), "do-nack", TRUE, nullptr);
  }
}

void WebRtcEndpoint::finishNegotiation(const QString& localSdp, const std::shared_ptr<DeferredReply>& reply) {
  localSdp_ = localSdp;
  negotiating_ = false;
  // Our video sections always offer or accept goog-remb (see addStream's codec preferences).
  startRemb(true);
  for (const auto& [mline, candidate] : std::exchange(remoteCandidates_, {})) applyRemoteCandidate(mline, candidate);
  reply->resolve(localSdp);
  raise(QStringLiteral("MediaSessionStarted"));
  watchDtls();
}

namespace {

// GstWebRTCDTLSTransportState's values in order (NEW 0 … CONNECTED 4): Kurento's names.
QString dtlsStateName(int state) {
  static const char* const kNames[] = {"NEW", "CLOSED", "FAILED", "CONNECTING", "CONNECTED"};
  return QString::fromLatin1(state >= 0 && state < 5 ? kNames[state] : "NEW");
}

}  // namespace

void WebRtcEndpoint::watchDtls() {
  if (dtlsWatched_) return;
  // With BUNDLE every transceiver shares one DTLS transport: the first one found is it.
  ArrayPtr transceivers;
  g_signal_emit_by_name(webrtc_.get(), "get-transceivers", transceivers.out());
  GObjectRef<GstWebRTCDTLSTransport> dtls;
  for (guint i = 0; transceivers && i < transceivers.get()->len && !dtls; ++i) {
    auto* transceiver = g_array_index(transceivers.get(), GstWebRTCRTPTransceiver*, i);
    GObjectRef<GstWebRTCRTPReceiver> receiver;
    g_object_get(transceiver, "receiver", receiver.out(), nullptr);
    if (receiver) g_object_get(receiver.get(), "transport", dtls.out(), nullptr);
  }
  transceivers.reset();
  if (!dtls) return;
  dtlsWatched_ = true;
  handlers_.push_back(SignalConnection::connect(
      dtls.get(), "notify::state", G_CALLBACK(+[](GObject* obj, GParamSpec*, gpointer user) {
        gint state = 0;
        g_object_get(obj, "state", &state, nullptr);
        (**static_cast<std::shared_ptr<Callbacks>*>(user)).post([state](WebRtcEndpoint& e) { e.onDtlsState(state); });
      }),
      new std::shared_ptr<Callbacks>(callbacks_), [](gpointer d, GClosure*) { delete static_cast<std::shared_ptr<Callbacks>*>(d); }));
  gint state = 0;
  g_object_get(dtls.get(), "state", &state, nullptr);
  if (state != GST_WEBRTC_DTLS_TRANSPORT_STATE_NEW) setDtlsState(dtlsStateName(GST_WEBRTC_DTLS_TRANSPORT_STATE_NEW));
  onDtlsState(state);
}

void WebRtcEndpoint::onDtlsState(int state) {
  setDtlsState(dtlsStateName(state));
  if (state == GST_WEBRTC_DTLS_TRANSPORT_STATE_CLOSED || state == GST_WEBRTC_DTLS_TRANSPORT_STATE_FAILED) {
    terminateMediaSession(!localSdp_.isEmpty());
  }
}

void WebRtcEndpoint::generateOffer(const QJsonObject& options, std::shared_ptr<DeferredReply> reply) {
  if (negotiating_ || !remoteSdp_.isEmpty() || !localSdp_.isEmpty()) {
    throw KurentoException(ErrorCode::SdpEndPointAlreadyNegotiated,
                           QStringLiteral("This WebRtcEndpoint already negotiated; create a new endpoint for a new peer"));
  }
  const bool receiveAudio = options.value(u"offerToReceiveAudio").toBool(true) && !sendOnly_;
  const bool receiveVideo = options.value(u"offerToReceiveVideo").toBool(true) && !sendOnly_;
  applyIceServers();
  // We offer what we relay best: Opus audio, VP8 video, with the usual RTCP feedback.
  for (MediaType type : {MediaType::Audio, MediaType::Video}) {
    const bool video = type == MediaType::Video;
    const bool receive = video ? receiveVideo : receiveAudio;
    const bool send = !recvOnly_;
    if (!send && !receive) continue;
    CapsRef prefs = CapsRef::adopt(gst_caps_from_string(
        video ? "application/x-rtp,media=video,encoding-name=VP8,payload=96,clock-rate=90000,rtcp-fb-nack=(boolean)true,"
                "rtcp-fb-nack-pli=(boolean)true,rtcp-fb-ccm-fir=(boolean)true,rtcp-fb-goog-remb=(boolean)true"
              : "application/x-rtp,media=audio,encoding-name=OPUS,payload=111,clock-rate=48000,encoding-params=(string)2"));
    addStream(type, video ? QStringLiteral("VP8") : QStringLiteral("OPUS"), video ? 96 : 111, prefs.get(), send, receive);
  }
  negotiating_ = true;
  offerGenerated_ = true;
  auto fail = [reply](WebRtcEndpoint& e, const QString& why) {
    e.negotiating_ = false;
    reply->reject({ErrorCode::SdpEndPointGenerateOfferError, QStringLiteral("Cannot generate an offer: %1").arg(why)});
  };
  createLocalDescription(GST_WEBRTC_SDP_TYPE_OFFER, [reply](WebRtcEndpoint& e, const QString& text) {
    e.negotiating_ = false;
    reply->resolve(text);
  }, fail);
}

void WebRtcEndpoint::createLocalDescription(GstWebRTCSDPType type, std::function<void(WebRtcEndpoint&, const QString&)> done,
                                            std::function<void(WebRtcEndpoint&, const QString&)> fail) {
  const bool offer = type == GST_WEBRTC_SDP_TYPE_OFFER;
  const PromiseRef create = enginePromise(callbacks_, [offer, done, fail](WebRtcEndpoint& e, const GstStructure* r) {
    WebRtcSessionDescriptionPtr desc;  // gst_structure_get gives a copy of the boxed description
    if (r) gst_structure_get(r, offer ? "offer" : "answer", GST_TYPE_WEBRTC_SESSION_DESCRIPTION, desc.out(), nullptr);
    if (!desc) return fail(e, replyError(r).isEmpty() ? QStringLiteral("webrtcbin gave no description") : replyError(r));
    const QString generated = QString::fromUtf8(GCharPtr::adopt(gst_sdp_message_as_text(desc->sdp)).get());
    // maxAudio/VideoRecvBandwidth: ask the peer to send at most that much (b=AS, kbps).
    const QString sdpText = withFingerprint(
        withBandwidth(withoutSsrcLines(offer ? generated : withH264Fmtp(generated, e.answerH264Fmtp_)), e.maxAudioRecvBandwidth,
                      e.maxVideoRecvBandwidth),
        e.dtlsFingerprint_);
    if (sdpText != generated) replaceSdp(desc.get(), parseSdp(sdpText, offer ? "offer" : "answer"));
    if (offer) {
      // Our own mids name the m-lines of the candidates we announce.
      QStringList mids;
      for (guint i = 0; i < gst_sdp_message_medias_len(desc->sdp); ++i) {
        const char* mid = gst_sdp_media_get_attribute_val(gst_sdp_message_get_media(desc->sdp, i), "mid");
        mids.append(mid ? QString::fromUtf8(mid) : QString::number(i));
      }
      e.mids_ = mids;
    }
    const PromiseRef setLocal = enginePromise(e.callbacks_, [done, fail, sdpText](WebRtcEndpoint& e2, const GstStructure* r2) {
      if (const QString err = replyError(r2); !err.isEmpty()) return fail(e2, err);
      e2.localSdp_ = sdpText;
      done(e2, sdpText);
    });
    // webrtcbin copies the description and holds its own reference to the promise.
    g_signal_emit_by_name(e.webrtc_.get(), "set-local-description", desc.get(), setLocal.get());
  });
  g_signal_emit_by_name(webrtc_.get(), offer ? "create-offer" : "create-answer", nullptr, create.get());  // webrtcbin holds its own reference
}

void WebRtcEndpoint::processAnswer(const QString& answer, std::shared_ptr<DeferredReply> reply) {
  if (!offerGenerated_ || localSdp_.isEmpty()) {
    throw KurentoException(ErrorCode::SdpEndPointNotOfferGenerated,
                           QStringLiteral("processAnswer needs an offer from generateOffer first"));
  }
  if (!remoteSdp_.isEmpty() || negotiating_) {
    throw KurentoException(ErrorCode::SdpEndPointAnswerAlreadyProcessed, QStringLiteral("The answer was already processed"));
  }
  SdpMessagePtr sdp = parseSdp(answer, "answer");
  remoteSdp_ = answer;
  negotiating_ = true;
  const WebRtcSessionDescriptionPtr desc = makeSessionDescription(GST_WEBRTC_SDP_TYPE_ANSWER, std::move(sdp));
  const PromiseRef setRemote = enginePromise(callbacks_, [reply](WebRtcEndpoint& e, const GstStructure* r) {
    e.negotiating_ = false;
    if (const QString err = replyError(r); !err.isEmpty()) {
      return reply->reject({ErrorCode::SdpEndPointProcessAnswerError, QStringLiteral("Cannot use the answer: %1").arg(err)});
    }
    e.remoteSet_ = true;
    e.finishNegotiation(e.localSdp_, reply);
  });
  // webrtcbin copies the description and holds its own reference to the promise.
  g_signal_emit_by_name(webrtc_.get(), "set-remote-description", desc.get(), setRemote.get());
}

void WebRtcEndpoint::requestKeyframe() {
  for (const auto& tee : {callbacks_->videoTee}) {
    PadRef sink = PadRef::adopt(gst_element_get_static_pad(tee.get(), "sink"));
    gst_pad_push_event(sink.get(), gst_video_event_new_upstream_force_key_unit(GST_CLOCK_TIME_NONE, TRUE, 0));
  }
}

namespace {

QString statString(const GstStructure* s, const char* field) {
  const char* v = gst_structure_get_string(s, field);
  return v ? QString::fromUtf8(v) : QString();
}

// "audio"/"video" of every SSRC on webrtcbin's pads: the payloaders' caps on its sink pads (what
// we send) and the received streams' caps on its source pads. GStreamer 1.22's rtp stats of a
// bundled transport all name the same codec entry, so the codec cannot tell them apart.
QHash<quint32, QString> ssrcKinds(GstElement* webrtc) {
  QHash<quint32, QString> out;
  IteratorPtr it = IteratorPtr::adopt(gst_element_iterate_pads(webrtc));
  ScopedValue item;
  while (gst_iterator_next(it.get(), item.get()) == GST_ITERATOR_OK) {
    CapsRef caps = CapsRef::adopt(gst_pad_get_current_caps(GST_PAD(g_value_get_object(item.get()))));
    const GstStructure* s = caps && gst_caps_get_size(caps.get()) > 0 ? gst_caps_get_structure(caps.get(), 0) : nullptr;
    guint ssrc = 0;
    const char* media = s ? gst_structure_get_string(s, "media") : nullptr;
    if (media && gst_structure_get_uint(s, "ssrc", &ssrc)) out.insert(ssrc, QString::fromUtf8(media));
    g_value_reset(item.get());
  }
  return out;
}

}  // namespace

void WebRtcEndpoint::statsAsync(std::optional<MediaType> type, std::shared_ptr<DeferredReply> reply) {
  QJsonObject base = stats(type);
  QHash<quint32, QString> ssrcKind = ssrcKinds(webrtc_.get());
  const PromiseRef promise = enginePromise(callbacks_, [reply, base, type, ssrcKind](WebRtcEndpoint& e, const GstStructure* r) mutable {
    QJsonObject out = base;
    if (!r) return reply->resolve(out);
    // Media kinds by codec entry and by SSRC, to honour the mediaType filter.
    QHash<QString, QString> codecKind;
    const int n = gst_structure_n_fields(r);
    for (int i = 0; i < n; ++i) {
      const GValue* v = gst_structure_get_value(r, gst_structure_nth_field_name(r, i));
      if (!GST_VALUE_HOLDS_STRUCTURE(v)) continue;
      const GstStructure* s = gst_value_get_structure(v);
      GstWebRTCStatsType statsType{};
      if (gst_structure_get(s, "type", GST_TYPE_WEBRTC_STATS_TYPE, &statsType, nullptr) && statsType == GST_WEBRTC_STATS_CODEC) {
        QString mime = statString(s, "mime-type").toLower();
        codecKind.insert(statString(s, "id"), mime.section(u'/', 0, 0));
        guint ssrc = 0;
        if (gst_structure_get_uint(s, "ssrc", &ssrc) && !mime.isEmpty() && !ssrcKind.contains(ssrc)) ssrcKind.insert(ssrc, mime.section(u'/', 0, 0));
      }
    }
    for (int i = 0; i < n; ++i) {
      const GValue* v = gst_structure_get_value(r, gst_structure_nth_field_name(r, i));
      if (!GST_VALUE_HOLDS_STRUCTURE(v)) continue;
      const GstStructure* s = gst_value_get_structure(v);
      GstWebRTCStatsType statsType{};
      if (!gst_structure_get(s, "type", GST_TYPE_WEBRTC_STATS_TYPE, &statsType, nullptr)) continue;
      const bool inbound = statsType == GST_WEBRTC_STATS_INBOUND_RTP;
      if (!inbound && statsType != GST_WEBRTC_STATS_OUTBOUND_RTP) continue;
      const QString codecId = statString(s, "codec-id");
      const auto ssrc = static_cast<quint32>(statNumber(s, "ssrc"));
      // A filtered result leaves out streams whose kind is unknown (webrtcbin lists an unused
      // outgoing SSRC of its own, with zero packets, that no pad carries).
      const QString kind = ssrcKind.value(ssrc);
      if (type && kind != mediaTypeName(*type).toLower()) continue;
      // REMB: what the peer last asked us for (outbound video), what we ask the peer (inbound video).
      const qint64 remb = kind == u"video" ? (inbound ? e.forwardedRemb() : e.receivedRemb()) : 0;
      const QString id = statString(s, "id");
      QJsonObject f{{QStringLiteral("id"), id},
                    {QStringLiteral("type"), inbound ? QStringLiteral("inboundrtp") : QStringLiteral("outboundrtp")},
                    {QStringLiteral("timestampMillis"), QDateTime::currentMSecsSinceEpoch()},  // epoch ms, as Kurento
                    {QStringLiteral("ssrc"), QString::number(static_cast<qint64>(statNumber(s, "ssrc")))},
                    {QStringLiteral("associateStatsId"), statString(s, inbound ? "remote-id" : "remote-id")},
                    {QStringLiteral("isRemote"), false},
                    {QStringLiteral("mediaTrackId"), QString()},
                    {QStringLiteral("transportId"), statString(s, "transport-id")},
                    {QStringLiteral("codecId"), codecId},
                    {QStringLiteral("firCount"), static_cast<qint64>(statNumber(s, "fir-count"))},
                    {QStringLiteral("pliCount"), static_cast<qint64>(statNumber(s, "pli-count"))},
                    {QStringLiteral("nackCount"), static_cast<qint64>(statNumber(s, "nack-count"))},
                    {QStringLiteral("sliCount"), 0},
                    {QStringLiteral("remb"), remb},
                    {QStringLiteral("packetsLost"), static_cast<qint64>(statNumber(s, "packets-lost"))},
                    {QStringLiteral("fractionLost"), statNumber(s, "fraction-lost")}};
      if (inbound) {
        f.insert(QStringLiteral("packetsReceived"), static_cast<qint64>(statNumber(s, "packets-received")));
        f.insert(QStringLiteral("bytesReceived"), static_cast<qint64>(statNumber(s, "bytes-received")));
        f.insert(QStringLiteral("jitter"), statNumber(s, "jitter"));
      } else {
        f.insert(QStringLiteral("packetsSent"), static_cast<qint64>(statNumber(s, "packets-sent")));
        f.insert(QStringLiteral("bytesSent"), static_cast<qint64>(statNumber(s, "bytes-sent")));
        f.insert(QStringLiteral("targetBitrate"), 0.0);
        // The peer's receiver reports on this stream: webrtcbin's remote-inbound entry.
        const QByteArray remoteId = statString(s, "remote-id").toUtf8();
        const GValue* remote = remoteId.isEmpty() ? nullptr : gst_structure_get_value(r, remoteId.constData());
        const GstStructure* rs = remote && GST_VALUE_HOLDS_STRUCTURE(remote) ? gst_value_get_structure(remote) : nullptr;
        f.insert(QStringLiteral("roundTripTime"), rs ? statNumber(rs, "round-trip-time") : 0.0);
      }
      out.insert(id, Schema::complex(inbound ? QStringLiteral("RTCInboundRTPStreamStats") : QStringLiteral("RTCOutboundRTPStreamStats"), f));
    }
    reply->resolve(out);
  });
  g_signal_emit_by_name(webrtc_.get(), "get-stats", nullptr, promise.get());  // webrtcbin holds its own reference
}

namespace {

int channelId(GstWebRTCDataChannel* channel) {
  gint id = -1;
  g_object_get(channel, "id", &id, nullptr);
  return id;
}

QString channelLabel(GstWebRTCDataChannel* channel) {
  GCharPtr label;
  g_object_get(channel, "label", label.out(), nullptr);
  return QString::fromUtf8(label ? label.get() : "");
}

}  // namespace

void WebRtcEndpoint::adoptChannel(GstWebRTCDataChannel* channel) {
  for (const auto& c : channels_) {
    if (c.get() == channel) return;
  }
  channels_.append(GObjectRef<GstWebRTCDataChannel>::addRef(channel));
  auto connectSignal = [&](const char* signal, GCallback fn) {
    g_signal_connect_data(channel, signal, fn, new std::shared_ptr<Callbacks>(callbacks_),
                          [](gpointer d, GClosure*) { delete static_cast<std::shared_ptr<Callbacks>*>(d); }, GConnectFlags(0));
  };
  connectSignal("on-open", G_CALLBACK(+[](GstWebRTCDataChannel* ch, gpointer user) {
    const int id = channelId(ch);
    (**static_cast<std::shared_ptr<Callbacks>*>(user)).post([id](WebRtcEndpoint& e) {
      e.raise(QStringLiteral("DataChannelOpened"), QJsonObject{{QStringLiteral("channelId"), id}});
    });
  }));
  connectSignal("on-close", G_CALLBACK(+[](GstWebRTCDataChannel* ch, gpointer user) {
    const int id = channelId(ch);
    (**static_cast<std::shared_ptr<Callbacks>*>(user)).post([id](WebRtcEndpoint& e) {
      e.raise(QStringLiteral("DataChannelClosed"), QJsonObject{{QStringLiteral("channelId"), id}});
    });
  }));
  connectSignal("on-message-string", G_CALLBACK(+[](GstWebRTCDataChannel* ch, gchar* text, gpointer user) {
    const QString label = channelLabel(ch);
    const QByteArray data(text ? text : "");
    (**static_cast<std::shared_ptr<Callbacks>*>(user)).post([label, data](WebRtcEndpoint& e) {
      for (const auto& sink : e.sinks(MediaType::Data)) {
        if (auto w = std::dynamic_pointer_cast<WebRtcEndpoint>(sink)) w->sendData(label, data, true);
      }
    });
  }));
  connectSignal("on-message-data", G_CALLBACK(+[](GstWebRTCDataChannel* ch, GBytes* bytes, gpointer user) {
    const QString label = channelLabel(ch);
    gsize size = 0;
    const auto* raw = bytes ? static_cast<const char*>(g_bytes_get_data(bytes, &size)) : nullptr;
    const QByteArray data(raw, static_cast<qsizetype>(size));
    (**static_cast<std::shared_ptr<Callbacks>*>(user)).post([label, data](WebRtcEndpoint& e) {
      for (const auto& sink : e.sinks(MediaType::Data)) {
        if (auto w = std::dynamic_pointer_cast<WebRtcEndpoint>(sink)) w->sendData(label, data, false);
      }
    });
  }));
  // A channel the peer opened before we saw it is already open.
  GstWebRTCDataChannelState state{};
  g_object_get(channel, "ready-state", &state, nullptr);
  if (state == GST_WEBRTC_DATA_CHANNEL_STATE_OPEN) {
    raise(QStringLiteral("DataChannelOpened"), QJsonObject{{QStringLiteral("channelId"), channelId(channel)}});
  }
}

void WebRtcEndpoint::sendData(const QString& label, const QByteArray& data, bool isText) {
  // The channel with the same label, else the first open one.
  GstWebRTCDataChannel* target = nullptr;
  for (const auto& c : channels_) {
    GstWebRTCDataChannelState state{};
    g_object_get(c.get(), "ready-state", &state, nullptr);
    if (state != GST_WEBRTC_DATA_CHANNEL_STATE_OPEN) continue;
    if (channelLabel(c.get()) == label) {
      target = c.get();
      break;
    }
    if (!target) target = c.get();
  }
  if (!target) return;
  if (isText) {
    gst_webrtc_data_channel_send_string_full(target, data.constData(), nullptr);
  } else {
    const BytesRef bytes = BytesRef::adopt(g_bytes_new(data.constData(), static_cast<gsize>(data.size())));
    gst_webrtc_data_channel_send_data_full(target, bytes.get(), nullptr);
  }
}

void WebRtcEndpoint::createDataChannel(const QString& label, bool ordered, int maxPacketLifeTime, int maxRetransmits,
                                       const QString& protocol) {
  if (!useDataChannels_) {
    throw KurentoException(KurentoError::illegalParam(
        QStringLiteral("Create the WebRtcEndpoint with useDataChannels: true to use data channels")));
  }
  StructurePtr options = StructurePtr::adopt(gst_structure_new("application/data-channel", "ordered", G_TYPE_BOOLEAN, ordered,
                                                               "protocol", G_TYPE_STRING, protocol.toUtf8().constData(), nullptr));
  if (maxPacketLifeTime >= 0) gst_structure_set(options.get(), "max-packet-lifetime", G_TYPE_INT, maxPacketLifeTime, nullptr);
  if (maxRetransmits >= 0) gst_structure_set(options.get(), "max-retransmits", G_TYPE_INT, maxRetransmits, nullptr);
  GObjectRef<GstWebRTCDataChannel> channel;  // the signal returns a new reference
  g_signal_emit_by_name(webrtc_.get(), "create-data-channel", label.toUtf8().constData(), options.get(), channel.out());
  options.reset();
  if (!channel) {
    throw KurentoException(ErrorCode::UnexpectedError,
                           QStringLiteral("webrtcbin could not create data channel '%1' (negotiate a data channel m-line first)").arg(label));
  }
  adoptChannel(channel.get());
}

void WebRtcEndpoint::closeDataChannel(int id) {
  for (const auto& c : channels_) {
    if (channelId(c.get()) == id) {
      gst_webrtc_data_channel_close(c.get());
      return;
    }
  }
  throw KurentoException(KurentoError::illegalParam(QStringLiteral("No data channel with id %1").arg(id)));
}

void WebRtcEndpoint::gatherCandidates() {
  gatherRequested_ = true;
  for (const auto& [mline, candidate] : std::exchange(localCandidates_, {})) raiseCandidate(mline, candidate);
  if (gatheringDone_ && !gatheringDoneRaised_) {
    gatheringDoneRaised_ = true;
    raise(QStringLiteral("IceGatheringDone"));
  }
}

void WebRtcEndpoint::onLocalCandidate(int mline, const QString& candidate) {
  if (!gatherRequested_) {
    localCandidates_.append({mline, candidate});
    return;
  }
  raiseCandidate(mline, candidate);
}

void WebRtcEndpoint::raiseCandidate(int mline, const QString& candidate) {
  WebRtcPeer::raiseCandidate(mline, mline >= 0 && mline < mids_.size() ? mids_[mline] : QString::number(mline), candidate);
}

void WebRtcEndpoint::onGatheringState(int state) {
  if (state != GST_WEBRTC_ICE_GATHERING_STATE_COMPLETE) return;
  gatheringDone_ = true;
  if (gatherRequested_ && !gatheringDoneRaised_) {
    // Candidates still queued on the engine thread go out first.
    gatheringDoneRaised_ = true;
    raise(QStringLiteral("IceGatheringDone"));
  }
}

void WebRtcEndpoint::addIceCandidate(const QJsonObject& candidate) {
  const QString line = candidate.value(u"candidate").toString();
  if (line.trimmed().isEmpty()) return;  // end-of-candidates
  int mline = candidate.value(u"sdpMLineIndex").toInt(-1);
  if (mline < 0) mline = static_cast<int>(mids_.indexOf(candidate.value(u"sdpMid").toString()));
  if (mline < 0) mline = 0;
  if (!line.startsWith(u"candidate:") && !line.startsWith(u"a=candidate:")) {
    throw KurentoException(ErrorCode::IceAddCandidateError,
                           QStringLiteral("'%1' is not an ICE candidate line (it should start with \"candidate:\")").arg(line.left(80)));
  }
  if (!remoteSet_) {
    remoteCandidates_.append({mline, line});  // applied once the offer is processed
    return;
  }
  applyRemoteCandidate(mline, line);
}

void WebRtcEndpoint::applyRemoteCandidate(int mline, const QString& candidate) {
  // With BUNDLE every candidate belongs to the first transport.
  g_signal_emit_by_name(webrtc_.get(), "add-ice-candidate", static_cast<guint>(mline), candidate.toUtf8().constData());
}

void WebRtcEndpoint::onIceState(int state) {
  const QString s = iceComponentState(state);
  if (s == iceState_) return;
  iceState_ = s;
  raise(QStringLiteral("IceComponentStateChanged"), QJsonObject{{QStringLiteral("streamId"), 1},
                                                                {QStringLiteral("componentId"), 1},
                                                                {QStringLiteral("state"), s}});
  if (state == GST_WEBRTC_ICE_CONNECTION_STATE_CONNECTED || state == GST_WEBRTC_ICE_CONNECTION_STATE_COMPLETED) {
    reportSelectedPair();
  }
}

void WebRtcEndpoint::reportSelectedPair() {
  // The pair webrtcbin's stats name, as candidate lines (NewCandidatePairSelected, getICECandidatePairs).
  const PromiseRef promise = enginePromise(callbacks_, [](WebRtcEndpoint& e, const GstStructure* r) {
    if (!r) return;
    QHash<QString, const GstStructure*> byId;
    QList<const GstStructure*> pairs;
    for (int i = 0; i < gst_structure_n_fields(r); ++i) {
      const GValue* v = gst_structure_get_value(r, gst_structure_nth_field_name(r, i));
      if (!GST_VALUE_HOLDS_STRUCTURE(v)) continue;
      const GstStructure* st = gst_value_get_structure(v);
      GstWebRTCStatsType type{};
      if (!gst_structure_get(st, "type", GST_TYPE_WEBRTC_STATS_TYPE, &type, nullptr)) continue;
      if (type == GST_WEBRTC_STATS_CANDIDATE_PAIR) pairs.append(st);
      else byId.insert(statString(st, "id"), st);
    }
    auto line = [](const GstStructure* c) {
      if (!c) return QString();
      return QStringLiteral("candidate:1 1 %1 %2 %3 %4 typ %5")
          .arg(statString(c, "protocol").toUpper().isEmpty() ? QStringLiteral("UDP") : statString(c, "protocol").toUpper())
          .arg(static_cast<qint64>(statNumber(c, "priority")))
          .arg(statString(c, "address"))
          .arg(static_cast<qint64>(statNumber(c, "port")))
          .arg(statString(c, "candidate-type").isEmpty() ? QStringLiteral("host") : statString(c, "candidate-type"));
    };
    for (const GstStructure* pair : pairs) {
      const QString local = line(byId.value(statString(pair, "local-candidate-id")));
      const QString remote = line(byId.value(statString(pair, "remote-candidate-id")));
      if (local.isEmpty() || remote.isEmpty()) continue;
      const QJsonObject candidatePair = Schema::complex(QStringLiteral("IceCandidatePair"),
                                                        QJsonObject{{QStringLiteral("streamId"), QStringLiteral("1")},
                                                                    {QStringLiteral("componentId"), 1},
                                                                    {QStringLiteral("localCandidate"), local},
                                                                    {QStringLiteral("remoteCandidate"), remote}});
      if (e.candidatePairs_.contains(candidatePair)) continue;
      e.candidatePairs_ = QJsonArray{candidatePair};
      e.raise(QStringLiteral("NewCandidatePairSelected"), QJsonObject{{QStringLiteral("candidatePair"), candidatePair}});
      break;
    }
  });
  g_signal_emit_by_name(webrtc_.get(), "get-stats", nullptr, promise.get());  // webrtcbin holds its own reference
}

void WebRtcEndpoint::onConnectionState(int state) {
  if (state == GST_WEBRTC_PEER_CONNECTION_STATE_CONNECTED) {
    setConnectionState(LinkState::Connected);
    setMediaState(LinkState::Connected);
  } else if (state == GST_WEBRTC_PEER_CONNECTION_STATE_DISCONNECTED || state == GST_WEBRTC_PEER_CONNECTION_STATE_FAILED ||
             state == GST_WEBRTC_PEER_CONNECTION_STATE_CLOSED) {
    setConnectionState(LinkState::Disconnected);
    setMediaState(LinkState::Disconnected);
    if (state == GST_WEBRTC_PEER_CONNECTION_STATE_FAILED) terminateMediaSession(!localSdp_.isEmpty());
  }
}

QJsonArray WebRtcEndpoint::iceConnectionState() const {
  if (!remoteSet_) return {};
  return QJsonArray{Schema::complex(QStringLiteral("IceConnection"), QJsonObject{{QStringLiteral("streamId"), QStringLiteral("1")},
                                                                                 {QStringLiteral("componentId"), 1},
                                                                                 {QStringLiteral("state"), iceState_}})};
}

void WebRtcEndpoint::onRelease() {
  // The bin stops on the Reaper's thread; the destructor breaks the handler cycle afterwards.
  BaseRtpEndpoint::onRelease();
}

std::shared_ptr<MediaObject> makeWebrtcbinEndpoint(const Creation& creation) {
  auto e = std::make_shared<WebRtcEndpoint>(creation);
  e->attachSignals();
  return e;
}

}  // namespace pw
