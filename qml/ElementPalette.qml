import QtQuick
import QtQuick.Controls
import QtQuick.Layouts

// Two tabs: the element classes from the schema, and the GStreamer elements a GStreamerFilter
// may run (GstElementList); drag one onto the canvas to create it.
Rectangle {
    id: elementPalette
    required property var studio
    // Called with "start" / "move" / "drop" / "cancel" and scene coordinates.
    signal dragElement(string name, string phase, real sceneX, real sceneY)
    // The same for a GStreamer element (`name` is the factory).
    signal dragGstElement(string name, string phase, real sceneX, real sceneY)
    color: Theme.panel

    TabBar {
        id: tabs
        objectName: "paletteTabs"
        anchors { left: parent.left; right: parent.right; top: parent.top; margins: 8 }
        TabButton { objectName: "paletteTabElements"; text: qsTr("Elements") }
        TabButton { objectName: "paletteTabGst"; text: qsTr("GStreamer") }
    }
    GstElementList {
        anchors { left: parent.left; right: parent.right; bottom: parent.bottom; top: tabs.bottom; margins: 8 }
        visible: tabs.currentIndex === 1
        studio: elementPalette.studio
        onDragElement: (name, phase, sx, sy) => elementPalette.dragGstElement(name, phase, sx, sy)
    }
    ColumnLayout {
        anchors { left: parent.left; right: parent.right; bottom: parent.bottom; top: tabs.bottom; margins: 8 }
        visible: tabs.currentIndex === 0
        spacing: 6
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
                PaletteDragArea {
                    id: area
                    anchors.fill: parent
                    anchors.rightMargin: 36
                    entryName: entry.name
                    onDragElement: (name, phase, sx, sy) => elementPalette.dragElement(name, phase, sx, sy)
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
