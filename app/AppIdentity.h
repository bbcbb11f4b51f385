#pragma once

// Who the application is to Qt, and where its per-user data lives. main() calls
// applyApplicationIdentity() before anything reads settings or standard paths; the GUI tests
// call it too, so they use the same folders (under QStandardPaths' test mode).
//
//   settings (QSettings)     ~/.config/Pipewright/pipewright.conf  ($XDG_CONFIG_HOME)
//   data (autosave, media)   ~/.local/share/pipewright/            ($XDG_DATA_HOME)

#include <QCoreApplication>
#include <QStandardPaths>
#include <QString>

namespace pw {

inline void applyApplicationIdentity() {
  QCoreApplication::setOrganizationName(QStringLiteral("Pipewright"));
  QCoreApplication::setOrganizationDomain(QStringLiteral("pipewright.io"));
  QCoreApplication::setApplicationName(QStringLiteral("pipewright"));
}

// $XDG_DATA_HOME/<application name>, i.e. ~/.local/share/pipewright: the default media folder
// (media/) and the studio's autosave. Not QStandardPaths::AppDataLocation, which would add the
// organization name to the path. (A test binary that does not apply the identity gets a folder
// of its own.)
inline QString userDataFolder() {
  return QStandardPaths::writableLocation(QStandardPaths::GenericDataLocation) + u'/' + QCoreApplication::applicationName();
}

}  // namespace pw
