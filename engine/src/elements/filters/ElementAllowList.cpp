#include "ElementAllowList.h"

#include "gst/ParamSpecList.h"
#include "pipewright/engine/KurentoError.h"

#include <QRegularExpression>

namespace pw {
namespace {

using FactoryRef = GstRef<GstElementFactory>;
using FeatureRef = GstRef<GstPluginFeature>;

// Klass tokens that make a factory a filter a client may use...
const QStringList& filterTokens() {
  static const QStringList tokens{QStringLiteral("Filter"), QStringLiteral("Effect"), QStringLiteral("Converter")};
  return tokens;
}

// ... unless it also has one of these (it reads, writes, talks or encodes).
const QStringList& refusedTokens() {
  static const QStringList tokens{
      QStringLiteral("Source"),    QStringLiteral("Sink"),        QStringLiteral("Network"),   QStringLiteral("Protocol"),
      QStringLiteral("File"),      QStringLiteral("Device"),      QStringLiteral("Hardware"),  QStringLiteral("Muxer"),
      QStringLiteral("Demuxer"),   QStringLiteral("Payloader"),   QStringLiteral("Depayloader"), QStringLiteral("Parser"),
      QStringLiteral("Encoder"),   QStringLiteral("Decoder"),     QStringLiteral("Encryptor"), QStringLiteral("Decryptor"),
      QStringLiteral("Bin")};
  return tokens;
}

// Parts of property names that point outside the process.
const QStringList& hazardousParts() {
  static const QStringList parts{
      QStringLiteral("location"), QStringLiteral("uri"),     QStringLiteral("url"),      QStringLiteral("file"),
      QStringLiteral("path"),     QStringLiteral("profile"), QStringLiteral("socket"),   QStringLiteral("host"),
      QStringLiteral("device"),   QStringLiteral("address"), QStringLiteral("template"), QStringLiteral("command"),
      QStringLiteral("exec"),     QStringLiteral("script"),  QStringLiteral("plugin"),   QStringLiteral("config"),
      QStringLiteral("shader"),   QStringLiteral("vertex"),  QStringLiteral("fragment"), QStringLiteral("library"),
      QStringLiteral("module"),   QStringLiteral("proxy"),   QStringLiteral("password"), QStringLiteral("cert"),
      QStringLiteral("dump")};
  return parts;
}

// Whole words (between '-' or '_') that do the same but are too short to match inside names
// ("dir" is in "direction", "port" in "support").
const QStringList& hazardousWords() {
  static const QStringList words{
      QStringLiteral("dir"),  QStringLiteral("directory"), QStringLiteral("folder"), QStringLiteral("port"),
      QStringLiteral("fd"),   QStringLiteral("fdin"),      QStringLiteral("fdout"),  QStringLiteral("model"),
      QStringLiteral("cmd"),  QStringLiteral("lib"),       QStringLiteral("server"), QStringLiteral("iface"),
      QStringLiteral("interface"), QStringLiteral("multicast")};
  return words;
}

QString howToAllow(const QString& factory) {
  return QStringLiteral("An administrator can allow it by adding \"%1\" to %2 in the server config.")
      .arg(factory, QString::fromLatin1(ElementAllowList::kConfigKey));
}

}  // namespace

ElementAllowList::ElementAllowList(QStringList adminAllowed) : adminAllowed_(std::move(adminAllowed)) {}

const QStringList& ElementAllowList::builtinElements() {
  static const QStringList names{
      QStringLiteral("capsfilter"),   QStringLiteral("queue"),      QStringLiteral("videoconvert"),
      QStringLiteral("audioconvert"), QStringLiteral("videoscale"), QStringLiteral("audioresample"),
      QStringLiteral("videorate"),    QStringLiteral("audiorate")};
  return names;
}

const QStringList& ElementAllowList::builtinRefused() {
  // festival: a Filter/Effect/Audio that sends the text it gets to a speech server over TCP.
  static const QStringList names{QStringLiteral("festival")};
  return names;
}

bool ElementAllowList::isHazardousProperty(const QString& name) {
  const QString lower = name.toLower();
  for (const QString& part : hazardousParts()) {
    if (lower.contains(part)) return true;
  }
  static const QRegularExpression separators(QStringLiteral("[-_]"));
  for (const QString& word : lower.split(separators, Qt::SkipEmptyParts)) {
    if (hazardousWords().contains(word)) return true;
  }
  return false;
}

bool ElementAllowList::allows(const QString& factory, QString* why) const {
  auto refuse = [why](const QString& reason) {
    if (why) *why = reason;
    return false;
  };
  const QByteArray name = factory.toUtf8();
  FactoryRef f = FactoryRef::adopt(gst_element_factory_find(name.constData()));
  if (!f) {
    return refuse(QStringLiteral("GStreamerFilter: there is no element \"%1\" in this GStreamer installation.").arg(factory));
  }
  if (adminAllowed_.contains(factory) || builtinElements().contains(factory)) return true;
  if (builtinRefused().contains(factory)) {
    return refuse(QStringLiteral("GStreamerFilter refuses the element \"%1\": it reaches outside the server process. %2")
                      .arg(factory, howToAllow(factory)));
  }
  const QString klass = QString::fromUtf8(gst_element_factory_get_metadata(f.get(), GST_ELEMENT_METADATA_KLASS));
  const QStringList tokens = klass.split(QLatin1Char('/'), Qt::SkipEmptyParts);
  bool filter = false;
  for (const QString& t : tokens) {
    if (refusedTokens().contains(t)) {
      return refuse(QStringLiteral("GStreamerFilter refuses the element \"%1\" (class %2): a client may only use filters, "
                                   "effects and converters, never sources, sinks or elements that use files, the network, "
                                   "devices or codecs. %3")
                        .arg(factory, klass, howToAllow(factory)));
    }
    if (filterTokens().contains(t)) filter = true;
  }
  if (!filter) {
    return refuse(QStringLiteral("GStreamerFilter refuses the element \"%1\" (class %2): it is not a filter, effect or "
                                 "converter. %3")
                      .arg(factory, klass, howToAllow(factory)));
  }
  FeatureRef loaded = FeatureRef::adopt(gst_plugin_feature_load(GST_PLUGIN_FEATURE(f.get())));
  if (!loaded) {
    return refuse(QStringLiteral("GStreamerFilter: the plugin of element \"%1\" cannot be loaded.").arg(factory));
  }
  const GType type = gst_element_factory_get_element_type(GST_ELEMENT_FACTORY(loaded.get()));
  for (GParamSpec* spec : ParamSpecList::ofType(type)) {
    const QString prop = QString::fromUtf8(g_param_spec_get_name(spec));
    if (isHazardousProperty(prop)) {
      return refuse(QStringLiteral("GStreamerFilter refuses the element \"%1\": its property \"%2\" can name a file, a "
                                   "network address, a device or a program. %3 Clients still cannot set \"%2\".")
                        .arg(factory, prop, howToAllow(factory)));
    }
  }
  return true;
}

void ElementAllowList::checkFactory(const QString& factory) const {
  QString why;
  if (!allows(factory, &why)) throw KurentoException(KurentoError::illegalParam(why));
}

void ElementAllowList::checkPropertyName(const QString& property) {
  if (isHazardousProperty(property)) {
    throw KurentoException(KurentoError::illegalParam(
        QStringLiteral("GStreamerFilter never lets a client set the property \"%1\": names like it point at files, network "
                       "addresses, devices or programs. This holds for every element, including those an administrator "
                       "lists in %2.")
            .arg(property, QString::fromLatin1(kConfigKey))));
  }
}

GParamSpec* ElementAllowList::checkProperty(GstElement* element, const QString& property, bool running) {
  checkPropertyName(property);
  GstElementFactory* elementFactory = gst_element_get_factory(element);
  const QString factory = QString::fromUtf8(elementFactory ? GST_OBJECT_NAME(elementFactory) : GST_OBJECT_NAME(element));
  auto fail = [&](const QString& what) {
    throw KurentoException(KurentoError::illegalParam(
        QStringLiteral("GStreamerFilter: the property \"%1\" of \"%2\" %3").arg(property, factory, what)));
  };
  GParamSpec* spec = g_object_class_find_property(G_OBJECT_GET_CLASS(element), property.toUtf8().constData());
  if (!spec) fail(QStringLiteral("does not exist."));
  if (!(spec->flags & G_PARAM_WRITABLE)) fail(QStringLiteral("is read-only."));
  if (running && ((spec->flags & G_PARAM_CONSTRUCT_ONLY) || property == u"name")) {
    fail(QStringLiteral("can only be given in the command."));
  }
  const GType fundamental = G_TYPE_FUNDAMENTAL(spec->value_type);
  if (fundamental == G_TYPE_OBJECT || fundamental == G_TYPE_POINTER || fundamental == G_TYPE_INTERFACE ||
      fundamental == G_TYPE_PARAM || fundamental == G_TYPE_VARIANT) {
    fail(QStringLiteral("holds an object and cannot be set from text."));
  }
  return spec;
}

}  // namespace pw
