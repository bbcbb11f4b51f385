import QtQuick
import QtQuick.Controls
import QtQuick.Layouts

// Listen address, connected clients, sessions, pipelines, CPU and memory; what the studio is doing.
Rectangle {
    id: bar
    required property var studio
    implicitHeight: 26
    color: Theme.window
    Rectangle { width: parent.width; height: 1; color: Theme.border }
    RowLayout {
        anchors.fill: parent
        anchors.leftMargin: 8
        anchors.rightMargin: 8
        spacing: 16
        Label { objectName: "statusUrl"; text: "⬤ " + studio.monitor.listenUrl; color: Theme.ok; font.pixelSize: 11 }
        Label {
            objectName: "statusListenNote"
            visible: studio.monitor.listenNote !== ""
            text: studio.monitor.listenNote
            color: Theme.warn
            elide: Text.ElideRight
            Layout.maximumWidth: 420
            font.pixelSize: 11
            ToolTip.visible: noteHover.hovered
            ToolTip.text: studio.monitor.listenNote
            HoverHandler { id: noteHover }
        }
        Label { text: Theme.counted(studio.monitor.clients, qsTr("client"), qsTr("clients")); color: Theme.text; font.pixelSize: 11 }
        Label { text: Theme.counted(studio.monitor.sessions.length, qsTr("session"), qsTr("sessions")); color: Theme.text; font.pixelSize: 11 }
        Label { text: Theme.counted(studio.monitor.pipelines.length, qsTr("pipeline"), qsTr("pipelines")); color: Theme.text; font.pixelSize: 11 }
        Label { text: qsTr("CPU %1 %").arg(studio.monitor.cpuPercent.toFixed(1)); color: Theme.text; font.pixelSize: 11 }
        Label { text: qsTr("Memory %1 MiB").arg(studio.monitor.memoryMiB.toFixed(0)); color: Theme.text; font.pixelSize: 11 }
        BusyIndicator { running: studio.graph.busy || studio.busyText !== ""; implicitWidth: 18; implicitHeight: 18 }
        Label {
            Layout.fillWidth: true
            elide: Text.ElideRight
            font.pixelSize: 11
            color: studio.busyText !== "" ? Theme.text : Theme.error
            text: studio.busyText !== "" ? studio.busyText : (recentError.running ? studio.log.lastError : "")
            Timer { id: recentError; interval: 10000 }
            Connections { target: studio.log; function onLastErrorChanged() { recentError.restart() } }
        }
        Label {
            objectName: "runState"
            text: studio.graph.running === "running" ? qsTr("● running") : studio.graph.running === "paused" ? qsTr("❚❚ paused") : qsTr("○ stopped")
            color: studio.graph.running === "running" ? Theme.ok : Theme.subtext
            font.pixelSize: 11
        }
    }
}
