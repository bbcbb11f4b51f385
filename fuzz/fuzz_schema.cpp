// libFuzzer target: request-parameter validation against the schema (Schema::checkParams and
// Schema::checkValue), what every create/invoke goes through. Input: two bytes choose a target
// (a schema type, or the parameter list of a constructor or an operation), the rest is JSON:
// the value, or the params object.

#include "FuzzSupport.h"
#include "pipewright/engine/KurentoError.h"
#include "pipewright/engine/Schema.h"

#include <QJsonArray>
#include <QJsonDocument>
#include <QJsonObject>
#include <QSet>

#include <cstdint>
#include <cstdio>
#include <cstdlib>
#include <vector>

namespace {

struct Target {
  QString type;                                 // checkValue(type, ...) when params is null
  const QList<pw::SchemaParam>* params = nullptr;  // checkParams(*params, ...)
};

std::vector<Target>& targets() {
  static std::vector<Target> list = [] {
    const pw::Schema& schema = pw::Schema::builtin();
    std::vector<Target> out;
    QSet<QString> types{QStringLiteral("String"), QStringLiteral("boolean"), QStringLiteral("int"),
                        QStringLiteral("int64"), QStringLiteral("float"), QStringLiteral("double")};
    for (const pw::SchemaClass* c : schema.classes()) {
      types.insert(c->name);
      if (c->hasConstructor) out.push_back({QString(), &c->constructorParams});
      for (const auto& m : c->methods) {
        if (!m.params.isEmpty()) out.push_back({QString(), &m.params});
        for (const auto& p : m.params) types.insert(p.type);
      }
      for (const auto& p : c->properties) types.insert(p.type);
      for (const auto& p : c->constructorParams) types.insert(p.type);
    }
    for (const QString& t : QStringList(types.begin(), types.end())) {
      const QString base = t.endsWith(u"[]") || t.endsWith(u"<>") ? t.left(t.size() - 2) : t;
      types.insert(base);
      if (const pw::SchemaType* st = schema.findType(base)) {
        for (const auto& p : st->properties) types.insert(p.type);
      }
    }
    QStringList sorted(types.begin(), types.end());
    sorted.sort();  // a stable order, so an input means the same target in every run
    for (const QString& t : sorted) {
      out.push_back({t, nullptr});
      if (!t.endsWith(u"[]") && !t.endsWith(u"<>")) out.push_back({t + QStringLiteral("[]"), nullptr});
    }
    return out;
  }();
  return list;
}

void check(bool ok, const char* what) {
  if (!ok) {
    std::fprintf(stderr, "fuzz_schema: invariant broken: %s\n", what);
    std::abort();
  }
}

}  // namespace

extern "C" int LLVMFuzzerInitialize(int*, char***) {
  pw::fuzz::quietLogs();
  (void)targets();
  return 0;
}

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  if (size < 2 || size > 8192) return -1;
  const pw::Schema& schema = pw::Schema::builtin();
  const Target& target = targets()[((size_t(data[0]) << 8) | data[1]) % targets().size()];
  // The transport hands the engine parsed JSON: a value is wrapped in an array to allow scalars.
  const QByteArray text = QByteArray("[") + QByteArray(reinterpret_cast<const char*>(data + 2), static_cast<qsizetype>(size - 2)) + ']';
  const QJsonDocument doc = QJsonDocument::fromJson(text);
  if (!doc.isArray() || doc.array().size() != 1) return 0;
  const QJsonValue value = doc.array().at(0);
  try {
    if (target.params) {
      if (!value.isObject()) return 0;
      const QJsonObject checked = schema.checkParams(*target.params, value.toObject());
      // What was accepted once is accepted again, unchanged (the checks normalise only once).
      check(schema.checkParams(*target.params, checked) == checked, "checkParams is idempotent");
    } else {
      const QJsonValue checked = schema.checkValue(target.type, value, QStringLiteral("fuzz"));
      check(schema.checkValue(target.type, checked, QStringLiteral("fuzz")) == checked, "checkValue is idempotent");
    }
  } catch (const pw::KurentoException&) {
    // A refusal: the Dispatcher answers it as a JSON-RPC error.
  }
  return 0;
}
