import QtQuick
import QtQuick.Controls
import QtQuick.Layouts
import Pipewright.Studio

// Every event of the elements on the canvas, and the studio's own messages. The filter is a
// model (EventLogFilter); a click on a line shows its whole text (JSON indented) under it.
Rectangle {
    id: logView
    required property var studio
    property alias filterText: filter.text
    property alias following: follow.checked
    // The expanded line, as a row of the whole log (it stays the same line when the filter changes).
    property int expandedSource: -1
    color: Theme.panel

    EventLogFilter { id: filtered; sourceModel: logView.studio.log; filterText: filter.text }

    function showNewest() { if (follow.checked) list.positionViewAtEnd() }
    // Refiltering rebuilds the rows: keep the newest line in view when following, otherwise the
    // expanded line or the line that was at the top.
    function refilter(text) {
        const top = filtered.sourceRowOf(list.indexAt(0, list.contentY + 1))
        filtered.filterText = text
        if (follow.checked) {
            list.positionViewAtEnd()
            return
        }
        const keep = logView.expandedSource >= 0 ? logView.expandedSource : top
        if (keep >= 0 && list.count > 0) list.positionViewAtIndex(filtered.rowForSource(keep), ListView.Beginning)
    }

    ColumnLayout {
        anchors.fill: parent
        anchors.margins: 6
        spacing: 4
        RowLayout {
            Label { text: qsTr("Event log"); font.bold: true; color: Theme.text }
            TextField {
                id: filter
                objectName: "logFilter"
                Layout.preferredWidth: 220
                placeholderText: qsTr("Filter (type, element, text)")
                font.pixelSize: 11
                onTextChanged: logView.refilter(text)
            }
            CheckBox {
                id: follow
                objectName: "logFollow"
                text: qsTr("Follow")
                checked: true
                onCheckedChanged: Qt.callLater(logView.showNewest)
            }
            Item { Layout.fillWidth: true }
            Label { text: Theme.counted(studio.log.count, qsTr("entry"), qsTr("entries")); color: Theme.subtext; font.pixelSize: 11 }
            Button { text: qsTr("Clear"); onClicked: { logView.expandedSource = -1; studio.log.clear() } }
        }
        ListView {
            id: list
            objectName: "eventLog"
            Layout.fillWidth: true
            Layout.fillHeight: true
            clip: true
            model: filtered
            boundsBehavior: Flickable.StopAtBounds
            ScrollBar.vertical: ScrollBar {}
            // After the new row is laid out, or the newest line would be half hidden.
            onCountChanged: Qt.callLater(logView.showNewest)
            delegate: Rectangle {
                id: line
                required property int index
                required property string time
                required property string source
                required property string type
                required property string text
                required property string details
                required property string level
                readonly property int sourceRow: filtered.sourceRowOf(index)
                readonly property bool expanded: sourceRow >= 0 && sourceRow === logView.expandedSource
                objectName: "logLine_" + index
                width: ListView.view.width
                height: expanded ? 18 + detailsText.implicitHeight + 6 : 18
                color: expanded ? (Theme.dark ? "#2f343b" : "#eef2f8") : "transparent"
                Row {
                    spacing: 8
                    height: 18
                    Label { text: line.time; color: Theme.subtext; font.family: "monospace"; font.pixelSize: 11 }
                    Label { text: line.source; width: 150; elide: Text.ElideRight; color: Theme.subtext; font.pixelSize: 11 }
                    Label { text: line.type; width: 190; elide: Text.ElideRight; font.bold: true; font.pixelSize: 11
                            color: line.level === "error" ? Theme.error : line.level === "info" ? Theme.accent : Theme.text }
                    Label { text: line.text; width: list.width - 560; elide: Text.ElideRight; font.pixelSize: 11
                            color: line.level === "error" ? Theme.error : Theme.text }
                }
                MouseArea {
                    width: parent.width; height: 18
                    onClicked: logView.expandedSource = line.expanded ? -1 : line.sourceRow
                }
                TextEdit {
                    id: detailsText
                    objectName: "logDetails"
                    visible: line.expanded
                    x: 24; y: 18
                    width: parent.width - 32
                    text: line.expanded ? line.details : ""
                    readOnly: true
                    selectByMouse: true
                    wrapMode: TextEdit.WrapAnywhere
                    font.family: "monospace"
                    font.pixelSize: 11
                    color: line.level === "error" ? Theme.error : Theme.text
                    selectionColor: Theme.accent
                }
            }
        }
    }
}
