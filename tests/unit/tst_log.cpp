// The log helpers (engine/src/core/Log.cpp, docs/configuration.md#logs): a client's input cut and
// escaped, key=value fields, the filter rules of each level, and the two line formats.

#include "pipewright/engine/Log.h"

#include <QtTest>

using namespace pw;

class TstLog : public QObject {
  Q_OBJECT

 private Q_SLOTS:
  void clipKeepsShortTextAndEscapesControls() {
    QCOMPARE(log::clip(u"play"), QStringLiteral("play"));
    QCOMPARE(log::clip(u"a\nb\r\tc\x01\x7f"), QStringLiteral("a\\nb\\r\\tc\\x01\\x7f"));
    QCOMPARE(log::clip(QString(QChar(0x2028))), QStringLiteral("\\u2028"));
    QCOMPARE(log::clip(QStringLiteral("ünïcödé ✓")), QStringLiteral("ünïcödé ✓"));
  }

  void clipCutsLongText() {
    const QString huge(1024 * 1024, u'm');
    const QString out = log::clip(huge);
    QVERIFY(out.size() < 240);
    QVERIFY(out.startsWith(QString(200, u'm')));
    QVERIFY(out.endsWith(QStringLiteral("…(1048576 chars)")));
    // Escapes count towards the bound.
    QVERIFY(log::clip(QString(10000, u'\n')).size() < 240);
  }

  void fieldsQuoteWhenNeeded() {
    QCOMPARE(log::field(u"method", u"invoke"), QStringLiteral("method=invoke"));
    QCOMPARE(log::field(u"session", u""), QStringLiteral("session=\"\""));
    QCOMPARE(log::field(u"id", u"a b=\"c\""), QStringLiteral("id=\"a b=\\\"c\\\"\""));
    QCOMPARE(log::subject(u"s1", u"o1"), QStringLiteral("session=s1 object=o1"));
    QCOMPARE(log::subject(u"", u"o1"), QStringLiteral("object=o1"));
    QCOMPARE(log::subject(u"s1"), QStringLiteral("session=s1"));
  }

  void categoriesByType() {
    QCOMPARE(log::categoryFor(u"PlayerEndpoint").categoryName(), "pipewright.player");
    QCOMPARE(log::categoryFor(u"RecorderEndpoint").categoryName(), "pipewright.recorder");
    QCOMPARE(log::categoryFor(u"ZBarFilter").categoryName(), "pipewright.filters");
    QCOMPARE(log::categoryFor(u"Composite").categoryName(), "pipewright.hubs");
    QCOMPARE(log::categoryFor(u"WebRtcEndpoint").categoryName(), "pipewright.webrtc");
    QCOMPARE(log::categoryFor(u"MediaPipeline").categoryName(), "pipewright.media");
  }

  void levelsAndRules() {
    QVERIFY(log::isLevel(u"debug") && log::isLevel(u"error") && !log::isLevel(u"verbose"));
    log::applyLevel(u"warning", u"pipewright.ice.info=true; pipewright.rpc.warning=false\npipewright.hubs.debug=true");
    QVERIFY(!lcRpc().isInfoEnabled());
    QVERIFY(!lcRpc().isWarningEnabled());
    QVERIFY(lcRpc().isCriticalEnabled());
    QVERIFY(lcEngine().isWarningEnabled());
    QVERIFY(!lcEngine().isInfoEnabled());
    QVERIFY(lcIce().isInfoEnabled());
    QVERIFY(lcHubs().isDebugEnabled());
    log::applyLevel(u"error", u"");
    QVERIFY(!lcEngine().isWarningEnabled());
    QVERIFY(lcEngine().isCriticalEnabled());
    log::applyLevel(u"debug", u"");
    QVERIFY(lcPlayer().isDebugEnabled());
    QLoggingCategory qtCategory("qt.example");
    QVERIFY(!qtCategory.isDebugEnabled());  // Qt's own debug output stays off
    log::applyLevel(u"info", u"");
    QVERIFY(lcRpc().isInfoEnabled());
    QVERIFY(!lcRpc().isDebugEnabled());
  }

  void lineFormats() {
    const qint64 t = QDateTime(QDate(2026, 1, 2), QTime(3, 4, 5, 678), Qt::UTC).toMSecsSinceEpoch();
    QCOMPARE(log::formatLine(log::Sink::Plain, QtWarningMsg, "pipewright.rpc", QStringLiteral("x"), t),
             QStringLiteral("2026-01-02T03:04:05.678Z warning pipewright.rpc: x"));
    QCOMPARE(log::formatLine(log::Sink::Plain, QtCriticalMsg, nullptr, QStringLiteral("a\nb"), t),
             QStringLiteral("2026-01-02T03:04:05.678Z error default: a\\nb"));
    QCOMPARE(log::formatLine(log::Sink::Journal, QtCriticalMsg, "pipewright.app", QStringLiteral("x"), t), QStringLiteral("<3>pipewright.app: x"));
    QCOMPARE(log::formatLine(log::Sink::Journal, QtWarningMsg, "pipewright.app", QStringLiteral("x"), t), QStringLiteral("<4>pipewright.app: x"));
    QCOMPARE(log::formatLine(log::Sink::Journal, QtInfoMsg, "pipewright.app", QStringLiteral("x"), t), QStringLiteral("<6>pipewright.app: x"));
    QCOMPARE(log::formatLine(log::Sink::Journal, QtDebugMsg, "pipewright.app", QStringLiteral("x"), t), QStringLiteral("<7>pipewright.app: x"));
    QVERIFY(log::formatLine(log::Sink::Journal, QtDebugMsg, "c", QString(100000, u'x'), t).size() < log::kMaxLine + 40);
  }

  void journalStreamMustNameStandardError() {
    qputenv("JOURNAL_STREAM", "1:1");
    QCOMPARE(log::detectSink(), log::Sink::Plain);
    qunsetenv("JOURNAL_STREAM");
    QCOMPARE(log::detectSink(), log::Sink::Plain);
  }
};

QTEST_GUILESS_MAIN(TstLog)
#include "tst_log.moc"
