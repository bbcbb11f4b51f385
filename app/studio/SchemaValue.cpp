#include "SchemaValue.h"

#include <QJsonArray>
#include <QJsonDocument>
#include <QJsonObject>

namespace pw::studio {

QString SchemaValue::text(const QJsonValue& v) {
  if (v.isString()) return v.toString();
  if (v.isBool()) return v.toBool() ? QStringLiteral("true") : QStringLiteral("false");
  if (v.isDouble()) return QString::number(v.toDouble(), 'g', 12);
  if (v.isObject()) return QString::fromUtf8(QJsonDocument(v.toObject()).toJson(QJsonDocument::Compact));
  if (v.isArray()) return QString::fromUtf8(QJsonDocument(v.toArray()).toJson(QJsonDocument::Compact));
  return {};
}

QJsonValue SchemaValue::fromForm(const QString& type, const QVariant& value) {
  const QString text = value.toString().trimmed();
  if (type == u"int" || type == u"int64") {
    bool ok = false;
    const qlonglong n = value.typeId() == QMetaType::QString ? text.toLongLong(&ok) : value.toLongLong(&ok);
    return ok ? QJsonValue(n) : QJsonValue(text);
  }
  if (type == u"float" || type == u"double") {
    bool ok = false;
    const double d = value.typeId() == QMetaType::QString ? text.toDouble(&ok) : value.toDouble(&ok);
    return ok ? QJsonValue(d) : QJsonValue(text);
  }
  if (type == u"boolean") {
    if (value.typeId() == QMetaType::Bool) return value.toBool();
    return text == u"true" || text == u"1" || text == u"yes";
  }
  if (type == u"String") return text;
  // Complex types and enums: JSON when it parses, else the text (an enum value).
  if (text.startsWith(u'{') || text.startsWith(u'[')) {
    const QJsonDocument doc = QJsonDocument::fromJson(text.toUtf8());
    if (doc.isObject()) return doc.object();
    if (doc.isArray()) return doc.array();
  }
  return QJsonValue::fromVariant(value);
}

}  // namespace pw::studio
