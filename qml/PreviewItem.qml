import QtQuick
import org.freedesktop.gstreamer.Qt6GLVideoItem

// The live video of one node (loaded only while its preview is on).
GstGLQt6VideoItem {
    id: video
    objectName: "previewVideo"
    required property var studio
    required property string nodeKey
    required property string objectId
    Component.onCompleted: studio.previews.attach(nodeKey, objectId, video)
    Component.onDestruction: studio.previews.detach(nodeKey)
}
