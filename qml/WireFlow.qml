import QtQuick
import QtQuick.Controls

// What flows on one wire, drawn over Wire.qml: a dot running along it while media flows, and
// the bitrate (FlowMonitor, sampled once a second) as a small label beside its middle.
Item {
    id: flowPart
    required property Item edge
    property var flow: null  // FlowMonitor
    readonly property string wireId: edge.sourceKey + ">" + edge.sinkKey + "/" + edge.mediaType
    readonly property real kbps: flow && flow.bitrates[wireId] !== undefined ? flow.bitrates[wireId] : 0
    readonly property real lift: edge.loop ? 110 : 0

    function bezier(t, a, b, c, d) {
        const u = 1 - t
        return u * u * u * a + 3 * u * u * t * b + 3 * u * t * t * c + t * t * t * d
    }

    Rectangle {
        id: dot
        objectName: "flowDot"
        visible: edge.flowing
        property real t: 0
        width: 7; height: 7; radius: 3.5
        color: Theme.mediaColor(edge.mediaType)
        border.color: Theme.canvas
        x: flowPart.bezier(t, edge.x1, edge.x1 + edge.bend, edge.x2 - edge.bend, edge.x2) - width / 2
        y: flowPart.bezier(t, edge.y1, edge.y1 - flowPart.lift, edge.y2 - flowPart.lift, edge.y2) - height / 2
        NumberAnimation on t { from: 0; to: 1; duration: 1600; loops: Animation.Infinite; running: edge.flowing }
    }

    Rectangle {
        objectName: "wireBitrate"
        // Hidden until a rate is known (the first sample only starts the count) and once it is 0.
        visible: flowPart.kbps > 0
        readonly property string text: Math.round(flowPart.kbps) + " kbit/s"
        // Right of the handle in the middle (Wire.qml), so wires a row apart do not overlap;
        // under it when the wire is too short for that.
        readonly property real midX: (edge.x1 + edge.x2) / 2
        readonly property real midY: (edge.y1 + edge.y2) / 2 - (edge.loop ? 82 : 0)
        readonly property bool roomy: Math.abs(edge.x2 - edge.x1) / 2 > width + 24
        x: roomy ? midX + 11 : midX - width / 2
        y: roomy ? midY - height / 2 : midY + 10
        width: rateText.implicitWidth + 6; height: rateText.implicitHeight + 2
        radius: 3
        color: Theme.panel
        opacity: 0.9
        Label {
            id: rateText
            anchors.centerIn: parent
            text: parent.text
            font.pixelSize: 9
            color: edge.flowing ? Theme.text : Theme.subtext
        }
    }
}
