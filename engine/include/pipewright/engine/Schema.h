#pragma once

// The remote API description (engine/schema/*.kmd.json): one source for request validation,
// `describe`, ServerManager.getInfo, the studio palette and the API reference (design §1).

#include <QHash>
#include <QJsonObject>
#include <QJsonValue>
#include <QList>
#include <QString>
#include <QStringList>

#include <optional>

namespace pw {

struct SchemaParam {
  QString name;
  QString type;
  QString doc;
  bool optional = false;
  bool hasDefault = false;
  QJsonValue defaultValue;
};

struct SchemaProperty {
  QString name;
  QString type;
  QString doc;
  bool readOnly = false;
  bool isFinal = false;
  bool writable() const { return !readOnly && !isFinal; }
};

struct SchemaMethod {
  QString name;
  QString doc;
  QList<SchemaParam> params;
  QString returnType;  // empty for void
};

struct SchemaClass {
  QString name;
  QString module;
  QString extends;
  QString doc;
  QString tier;
  bool isAbstract = false;
  bool hasConstructor = false;
  QList<SchemaParam> constructorParams;
  QList<SchemaProperty> properties;
  QList<SchemaMethod> methods;
  QStringList events;
};

struct SchemaType {
  QString name;
  QString module;
  QString typeFormat;  // "ENUM" or "REGISTER"
  QString extends;
  QString doc;
  QStringList values;             // ENUM
  QList<SchemaParam> properties;  // REGISTER
};

struct SchemaEvent {
  QString name;
  QString module;
  QString extends;
  QString doc;
  QList<SchemaParam> properties;
};

struct SchemaModule {
  QString name;
  QString version;
  QString kurentoVersion;
  QByteArray text;  // the module file as shipped (ServerManager.getKmd)
  QStringList factories;
};

// What an `invoke` operation resolves to: a method, or a property accessor.
struct SchemaOperation {
  enum class Kind { Method, Getter, Setter };
  Kind kind = Kind::Method;
  QString name;           // operation name as invoked ("connect", "getName", "setName")
  QString declaringClass; // class that declares the method/property
  QList<SchemaParam> params;
  QString returnType;
};

class Schema {
 public:
  // The three built-in modules (core, elements, filters), loaded once from resources.
  static const Schema& builtin();

  bool loadModule(const QByteArray& json, QString* error);

  const QList<SchemaModule>& modules() const { return modules_; }
  const SchemaModule* findModule(const QString& name) const;
  const SchemaClass* findClass(const QString& name) const;
  const SchemaType* findType(const QString& name) const;
  const SchemaEvent* findEvent(const QString& name) const;
  QList<const SchemaClass*> classes() const;

  // Ancestors nearest first, excluding `className` itself (short names).
  QStringList ancestors(const QString& className) const;
  bool isA(const QString& className, const QString& base) const;
  QString qualifiedName(const QString& className) const;  // "kurento.X"

  std::optional<SchemaOperation> findOperation(const QString& className, const QString& operation) const;
  // Every operation a class answers (own and inherited): methods and accessors.
  QList<SchemaOperation> operations(const QString& className) const;
  bool supportsEvent(const QString& className, const QString& event) const;
  QStringList eventsOf(const QString& className) const;  // own + inherited

  // Validates `given` against `params`: required present, types right, defaults filled.
  // Throws KurentoException (40001) naming the parameter.
  QJsonObject checkParams(const QList<SchemaParam>& params, const QJsonObject& given) const;
  // Validates one value of a schema type; returns it normalised (integral floats → ints).
  QJsonValue checkValue(const QString& type, const QJsonValue& value, const QString& paramName) const;

  // A complex value for the wire: fields plus "__module__":"kurento" and "__type__".
  static QJsonObject complex(const QString& typeName, QJsonObject fields);

  static QString getterName(const QString& property);
  static QString setterName(const QString& property);

 private:
  void indexOperations();

  QList<SchemaModule> modules_;
  QHash<QString, QHash<QString, SchemaOperation>> operationIndex_;  // class → operation name → nearest declaration
  QHash<QString, SchemaClass> classes_;
  QHash<QString, SchemaType> types_;
  QHash<QString, SchemaEvent> events_;
};

}  // namespace pw
