#pragma once

// The studio's root object, handed to Main.qml: the models, the project file (recent files,
// autosave, crash recovery), templates and the sample media they play.

#include <QObject>
#include <QStringList>
#include <QTimer>
#include <QUrl>
#include <QVariantList>
#include <QtQml/qqmlregistration.h>

#include <functional>
#include <memory>

namespace pw {
class Engine;
}

namespace pw::studio {

class AudioLevelModel;
class EngineClient;
class EventLogModel;
class FlowMonitor;
class GraphModel;
class GstPaletteModel;
class GstPropertyModel;
class InspectorModel;
class WireCaps;
class PaletteModel;
class PreviewManager;
class ProjectFile;
class ServerMonitor;
class SampleMedia;

class Studio : public QObject {
  Q_OBJECT
  QML_ELEMENT
  QML_UNCREATABLE("Created by the application")
  Q_PROPERTY(pw::studio::GraphModel* graph READ graph CONSTANT)
  // The selected node's properties and methods; the project file and DOT export.
  Q_PROPERTY(pw::studio::InspectorModel* inspector READ inspector CONSTANT)
  Q_PROPERTY(pw::studio::ProjectFile* project READ project CONSTANT)
  Q_PROPERTY(pw::studio::PaletteModel* palette READ palette CONSTANT)
  Q_PROPERTY(pw::studio::EventLogModel* log READ log CONSTANT)
  Q_PROPERTY(pw::studio::ServerMonitor* monitor READ monitor CONSTANT)
  Q_PROPERTY(pw::studio::PreviewManager* previews READ previews CONSTANT)
  Q_PROPERTY(pw::studio::AudioLevelModel* meters READ meters CONSTANT)
  Q_PROPERTY(pw::studio::FlowMonitor* flow READ flow CONSTANT)
  // The GStreamer tab of the palette, the inspector's GStreamer section, the wires' caps.
  Q_PROPERTY(pw::studio::GstPaletteModel* gstPalette READ gstPalette CONSTANT)
  Q_PROPERTY(pw::studio::GstPropertyModel* gstProperties READ gstProperties CONSTANT)
  Q_PROPERTY(pw::studio::WireCaps* wireCaps READ wireCaps CONSTANT)
  Q_MOC_INCLUDE("InspectorModel.h")
  Q_MOC_INCLUDE("ProjectFile.h")
  Q_MOC_INCLUDE("GstPaletteModel.h")
  Q_MOC_INCLUDE("GstPropertyModel.h")
  Q_MOC_INCLUDE("WireCaps.h")
  Q_PROPERTY(QString currentFile READ currentFile NOTIFY currentFileChanged)
  Q_PROPERTY(QStringList recentFiles READ recentFiles NOTIFY recentFilesChanged)
  Q_PROPERTY(bool hasRecovery READ hasRecovery NOTIFY recoveryChanged)
  Q_PROPERTY(bool firstRun READ firstRun CONSTANT)
  Q_PROPERTY(QString mediaFolder READ mediaFolder CONSTANT)
  Q_PROPERTY(QString busyText READ busyText NOTIFY busyTextChanged)
  Q_PROPERTY(QString version READ version CONSTANT)
  Q_PROPERTY(bool unsavedWork READ unsavedWork NOTIFY unsavedWorkChanged)
  Q_PROPERTY(QString fileDialogProblem READ fileDialogProblem NOTIFY fileDialogProblemChanged)
  Q_PROPERTY(QUrl projectFolder READ projectFolder NOTIFY currentFileChanged)

 public:
  // `engine` may live on another thread; `mediaFolder` is where templates read and write files.
  Studio(Engine& engine, const QString& mediaFolder, QObject* parent = nullptr);
  ~Studio() override;

  GraphModel* graph() const { return graph_; }
  InspectorModel* inspector() const { return inspector_; }
  ProjectFile* project() const { return project_; }
  PaletteModel* palette() const { return palette_; }
  EventLogModel* log() const { return log_; }
  ServerMonitor* monitor() const { return monitor_; }
  PreviewManager* previews() const { return previews_; }
  AudioLevelModel* meters() const { return meters_; }
  FlowMonitor* flow() const { return flow_; }
  GstPaletteModel* gstPalette() const { return gstPalette_; }
  GstPropertyModel* gstProperties() const { return gstProperties_; }
  WireCaps* wireCaps() const { return wireCaps_; }
  EngineClient& client() const { return *client_; }
  QString currentFile() const { return currentFile_; }
  QStringList recentFiles() const { return recentFiles_; }
  bool hasRecovery() const { return hasRecovery_; }
  bool firstRun() const { return firstRun_; }
  QString mediaFolder() const { return mediaFolder_; }
  QString busyText() const { return busyText_; }
  QString version() const;
  // Changes that no project file holds: the canvas differs from the last save (or open), and
  // there is something to lose (nodes, or a file whose content would be lost).
  bool unsavedWork() const;
  // Empty, or why the file dialogs cannot open (a missing QML module, with its Debian package).
  QString fileDialogProblem() const { return fileDialogProblem_; }
  void setFileDialogProblem(const QString& text);
  // Where the file dialogs start: the current project's folder, else the first media folder.
  QUrl projectFolder() const;

  Q_INVOKABLE void newProject();
  Q_INVOKABLE QString openProject(const QString& pathOrUrl);
  Q_INVOKABLE QString saveProject(const QString& pathOrUrl);
  Q_INVOKABLE void recover();
  Q_INVOKABLE void discardRecovery();
  Q_INVOKABLE void applyTemplate(const QString& name);
  // The gallery's templates: [{name, title, text}] (TemplateLibrary, read at each call).
  Q_INVOKABLE QVariantList templates() const;
  Q_INVOKABLE QString newRecordingUri() const;
  Q_INVOKABLE QString sampleUri() const;
  Q_INVOKABLE QString autosavePath() const { return autosavePathFor(); }
  static QString autosavePathFor();
  Q_INVOKABLE QString toLocalPath(const QString& url) const;
  Q_INVOKABLE void notify(const QString& text, bool error = false);
  // Quitting: the window may close when nothing would be lost, or once the user decided.
  Q_INVOKABLE bool mayClose() const { return quitDecided_ || !unsavedWork(); }
  // "Discard" when quitting: the unsaved work and its autosave are given up, the window may close.
  Q_INVOKABLE void discardAndQuit();
  // "Discard" when New, Open, a template or another pipeline replaces the canvas.
  Q_INVOKABLE void discardUnsavedWork();
  // Writes the autosave now (the timer does it every 15 s when there are unsaved changes).
  void autosaveNow() { autosave(); }

 Q_SIGNALS:
  void currentFileChanged();
  void recentFilesChanged();
  void recoveryChanged();
  void busyTextChanged();
  void templateApplied(const QString& name);
  // A client asked to see this pipeline here (Engine::openInStudioRequested): the window opens
  // it as the sessions panel's Open does, asking first about unsaved work.
  void openPipelineRequested(const QString& pipelineId);
  void unsavedWorkChanged();
  void fileDialogProblemChanged();

 private:
  void addRecent(const QString& path);
  // After a project was opened or saved: the current file and recent list, or the error shown.
  QString projectFileDone(const QString& path, const QString& error);
  void autosave();
  void removeAutosave();
  void setBusyText(const QString& text);

  std::unique_ptr<EngineClient> client_;
  EventLogModel* log_ = nullptr;
  GraphModel* graph_ = nullptr;
  InspectorModel* inspector_ = nullptr;
  ProjectFile* project_ = nullptr;
  PaletteModel* palette_ = nullptr;
  ServerMonitor* monitor_ = nullptr;
  PreviewManager* previews_ = nullptr;
  AudioLevelModel* meters_ = nullptr;
  FlowMonitor* flow_ = nullptr;
  GstPaletteModel* gstPalette_ = nullptr;
  GstPropertyModel* gstProperties_ = nullptr;
  WireCaps* wireCaps_ = nullptr;
  std::unique_ptr<SampleMedia> sample_;
  QString mediaFolder_;
  QString currentFile_;
  QStringList recentFiles_;
  bool hasRecovery_ = false;
  bool firstRun_ = false;
  QString busyText_;
  QString fileDialogProblem_;
  bool quitDecided_ = false;
  QTimer autosaveTimer_;
};

}  // namespace pw::studio
