#include "PortRules.h"

namespace pw::studio {

namespace {
const QStringList kAv{QStringLiteral("VIDEO"), QStringLiteral("AUDIO")};
const QStringList kAvd{QStringLiteral("VIDEO"), QStringLiteral("AUDIO"), QStringLiteral("DATA")};
}  // namespace

bool PortRules::isHub(const QString& type) {
  return type == u"Composite" || type == u"Dispatcher" || type == u"DispatcherOneToMany" || type == u"Mixer" ||
         type == u"AlphaBlending";
}

QStringList PortRules::inputs(const QString& type) {
  if (type == u"PlayerEndpoint" || type == u"WhipEndpoint" || type == u"HttpPostEndpoint" || isHub(type)) return {};
  if (type == u"RecorderEndpoint") return kAv;
  if (type == u"WebRtcEndpoint" || type == u"PassThrough") return kAvd;
  return kAv;
}

QStringList PortRules::outputs(const QString& type) {
  if (type == u"RecorderEndpoint" || type == u"WhepEndpoint" || isHub(type)) return {};
  if (type == u"WebRtcEndpoint" || type == u"PassThrough") return kAvd;
  return kAv;
}

QStringList PortRules::typesToConnect(const QString& sourceType, const QString& sinkType, const QString& mediaType) {
  const QStringList outs = outputs(sourceType);
  const QStringList ins = inputs(sinkType);
  QStringList result;
  for (const QString& t : kAvd) {
    if ((mediaType == u"ALL" || mediaType == t) && outs.contains(t) && ins.contains(t)) result.append(t);
  }
  return result;
}

QString PortRules::refusal(const QString& sourceType, const QString& sinkType, const QString& mediaType) {
  if (isHub(sourceType) || isHub(sinkType)) {
    return QStringLiteral("A %1 is wired through its HubPorts: add a HubPort for it and connect that")
        .arg(isHub(sourceType) ? sourceType : sinkType);
  }
  if (outputs(sourceType).isEmpty()) return QStringLiteral("A %1 has no outputs").arg(sourceType);
  if (inputs(sinkType).isEmpty()) return QStringLiteral("A %1 has no inputs").arg(sinkType);
  if (mediaType != u"ALL") {
    if (!outputs(sourceType).contains(mediaType)) return QStringLiteral("%1 has no %2 output").arg(sourceType, mediaType);
    if (!inputs(sinkType).contains(mediaType)) return QStringLiteral("%1 has no %2 input").arg(sinkType, mediaType);
  }
  if (typesToConnect(sourceType, sinkType, mediaType).isEmpty()) {
    return QStringLiteral("%1 and %2 share no media type").arg(sourceType, sinkType);
  }
  return {};
}

}  // namespace pw::studio
