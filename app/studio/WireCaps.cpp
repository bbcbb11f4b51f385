#include "WireCaps.h"

#include "EngineClient.h"
#include "NodeListModel.h"

#include <QPointer>
#include <QRegularExpression>

namespace pw::studio {

WireCaps::WireCaps(EngineClient& client, NodeListModel& nodes, QObject* parent)
    : QObject(parent), client_(client), nodes_(nodes) {}

QString WireCaps::edgeId(const QString& sourceKey, const QString& sinkKey, const QString& mediaType) {
  return sourceKey + u'|' + sinkKey + u'|' + mediaType;
}

QString WireCaps::shortCaps(const QString& caps) {
  static const QRegularExpression typeNames(QStringLiteral("=\\([A-Za-z0-9_]+\\)"));
  // Fields that only say "nothing special": plain 2D video, progressive frames.
  static const QRegularExpression defaults(
      QStringLiteral(", (multiview-mode=mono|multiview-flags=0:ffffffff:[^,]*|interlace-mode=progressive)(?=,|$)"));
  QString text = caps;
  return text.replace(typeNames, QStringLiteral("=")).replace(defaults, QString());
}

void WireCaps::setAnswer(const QString& edge, const QString& caps) {
  edge_ = edge;
  text_ = caps.isEmpty() ? tr("not negotiated yet") : shortCaps(caps);
  Q_EMIT changed();
}

void WireCaps::query(const QString& sourceKey, const QString& sinkKey, const QString& mediaType) {
  const int asked = ++asked_;
  const QString edge = edgeId(sourceKey, sinkKey, mediaType);
  auto answer = [self = QPointer<WireCaps>(this), asked, edge](const QString& caps) {
    if (!self || asked != self->asked_) return;
    self->setAnswer(edge, caps);
  };
  const GraphNode* source = nodes_.find(sourceKey);
  const GraphNode* sink = nodes_.find(sinkKey);
  if (!source || !sink || source->objectId.isEmpty() || sink->objectId.isEmpty()) return answer({});
  client_.connectionCaps(source->objectId, sink->objectId, mediaType, answer);
}

}  // namespace pw::studio
