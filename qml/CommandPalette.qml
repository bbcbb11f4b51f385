import QtQuick
import QtQuick.Controls
import QtQuick.Layouts

// Ctrl+K: every menu command and "Add <element>" by typing a few letters; Up/Down choose,
// Enter runs, Escape closes.
Popup {
    id: palette
    objectName: "commandPalette"
    // [{text, shortcut, run: function}]: filled by the window when it opens the palette.
    property var commands: []
    property var shown: []
    modal: true
    focus: true
    width: Math.min(520, parent ? parent.width - 80 : 520)
    height: Math.min(420, parent ? parent.height - 120 : 420)
    x: parent ? (parent.width - width) / 2 : 0
    y: 60
    padding: 8
    background: Rectangle { color: Theme.panel; border.color: Theme.border; radius: 6 }

    function refilter() {
        const words = field.text.toLowerCase().split(/\s+/).filter((w) => w.length > 0)
        shown = commands.filter((c) => words.every((w) => c.text.toLowerCase().indexOf(w) >= 0))
        list.currentIndex = shown.length > 0 ? 0 : -1
    }
    function runCurrent() {
        if (list.currentIndex < 0 || list.currentIndex >= shown.length) return
        const command = shown[list.currentIndex]
        close()
        command.run()
    }
    onOpened: { field.text = ""; refilter(); field.forceActiveFocus() }

    ColumnLayout {
        anchors.fill: parent
        spacing: 6
        TextField {
            id: field
            objectName: "commandField"
            Layout.fillWidth: true
            placeholderText: qsTr("Type a command or an element to add…")
            onTextChanged: palette.refilter()
            Keys.onDownPressed: list.incrementCurrentIndex()
            Keys.onUpPressed: list.decrementCurrentIndex()
            Keys.onReturnPressed: palette.runCurrent()
            Keys.onEnterPressed: palette.runCurrent()
            Keys.onEscapePressed: palette.close()
        }
        ListView {
            id: list
            objectName: "commandList"
            Layout.fillWidth: true
            Layout.fillHeight: true
            clip: true
            model: palette.shown
            highlightMoveDuration: 0
            delegate: ItemDelegate {
                required property var modelData
                required property int index
                width: ListView.view.width
                highlighted: ListView.isCurrentItem
                contentItem: RowLayout {
                    Label { text: modelData.text; color: Theme.text; Layout.fillWidth: true; elide: Text.ElideRight }
                    Label { text: modelData.shortcut || ""; color: Theme.subtext; font.pixelSize: 11 }
                }
                onClicked: { list.currentIndex = index; palette.runCurrent() }
            }
            Label {
                anchors.centerIn: parent
                visible: palette.shown.length === 0
                text: qsTr("No command matches")
                color: Theme.subtext
            }
        }
    }
}
