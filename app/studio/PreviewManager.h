#pragma once

// Live video inside canvas nodes, on demand: a node's preview item (GstGLQt6VideoItem) asks for
// it, a small GL pipeline (appsrc → glupload → qml6glsink) is built for it, and the engine feeds
// the element's decoded video into that appsrc through its shared raw-video branch. Hidden
// previews cost nothing: no item, no pipeline, no branch.

#include "gst/GstRef.h"

#include <QHash>
#include <QObject>
#include <QPointer>
#include <QQuickItem>
#include <QtQml/qqmlregistration.h>

#include <atomic>
#include <memory>


namespace pw {
class Engine;
}

namespace pw::studio {

class PreviewManager : public QObject {
  Q_OBJECT
  QML_ELEMENT
  QML_UNCREATABLE("Owned by Studio")
  Q_PROPERTY(bool available READ available CONSTANT)

 public:
  explicit PreviewManager(Engine& engine, QObject* parent = nullptr);
  ~PreviewManager() override;

  // Whether qml6glsink (gstreamer1.0-qt6) is installed; call before the QML is loaded, it
  // registers the GstGLQt6VideoItem QML type.
  static bool prepare();
  bool available() const;

  Q_INVOKABLE void attach(const QString& key, const QString& objectId, QQuickItem* videoItem);
  Q_INVOKABLE void detach(const QString& key);
  Q_INVOKABLE int framesShown(const QString& key) const;

 Q_SIGNALS:
  void failed(const QString& key, const QString& message);

 private:
  struct Preview {
    ElementRef pipeline;
    ElementRef appsrc;
    std::shared_ptr<std::atomic<int>> frames = std::make_shared<std::atomic<int>>(0);
  };
  Engine& engine_;
  QHash<QString, std::shared_ptr<Preview>> previews_;
};

}  // namespace pw::studio
