#include "pipewright/engine/Schema.h"

#include "pipewright/engine/KurentoError.h"
#include "pipewright/engine/Log.h"

#include <QFile>
#include <QJsonArray>
#include <QJsonDocument>

#include <cmath>

static void initSchemaResources() { Q_INIT_RESOURCE(schema); }

namespace pw {
namespace {

QList<SchemaParam> parseParams(const QJsonArray& arr) {
  QList<SchemaParam> out;
  for (const auto& v : arr) {
    const auto o = v.toObject();
    SchemaParam p;
    p.name = o.value(u"name").toString();
    p.type = o.value(u"type").toString();
    p.doc = o.value(u"doc").toString();
    p.optional = o.value(u"optional").toBool(false);
    p.hasDefault = o.contains(u"defaultValue");
    p.defaultValue = o.value(u"defaultValue");
    out.append(p);
  }
  return out;
}

bool isPrimitive(const QString& t) {
  return t == u"String" || t == u"boolean" || t == u"int" || t == u"int64" || t == u"float" || t == u"double";
}

}  // namespace

const Schema& Schema::builtin() {
  static const Schema schema = [] {
    initSchemaResources();
    Schema s;
    for (const char* name : {"core", "elements", "filters", "chroma"}) {
      QFile f(QStringLiteral(":/pipewright/schema/%1.kmd.json").arg(QLatin1String(name)));
      QString error;
      if (!f.open(QIODevice::ReadOnly) || !s.loadModule(f.readAll(), &error)) {
        qCCritical(lcEngine, "cannot load built-in schema module %s: %s", name, qUtf8Printable(error));
        std::abort();
      }
    }
    return s;
  }();
  return schema;
}

bool Schema::loadModule(const QByteArray& json, QString* error) {
  QJsonParseError pe;
  const auto doc = QJsonDocument::fromJson(json, &pe);
  if (!doc.isObject()) {
    if (error) *error = pe.errorString();
    return false;
  }
  const auto root = doc.object();
  SchemaModule module;
  module.name = root.value(u"name").toString();
  module.version = root.value(u"version").toString();
  module.kurentoVersion = root.value(u"kurentoVersion").toString();
  module.text = json;
  if (module.name.isEmpty()) {
    if (error) *error = QStringLiteral("module without a name");
    return false;
  }
  for (const auto& v : root.value(u"remoteClasses").toArray()) {
    const auto o = v.toObject();
    SchemaClass c;
    c.name = o.value(u"name").toString();
    c.module = module.name;
    c.extends = o.value(u"extends").toString();
    c.doc = o.value(u"doc").toString();
    c.tier = o.value(u"tier").toString();
    c.isAbstract = o.value(u"abstract").toBool(false);
    if (o.contains(u"constructor")) {
      c.hasConstructor = true;
      c.constructorParams = parseParams(o.value(u"constructor").toObject().value(u"params").toArray());
    }
    for (const auto& pv : o.value(u"properties").toArray()) {
      const auto po = pv.toObject();
      SchemaProperty p;
      p.name = po.value(u"name").toString();
      p.type = po.value(u"type").toString();
      p.doc = po.value(u"doc").toString();
      p.readOnly = po.value(u"readOnly").toBool(false);
      p.isFinal = po.value(u"final").toBool(false);
      c.properties.append(p);
    }
    for (const auto& mv : o.value(u"methods").toArray()) {
      const auto mo = mv.toObject();
      SchemaMethod m;
      m.name = mo.value(u"name").toString();
      m.doc = mo.value(u"doc").toString();
      m.params = parseParams(mo.value(u"params").toArray());
      m.returnType = mo.value(u"return").toObject().value(u"type").toString();
      c.methods.append(m);
    }
    for (const auto& ev : o.value(u"events").toArray()) c.events.append(ev.toString());
    if (c.hasConstructor && !c.isAbstract) module.factories.append(c.name);
    classes_.insert(c.name, c);
  }
  for (const auto& v : root.value(u"complexTypes").toArray()) {
    const auto o = v.toObject();
    SchemaType t;
    t.name = o.value(u"name").toString();
    t.module = module.name;
    t.typeFormat = o.value(u"typeFormat").toString();
    t.extends = o.value(u"extends").toString();
    t.doc = o.value(u"doc").toString();
    for (const auto& ev : o.value(u"values").toArray()) t.values.append(ev.toString());
    t.properties = parseParams(o.value(u"properties").toArray());
    types_.insert(t.name, t);
  }
  for (const auto& v : root.value(u"events").toArray()) {
    const auto o = v.toObject();
    SchemaEvent e;
    e.name = o.value(u"name").toString();
    e.module = module.name;
    e.extends = o.value(u"extends").toString();
    e.doc = o.value(u"doc").toString();
    e.properties = parseParams(o.value(u"properties").toArray());
    events_.insert(e.name, e);
  }
  module.factories.sort();
  modules_.append(module);
  indexOperations();
  return true;
}

// findOperation runs for every request: look operations up in a table built once per loaded
// module instead of listing a class's operations (own and inherited) each time.
void Schema::indexOperations() {
  operationIndex_.clear();
  for (auto it = classes_.cbegin(); it != classes_.cend(); ++it) {
    QHash<QString, SchemaOperation>& byName = operationIndex_[it.key()];
    for (const SchemaOperation& op : operations(it.key())) {
      if (!byName.contains(op.name)) byName.insert(op.name, op);  // the nearest declaration wins
    }
  }
}

const SchemaModule* Schema::findModule(const QString& name) const {
  for (const auto& m : modules_) {
    if (m.name == name) return &m;
  }
  return nullptr;
}

const SchemaClass* Schema::findClass(const QString& name) const {
  auto it = classes_.constFind(name);
  return it == classes_.constEnd() ? nullptr : &it.value();
}

const SchemaType* Schema::findType(const QString& name) const {
  auto it = types_.constFind(name);
  return it == types_.constEnd() ? nullptr : &it.value();
}

const SchemaEvent* Schema::findEvent(const QString& name) const {
  auto it = events_.constFind(name);
  return it == events_.constEnd() ? nullptr : &it.value();
}

QList<const SchemaClass*> Schema::classes() const {
  QList<const SchemaClass*> out;
  for (const auto& c : classes_) out.append(&c);
  std::sort(out.begin(), out.end(), [](auto* a, auto* b) { return a->name < b->name; });
  return out;
}

QStringList Schema::ancestors(const QString& className) const {
  QStringList out;
  const SchemaClass* c = findClass(className);
  while (c && !c->extends.isEmpty() && out.size() < 32) {
    out.append(c->extends);
    c = findClass(c->extends);
  }
  return out;
}

bool Schema::isA(const QString& className, const QString& base) const {
  return className == base || ancestors(className).contains(base);
}

QString Schema::qualifiedName(const QString& className) const {
  return QStringLiteral("kurento.") + className;
}

QString Schema::getterName(const QString& property) {
  return QStringLiteral("get") + property.left(1).toUpper() + property.mid(1);
}

QString Schema::setterName(const QString& property) {
  return QStringLiteral("set") + property.left(1).toUpper() + property.mid(1);
}

QList<SchemaOperation> Schema::operations(const QString& className) const {
  QList<SchemaOperation> out;
  QStringList chain{className};
  chain += ancestors(className);
  for (const auto& name : chain) {
    const SchemaClass* c = findClass(name);
    if (!c) continue;
    for (const auto& m : c->methods) {
      out.append({SchemaOperation::Kind::Method, m.name, c->name, m.params, m.returnType});
    }
    for (const auto& p : c->properties) {
      out.append({SchemaOperation::Kind::Getter, getterName(p.name), c->name, {}, p.type});
      if (p.writable()) {
        SchemaParam param;
        param.name = p.name;
        param.type = p.type;
        out.append({SchemaOperation::Kind::Setter, setterName(p.name), c->name, {param}, {}});
      }
    }
  }
  return out;
}

std::optional<SchemaOperation> Schema::findOperation(const QString& className, const QString& operation) const {
  // Nearest declaration wins (a subclass may redeclare a method, e.g. Hub.getGstreamerDot).
  const auto byClass = operationIndex_.constFind(className);
  if (byClass == operationIndex_.cend()) return std::nullopt;
  const auto op = byClass->constFind(operation);
  if (op == byClass->cend()) return std::nullopt;
  return *op;
}

QStringList Schema::eventsOf(const QString& className) const {
  QStringList out;
  QStringList chain{className};
  chain += ancestors(className);
  for (const auto& name : chain) {
    if (const SchemaClass* c = findClass(name)) out += c->events;
  }
  return out;
}

bool Schema::supportsEvent(const QString& className, const QString& event) const {
  return eventsOf(className).contains(event);
}

QJsonObject Schema::complex(const QString& typeName, QJsonObject fields) {
  fields.insert(QStringLiteral("__module__"), QStringLiteral("kurento"));
  fields.insert(QStringLiteral("__type__"), typeName);
  return fields;
}

QJsonObject Schema::checkParams(const QList<SchemaParam>& params, const QJsonObject& given) const {
  QJsonObject out;
  for (const auto& p : params) {
    const auto v = given.value(p.name);
    if (v.isUndefined() || v.isNull()) {
      if (!p.optional) throw KurentoException(KurentoError::requiredParam(p.name));
      if (p.hasDefault) out.insert(p.name, p.defaultValue);
      continue;
    }
    out.insert(p.name, checkValue(p.type, v, p.name));
  }
  return out;
}

QJsonValue Schema::checkValue(const QString& type, const QJsonValue& value, const QString& paramName) const {
  auto fail = [&]() -> QJsonValue { throw KurentoException(KurentoError::marshall(paramName, type)); };
  if (type.endsWith(u"[]")) {
    if (!value.isArray()) return fail();
    const QString inner = type.left(type.size() - 2);
    QJsonArray out;
    for (const auto& e : value.toArray()) out.append(checkValue(inner, e, paramName));
    return out;
  }
  if (type.endsWith(u"<>")) {
    if (!value.isObject()) return fail();
    const QString inner = type.left(type.size() - 2);
    QJsonObject out;
    const auto obj = value.toObject();
    for (auto it = obj.begin(); it != obj.end(); ++it) out.insert(it.key(), checkValue(inner, it.value(), paramName));
    return out;
  }
  if (type == u"String") return value.isString() ? value : fail();
  if (type == u"boolean") return value.isBool() ? value : fail();
  if (type == u"int" || type == u"int64") {
    if (!value.isDouble()) return fail();
    const double d = value.toDouble();
    if (!std::isfinite(d) || std::floor(d) != d) return fail();
    if (type == u"int" && (d < -2147483648.0 || d > 2147483647.0)) return fail();
    // Converting a double outside qint64 is undefined (fuzz_schema found 6.7e24 as an int64).
    if (d < -9223372036854775808.0 || d >= 9223372036854775808.0) return fail();
    return QJsonValue(static_cast<qint64>(d));
  }
  if (type == u"float" || type == u"double") return value.isDouble() ? value : fail();
  if (findClass(type)) {
    // A remote object id. kurento-client sometimes serialises the object itself instead of its
    // id (`setSource(hubPort)` arrives as {"_events":{}, …, "id":"…"}): any JSON object with a
    // string `id` stands for that id, and is then checked like it.
    if (value.isObject() && value.toObject().value(u"id").isString()) return value.toObject().value(u"id");
    return value.isString() ? value : fail();
  }
  const SchemaType* t = findType(type);
  if (!t) return fail();
  if (t->typeFormat == u"ENUM") {
    if (!value.isString() || !t->values.contains(value.toString())) {
      throw KurentoException(ErrorCode::MarshallError, QStringLiteral("Invalid value for '%1'").arg(type));
    }
    return value;
  }
  if (!value.isObject()) return fail();
  // A complex type: the optional __type__ selects a subtype; fields of the whole chain.
  auto obj = value.toObject();
  QString concrete = type;
  const QString declared = obj.value(u"__type__").toString();
  if (!declared.isEmpty() && declared != type) {
    const SchemaType* sub = findType(declared);
    bool ok = false;
    for (const SchemaType* s = sub; s; s = s->extends.isEmpty() ? nullptr : findType(s->extends)) {
      if (s->name == type) ok = true;
    }
    if (!ok) throw KurentoException(ErrorCode::UnexpectedError, QStringLiteral("Unknown type '%1'").arg(declared));
    concrete = declared;
  }
  QList<SchemaParam> fields;
  for (const SchemaType* s = findType(concrete); s; s = s->extends.isEmpty() ? nullptr : findType(s->extends)) {
    fields = s->properties + fields;
  }
  QJsonObject out = checkParams(fields, obj);
  return complex(concrete, out);
}

}  // namespace pw
