#include "pipewright/engine/Log.h"

#include <QDateTime>
#include <QStringList>

#include <cerrno>
#include <cstdio>
#include <cstdlib>

#include <sys/stat.h>
#include <unistd.h>

namespace pw {

Q_LOGGING_CATEGORY(lcEngine, "pipewright.engine")
Q_LOGGING_CATEGORY(lcRpc, "pipewright.rpc")
Q_LOGGING_CATEGORY(lcHttp, "pipewright.http")
Q_LOGGING_CATEGORY(lcMedia, "pipewright.media")
Q_LOGGING_CATEGORY(lcWebRtc, "pipewright.webrtc")
Q_LOGGING_CATEGORY(lcIce, "pipewright.ice")
Q_LOGGING_CATEGORY(lcTransport, "pipewright.transport")
Q_LOGGING_CATEGORY(lcRecorder, "pipewright.recorder")
Q_LOGGING_CATEGORY(lcPlayer, "pipewright.player")
Q_LOGGING_CATEGORY(lcFilters, "pipewright.filters")
Q_LOGGING_CATEGORY(lcHubs, "pipewright.hubs")
Q_LOGGING_CATEGORY(lcStudio, "pipewright.studio")
Q_LOGGING_CATEGORY(lcApp, "pipewright.app")

namespace log {
namespace {

bool isControl(char16_t c) {
  return c < 0x20 || c == 0x7f || (c >= 0x80 && c < 0xa0) || c == 0x2028 || c == 0x2029;
}

void appendEscaped(QString& out, char16_t c) {
  switch (c) {
    case u'\n': out += QLatin1String("\\n"); return;
    case u'\r': out += QLatin1String("\\r"); return;
    case u'\t': out += QLatin1String("\\t"); return;
    default: break;
  }
  if (c < 0x100) out += QStringLiteral("\\x%1").arg(static_cast<int>(c), 2, 16, QLatin1Char('0'));
  else out += QStringLiteral("\\u%1").arg(static_cast<int>(c), 4, 16, QLatin1Char('0'));
}

Sink installedSink = Sink::Plain;

void writeAll(int fd, const QByteArray& bytes) {
  const char* p = bytes.constData();
  qsizetype left = bytes.size();
  while (left > 0) {
    const ssize_t n = ::write(fd, p, static_cast<size_t>(left));
    if (n < 0 && errno == EINTR) continue;
    if (n <= 0) return;
    p += n;
    left -= n;
  }
}

void handler(QtMsgType type, const QMessageLogContext& context, const QString& message) {
  // Called on any thread; nothing may throw out of it. One write per line keeps lines whole.
  try {
    QByteArray line = formatLine(installedSink, type, context.category, message, QDateTime::currentMSecsSinceEpoch()).toUtf8();
    line += '\n';
    writeAll(STDERR_FILENO, line);
  } catch (...) {
  }
  if (type == QtFatalMsg) std::abort();
}

}  // namespace

QString clip(QStringView text, int max) {
  QString out;
  out.reserve(std::min<qsizetype>(text.size(), max) + 16);
  qsizetype i = 0;
  for (; i < text.size(); ++i) {
    if (out.size() >= max) break;
    const char16_t c = text[i].unicode();
    if (isControl(c)) appendEscaped(out, c);
    else out += QChar(c);
  }
  if (i < text.size()) {
    // A surrogate pair is not split.
    if (!out.isEmpty() && out.back().isHighSurrogate()) out.chop(1);
    out += QStringLiteral("…(%1 chars)").arg(text.size());
  }
  return out;
}

QString field(QStringView key, QStringView value, int max) {
  QString v = clip(value, max);
  const bool quote = v.isEmpty() || v.contains(u' ') || v.contains(u'"') || v.contains(u'=');
  if (quote) {
    v.replace(u'"', QLatin1String("\\\""));
    v = u'"' + v + u'"';
  }
  return key.toString() + u'=' + v;
}

QString subject(QStringView sessionId, QStringView objectId) {
  QString out;
  if (!sessionId.isEmpty()) out = field(u"session", sessionId);
  if (!objectId.isEmpty()) {
    if (!out.isEmpty()) out += u' ';
    out += field(u"object", objectId);
  }
  return out;
}

const QLoggingCategory& categoryFor(QStringView type) {
  if (type == u"PlayerEndpoint" || type == u"HttpPostEndpoint") return lcPlayer();
  if (type == u"RecorderEndpoint") return lcRecorder();
  if (type.endsWith(u"Filter") || type == u"PassThrough") return lcFilters();
  if (type == u"Composite" || type == u"Dispatcher" || type == u"DispatcherOneToMany" || type == u"Mixer" ||
      type == u"AlphaBlending" || type == u"HubPort") {
    return lcHubs();
  }
  if (type == u"WebRtcEndpoint" || type == u"RtpEndpoint" || type == u"WhipEndpoint" || type == u"WhepEndpoint") {
    return lcWebRtc();
  }
  return lcMedia();
}

bool isLevel(QStringView level) {
  return level == u"error" || level == u"warning" || level == u"info" || level == u"debug";
}

QString filterRules(QStringView level, QStringView extraRules) {
  QStringList rules;
  if (level == u"debug") {
    // Qt's own qt.* debug output stays off (QT_LOGGING_RULES or PIPEWRIGHT_LOG turn it on).
    rules << QStringLiteral("pipewright.*.debug=true") << QStringLiteral("default.debug=true");
  } else {
    rules << QStringLiteral("*.debug=false");
    if (level == u"warning" || level == u"error") rules << QStringLiteral("*.info=false");
    if (level == u"error") rules << QStringLiteral("*.warning=false");
  }
  for (QStringView rule : extraRules.split(u';')) {
    for (QStringView part : rule.split(u'\n')) {
      const QStringView trimmed = part.trimmed();
      if (!trimmed.isEmpty()) rules << trimmed.toString();
    }
  }
  return rules.join(u'\n');
}

void applyLevel(QStringView level, QStringView extraRules) {
  QLoggingCategory::setFilterRules(filterRules(level, extraRules));
}

QString formatLine(Sink sink, QtMsgType type, const char* category, const QString& message, qint64 msecsSinceEpoch) {
  const char* level = "debug";
  int priority = 7;
  switch (type) {
    case QtDebugMsg: level = "debug"; priority = 7; break;
    case QtInfoMsg: level = "info"; priority = 6; break;
    case QtWarningMsg: level = "warning"; priority = 4; break;
    case QtCriticalMsg: level = "error"; priority = 3; break;
    case QtFatalMsg: level = "fatal"; priority = 2; break;
  }
  // Control characters escaped: one message is one line, whatever it holds.
  const QString text = clip(message, kMaxLine);
  const QLatin1String name(category && *category ? category : "default");
  if (sink == Sink::Journal) return QStringLiteral("<%1>%2: %3").arg(priority).arg(name, text);
  const QString time = QDateTime::fromMSecsSinceEpoch(msecsSinceEpoch, Qt::UTC).toString(Qt::ISODateWithMs);
  return QStringLiteral("%1 %2 %3: %4").arg(time, QLatin1String(level), name, text);
}

Sink detectSink() {
  // systemd sets JOURNAL_STREAM=<device>:<inode> of the stream it connected; a child whose
  // standard error was redirected elsewhere inherits the variable but not the stream.
  const QByteArray value = qgetenv("JOURNAL_STREAM");
  const qsizetype colon = value.indexOf(':');
  if (colon <= 0) return Sink::Plain;
  bool okDev = false;
  bool okIno = false;
  const qulonglong dev = value.left(colon).toULongLong(&okDev);
  const qulonglong ino = value.mid(colon + 1).toULongLong(&okIno);
  struct stat st {};
  if (!okDev || !okIno || ::fstat(STDERR_FILENO, &st) != 0) return Sink::Plain;
  return static_cast<qulonglong>(st.st_dev) == dev && static_cast<qulonglong>(st.st_ino) == ino ? Sink::Journal : Sink::Plain;
}

void installHandler(Sink sink) {
  installedSink = sink;
  qInstallMessageHandler(handler);
}

}  // namespace log
}  // namespace pw
