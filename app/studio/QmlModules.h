#pragma once

// The QML modules the studio imports, directly or through Qt Quick Dialogs, and the Debian
// package of each. QML modules are loaded at run time, so a missing one is not a link error:
// Qt Quick Dialogs 6.4 even crashes when Qt.labs.folderlistmodel is missing and a file dialog
// opens. StudioRuntime checks the list before the window loads and says which package to
// install; installers/CMakeLists.txt (Depends) and scripts/setup.sh must list every package
// named here (tests/packaging/check-package.sh checks that).

#include <QList>
#include <QString>

class QQmlEngine;

namespace pw::studio {

struct QmlModuleRequirement {
  QString module;        // "Qt.labs.folderlistmodel"
  QString package;       // "qml6-module-qt-labs-folderlistmodel"
  bool forFileDialogs;   // only the file dialogs need it: the window works without it
};

struct MissingQmlModule {
  QString module;
  QString package;
  bool forFileDialogs = false;
  QString detail;  // the QML engine's message
};

const QList<QmlModuleRequirement>& studioQmlModules();

// Imports each module in a small component on `engine` (so with its import paths) and returns
// those that do not load.
QList<MissingQmlModule> missingQmlModules(QQmlEngine& engine,
                                          const QList<QmlModuleRequirement>& modules = studioQmlModules());

// One message for people: what is missing, what it breaks, and the apt command that fixes it.
QString describeMissingQmlModules(const QList<MissingQmlModule>& missing);

}  // namespace pw::studio
