import QtQuick
import QtQuick.Controls
import QtQuick.Shapes

// One element on the canvas: header, typed ports (video / audio / data), live badges.
Rectangle {
    id: node
    required property var graph
    required property Item canvas
    required property var studio
    required property int index
    required property string key
    required property string objectId
    required property string type
    required property string label
    required property real nodeX
    required property real nodeY
    required property real nodeHeight
    required property bool selected
    required property bool remote
    required property string status
    required property string error
    required property var inputs
    required property var outputs
    required property var flowingIn
    required property var flowingOut
    required property bool transcoding
    required property string recordState
    required property real recordingSince
    required property real pausedAt
    required property string playerState
    required property var hubLink
    required property bool previewOn
    readonly property bool canPreview: outputs.indexOf("VIDEO") >= 0 && status === "ready" && studio.previews.available
    // Creating it failed ("error") or it raised an Error event while it ran ("failed").
    readonly property bool broken: status === "error" || status === "failed"

    objectName: "node_" + type + "_" + key
    x: nodeX
    y: nodeY
    width: graph.nodeWidth
    height: nodeHeight
    radius: 8
    color: Theme.node
    border.width: selected ? 2.5 : 1
    border.color: selected ? Theme.selection : broken ? Theme.error : Theme.border

    readonly property var mediaRows: ["VIDEO", "AUDIO", "DATA"]

    // A HubPort belongs to its hub: a dotted line to it.
    Shape {
        visible: node.hubLink !== undefined && node.hubLink !== null
        z: -1
        ShapePath {
            strokeColor: Theme.subtext
            strokeWidth: 1.5
            strokeStyle: ShapePath.DashLine
            dashPattern: [1, 3]
            fillColor: "transparent"
            startX: node.width / 2; startY: node.height / 2
            PathLine { x: node.hubLink ? node.hubLink.x : 0; y: node.hubLink ? node.hubLink.y : 0 }
        }
    }

    // Header
    Rectangle {
        width: parent.width
        height: graph.headerHeight
        radius: 8
        color: Theme.nodeHeader
        Rectangle { anchors.bottom: parent.bottom; width: parent.width; height: 8; color: parent.color }
        Rectangle {
            objectName: "stateDot"
            x: 8; anchors.verticalCenter: parent.verticalCenter
            width: 10; height: 10; radius: 5
            color: node.status === "ready" ? Theme.ok : node.broken ? Theme.error : Theme.warn
            ToolTip.visible: stateArea.containsMouse
            ToolTip.text: node.broken ? node.error : node.status
            MouseArea { id: stateArea; anchors.fill: parent; hoverEnabled: true }
        }
        Label {
            objectName: "title"
            x: 24; anchors.verticalCenter: parent.verticalCenter
            width: parent.width - 32 - (previewToggle.visible ? previewToggle.width + 6 : 0)
            elide: Text.ElideRight
            text: node.label
            font.bold: true
            color: Theme.text
        }
        Rectangle {
            id: previewToggle
            objectName: "previewToggle"
            anchors.right: parent.right; anchors.rightMargin: 6
            anchors.verticalCenter: parent.verticalCenter
            visible: node.canPreview
            width: 18; height: 16; radius: 3
            color: node.previewOn ? Theme.accent : "transparent"
            border.color: Theme.subtext
            Label { anchors.centerIn: parent; text: "▶"; font.pixelSize: 9; color: node.previewOn ? "white" : Theme.text }
            MouseArea {
                id: previewArea
                anchors.fill: parent
                hoverEnabled: true
                onClicked: graph.setPreview(node.key, !node.previewOn)
            }
            ToolTip.visible: previewArea.containsMouse
            ToolTip.text: node.previewOn ? qsTr("Hide the live video") : qsTr("Show the live video leaving this element")
        }
    }

    // Badges sit on the node's top edge, right-aligned, so however many there are the title keeps
    // the header's width.
    Row {
        id: badges
        objectName: "badges"
        anchors.right: parent.right; anchors.rightMargin: 8
        y: -height + 2
        spacing: 3
        Badge { visible: node.remote; text: "REMOTE"; fill: "#6e7781" }
        Badge { objectName: "transcodingBadge"; visible: node.transcoding; text: "TRANSCODING"; fill: Theme.warn }
        Badge {
            id: recBadge
            objectName: "recBadge"
            visible: node.recordState === "RECORDING" || node.recordState === "PAUSED"
            readonly property bool paused: node.recordState === "PAUSED"
            fill: paused ? "#6e7781" : Theme.error
            property real now: Date.now()
            readonly property real elapsed: Math.max(0, (paused ? node.pausedAt : now) - node.recordingSince)
            text: (paused ? "PAUSED " : "REC ") + Qt.formatTime(new Date(elapsed), "mm:ss").replace(/^00:/, "0:")
            Timer { running: recBadge.visible && !recBadge.paused; interval: 500; repeat: true; onTriggered: recBadge.now = Date.now() }
        }
        Badge { visible: node.playerState === "EOS"; text: "END"; fill: "#6e7781" }
    }

    // What went wrong, readable on the canvas (the whole text in the tooltip and the inspector).
    Rectangle {
        id: errorBanner
        objectName: "errorBanner"
        visible: node.broken && node.error !== ""
        y: node.height + 3
        width: node.width
        height: errorText.implicitHeight + 8
        radius: 4
        color: Theme.error
        Label {
            id: errorText
            objectName: "errorText"
            x: 6; y: 4
            width: parent.width - 12
            text: node.error
            wrapMode: Text.Wrap
            maximumLineCount: 2
            elide: Text.ElideRight
            font.pixelSize: 10
            color: "white"
        }
        MouseArea {
            id: errorArea
            anchors.fill: parent
            hoverEnabled: true
            onClicked: graph.select(node.key, "replace")
        }
        ToolTip.visible: errorArea.containsMouse
        ToolTip.text: node.error
    }

    component Badge: Rectangle {
        property alias text: badgeText.text
        property color fill
        height: 16; width: badgeText.implicitWidth + 8; radius: 3; color: fill
        Label { id: badgeText; anchors.centerIn: parent; font.pixelSize: 9; font.bold: true; color: "white" }
    }

    // Live video, only while the preview is on (nothing runs for a hidden one).
    Rectangle {
        visible: node.previewOn
        x: 8
        y: graph.headerHeight + 3 * graph.portRowHeight + 4
        width: node.width - 16
        height: node.height - y - 8
        color: "black"
        radius: 4
        Loader {
            id: previewLoader
            anchors.fill: parent
            active: node.previewOn
            onActiveChanged: if (active) setSource("PreviewItem.qml", { studio: node.studio, nodeKey: node.key, objectId: node.objectId })
            Component.onCompleted: if (active) setSource("PreviewItem.qml", { studio: node.studio, nodeKey: node.key, objectId: node.objectId })
        }
    }

    // Live audio level of what leaves the element, while its audio flows (AudioLevelModel).
    AudioMeter {
        objectName: "audioMeter"
        readonly property var meters: node.studio.meters
        visible: node.outputs.indexOf("AUDIO") >= 0 && level !== undefined
        level: meters.levels[node.key]
        floorDb: meters.floorDb
        x: 16; width: node.width - 32
        y: graph.headerHeight + 2 * graph.portRowHeight - height - 2
    }

    // Body: select and move
    MouseArea {
        id: body
        z: -1  // under the header's buttons and the ports
        anchors.fill: parent
        acceptedButtons: Qt.LeftButton | Qt.RightButton
        property point pressWorld
        property point startPos
        property bool moving: false
        onPressed: (mouse) => {
            canvas.forceActiveFocus()
            moving = mouse.button === Qt.LeftButton
            if (!moving) {
                const at = mapToItem(canvas, mouse.x, mouse.y)
                canvas.openNodeMenu(node.key, at.x, at.y)
                return
            }
            if (mouse.modifiers & Qt.ControlModifier) graph.select(node.key, "toggle")
            else if (mouse.modifiers & Qt.ShiftModifier) graph.select(node.key, "add")
            else if (!node.selected) graph.select(node.key, "replace")
            const w = mapToItem(canvas.world, mouse.x, mouse.y)
            pressWorld = Qt.point(w.x, w.y)
            startPos = Qt.point(node.nodeX, node.nodeY)
            graph.beginMove(node.key)
        }
        onPositionChanged: (mouse) => {
            if (!moving) return
            const w = mapToItem(canvas.world, mouse.x, mouse.y)
            graph.moveTo(node.key, startPos.x + w.x - pressWorld.x, startPos.y + w.y - pressWorld.y)
        }
        onReleased: if (moving) graph.endMove()
        onCanceled: if (moving) graph.endMove()
    }

    // Ports, one row per media type
    Repeater {
        model: node.mediaRows
        delegate: Item {
            id: row
            required property string modelData
            required property int index
            y: graph.headerHeight + index * graph.portRowHeight
            width: node.width
            height: graph.portRowHeight
            readonly property bool hasIn: node.inputs.indexOf(modelData) >= 0
            readonly property bool hasOut: node.outputs.indexOf(modelData) >= 0
            // While a wire is dragged every input gets a ring: green where the drop makes a wire,
            // red where it is refused (another media type, or the rules say no).
            readonly property bool highlight: canvas.wiring && hasIn && canvas.wireKey !== ""
            readonly property string refusal: highlight ? graph.dropRefusal(canvas.wireKey, canvas.wireType, node.key, modelData) : ""
            Label {
                anchors.centerIn: parent
                visible: row.hasIn || row.hasOut
                text: row.modelData.toLowerCase()
                font.pixelSize: 11
                color: Theme.subtext
            }
            Rectangle {
                objectName: "inRing_" + row.modelData
                visible: row.highlight
                anchors.horizontalCenter: inPort.horizontalCenter; anchors.verticalCenter: parent.verticalCenter
                width: 26; height: 26; radius: 13
                color: Qt.rgba(border.color.r, border.color.g, border.color.b, 0.25)
                border.width: 3
                border.color: row.refusal === "" ? Theme.ok : Theme.error
                ToolTip.visible: row.highlight && row.refusal !== "" && inHover.hovered
                ToolTip.text: row.refusal
                HoverHandler { id: inHover }
            }
            Rectangle {
                id: inPort
                objectName: "in_" + row.modelData
                visible: row.hasIn
                x: -7; anchors.verticalCenter: parent.verticalCenter
                width: 14; height: 14; radius: 7
                color: node.flowingIn.indexOf(row.modelData) >= 0 ? Theme.mediaColor(row.modelData) : Theme.node
                border.width: 2
                border.color: row.highlight ? (row.refusal === "" ? Theme.ok : Theme.error) : Theme.mediaColor(row.modelData)
            }
            Rectangle {
                id: outPort
                objectName: "out_" + row.modelData
                visible: row.hasOut
                x: node.width - 7; anchors.verticalCenter: parent.verticalCenter
                width: 14; height: 14; radius: 7
                color: node.flowingOut.indexOf(row.modelData) >= 0 ? Theme.mediaColor(row.modelData) : Theme.node
                border.width: 2
                border.color: Theme.mediaColor(row.modelData)
                MouseArea {
                    anchors.fill: parent
                    anchors.margins: -4
                    cursorShape: Qt.CrossCursor
                    onPressed: (mouse) => {
                        const w = mapToItem(canvas.world, mouse.x, mouse.y)
                        canvas.beginWire(node.key, row.modelData, node.nodeX + node.width, node.nodeY + row.y + row.height / 2, w.x, w.y)
                    }
                    onPositionChanged: (mouse) => {
                        const w = mapToItem(canvas.world, mouse.x, mouse.y)
                        canvas.moveWire(w.x, w.y)
                    }
                    onReleased: (mouse) => {
                        const w = mapToItem(canvas.world, mouse.x, mouse.y)
                        canvas.endWire(w.x, w.y)
                    }
                    onCanceled: canvas.cancelWire()
                }
            }
        }
    }
}
