#pragma once

// Values of the schema's types between the studio's forms and the engine's JSON: what a form
// produced (text, number, bool) as the JSON a type wants, and a JSON value as the text shown.

#include <QJsonValue>
#include <QString>
#include <QVariant>

namespace pw::studio {

class SchemaValue {
 public:
  // `type` is a schema type name ("int", "boolean", "String", a complex type or an enum).
  static QJsonValue fromForm(const QString& type, const QVariant& value);
  static QString text(const QJsonValue& value);
};

}  // namespace pw::studio
