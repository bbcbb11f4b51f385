import QtQuick
import QtQuick.Controls
import QtQuick.Layouts

// Every event of the elements on the canvas, and the studio's own messages.
Rectangle {
    id: logView
    required property var studio
    color: Theme.panel
    ColumnLayout {
        anchors.fill: parent
        anchors.margins: 6
        spacing: 4
        RowLayout {
            Label { text: qsTr("Event log"); font.bold: true; color: Theme.text }
            TextField { id: filter; Layout.preferredWidth: 220; placeholderText: qsTr("Filter (type, element, text)"); font.pixelSize: 11 }
            CheckBox { id: follow; text: qsTr("Follow"); checked: true }
            Item { Layout.fillWidth: true }
            Label { text: Theme.counted(studio.log.count, qsTr("entry"), qsTr("entries")); color: Theme.subtext; font.pixelSize: 11 }
            Button { text: qsTr("Clear"); onClicked: studio.log.clear() }
        }
        ListView {
            id: list
            objectName: "eventLog"
            Layout.fillWidth: true
            Layout.fillHeight: true
            clip: true
            model: studio.log
            ScrollBar.vertical: ScrollBar {}
            onCountChanged: if (follow.checked) positionViewAtEnd()
            delegate: Item {
                required property string time
                required property string source
                required property string type
                required property string text
                required property string level
                readonly property bool shown: filter.text === "" || (type + " " + source + " " + text).toLowerCase().indexOf(filter.text.toLowerCase()) >= 0
                width: ListView.view.width
                height: shown ? 18 : 0
                visible: shown
                Row {
                    spacing: 8
                    Label { text: time; color: Theme.subtext; font.family: "monospace"; font.pixelSize: 11 }
                    Label { text: source; width: 150; elide: Text.ElideRight; color: Theme.subtext; font.pixelSize: 11 }
                    Label { text: type; width: 190; elide: Text.ElideRight; font.bold: true; font.pixelSize: 11
                            color: level === "error" ? Theme.error : level === "info" ? Theme.accent : Theme.text }
                    Label { text: parent.parent.text; width: list.width - 560; elide: Text.ElideRight; font.pixelSize: 11
                            color: level === "error" ? Theme.error : Theme.text }
                }
            }
        }
    }
}
