import QtQuick
import QtQuick.Controls
import QtQuick.Layouts

// Every pipeline on the server — the studio's and remote clients' — with the sessions count.
// Double-click (or Open) shows one on the canvas, live.
Rectangle {
    id: panel
    required property var studio
    signal openRequested(string id)
    color: Theme.panel
    ColumnLayout {
        anchors.fill: parent
        anchors.margins: 8
        spacing: 4
        RowLayout {
            Label { text: qsTr("Sessions & pipelines"); font.bold: true; color: Theme.text; Layout.fillWidth: true }
            ToolButton { text: "⟳"; onClicked: studio.monitor.refresh(); ToolTip.visible: hovered; ToolTip.text: qsTr("Refresh") }
        }
        Label {
            objectName: "sessionsSummary"
            color: Theme.subtext; font.pixelSize: 11
            text: Theme.counted(studio.monitor.sessions.length, qsTr("session"), qsTr("sessions")) + ", "
                  + Theme.counted(studio.monitor.pipelines.length, qsTr("pipeline"), qsTr("pipelines"))
        }
        ListView {
            id: list
            objectName: "pipelineList"
            Layout.fillWidth: true
            Layout.fillHeight: true
            clip: true
            model: studio.monitor.pipelines
            delegate: Rectangle {
                id: row
                required property var modelData
                objectName: "pipeline_" + modelData.id
                readonly property bool open: modelData.id === studio.graph.pipelineId
                width: ListView.view.width
                height: 40
                radius: 4
                color: open ? Qt.rgba(0.24, 0.55, 0.99, 0.18) : area.containsMouse ? (Theme.dark ? "#343941" : "#eef2f8") : "transparent"
                Column {
                    x: 6; anchors.verticalCenter: parent.verticalCenter
                    width: parent.width - 60
                    Label { text: row.modelData.name || qsTr("(unnamed)"); color: Theme.text; elide: Text.ElideRight; width: parent.width }
                    Label {
                        objectName: "pipelineSummary"
                        text: Theme.counted(row.modelData.elements, qsTr("element"), qsTr("elements")) + " · " + row.modelData.id.substring(0, 8)
                        color: Theme.subtext; font.pixelSize: 10
                    }
                }
                Button {
                    anchors.right: parent.right; anchors.verticalCenter: parent.verticalCenter
                    visible: !row.open
                    text: qsTr("Open")
                    objectName: "openPipeline"
                    onClicked: panel.openRequested(row.modelData.id)
                }
                MouseArea {
                    id: area
                    anchors.fill: parent
                    anchors.rightMargin: 56
                    hoverEnabled: true
                    onDoubleClicked: panel.openRequested(row.modelData.id)
                }
            }
        }
    }
}
