#pragma once

// The template gallery's pipelines as data: JSON files ("format": "pipewright-template") with a
// title, a description and the nodes and wires of a project file, where "${sample}" and
// "${recording}" stand for the sample clip's URI and a new recording's. The built-in ones are
// resources/templates/*.json (compiled in); files in userFolder() are listed too, and one with
// a built-in's name replaces it (docs/studio.md, "Templates").

#include "GraphFragment.h"

#include <QList>
#include <QString>
#include <QStringList>

#include <optional>

namespace pw::studio {

class TemplateLibrary {
 public:
  struct Template {
    QString name;
    QString title;
    QString description;
    int order = 0;
    GraphFragment fragment;
    bool needsSample = false;  // some element plays ${sample}
    QString file;
  };

  // Built-in and user templates by `order`, then name; a file that cannot be read is left out,
  // with the reason in `problems`.
  static QList<Template> load(QStringList* problems = nullptr);
  static std::optional<Template> find(const QString& name);
  // ~/.local/share/pipewright/templates (XDG data home).
  static QString userFolder();
  // The template's nodes and wires with the placeholders replaced.
  static GraphFragment instantiate(const Template& tpl, const QString& sampleUri, const QString& recordingUri);
  // One template from JSON text; nullopt with the reason.
  static std::optional<Template> parse(const QByteArray& json, const QString& file, QString* error);
};

}  // namespace pw::studio
