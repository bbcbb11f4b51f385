// pipewright: the studio and the headless media server in one binary (design §7). A tree
// configured with PIPEWRIGHT_BUILD_STUDIO=OFF (the sanitizer build) has only the server.

#include "AppIdentity.h"
#include "ShutdownWatchdog.h"
#ifdef PIPEWRIGHT_WITH_STUDIO
#include "StudioRuntime.h"
#endif
#include "WebSocketServer.h"
#include "pipewright/engine/Config.h"
#include "pipewright/engine/Engine.h"
#include "pipewright/engine/Log.h"

#include <QCommandLineParser>
#include <QCoreApplication>
#include <QDir>
#include <QFileInfo>
#include <QStandardPaths>

#ifdef PIPEWRIGHT_WITH_STUDIO
#include <QGuiApplication>
#include <QQuickWindow>
#include <QSGRendererInterface>
#include <QtQml/qqmlextensionplugin.h>

Q_IMPORT_QML_PLUGIN(Pipewright_StudioPlugin)
#endif

#include <glib-unix.h>
#include <gst/gst.h>

#include <malloc.h>

#include <algorithm>
#include <cstdio>
#include <cstdlib>
#include <thread>

namespace {

QString defaultConfigPath() {
  const QString user = QStandardPaths::writableLocation(QStandardPaths::GenericConfigLocation) +
                       QStringLiteral("/pipewright/pipewright.json");
  if (QFileInfo::exists(user)) return user;
  // The packaged service's file is root:pipewright 0640 (it may hold the access token): a desktop
  // user who cannot read it starts the studio with the built-in defaults, not with an error.
  const QString system = QStringLiteral("/etc/pipewright/pipewright.json");
  if (QFileInfo(system).isReadable()) return system;
  return {};
}

[[noreturn]] void fail(const QString& message) {
  qCCritical(pw::lcApp, "%s", qUtf8Printable(message));
  std::exit(2);
}

// The studio opens unless asked not to, or when there is no display to open it on.
bool wantsStudio(int argc, char* argv[]) {
  for (int i = 1; i < argc; ++i) {
    const QByteArray arg(argv[i]);
    if (arg == "--headless" || arg == "--help" || arg == "-h" || arg == "--version" || arg == "-v") return false;
  }
  return true;
}

bool hasDisplay() {
#ifdef PIPEWRIGHT_WITH_STUDIO
  return !qEnvironmentVariableIsEmpty("DISPLAY") || !qEnvironmentVariableIsEmpty("WAYLAND_DISPLAY") ||
         !qEnvironmentVariableIsEmpty("QT_QPA_PLATFORM");
#else
  return false;  // a server-only build has no window to open
#endif
}

}  // namespace

int main(int argc, char* argv[]) {
  // One malloc arena per core, not glibc's eight: GStreamer's streaming threads, the media threads
  // and the engine thread allocate and free each other's buffers, and with many arenas the freed
  // memory stays scattered over all of them (the soak test's RSS kept growing, ~25 KiB per WebRTC
  // session, with no object leaked; with one arena per core it levels off). MALLOC_ARENA_MAX in
  // the environment still decides when set.
  if (!std::getenv("MALLOC_ARENA_MAX")) mallopt(M_ARENA_MAX, std::max(2, static_cast<int>(std::thread::hardware_concurrency())));
  // GStreamer's facedetect (FaceOverlayFilter) asks OpenCV for nose, mouth and eye-pair cascades
  // that Debian's opencv-data does not ship, and OpenCV prints an [ERROR] line for each when the
  // element is made. Pipewright only uses the face cascade, which is installed: OpenCV's own log
  // is quiet unless OPENCV_LOG_LEVEL is set (real failures reach clients as element errors).
  if (qEnvironmentVariableIsEmpty("OPENCV_LOG_LEVEL")) qputenv("OPENCV_LOG_LEVEL", "FATAL");
  // Log lines from here on: one per message on standard error, with level and category
  // (docs/configuration.md#logs); the level is settled once the options and the config are read.
  pw::log::installHandler(pw::log::detectSink());
  pw::log::applyLevel(u"info", qEnvironmentVariable("PIPEWRIGHT_LOG"));
  const bool studio = wantsStudio(argc, argv) && hasDisplay();
#ifdef PIPEWRIGHT_WITH_STUDIO
  if (studio) QQuickWindow::setGraphicsApi(QSGRendererInterface::OpenGL);  // qml6glsink previews need GL
  std::unique_ptr<QCoreApplication> application =
      studio ? std::make_unique<QGuiApplication>(argc, argv) : std::make_unique<QCoreApplication>(argc, argv);
#else
  (void)studio;
  auto application = std::make_unique<QCoreApplication>(argc, argv);
#endif
  QCoreApplication& app = *application;
  // Before anything reads QSettings or QStandardPaths (the studio's settings, its autosave).
  pw::applyApplicationIdentity();
  QCoreApplication::setApplicationVersion(QStringLiteral(PIPEWRIGHT_VERSION " (git " PIPEWRIGHT_GIT_REVISION ")"));

  QCommandLineParser parser;
  parser.setApplicationDescription(QStringLiteral(
      "Pipewright: a media studio with an embedded Kurento-compatible media server.\n"
      "Clients connect to ws://<listen>:<port>/<path> (default ws://127.0.0.1:8888/kurento)."));
  parser.addHelpOption();
  parser.addVersionOption();
  const QCommandLineOption configOpt(QStringLiteral("config"), QStringLiteral("JSON config file (default: ~/.config/pipewright/pipewright.json, then /etc/pipewright/pipewright.json)."), QStringLiteral("file"));
  const QCommandLineOption portOpt(QStringLiteral("port"), QStringLiteral("TCP port (0 picks a free one). Default 8888."), QStringLiteral("port"));
  const QCommandLineOption listenOpt(QStringLiteral("listen"), QStringLiteral("Address to listen on. Default 127.0.0.1."), QStringLiteral("address"));
  const QCommandLineOption pathOpt(QStringLiteral("path"), QStringLiteral("WebSocket path. Default kurento."), QStringLiteral("path"));
  const QCommandLineOption headlessOpt(QStringLiteral("headless"), QStringLiteral("Run the server without a window."));
  const QCommandLineOption mediaOpt(QStringLiteral("media-folder"), QStringLiteral("Folder where file:// URIs may be read and written (repeatable; replaces the config's list)."), QStringLiteral("dir"));
  const QCommandLineOption gcOpt(QStringLiteral("gc-period"), QStringLiteral("Seconds between session garbage-collection passes. Default 240."), QStringLiteral("seconds"));
  const QCommandLineOption iceOpt(QStringLiteral("ice-address"), QStringLiteral("Local IP address WebRTC ICE may use (repeatable; default: all). Tests pass 127.0.0.1."), QStringLiteral("ip"));
  const QCommandLineOption insecureOpt(QStringLiteral("insecure"), QStringLiteral("Allow a non-loopback --listen address without an access token (anyone who reaches it can drive the server)."));
  const QCommandLineOption logLevelOpt(QStringLiteral("log-level"), QStringLiteral("Log level: error, warning, info or debug. Default info (config 'logLevel'); PIPEWRIGHT_LOG adds Qt filter rules such as pipewright.ice.debug=true."), QStringLiteral("level"));
  parser.addOptions({configOpt, portOpt, listenOpt, pathOpt, headlessOpt, mediaOpt, gcOpt, iceOpt, insecureOpt, logLevelOpt});
  parser.process(app);

  pw::Config config;
  config.mediaFolders = {QStandardPaths::writableLocation(QStandardPaths::MoviesLocation),
                         pw::userDataFolder() + QStringLiteral("/media")};
  QString error;
  QString configPath = parser.isSet(configOpt) ? parser.value(configOpt) : qEnvironmentVariable("PIPEWRIGHT_CONFIG");
  if (configPath.isEmpty()) configPath = defaultConfigPath();
  if (!configPath.isEmpty() && !config.loadFile(configPath, &error)) fail(error);

  auto number = [&](const QString& text, const char* what, int max) {
    bool ok = false;
    const int n = text.toInt(&ok);
    if (!ok || n < 0 || n > max) fail(QStringLiteral("%1 must be a number between 0 and %2, not '%3'").arg(QLatin1String(what)).arg(max).arg(text));
    return n;
  };
  if (qEnvironmentVariableIsSet("PIPEWRIGHT_PORT")) config.port = number(qEnvironmentVariable("PIPEWRIGHT_PORT"), "PIPEWRIGHT_PORT", 65535);
  if (qEnvironmentVariableIsSet("PIPEWRIGHT_LISTEN")) config.listen = qEnvironmentVariable("PIPEWRIGHT_LISTEN");
  if (parser.isSet(portOpt)) config.port = number(parser.value(portOpt), "--port", 65535);
  if (parser.isSet(listenOpt)) config.listen = parser.value(listenOpt);
  if (parser.isSet(pathOpt)) config.path = parser.value(pathOpt).section(u'/', -1);
  if (parser.isSet(gcOpt)) config.garbageCollectorPeriodSec = std::max(1, number(parser.value(gcOpt), "--gc-period", 86400));
  if (parser.isSet(mediaOpt)) {
    config.mediaFolders.clear();
    for (const auto& dir : parser.values(mediaOpt)) config.mediaFolders.append(QDir(dir).absolutePath());
  }
  if (parser.isSet(iceOpt)) config.iceLocalAddresses = parser.values(iceOpt);
  if (parser.isSet(insecureOpt)) config.insecure = true;
  if (parser.isSet(logLevelOpt)) {
    if (!pw::log::isLevel(parser.value(logLevelOpt))) {
      fail(QStringLiteral("--log-level must be error, warning, info or debug, not '%1'").arg(pw::log::clip(parser.value(logLevelOpt))));
    }
    config.logLevel = parser.value(logLevelOpt);
  }
  pw::log::applyLevel(config.logLevel, qEnvironmentVariable("PIPEWRIGHT_LOG"));
  for (const auto& dir : config.mediaFolders) QDir().mkpath(dir);

  if (!pw::initGStreamer(&error)) fail(error);

  // SIGTERM/SIGINT quit the event loop, and end the process anyway when the engine is wedged.
  if (!pw::ShutdownWatchdog::install(config.shutdownTimeoutSec)) fail(QStringLiteral("cannot install the signal handlers"));
#ifdef PIPEWRIGHT_WITH_STUDIO
  if (studio) {
    // Engine and server on their own thread, the window on this one (design §4).
    pw::studio::StudioRuntime runtime(config);
    if (!runtime.start(&error)) fail(error);
    std::printf("Pipewright listening on %s\n", qPrintable(runtime.url()));
    std::printf("pipewright: studio window open; media folders for file:// URIs: %s\n",
                qPrintable(config.mediaFolders.isEmpty() ? QStringLiteral("(none)") : config.mediaFolders.join(u", ")));
    std::fflush(stdout);
    const int rc = app.exec();
    runtime.stop();
    std::printf("pipewright: stopped\n");
    return rc;
  }
  if (!parser.isSet(headlessOpt)) {
    qCInfo(pw::lcApp, "no display (DISPLAY/WAYLAND_DISPLAY unset): running the server headless");
  }
#endif

  auto engine = std::make_unique<pw::Engine>(config);
  auto server = std::make_unique<pw::WebSocketServer>(*engine, config);
  if (!server->listen(&error)) {
    // The engine goes first (it waits for the media path's warm-up): std::exit runs OpenSSL's and
    // GStreamer's exit handlers, which must not run under a media thread still using them.
    server.reset();
    engine.reset();
    fail(error);
  }
  guint gstMajor = 0, gstMinor = 0, gstMicro = 0, gstNano = 0;
  gst_version(&gstMajor, &gstMinor, &gstMicro, &gstNano);
  qCInfo(pw::lcApp, "pipewright %s (GStreamer %u.%u.%u) listening on %s, log level %s",
         qUtf8Printable(QCoreApplication::applicationVersion()), gstMajor, gstMinor, gstMicro, qUtf8Printable(server->url()),
         qUtf8Printable(config.logLevel));
  std::printf("Pipewright listening on %s\n", qPrintable(server->url()));
  std::printf("pipewright: media folders for file:// URIs: %s\n",
              qPrintable(config.mediaFolders.isEmpty() ? QStringLiteral("(none)") : config.mediaFolders.join(u", ")));
  std::fflush(stdout);

  const int rc = app.exec();
  server->stop();
  server.reset();
  engine->shutdown();
  engine.reset();
  // For leak hunting (GST_TRACERS=leaks): GStreamer reports objects still alive when it shuts
  // down. Off by default: nothing else needs it at exit.
  if (qEnvironmentVariableIsSet("PIPEWRIGHT_GST_DEINIT")) gst_deinit();
  std::printf("pipewright: stopped\n");
  return rc;
}
