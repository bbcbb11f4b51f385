#include "FilterElementCatalog.h"

#include "gst/GListPtr.h"
#include "gst/GstRef.h"
#include "gst/ParamSpecList.h"

#include <algorithm>
#include <optional>

namespace pw {
namespace {

using FactoryRef = GstRef<GstElementFactory>;
using FeatureRef = GstRef<GstPluginFeature>;

QString metadata(GstElementFactory* factory, const char* key) {
  return QString::fromUtf8(gst_element_factory_get_metadata(factory, key));
}

// The nick of each value of an enum or flags class (the param spec holds the class).
template <typename Class>
QStringList nicksOf(const Class* cls) {
  QStringList nicks;
  for (guint i = 0; i < cls->n_values; ++i) nicks << QString::fromUtf8(cls->values[i].value_nick);
  return nicks;
}

// A numeric GParamSpec's default and range, as `T`.
template <typename T, typename Spec>
void setNumber(FilterPropertyInfo& info, FilterPropertyInfo::Kind kind, const Spec* spec) {
  info.kind = kind;
  info.defaultValue = QVariant::fromValue(T(spec->default_value));
  info.minimum = QVariant::fromValue(T(spec->minimum));
  info.maximum = QVariant::fromValue(T(spec->maximum));
}

std::optional<FilterPropertyInfo> describe(GParamSpec* spec) {
  using Kind = FilterPropertyInfo::Kind;
  FilterPropertyInfo info;
  info.name = QString::fromUtf8(g_param_spec_get_name(spec));
  info.typeName = QString::fromUtf8(g_type_name(spec->value_type));
  info.blurb = QString::fromUtf8(g_param_spec_get_blurb(spec));
  const GValue* def = g_param_spec_get_default_value(spec);  // owned by the spec
  if (G_IS_PARAM_SPEC_BOOLEAN(spec)) {
    info.kind = Kind::Boolean;
    info.defaultValue = bool(g_value_get_boolean(def));
  } else if (G_IS_PARAM_SPEC_INT(spec)) {
    setNumber<qint64>(info, Kind::Integer, G_PARAM_SPEC_INT(spec));
  } else if (G_IS_PARAM_SPEC_UINT(spec)) {
    setNumber<qint64>(info, Kind::Integer, G_PARAM_SPEC_UINT(spec));
  } else if (G_IS_PARAM_SPEC_LONG(spec)) {
    setNumber<qint64>(info, Kind::Integer, G_PARAM_SPEC_LONG(spec));
  } else if (G_IS_PARAM_SPEC_ULONG(spec)) {
    setNumber<quint64>(info, Kind::Integer, G_PARAM_SPEC_ULONG(spec));
  } else if (G_IS_PARAM_SPEC_INT64(spec)) {
    setNumber<qint64>(info, Kind::Integer, G_PARAM_SPEC_INT64(spec));
  } else if (G_IS_PARAM_SPEC_UINT64(spec)) {
    setNumber<quint64>(info, Kind::Integer, G_PARAM_SPEC_UINT64(spec));
  } else if (G_IS_PARAM_SPEC_FLOAT(spec)) {
    setNumber<double>(info, Kind::Double, G_PARAM_SPEC_FLOAT(spec));
  } else if (G_IS_PARAM_SPEC_DOUBLE(spec)) {
    setNumber<double>(info, Kind::Double, G_PARAM_SPEC_DOUBLE(spec));
  } else if (G_IS_PARAM_SPEC_ENUM(spec)) {
    info.kind = Kind::Enum;
    info.nicks = nicksOf(G_PARAM_SPEC_ENUM(spec)->enum_class);
    GEnumValue* value = g_enum_get_value(G_PARAM_SPEC_ENUM(spec)->enum_class, g_value_get_enum(def));
    info.defaultValue = value ? QString::fromUtf8(value->value_nick) : QString();
  } else if (G_IS_PARAM_SPEC_FLAGS(spec)) {
    info.kind = Kind::Flags;
    info.nicks = nicksOf(G_PARAM_SPEC_FLAGS(spec)->flags_class);
    QStringList set;
    GFlagsClass* cls = G_PARAM_SPEC_FLAGS(spec)->flags_class;
    const guint bits = g_value_get_flags(def);
    for (guint i = 0; i < cls->n_values; ++i) {
      const guint v = cls->values[i].value;
      if (v != 0 && (bits & v) == v) set << QString::fromUtf8(cls->values[i].value_nick);
    }
    info.defaultValue = set.join(u'+');
  } else if (G_IS_PARAM_SPEC_STRING(spec)) {
    info.kind = Kind::String;
    info.defaultValue = QString::fromUtf8(g_value_get_string(def));
  } else {
    return std::nullopt;  // objects, boxed values, pointers: not text in a command
  }
  return info;
}

}  // namespace

QString FilterPropertyInfo::kindName(Kind kind) {
  switch (kind) {
    case Kind::Boolean: return QStringLiteral("bool");
    case Kind::Integer: return QStringLiteral("int");
    case Kind::Double: return QStringLiteral("double");
    case Kind::Enum: return QStringLiteral("enum");
    case Kind::Flags: return QStringLiteral("flags");
    case Kind::String: return QStringLiteral("string");
  }
  return {};
}

QList<FilterFactoryInfo> FilterElementCatalog::allowedFactories(const ElementAllowList& allowList) {
  QList<FilterFactoryInfo> result;
  PluginFeatureListPtr features =
      PluginFeatureListPtr::adopt(gst_registry_get_feature_list(gst_registry_get(), GST_TYPE_ELEMENT_FACTORY));
  for (GList* l = features.get(); l; l = l->next) {
    auto* factory = GST_ELEMENT_FACTORY(l->data);
    const QString name = QString::fromUtf8(gst_plugin_feature_get_name(GST_PLUGIN_FEATURE(factory)));
    if (!allowList.allows(name)) continue;
    result.append({name, metadata(factory, GST_ELEMENT_METADATA_LONGNAME), metadata(factory, GST_ELEMENT_METADATA_KLASS),
                   metadata(factory, GST_ELEMENT_METADATA_DESCRIPTION)});
  }
  std::sort(result.begin(), result.end(), [](const auto& a, const auto& b) { return a.name < b.name; });
  return result;
}

QList<FilterPropertyInfo> FilterElementCatalog::properties(const ElementAllowList& allowList, const QString& factory) {
  QList<FilterPropertyInfo> result;
  if (!allowList.allows(factory)) return result;
  FactoryRef found = FactoryRef::adopt(gst_element_factory_find(factory.toUtf8().constData()));
  FeatureRef loaded = found ? FeatureRef::adopt(gst_plugin_feature_load(GST_PLUGIN_FEATURE(found.get()))) : FeatureRef();
  if (!loaded) return result;
  const GType type = gst_element_factory_get_element_type(GST_ELEMENT_FACTORY(loaded.get()));
  for (GParamSpec* spec : ParamSpecList::ofType(type)) {
    const QString name = QString::fromUtf8(g_param_spec_get_name(spec));
    if (!(spec->flags & G_PARAM_WRITABLE) || (spec->flags & G_PARAM_CONSTRUCT_ONLY)) continue;
    if (name == u"name" || name == u"parent" || ElementAllowList::isHazardousProperty(name)) continue;
    if (auto info = describe(spec)) result.append(*info);
  }
  return result;
}

}  // namespace pw
