import QtQuick
import QtQuick.Shapes
import QtQuick.Controls

// One link between an output and an input: solid and bright while media flows, dashed and grey
// when not. WireFlow adds the running dot and the bitrate.
Item {
    id: wire
    required property var graph
    property var canvas  // GraphCanvas (context menu)
    required property int index
    required property string sourceKey
    required property string sinkKey
    required property string mediaType
    required property bool selected
    required property bool flowing
    required property real x1
    required property real y1
    required property real x2
    required property real y2
    objectName: "wire_" + mediaType + "_" + sourceKey + "_" + sinkKey
    readonly property bool loop: sourceKey === sinkKey
    readonly property real bend: loop ? 90 : Math.max(50, Math.abs(x2 - x1) / 2)
    // The negotiated caps, asked for while the handle is hovered (WireCaps): a property of its
    // own, so other facts can join the tooltip.
    readonly property var wireCaps: canvas ? canvas.studio.wireCaps : null
    readonly property string capsText: wireCaps && wireCaps.edge === wireCaps.edgeId(sourceKey, sinkKey, mediaType)
                                       ? wireCaps.text : ""
    readonly property string tipText: mediaType + (flowing ? qsTr(" — flowing") : qsTr(" — not flowing"))
                                      + (capsText !== "" ? "\n" + capsText : "")
    Timer {
        interval: 1000; repeat: true; triggeredOnStart: true
        running: handle.containsMouse && wire.wireCaps !== null
        onTriggered: wire.wireCaps.query(wire.sourceKey, wire.sinkKey, wire.mediaType)
    }

    Shape {
        ShapePath {
            strokeColor: wire.flowing ? Theme.mediaColor(wire.mediaType) : Theme.subtext
            strokeWidth: wire.selected ? 4 : 2.5
            fillColor: "transparent"
            strokeStyle: wire.flowing ? ShapePath.SolidLine : ShapePath.DashLine
            dashPattern: [4, 3]
            startX: wire.x1; startY: wire.y1
            PathCubic {
                x: wire.x2; y: wire.y2
                control1X: wire.x1 + wire.bend; control1Y: wire.y1 - (wire.loop ? 110 : 0)
                control2X: wire.x2 - wire.bend; control2Y: wire.y2 - (wire.loop ? 110 : 0)
            }
        }
    }
    // Handle in the middle: click selects (Delete removes), tooltip says what flows.
    Rectangle {
        objectName: "wireHandle"
        readonly property real t: 0.5
        x: (wire.x1 + wire.x2) / 2 - width / 2 + (wire.loop ? 0 : 0)
        y: (wire.y1 + wire.y2) / 2 - height / 2 - (wire.loop ? 82 : 0)
        width: 16; height: 16; radius: 8
        color: wire.selected ? Theme.selection : Theme.panel
        border.color: Theme.mediaColor(wire.mediaType)
        border.width: 2
        Label { anchors.centerIn: parent; text: wire.mediaType.charAt(0); font.pixelSize: 9; font.bold: true; color: Theme.text }
        MouseArea {
            id: handle
            anchors.fill: parent
            hoverEnabled: true
            acceptedButtons: Qt.LeftButton | Qt.RightButton
            onClicked: (mouse) => {
                if (mouse.button === Qt.RightButton) {
                    const at = mapToItem(wire.canvas, mouse.x, mouse.y)
                    wire.canvas.openWireMenu(wire.index, at.x, at.y)
                }
                else graph.selectEdge(wire.index)
            }
        }
        ToolTip.visible: handle.containsMouse
        ToolTip.text: wire.tipText
    }
    WireFlow { edge: wire; flow: wire.canvas ? wire.canvas.studio.flow : null }
}
