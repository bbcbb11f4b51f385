import QtQuick
import QtQuick.Controls
import QtQuick.Layouts

// The palette's GStreamer tab: the installed elements GStreamerFilter allows (studio.gstPalette,
// read from the registry the first time the tab shows). Dropping one adds a GStreamerFilter
// whose command is that element; the inspector then edits its properties.
ColumnLayout {
    id: gstList
    required property var studio
    signal dragElement(string name, string phase, real sceneX, real sceneY)
    spacing: 6
    onVisibleChanged: if (visible) studio.gstPalette.load()

    TextField {
        id: search
        objectName: "gstSearch"
        Layout.fillWidth: true
        placeholderText: qsTr("Search GStreamer elements…")
        onTextChanged: studio.gstPalette.filter = text
    }
    ListView {
        id: list
        objectName: "gstList"
        Layout.fillWidth: true
        Layout.fillHeight: true
        clip: true
        model: studio.gstPalette
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
            required property string longName
            required property string klass
            required property string description
            objectName: "gst_" + name
            width: ListView.view.width
            height: 38
            radius: 4
            color: drag.containsMouse ? (Theme.dark ? "#343941" : "#eef2f8") : "transparent"
            Rectangle { x: 4; width: 4; height: parent.height - 10; y: 5; radius: 2; color: Theme.categoryColor("Filters") }
            Column {
                x: 14
                width: parent.width - 18
                anchors.verticalCenter: parent.verticalCenter
                Label { text: entry.name; color: Theme.text }
                Label { width: parent.width; text: entry.longName; elide: Text.ElideRight; color: Theme.subtext; font.pixelSize: 10 }
            }
            ToolTip.visible: drag.containsMouse && !drag.dragging
            ToolTip.delay: 700
            ToolTip.text: entry.description + "\n" + entry.klass
            PaletteDragArea {
                id: drag
                anchors.fill: parent
                entryName: entry.name
                onDragElement: (name, phase, sx, sy) => gstList.dragElement(name, phase, sx, sy)
            }
        }
    }
    Label {
        Layout.fillWidth: true
        wrapMode: Text.WordWrap
        font.pixelSize: 11
        color: Theme.subtext
        text: !studio.gstPalette.loaded ? qsTr("Reading the GStreamer registry…")
              : list.count === 0 ? qsTr("Nothing matches “%1”.").arg(search.text)
              : qsTr("Drag onto the canvas to add it as a GStreamerFilter.")
    }
}
