#include "Studio.h"

#include "pipewright/engine/Engine.h"

#include "AppIdentity.h"
#include "AudioLevelModel.h"
#include "EngineClient.h"
#include "EdgeListModel.h"
#include "EventLogModel.h"
#include "FlowMonitor.h"
#include "GraphModel.h"
#include "GstPaletteModel.h"
#include "GstPropertyModel.h"
#include "InspectorModel.h"
#include "NodeListModel.h"
#include "PaletteModel.h"
#include "PreviewManager.h"
#include "ProjectFile.h"
#include "SampleMedia.h"
#include "TemplateLibrary.h"
#include "ServerMonitor.h"
#include "WireCaps.h"

#include <QCoreApplication>
#include <QDateTime>
#include <QDir>
#include <QFile>
#include <QFileInfo>
#include <QJsonDocument>
#include <QSaveFile>
#include <QSettings>
#include <QStandardPaths>
#include <QUrl>

namespace pw::studio {

namespace {
constexpr int kMaxRecent = 8;
constexpr int kAutosaveMs = 15000;
}  // namespace

Studio::Studio(Engine& engine, const QString& mediaFolder, QObject* parent)
    : QObject(parent), client_(std::make_unique<EngineClient>(engine)), mediaFolder_(mediaFolder) {
  log_ = new EventLogModel(this);
  graph_ = new GraphModel(*client_, *log_, this);
  inspector_ = new InspectorModel(*graph_, *client_, *log_, this);
  project_ = new ProjectFile(*graph_, *client_, *log_, this);
  palette_ = new PaletteModel(this);
  monitor_ = new ServerMonitor(*client_, this);
  previews_ = new PreviewManager(engine, this);
  meters_ = new AudioLevelModel(engine, *graph_->nodes(), this);
  flow_ = new FlowMonitor(engine, *graph_->nodes(), *graph_->edges(), this);
  const QStringList adminAllowed = engine.config().gstreamerFilterAllowedElements;
  gstPalette_ = new GstPaletteModel(adminAllowed, this);
  gstProperties_ = new GstPropertyModel(*graph_, *client_, *log_, adminAllowed, this);
  wireCaps_ = new WireCaps(*client_, *graph_->nodes(), this);
  connect(previews_, &PreviewManager::failed, this, [this](const QString&, const QString& message) {
    notify(QStringLiteral("Preview unavailable: %1").arg(message), true);
  });
  sample_ = std::make_unique<SampleMedia>(QDir(mediaFolder_).filePath(QStringLiteral("pipewright-sample.webm")));

  QSettings settings;
  recentFiles_ = settings.value(QStringLiteral("project/recent")).toStringList();
  firstRun_ = !settings.value(QStringLiteral("studio/started")).toBool();
  settings.setValue(QStringLiteral("studio/started"), true);
  // A previous run that ended without closing cleanly left its autosave behind.
  hasRecovery_ = QFileInfo::exists(autosavePath());
  connect(graph_, &GraphModel::refused, this, [this](const QString& reason) { notify(reason, true); });
  connect(graph_, &GraphModel::undoChanged, this, &Studio::unsavedWorkChanged);
  connect(graph_->nodes(), &NodeListModel::countChanged, this, &Studio::unsavedWorkChanged);
  connect(this, &Studio::currentFileChanged, this, &Studio::unsavedWorkChanged);
  connect(&engine, &Engine::openInStudioRequested, this, &Studio::openPipelineRequested, Qt::QueuedConnection);
  autosaveTimer_.setInterval(kAutosaveMs);
  connect(&autosaveTimer_, &QTimer::timeout, this, &Studio::autosave);
  autosaveTimer_.start();
}

Studio::~Studio() {
  autosaveTimer_.stop();
  // Work that is neither saved nor discarded (the process was stopped by a signal, say) stays in
  // the autosave, and the next start offers to recover it. Otherwise nothing is left to recover
  // (unless the user has not decided about an old autosave yet).
  if (unsavedWork() && !quitDecided_) autosave();
  else removeAutosave();
  // Replies still in flight must not reach models being destroyed.
  client_.reset();
}

QString Studio::version() const { return QCoreApplication::applicationVersion(); }

QString Studio::autosavePathFor() { return QDir(userDataFolder()).filePath(QStringLiteral("autosave.pwproj")); }

bool Studio::unsavedWork() const {
  return graph_->dirty() && (graph_->nodes()->count() > 0 || !currentFile_.isEmpty());
}

void Studio::setFileDialogProblem(const QString& text) {
  if (fileDialogProblem_ == text) return;
  fileDialogProblem_ = text;
  Q_EMIT fileDialogProblemChanged();
}

QUrl Studio::projectFolder() const {
  return QUrl::fromLocalFile(currentFile_.isEmpty() ? mediaFolder_ : QFileInfo(currentFile_).absolutePath());
}

void Studio::removeAutosave() {
  if (!hasRecovery_) QFile::remove(autosavePath());  // an old one waits for the user's decision
}

void Studio::discardAndQuit() {
  quitDecided_ = true;
  autosaveTimer_.stop();
  removeAutosave();
}

void Studio::discardUnsavedWork() { removeAutosave(); }

QString Studio::toLocalPath(const QString& url) const {
  const QUrl u(url);
  return u.isLocalFile() ? u.toLocalFile() : url;
}

void Studio::notify(const QString& text, bool error) {
  log_->add(error ? QStringLiteral("error") : QStringLiteral("info"), QStringLiteral("studio"), QStringLiteral("Studio"), text);
}

void Studio::newProject() {
  graph_->newPipeline();
  currentFile_.clear();
  Q_EMIT currentFileChanged();
}

QString Studio::openProject(const QString& pathOrUrl) {
  const QString path = toLocalPath(pathOrUrl);
  return projectFileDone(path, project_->open(path));
}

QString Studio::projectFileDone(const QString& path, const QString& error) {
  if (!error.isEmpty()) {
    notify(error, true);
    return error;
  }
  currentFile_ = path;
  Q_EMIT currentFileChanged();
  addRecent(path);
  return {};
}

QString Studio::saveProject(const QString& pathOrUrl) {
  QString path = toLocalPath(pathOrUrl.isEmpty() ? currentFile_ : pathOrUrl);
  if (path.isEmpty()) return QStringLiteral("Choose a file name first");
  if (QFileInfo(path).suffix().isEmpty()) path += QStringLiteral(".pwproj");
  const QString error = projectFileDone(path, project_->save(path));
  if (error.isEmpty()) removeAutosave();  // the work is in the project file now
  return error;
}

void Studio::addRecent(const QString& path) {
  recentFiles_.removeAll(path);
  recentFiles_.prepend(path);
  while (recentFiles_.size() > kMaxRecent) recentFiles_.removeLast();
  QSettings().setValue(QStringLiteral("project/recent"), recentFiles_);
  Q_EMIT recentFilesChanged();
}

void Studio::autosave() {
  if (!graph_->dirty() || graph_->nodes()->count() == 0 || hasRecovery_) return;
  QDir().mkpath(QFileInfo(autosavePath()).absolutePath());
  QSaveFile file(autosavePath());
  if (file.open(QIODevice::WriteOnly)) {
    file.write(QJsonDocument(project_->toJson()).toJson(QJsonDocument::Indented));
    file.commit();
  }
}

void Studio::recover() {
  const QString path = autosavePath();
  QString error = project_->open(path);
  if (error.isEmpty()) notify(QStringLiteral("Recovered the work of the previous session; save it to keep it"));
  else notify(QStringLiteral("Could not recover the previous session: %1").arg(error), true);
  hasRecovery_ = false;
  QFile::remove(path);
  Q_EMIT recoveryChanged();
}

void Studio::discardRecovery() {
  hasRecovery_ = false;
  QFile::remove(autosavePath());
  Q_EMIT recoveryChanged();
}

QString Studio::sampleUri() const { return QUrl::fromLocalFile(sample_->path()).toString(); }

QString Studio::newRecordingUri() const {
  const QString name = QStringLiteral("studio-recording-%1.webm").arg(QDateTime::currentDateTime().toString(QStringLiteral("yyyyMMdd-HHmmss-zzz")));
  return QUrl::fromLocalFile(QDir(mediaFolder_).filePath(name)).toString();
}

void Studio::setBusyText(const QString& text) {
  busyText_ = text;
  Q_EMIT busyTextChanged();
}

QVariantList Studio::templates() const {
  QVariantList rows;
  for (const TemplateLibrary::Template& t : TemplateLibrary::load()) {
    rows.append(QVariantMap{{QStringLiteral("name"), t.name}, {QStringLiteral("title"), t.title}, {QStringLiteral("text"), t.description}});
  }
  return rows;
}

void Studio::applyTemplate(const QString& name) {
  const std::optional<TemplateLibrary::Template> tpl = TemplateLibrary::find(name);
  if (!tpl) {
    notify(QStringLiteral("There is no template '%1' (built-in ones, and files in %2)").arg(name, TemplateLibrary::userFolder()), true);
    return;
  }
  auto apply = [this, tpl](const QString& sample) {
    graph_->applyTemplate(TemplateLibrary::instantiate(*tpl, sample, newRecordingUri()));
    currentFile_.clear();
    Q_EMIT currentFileChanged();
    Q_EMIT templateApplied(tpl->name);
  };
  if (!tpl->needsSample) {
    apply({});
    return;
  }
  if (!sample_->exists()) setBusyText(QStringLiteral("Writing the sample clip (once)…"));
  sample_->ensure([this, apply](bool ok, const QString& message) {
    setBusyText({});
    if (!ok) {
      notify(QStringLiteral("Could not write the sample clip in %1: %2 — check that the media folder is writable")
                 .arg(mediaFolder_, message),
             true);
      return;
    }
    apply(sampleUri());
  });
}

}  // namespace pw::studio
