import QtQuick
import QtQuick.Controls
import QtQuick.Layouts

// First-run gallery: each template builds a real pipeline on the engine.
Popup {
    id: gallery
    objectName: "templateGallery"
    required property var studio
    signal chosen(string name)
    modal: true
    anchors.centerIn: Overlay.overlay
    width: 700
    height: 380
    padding: 16
    // Data files (resources/templates, and the user's own: docs/studio.md), read when it opens.
    property var templates: []
    onAboutToShow: templates = studio.templates()
    background: Rectangle { color: Theme.panel; radius: 10; border.color: Theme.border }
    ColumnLayout {
        anchors.fill: parent
        spacing: 10
        Label { text: qsTr("Start from a template"); font.pixelSize: 20; font.bold: true; color: Theme.text }
        Label { text: qsTr("Each one builds a real pipeline you can run, inspect and change; Ctrl+Z removes it in one step."); color: Theme.subtext; wrapMode: Text.WordWrap; Layout.fillWidth: true }
        GridLayout {
            columns: 2
            Layout.fillWidth: true
            Layout.fillHeight: true
            rowSpacing: 10
            columnSpacing: 10
            Repeater {
                model: gallery.templates
                delegate: Rectangle {
                    required property var modelData
                    objectName: "template_" + modelData.name
                    Layout.fillWidth: true
                    Layout.fillHeight: true
                    radius: 8
                    color: card.containsMouse ? Qt.rgba(0.24, 0.55, 0.99, 0.15) : Theme.window
                    border.color: Theme.border
                    Column {
                        anchors.fill: parent
                        anchors.margins: 12
                        spacing: 6
                        Label { text: modelData.title; font.bold: true; font.pixelSize: 15; color: Theme.text }
                        Label { text: modelData.text; width: parent.width; wrapMode: Text.WordWrap; color: Theme.subtext }
                    }
                    MouseArea {
                        id: card
                        anchors.fill: parent
                        hoverEnabled: true
                        onClicked: { gallery.close(); gallery.chosen(modelData.name) }
                    }
                }
            }
        }
        RowLayout {
            Item { Layout.fillWidth: true }
            Button { objectName: "emptyCanvas"; text: qsTr("Empty canvas"); onClicked: gallery.close() }
        }
    }
}
