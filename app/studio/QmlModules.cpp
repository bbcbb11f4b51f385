#include "QmlModules.h"

#include <QQmlComponent>
#include <QQmlEngine>
#include <QStringList>

namespace pw::studio {

const QList<QmlModuleRequirement>& studioQmlModules() {
  // QtQml first: every probe below needs it for its QtObject.
  static const QList<QmlModuleRequirement> modules{
      {QStringLiteral("QtQml"), QStringLiteral("qml6-module-qtqml"), false},
      {QStringLiteral("QtQml.Models"), QStringLiteral("qml6-module-qtqml-models"), false},
      {QStringLiteral("QtQml.WorkerScript"), QStringLiteral("qml6-module-qtqml-workerscript"), false},
      {QStringLiteral("QtQuick"), QStringLiteral("qml6-module-qtquick"), false},
      {QStringLiteral("QtQuick.Window"), QStringLiteral("qml6-module-qtquick-window"), false},
      {QStringLiteral("QtQuick.Templates"), QStringLiteral("qml6-module-qtquick-templates"), false},
      {QStringLiteral("QtQuick.Controls"), QStringLiteral("qml6-module-qtquick-controls"), false},
      {QStringLiteral("QtQuick.Controls.Fusion"), QStringLiteral("qml6-module-qtquick-controls"), false},
      {QStringLiteral("QtQuick.Layouts"), QStringLiteral("qml6-module-qtquick-layouts"), false},
      {QStringLiteral("QtQuick.Shapes"), QStringLiteral("qml6-module-qtquick-shapes"), false},
      {QStringLiteral("QtQuick.Dialogs"), QStringLiteral("qml6-module-qtquick-dialogs"), false},
      // What the Quick (non-native) file dialogs import besides the modules above.
      {QStringLiteral("QtQuick.Dialogs.quickimpl"), QStringLiteral("qml6-module-qtquick-dialogs"), true},
      {QStringLiteral("Qt.labs.folderlistmodel"), QStringLiteral("qml6-module-qt-labs-folderlistmodel"), true},
  };
  return modules;
}

QList<MissingQmlModule> missingQmlModules(QQmlEngine& engine, const QList<QmlModuleRequirement>& modules) {
  QList<MissingQmlModule> missing;
  auto probe = [&engine](const QString& module) {
    const QString source = module == u"QtQml" ? QStringLiteral("import QtQml\nQtObject {}\n")
                                               : QStringLiteral("import QtQml\nimport %1\nQtObject {}\n").arg(module);
    QQmlComponent component(&engine);
    component.setData(source.toUtf8(), QUrl(QStringLiteral("pipewright-module-check.qml")));
    QStringList errors;
    for (const QQmlError& e : component.errors()) errors.append(e.description());
    return errors.join(u"; ");
  };
  for (const QmlModuleRequirement& m : modules) {
    const QString error = probe(m.module);
    if (error.isEmpty()) continue;
    missing.append({m.module, m.package, m.forFileDialogs, error});
    if (m.module == u"QtQml") break;  // nothing else can be checked without it
  }
  return missing;
}

QString describeMissingQmlModules(const QList<MissingQmlModule>& missing) {
  if (missing.isEmpty()) return {};
  QStringList modules, packages;
  bool onlyDialogs = true;
  for (const MissingQmlModule& m : missing) {
    modules.append(QStringLiteral("%1 (Debian package %2)").arg(m.module, m.package));
    if (!packages.contains(m.package)) packages.append(m.package);
    onlyDialogs = onlyDialogs && m.forFileDialogs;
  }
  const QString what = onlyDialogs ? QStringLiteral("The file dialogs (Open, Save, Export) need")
                                   : QStringLiteral("The studio window needs");
  return QStringLiteral("%1 the QML module%2 %3, which %4 not installed. Install it with: sudo apt install %5")
      .arg(what, modules.size() > 1 ? QStringLiteral("s") : QString(), modules.join(QStringLiteral(", ")),
           modules.size() > 1 ? QStringLiteral("are") : QStringLiteral("is"), packages.join(u' '));
}

}  // namespace pw::studio
