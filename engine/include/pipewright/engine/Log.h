#pragma once

// Pipewright's log (docs/configuration.md#logs): one Qt logging category per area, named
// `pipewright.<area>`, and the helpers every line that carries a client's input goes through.
// Lines about a session or an object carry `session=… object=…` (log::subject). Qt Core only.

#include <QLoggingCategory>
#include <QString>
#include <QStringView>

namespace pw {

Q_DECLARE_LOGGING_CATEGORY(lcEngine)     // pipewright.engine: start-up, shutdown, configuration, engine tasks
Q_DECLARE_LOGGING_CATEGORY(lcRpc)        // pipewright.rpc: JSON-RPC requests, refusals, sessions, WebSocket clients
Q_DECLARE_LOGGING_CATEGORY(lcHttp)       // pipewright.http: the control port's HTTP (pages, WHIP/WHEP, uploads)
Q_DECLARE_LOGGING_CATEGORY(lcMedia)      // pipewright.media: pipelines, element errors, transcoding
Q_DECLARE_LOGGING_CATEGORY(lcWebRtc)     // pipewright.webrtc: WebRtcEndpoint, RtpEndpoint, WHIP/WHEP endpoints
Q_DECLARE_LOGGING_CATEGORY(lcIce)        // pipewright.ice: ICE (libnice) on the lean media path
Q_DECLARE_LOGGING_CATEGORY(lcTransport)  // pipewright.transport: DTLS and SRTP on the lean media path
Q_DECLARE_LOGGING_CATEGORY(lcRecorder)   // pipewright.recorder: RecorderEndpoint
Q_DECLARE_LOGGING_CATEGORY(lcPlayer)     // pipewright.player: PlayerEndpoint, HttpPostEndpoint, remote URIs
Q_DECLARE_LOGGING_CATEGORY(lcFilters)    // pipewright.filters: the filters
Q_DECLARE_LOGGING_CATEGORY(lcHubs)       // pipewright.hubs: Composite, dispatchers, Mixer, AlphaBlending
Q_DECLARE_LOGGING_CATEGORY(lcStudio)     // pipewright.studio: the studio window
Q_DECLARE_LOGGING_CATEGORY(lcApp)        // pipewright.app: the executable (options, start-up failures)

namespace log {

// Longest piece of a client's input (method name, id, URI, SDP...) a line carries.
inline constexpr int kMaxField = 200;
// Longest message one line carries (the handler cuts anything longer).
inline constexpr int kMaxLine = 4000;

// `text` made safe for one log line: control characters escaped (\n, \r, \t, \xNN, \u2028…),
// at most `max` characters; longer text is cut and ends with "…(N chars)".
QString clip(QStringView text, int max = kMaxField);
// `key=value` with the value clipped, and quoted ("…", \" inside) when it is empty or holds a
// space, a quote or '='.
QString field(QStringView key, QStringView value, int max = kMaxField);
// "session=S object=O" for a line about a session and/or an object; an empty one is left out.
QString subject(QStringView sessionId, QStringView objectId = {});

// The category of an object type's lines (PlayerEndpoint → pipewright.player, ZBarFilter →
// pipewright.filters, …; pipewright.media for the others).
const QLoggingCategory& categoryFor(QStringView type);

// Levels of --log-level and the `logLevel` config key.
bool isLevel(QStringView level);  // error, warning, info or debug
// Qt filter rules for `level` followed by `extraRules` (PIPEWRIGHT_LOG: Qt's rule syntax, rules
// separated by ';' or newlines; the later rule wins). Debug enables pipewright.* and the
// default category only, not Qt's own qt.* categories.
QString filterRules(QStringView level, QStringView extraRules);
// Applies filterRules() (QLoggingCategory::setFilterRules).
void applyLevel(QStringView level, QStringView extraRules);

// Where lines go: standard error, one line per message, either
//   2026-01-02T03:04:05.678Z warning pipewright.rpc: message       (a terminal, a file)
//   <4>pipewright.rpc: message                                      (journald: JOURNAL_STREAM
//                                                                    names standard error)
enum class Sink { Plain, Journal };
// The format of one line (without its newline) as the handler writes it.
QString formatLine(Sink sink, QtMsgType type, const char* category, const QString& message, qint64 msecsSinceEpoch);
// Journal when JOURNAL_STREAM holds the device and inode of standard error (sd-daemon's rule).
Sink detectSink();
// Installs the message handler that writes formatLine() to standard error.
void installHandler(Sink sink);

}  // namespace log
}  // namespace pw
