import QtQuick
import QtQuick.Controls
import QtQuick.Layouts

// Element classes from the schema; drag one onto the canvas to create it.
Rectangle {
    id: elementPalette
    required property var studio
    // Called with "start" / "move" / "drop" / "cancel" and scene coordinates.
    signal dragElement(string name, string phase, real sceneX, real sceneY)
    color: Theme.panel

    ColumnLayout {
        anchors.fill: parent
        anchors.margins: 8
        spacing: 6
        Label { text: qsTr("Palette"); font.bold: true; color: Theme.text }
        TextField {
            id: search
            objectName: "paletteSearch"
            Layout.fillWidth: true
            placeholderText: qsTr("Search elements…")
            onTextChanged: studio.palette.filter = text
        }
        ListView {
            id: list
            objectName: "paletteList"
            Layout.fillWidth: true
            Layout.fillHeight: true
            clip: true
            model: studio.palette
            section.property: "category"
            section.delegate: Label {
                required property string section
                text: section
                color: Theme.subtext
                font.pixelSize: 11
                font.capitalization: Font.AllUppercase
                topPadding: 8
                bottomPadding: 2
            }
            delegate: Rectangle {
                id: entry
                required property string name
                required property string category
                required property string doc
                required property bool favourite
                objectName: "palette_" + name
                width: ListView.view.width
                height: 30
                radius: 4
                color: area.containsMouse ? (Theme.dark ? "#343941" : "#eef2f8") : "transparent"
                Rectangle { x: 4; width: 4; height: parent.height - 10; y: 5; radius: 2; color: Theme.categoryColor(entry.category) }
                Label {
                    x: 14
                    anchors.verticalCenter: parent.verticalCenter
                    text: entry.name
                    color: Theme.text
                }
                ToolButton {
                    anchors.right: parent.right
                    anchors.verticalCenter: parent.verticalCenter
                    text: entry.favourite ? "★" : "☆"
                    flat: true
                    onClicked: studio.palette.toggleFavourite(entry.name)
                    ToolTip.visible: hovered
                    ToolTip.text: entry.favourite ? qsTr("Remove from favourites") : qsTr("Add to favourites")
                }
                ToolTip.visible: area.containsMouse && !area.dragging
                ToolTip.delay: 700
                ToolTip.text: entry.doc
                MouseArea {
                    id: area
                    anchors.fill: parent
                    anchors.rightMargin: 36
                    hoverEnabled: true
                    preventStealing: true  // the list must not turn a drag onto the canvas into a flick
                    property bool dragging: false
                    property point pressAt
                    onPressed: (mouse) => { pressAt = Qt.point(mouse.x, mouse.y); dragging = false }
                    onPositionChanged: (mouse) => {
                        if (!pressed) return
                        const p = mapToItem(null, mouse.x, mouse.y)
                        if (!dragging && Math.abs(mouse.x - pressAt.x) + Math.abs(mouse.y - pressAt.y) > 6) {
                            dragging = true
                            elementPalette.dragElement(entry.name, "start", p.x, p.y)
                        }
                        if (dragging) elementPalette.dragElement(entry.name, "move", p.x, p.y)
                    }
                    onReleased: (mouse) => {
                        const p = mapToItem(null, mouse.x, mouse.y)
                        if (dragging) elementPalette.dragElement(entry.name, "drop", p.x, p.y)
                        dragging = false
                    }
                    onCanceled: { if (dragging) elementPalette.dragElement(entry.name, "cancel", 0, 0); dragging = false }
                }
            }
        }
        Label {
            Layout.fillWidth: true
            wrapMode: Text.WordWrap
            font.pixelSize: 11
            color: Theme.subtext
            text: list.count === 0 ? qsTr("Nothing matches “%1”.").arg(search.text) : qsTr("Drag onto the canvas to add.")
        }
    }
}
