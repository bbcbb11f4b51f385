// GStreamerFilter's command parser and element allow-list (FilterCommand, ElementAllowList),
// with the real GStreamer registry: quoting, caps segments, refused syntax, refused factories,
// hazardous properties, and the bin that build() makes.

#include "elements/filters/ElementAllowList.h"
#include "elements/filters/FilterCommand.h"
#include "elements/filters/FilterElementCatalog.h"
#include "gst/GstRef.h"
#include "pipewright/engine/Engine.h"
#include "pipewright/engine/KurentoError.h"

#include <QTest>

#include <algorithm>

using namespace pw;

namespace {

// The 40107 message of `fn`, or a null string when it does not throw.
template <typename Fn>
QString refusal(Fn&& fn) {
  try {
    fn();
  } catch (const KurentoException& e) {
    if (e.error().code != ErrorCode::MediaObjectIllegalParamError) return QStringLiteral("wrong code %1").arg(int(e.error().code));
    return e.error().message;
  }
  return QString();
}

bool installed(const char* factory) {
  return GstRef<GstElementFactory>::adopt(gst_element_factory_find(factory)).get() != nullptr;
}

QString stringProperty(GstElement* element, const char* name) {
  gchar* text = nullptr;
  g_object_get(element, name, &text, nullptr);
  const QString result = QString::fromUtf8(text);
  g_free(text);
  return result;
}

}  // namespace

class TestFilterCommand : public QObject {
  Q_OBJECT

 private Q_SLOTS:
  void initTestCase() {
    QString error;
    QVERIFY2(initGStreamer(&error), qPrintable(error));
  }

  void quoting() {
    const FilterCommand c = FilterCommand::parse(
        QStringLiteral("textoverlay text=\"hello world\" font-desc=Sans\\ 12 valignment = top halignment=\"left\""));
    QCOMPARE(c.segments().size(), 1);
    const auto& s = c.segments()[0];
    QCOMPARE(s.factory, QStringLiteral("textoverlay"));
    QCOMPARE(s.properties.size(), 4);
    QCOMPARE(s.properties[0].name, QStringLiteral("text"));
    QCOMPARE(s.properties[0].value, QStringLiteral("hello world"));
    QCOMPARE(s.properties[1].value, QStringLiteral("Sans 12"));
    QCOMPARE(s.properties[2].name, QStringLiteral("valignment"));
    QCOMPARE(s.properties[2].value, QStringLiteral("top"));
    QCOMPARE(s.properties[3].value, QStringLiteral("left"));

    // '!' inside quotes and escaped quotes stay in the value
    const FilterCommand q = FilterCommand::parse(QStringLiteral("textoverlay text=\"say \\\"hi\\\" ! bye\" ! videoflip"));
    QCOMPARE(q.segments().size(), 2);
    QCOMPARE(q.segments()[0].properties[0].value, QStringLiteral("say \"hi\" ! bye"));
    QCOMPARE(q.segments()[1].factory, QStringLiteral("videoflip"));
    const FilterCommand e = FilterCommand::parse(QStringLiteral("textoverlay text=\"\""));
    QCOMPARE(e.segments()[0].properties[0].value, QString());
  }

  void capsSegments() {
    const FilterCommand c = FilterCommand::parse(
        QStringLiteral("videoscale ! video/x-raw,width=320,height=180 ! videoconvert ! video/x-raw,format=(string)I420"));
    QCOMPARE(c.segments().size(), 4);
    QVERIFY(!c.segments()[0].isCaps());
    QVERIFY(c.segments()[1].isCaps());
    QCOMPARE(c.segments()[1].caps, QStringLiteral("video/x-raw,width=320,height=180"));
    QVERIFY(c.segments()[3].isCaps());
    QCOMPARE(c.segments()[3].caps, QStringLiteral("video/x-raw,format=(string)I420"));

    // a caps property is a value, not a segment
    const FilterCommand p = FilterCommand::parse(QStringLiteral("capsfilter caps=video/x-raw,width=320"));
    QCOMPARE(p.segments().size(), 1);
    QCOMPARE(p.segments()[0].properties[0].value, QStringLiteral("video/x-raw,width=320"));
  }

  void refusedSyntax_data() {
    QTest::addColumn<QString>("command");
    QTest::addColumn<QString>("mentions");
    QTest::newRow("bin") << "( videoflip )" << "bins";
    QTest::newRow("bin after link") << "videoflip ! ( videobalance )" << "bins";
    QTest::newRow("named bin") << "bin.( videoflip )" << "named references";
    QTest::newRow("bin in properties") << "videoflip ( videobalance )" << "bins";
    QTest::newRow("reference") << "videoflip name=f f. ! videobalance" << "f.";
    QTest::newRow("reference segment") << "videoflip ! f." << "f.";
    QTest::newRow("pad reference") << "videoflip ! .src" << ".src";
    QTest::newRow("element.pad") << "videoflip.src ! videobalance" << "videoflip.";
    QTest::newRow("file uri") << "file:///etc/passwd" << "URIs";
    QTest::newRow("http uri") << "videoflip ! http://127.0.0.1:1/" << "URIs";
    QTest::newRow("fd uri") << "fd:0 ! videoflip" << "URIs";
    QTest::newRow("empty") << "" << "empty";
    QTest::newRow("blank") << "   " << "empty";
    QTest::newRow("trailing link") << "videoflip !" << "missing";
    QTest::newRow("leading link") << "! videoflip" << "missing";
    QTest::newRow("double link") << "videoflip ! ! videobalance" << "missing";
    QTest::newRow("two chains") << "videoflip videobalance" << "one chain";
    QTest::newRow("two chains after props") << "videoflip video-direction=horiz videobalance saturation=0" << "one chain";
    QTest::newRow("unterminated quote") << "textoverlay text=\"hello" << "quote";
    QTest::newRow("trailing backslash") << "textoverlay text=a\\" << "backslash";
    QTest::newRow("no value") << "videoflip method=" << "no value";
    QTest::newRow("child property") << "compositor sink_0::xpos=10" << "child properties";
    QTest::newRow("preset") << "videoflip @preset=x" << "unexpected character";
    QTest::newRow("quoted factory") << "\"filesrc\" location=/etc/passwd" << "unexpected character";
    QTest::newRow("bad caps") << "videoscale ! video/x-raw,width=" << "not valid caps";
    QString many = QStringLiteral("queue");
    for (int i = 0; i < FilterCommand::kMaxElements; ++i) many += QStringLiteral(" ! queue");
    QTest::newRow("too many") << many << "at most";
  }
  void refusedSyntax() {
    QFETCH(QString, command);
    QFETCH(QString, mentions);
    const QString why = refusal([&] { FilterCommand::parse(command); });
    QVERIFY2(!why.isNull(), qPrintable(QStringLiteral("accepted: %1").arg(command)));
    QVERIFY2(why.contains(mentions), qPrintable(why));
  }

  void refusedFactories_data() {
    QTest::addColumn<QString>("factory");
    for (const char* f : {"filesrc", "filesink", "multifilesink", "multifilesrc", "souphttpsrc", "tcpclientsink", "tcpserversrc",
                          "tcpserversink", "udpsink", "udpsrc", "appsink", "appsrc", "fdsrc", "fdsink", "shmsink", "shmsrc",
                          "rtspsrc", "pipewiresrc", "v4l2src", "gdkpixbufoverlay", "rsvgoverlay", "gloverlay", "facedetect",
                          "templatematch", "motioncells", "lcms", "glshader", "festival", "identity", "queue2", "decodebin",
                          "uridecodebin", "playbin", "x264enc", "webmmux", "webrtcbin", "splitmuxsink", "intervideosrc",
                          "proxysrc", "tee", "fakesink", "videotestsrc", "srtpenc", "rtpjitterbuffer", "v4l2convert"}) {
      QTest::newRow(f) << QString::fromLatin1(f);
    }
  }
  void refusedFactories() {
    QFETCH(QString, factory);
    ElementAllowList defaults;
    QString why;
    QVERIFY2(!defaults.allows(factory, &why), qPrintable(factory));
    QVERIFY2(why.contains(QStringLiteral("\"%1\"").arg(factory)), qPrintable(why));
    if (installed(factory.toUtf8().constData())) {
      QVERIFY2(why.contains(QLatin1String(ElementAllowList::kConfigKey)), qPrintable(why));
    }
    // the same through a whole command
    const QString thrown = refusal([&] { FilterCommand::parse(factory).build(defaults, nullptr); });
    QVERIFY2(thrown.contains(factory), qPrintable(thrown));
  }

  void allowedFactories() {
    ElementAllowList defaults;
    for (const char* f : {"videoflip", "videobalance", "capsfilter", "queue", "videoconvert", "audioconvert", "videoscale",
                          "audioresample", "videorate", "audiorate", "volume", "audioecho", "textoverlay", "timeoverlay",
                          "clockoverlay", "videocrop", "gaussianblur", "equalizer-10bands"}) {
      if (!installed(f)) continue;
      QString why;
      QVERIFY2(defaults.allows(QString::fromLatin1(f), &why), qPrintable(QStringLiteral("%1: %2").arg(f, why)));
    }
    QString why;
    QVERIFY(!defaults.allows(QStringLiteral("nosuchelement"), &why));
    QVERIFY2(why.contains(QStringLiteral("no element \"nosuchelement\"")), qPrintable(why));
  }

  void administratorList() {
    ElementAllowList admin({QStringLiteral("identity"), QStringLiteral("gdkpixbufoverlay")});
    QVERIFY(admin.allows(QStringLiteral("identity")));
    QVERIFY(admin.allows(QStringLiteral("gdkpixbufoverlay")));
    QVERIFY(!admin.allows(QStringLiteral("filesrc")));
    std::vector<ElementRef> elements;
    ElementRef bin = FilterCommand::parse(QStringLiteral("identity silent=true ! videoflip")).build(admin, &elements);
    QVERIFY(bin);
    QCOMPARE(elements.size(), size_t(2));
    // listing a factory never unlocks its hazardous properties
    const QString why = refusal([&] {
      FilterCommand::parse(QStringLiteral("gdkpixbufoverlay location=/etc/passwd")).build(admin, nullptr);
    });
    QVERIFY2(why.contains(QStringLiteral("\"location\"")), qPrintable(why));
    QVERIFY2(refusal([&] { FilterCommand::parse(QStringLiteral("identity dump=true")).build(admin, nullptr); }).contains("dump"),
             "identity dump");
  }

  void hazardousNames() {
    for (const char* name : {"location", "uri", "file-name", "filename", "datafile", "path", "socket-path", "dir", "temp-dir",
                             "directory", "profile", "nose-profile", "host", "bind-address", "port", "socket", "fd", "fdin",
                             "device", "template", "temp-template", "command", "exec", "script", "plugin-path", "model",
                             "config", "shader", "fragment", "proxy", "dump", "multicast-iface", "LOCATION"}) {
      QVERIFY2(ElementAllowList::isHazardousProperty(QString::fromLatin1(name)), name);
    }
    for (const char* name : {"video-direction", "method", "saturation", "text", "caps", "delay", "volume", "valignment",
                             "font-desc", "width", "support", "report", "intensity", "silent", "name"}) {
      QVERIFY2(!ElementAllowList::isHazardousProperty(QString::fromLatin1(name)), name);
    }
  }

  void hazardousProperties() {
    ElementAllowList defaults;
    for (const char* command : {"videoflip location=x", "videoflip uri=file:///etc/passwd", "videobalance device=/dev/video0",
                                "volume port=1"}) {
      const QString why = refusal([&] { FilterCommand::parse(QString::fromLatin1(command)).build(defaults, nullptr); });
      QVERIFY2(why.contains(QLatin1String("never lets a client set")), qPrintable(command + QStringLiteral(": ") + why));
    }
    // object-typed, read-only, unknown and invalid values
    QVERIFY(refusal([&] { FilterCommand::parse(QStringLiteral("videoflip parent=x")).build(defaults, nullptr); })
                .contains("object"));
    QVERIFY(refusal([&] { FilterCommand::parse(QStringLiteral("queue current-level-buffers=1")).build(defaults, nullptr); })
                .contains("read-only"));
    QVERIFY(refusal([&] { FilterCommand::parse(QStringLiteral("videoflip nosuchprop=1")).build(defaults, nullptr); })
                .contains("does not exist"));
    QVERIFY(refusal([&] { FilterCommand::parse(QStringLiteral("videoflip video-direction=sideways")).build(defaults, nullptr); })
                .contains("not a valid value"));
  }

  void buildsOneLinkedChain() {
    ElementAllowList defaults;
    std::vector<ElementRef> elements;
    ElementRef bin = FilterCommand::parse(QStringLiteral("videoflip video-direction=horiz ! videobalance saturation=0"))
                         .build(defaults, &elements);
    QVERIFY(bin);
    QCOMPARE(elements.size(), size_t(2));
    QCOMPARE(GST_BIN(bin.get())->numchildren, 2);
    PadRef sink = PadRef::adopt(gst_element_get_static_pad(bin.get(), "sink"));
    PadRef src = PadRef::adopt(gst_element_get_static_pad(bin.get(), "src"));
    QVERIFY(sink && GST_IS_GHOST_PAD(sink.get()));
    QVERIFY(src && GST_IS_GHOST_PAD(src.get()));
    PadRef flipSrc = PadRef::adopt(gst_element_get_static_pad(elements[0].get(), "src"));
    PadRef peer = PadRef::adopt(gst_pad_get_peer(flipSrc.get()));
    QVERIFY(peer && GST_PAD_PARENT(peer.get()) == elements[1].get());
    gdouble saturation = 1.0;
    g_object_get(elements[1].get(), "saturation", &saturation, nullptr);
    QCOMPARE(saturation, 0.0);

    // setElementProperty's path: a running element, checked names
    FilterCommand::setProperty(elements[0].get(), QStringLiteral("method"), QStringLiteral("vertical-flip"), true);
    QVERIFY(!refusal([&] {
               FilterCommand::setProperty(elements[0].get(), QStringLiteral("location"), QStringLiteral("/tmp/x"), true);
             }).isNull());
    QVERIFY(!refusal([&] {
               FilterCommand::setProperty(elements[0].get(), QStringLiteral("name"), QStringLiteral("other"), true);
             }).isNull());

    // quoted text reaches the element intact
    std::vector<ElementRef> overlay;
    FilterCommand::parse(QStringLiteral("textoverlay text=\"hello world\"")).build(defaults, &overlay);
    QCOMPARE(stringProperty(overlay[0].get(), "text"), QStringLiteral("hello world"));
  }

  void capsBecomeCapsfilters() {
    ElementAllowList defaults;
    std::vector<ElementRef> elements;
    ElementRef bin = FilterCommand::parse(QStringLiteral("videoscale ! video/x-raw,width=320,height=180")).build(defaults, &elements);
    QCOMPARE(elements.size(), size_t(2));
    QCOMPARE(QString::fromUtf8(GST_OBJECT_NAME(gst_element_get_factory(elements[1].get()))), QStringLiteral("capsfilter"));
    GstCaps* raw = nullptr;
    g_object_get(elements[1].get(), "caps", &raw, nullptr);
    CapsRef caps = CapsRef::adopt(raw);
    CapsRef expected = CapsRef::adopt(gst_caps_from_string("video/x-raw,width=320,height=180"));
    QVERIFY(caps && gst_caps_is_equal(caps.get(), expected.get()));
    PadRef src = PadRef::adopt(gst_element_get_static_pad(bin.get(), "src"));
    QVERIFY(src);

    std::vector<ElementRef> one;
    FilterCommand::parse(QStringLiteral("capsfilter caps=\"video/x-raw, format=(string)I420\"")).build(defaults, &one);
    g_object_get(one[0].get(), "caps", &raw, nullptr);
    CapsRef i420 = CapsRef::adopt(raw);
    CapsRef expectedI420 = CapsRef::adopt(gst_caps_from_string("video/x-raw,format=I420"));
    QVERIFY(i420 && gst_caps_is_equal(i420.get(), expectedI420.get()));
  }

  void unlinkableChain() {
    const QString why = refusal([] {
      FilterCommand::parse(QStringLiteral("volume ! videoflip")).build(ElementAllowList(), nullptr);
    });
    QVERIFY2(why.contains(QLatin1String("cannot be linked")), qPrintable(why));
  }

  // withProperty() writes a command parse() reads back to the same segments, quoting as needed.
  void withPropertyRewritesTheCommand() {
    const FilterCommand c = FilterCommand::parse(QStringLiteral("videobalance saturation=0 ! video/x-raw,width=320 ! videoflip"));
    QCOMPARE(c.withProperty(0, "brightness", QStringLiteral("0.3")),
             QStringLiteral("videobalance saturation=0 brightness=0.3 ! video/x-raw,width=320 ! videoflip"));
    QCOMPARE(c.withProperty(0, "saturation", QStringLiteral("1.5")),
             QStringLiteral("videobalance saturation=1.5 ! video/x-raw,width=320 ! videoflip"));
    QCOMPARE(c.withProperty(0, "saturation", std::nullopt), QStringLiteral("videobalance ! video/x-raw,width=320 ! videoflip"));
    QCOMPARE(c.withProperty(2, "video-direction", QStringLiteral("horiz")),
             QStringLiteral("videobalance saturation=0 ! video/x-raw,width=320 ! videoflip video-direction=horiz"));
    const QString awkward = QStringLiteral("say \"hi\" ! \\ bye");
    const QString text = FilterCommand::parse(QStringLiteral("textoverlay")).withProperty(0, "text", awkward);
    const FilterCommand back = FilterCommand::parse(text);
    QCOMPARE(back.segments().size(), 1);
    QCOMPARE(back.segments()[0].properties[0].value, awkward);
    QCOMPARE(FilterCommand::quoteValue(QString()), QStringLiteral("\"\""));
    QCOMPARE(FilterCommand::quoteValue(QStringLiteral("top")), QStringLiteral("top"));
  }

  // The palette's list: installed factories the allow-list admits, with their metadata.
  void catalogListsAllowedFactories() {
    const QList<FilterFactoryInfo> factories = FilterElementCatalog::allowedFactories(ElementAllowList());
    QStringList names;
    for (const FilterFactoryInfo& f : factories) names << f.name;
    QVERIFY2(names.contains("videobalance"), qPrintable(names.join(' ')));
    QVERIFY(names.contains("videoflip"));
    QVERIFY(names.contains("videoconvert"));  // a built-in generic element
    for (const char* refused : {"filesrc", "filesink", "festival", "vp8enc", "webmmux", "multifilesink"}) {
      QVERIFY2(!names.contains(QLatin1String(refused)), refused);
    }
    QVERIFY(std::is_sorted(names.begin(), names.end()));
    const auto balance = std::find_if(factories.begin(), factories.end(), [](const auto& f) { return f.name == u"videobalance"; });
    QCOMPARE(balance->klass, QStringLiteral("Filter/Effect/Video"));
    QVERIFY(!balance->longName.isEmpty());
    QVERIFY(!balance->description.isEmpty());

    // An element the administrator adds to the allow-list appears (fakesink is a sink).
    QVERIFY(!names.contains("fakesink"));
    QStringList withAdmin;
    for (const FilterFactoryInfo& f : FilterElementCatalog::allowedFactories(ElementAllowList({"fakesink"}))) withAdmin << f.name;
    QVERIFY(withAdmin.contains("fakesink"));
    QCOMPARE(withAdmin.size(), names.size() + 1);
  }

  // A factory's settable properties from its GParamSpecs: types, ranges, defaults, enum nicks.
  void catalogReadsPropertiesFromParamSpecs() {
    const ElementAllowList allowList;
    const QList<FilterPropertyInfo> props = FilterElementCatalog::properties(allowList, "videobalance");
    auto find = [](const QList<FilterPropertyInfo>& list, const QString& name) {
      return std::find_if(list.begin(), list.end(), [&](const FilterPropertyInfo& p) { return p.name == name; });
    };
    auto brightness = find(props, "brightness");
    QVERIFY(brightness != props.end());
    QCOMPARE(brightness->kind, FilterPropertyInfo::Kind::Double);
    QCOMPARE(FilterPropertyInfo::kindName(brightness->kind), QStringLiteral("double"));
    QCOMPARE(brightness->minimum.toDouble(), -1.0);
    QCOMPARE(brightness->maximum.toDouble(), 1.0);
    QCOMPARE(brightness->defaultValue.toDouble(), 0.0);
    QVERIFY(!brightness->blurb.isEmpty());
    QVERIFY(find(props, "name") == props.end());    // the element's name is not the user's to set
    QVERIFY(find(props, "parent") == props.end());
    QVERIFY(find(props, "qos") != props.end());     // inherited from GstBaseTransform
    QCOMPARE(find(props, "qos")->kind, FilterPropertyInfo::Kind::Boolean);

    const QList<FilterPropertyInfo> flip = FilterElementCatalog::properties(allowList, "videoflip");
    auto direction = find(flip, "video-direction");
    QVERIFY(direction != flip.end());
    QCOMPARE(direction->kind, FilterPropertyInfo::Kind::Enum);
    QVERIFY2(direction->nicks.contains("horiz"), qPrintable(direction->nicks.join(',')));
    QCOMPARE(direction->defaultValue.toString(), QStringLiteral("identity"));

    const QList<FilterPropertyInfo> overlay = FilterElementCatalog::properties(allowList, "textoverlay");
    QCOMPARE(find(overlay, "text")->kind, FilterPropertyInfo::Kind::String);
    QCOMPARE(find(overlay, "xpad")->kind, FilterPropertyInfo::Kind::Integer);

    // Nothing for a refused or missing factory; an administrator's element has its properties,
    // but never a hazardous one (fakesink's are all harmless; filesink's location is not).
    QVERIFY(FilterElementCatalog::properties(allowList, "filesink").isEmpty());
    QVERIFY(FilterElementCatalog::properties(allowList, "no-such-element").isEmpty());
    const QList<FilterPropertyInfo> sink = FilterElementCatalog::properties(ElementAllowList({"filesink"}), "filesink");
    QVERIFY(!sink.isEmpty());
    QVERIFY(find(sink, "location") == sink.end());
  }
};

QTEST_GUILESS_MAIN(TestFilterCommand)
#include "tst_filter_command.moc"
