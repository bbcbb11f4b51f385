#include "BaseRtpEndpoint.h"

#include "Remb.h"
#include "core/Bindings.h"
#include "gst/ScopedValue.h"
#include "pipewright/engine/Schema.h"

namespace pw {

BaseRtpEndpoint::BaseRtpEndpoint(const Creation& creation, const QString& type) : MediaElement(creation, type) {}

QString BaseRtpEndpoint::linkStateName(LinkState s) {
  return s == LinkState::Connected ? QStringLiteral("CONNECTED") : QStringLiteral("DISCONNECTED");
}

void BaseRtpEndpoint::setMediaState(LinkState s) {
  if (s == mediaState_) return;
  const LinkState old = std::exchange(mediaState_, s);
  raise(QStringLiteral("MediaStateChanged"),
        QJsonObject{{QStringLiteral("oldState"), linkStateName(old)}, {QStringLiteral("newState"), linkStateName(s)}});
}

void BaseRtpEndpoint::setConnectionState(LinkState s) {
  if (s == connectionState_) return;
  const LinkState old = std::exchange(connectionState_, s);
  raise(QStringLiteral("ConnectionStateChanged"),
        QJsonObject{{QStringLiteral("oldState"), linkStateName(old)}, {QStringLiteral("newState"), linkStateName(s)}});
}

void BaseRtpEndpoint::setUpRemb() {
  ElementRef tee = ElementRef::adopt(gst_bin_get_by_name(bin(), "out-video"));
  remb_ = Remb::install(GST_ELEMENT(bin()), tee.get());
  bandwidthChanged();
}

void BaseRtpEndpoint::startRemb(bool negotiated) {
  if (!remb_) return;
  remb_->setEnabled(negotiated);
  remb_->setVideoInput(inputs_[index(MediaType::Video)]);
}

void BaseRtpEndpoint::bandwidthChanged() {
  if (remb_) remb_->setSendLimits(minVideoSendBandwidth * 1000, maxVideoSendBandwidth * 1000);
}

int BaseRtpEndpoint::receivedRemb() const { return remb_ ? remb_->lastReceivedBps() : 0; }
int BaseRtpEndpoint::forwardedRemb() const { return remb_ ? remb_->forwardedBps() : 0; }

namespace {

// get<Prop>/set<Prop> for an int member, with a non-negative check on set.
void bindInt(Bindings& b, const QString& cls, const QString& prop, int BaseRtpEndpoint::*member) {
  b.add(cls, Schema::getterName(prop), [member](Invocation& call) { return QJsonValue(call.as<BaseRtpEndpoint>().*member); });
  b.add(cls, Schema::setterName(prop), [member, prop](Invocation& call) {
    const qint64 v = call.integer(prop);
    if (v < 0) throw KurentoException(KurentoError::illegalParam(QStringLiteral("'%1' must not be negative").arg(prop)));
    call.as<BaseRtpEndpoint>().*member = static_cast<int>(v);
    call.as<BaseRtpEndpoint>().bandwidthChanged();
    return QJsonValue();
  });
}

}  // namespace

void bindBaseRtpEndpoint(Bindings& b) {
  const QString sdp = QStringLiteral("SdpEndpoint");
  bindInt(b, sdp, QStringLiteral("maxAudioRecvBandwidth"), &BaseRtpEndpoint::maxAudioRecvBandwidth);
  bindInt(b, sdp, QStringLiteral("maxVideoRecvBandwidth"), &BaseRtpEndpoint::maxVideoRecvBandwidth);
  b.add(sdp, QStringLiteral("processOffer"), [](Invocation& call) {
    call.as<BaseRtpEndpoint>().processOffer(call.string(QStringLiteral("offer")), call.defer());
    return QJsonValue();
  });
  b.add(sdp, QStringLiteral("generateOffer"), [](Invocation& call) {
    call.as<BaseRtpEndpoint>().generateOffer(call.params().value(u"options").toObject(), call.defer());
    return QJsonValue();
  });
  b.add(sdp, QStringLiteral("processAnswer"), [](Invocation& call) {
    call.as<BaseRtpEndpoint>().processAnswer(call.string(QStringLiteral("answer")), call.defer());
    return QJsonValue();
  });
  // get{Local,Remote}SessionDescriptor: the description, or the error saying what to call first.
  auto descriptor = [&](const QString& op, const QString& (BaseRtpEndpoint::*get)() const, ErrorCode missing, const QString& hint) {
    b.add(sdp, op, [get, missing, hint](Invocation& call) {
      const QString& sdpText = (call.as<BaseRtpEndpoint>().*get)();
      if (sdpText.isEmpty()) throw KurentoException(missing, hint);
      return QJsonValue(sdpText);
    });
  };
  descriptor(QStringLiteral("getLocalSessionDescriptor"), &BaseRtpEndpoint::localDescription, ErrorCode::SdpEndPointNoLocalSdpError,
             QStringLiteral("No local SDP yet: call processOffer or generateOffer first"));
  descriptor(QStringLiteral("getRemoteSessionDescriptor"), &BaseRtpEndpoint::remoteDescription, ErrorCode::SdpEndPointNoRemoteSdpError,
             QStringLiteral("No remote SDP yet: call processOffer or processAnswer first"));

  const QString rtp = QStringLiteral("BaseRtpEndpoint");
  bindInt(b, rtp, QStringLiteral("minVideoRecvBandwidth"), &BaseRtpEndpoint::minVideoRecvBandwidth);
  bindInt(b, rtp, QStringLiteral("minVideoSendBandwidth"), &BaseRtpEndpoint::minVideoSendBandwidth);
  bindInt(b, rtp, QStringLiteral("maxVideoSendBandwidth"), &BaseRtpEndpoint::maxVideoSendBandwidth);
  bindInt(b, rtp, QStringLiteral("mtu"), &BaseRtpEndpoint::mtu);
  b.add(rtp, QStringLiteral("getMediaState"), [](Invocation& call) {
    return QJsonValue(BaseRtpEndpoint::linkStateName(call.as<BaseRtpEndpoint>().mediaState()));
  });
  b.add(rtp, QStringLiteral("getConnectionState"), [](Invocation& call) {
    return QJsonValue(BaseRtpEndpoint::linkStateName(call.as<BaseRtpEndpoint>().connectionState()));
  });
  b.add(rtp, QStringLiteral("getRembParams"), [](Invocation& call) {
    return QJsonValue(Schema::complex(QStringLiteral("RembParams"), call.as<BaseRtpEndpoint>().rembParams));
  });
  b.add(rtp, QStringLiteral("setRembParams"), [](Invocation& call) {
    QJsonObject p = call.params().value(u"rembParams").toObject();
    p.remove(QStringLiteral("__module__"));
    p.remove(QStringLiteral("__type__"));
    call.as<BaseRtpEndpoint>().rembParams = p;
    return QJsonValue();
  });
  b.add(rtp, QStringLiteral("requestKeyframe"), [](Invocation& call) {
    call.as<BaseRtpEndpoint>().requestKeyframe();
    return QJsonValue();
  });
}

double BaseRtpEndpoint::statNumber(const GstStructure* s, const char* field) {
  const GValue* v = gst_structure_get_value(s, field);
  if (!v) return 0;
  ScopedValue d(G_TYPE_DOUBLE);
  return g_value_transform(v, d.get()) ? g_value_get_double(d.get()) : 0;
}

}  // namespace pw
