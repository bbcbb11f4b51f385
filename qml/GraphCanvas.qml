import QtQuick
import QtQuick.Controls
import QtQuick.Shapes

// The canvas: nodes and wires of the open pipeline, rubber-band selection, zoom and pan,
// wiring by dragging from an output port, minimap.
Item {
    id: canvasRoot
    objectName: "canvas"
    required property var graph
    required property var studio
    property alias world: world
    property real zoom: 1
    property real panX: 0
    property real panY: 0
    property bool spaceHeld: false
    // Wiring state (read by NodeItem to highlight compatible inputs)
    property bool wiring: false
    property string wireKey: ""
    property string wireType: ""
    property point wireFrom
    property point wireTo
    clip: true
    focus: true

    function toWorld(px, py) { return Qt.point((px - panX) / zoom, (py - panY) / zoom) }
    function setZoom(z, px, py) {
        const nz = Math.max(0.2, Math.min(3, z))
        const w = toWorld(px, py)
        zoom = nz
        panX = px - w.x * nz
        panY = py - w.y * nz
    }
    function fit() {
        const r = graph.boundingRect()
        if (r.width <= 0) { zoom = 1; panX = 0; panY = 0; return }
        const z = Math.max(0.2, Math.min(1.5, Math.min((width - 80) / r.width, (height - 80) / r.height)))
        zoom = z
        panX = (width - r.width * z) / 2 - r.x * z
        panY = (height - r.height * z) / 2 - r.y * z
    }
    function actualSize() { setZoom(1, width / 2, height / 2) }
    function centerOn(wx, wy) { panX = width / 2 - wx * zoom; panY = height / 2 - wy * zoom }

    function nodeAt(wx, wy) {
        for (let i = 0; i < nodes.count; ++i) {
            const n = nodes.itemAt(i)
            if (n && wx >= n.x - 10 && wx <= n.x + n.width + 10 && wy >= n.y && wy <= n.y + n.height) return n
        }
        return null
    }
    function beginWire(key, type, fx, fy, tx, ty) {
        wireKey = key; wireType = type
        wireFrom = Qt.point(fx, fy); wireTo = Qt.point(tx, ty)
        wiring = true
    }
    function moveWire(tx, ty) { wireTo = Qt.point(tx, ty) }
    function cancelWire() { wiring = false }
    function endWire(tx, ty) {
        wiring = false
        const target = nodeAt(tx, ty)
        if (!target) return
        // On a port row: that media type; on the header: every type both ends share.
        const rowIndex = Math.floor((ty - target.y - graph.headerHeight) / graph.portRowHeight)
        const type = rowIndex >= 0 && rowIndex < 3 ? ["VIDEO", "AUDIO", "DATA"][rowIndex] : "ALL"
        const reason = graph.dropWire(wireKey, wireType, target.key, type)
    }

    // ---- context menus (right click): on empty canvas, on a node, on a wire's handle
    property point menuWorld
    // Each opens where the click was (px, py in the canvas's coordinates), not at the cursor's
    // last known place.
    function openCanvasMenu(px, py) { menuWorld = toWorld(px, py); canvasMenu.popup(canvasRoot, px, py) }
    function openNodeMenu(key, px, py) {
        if (graph.selectedKeys().indexOf(key) < 0) graph.select(key, "replace")
        menuNodeKey = key
        nodeMenu.popup(canvasRoot, px, py)
    }
    function openWireMenu(row, px, py) { graph.selectEdge(row); wireMenu.popup(canvasRoot, px, py) }
    property string menuNodeKey: ""
    Menu {
        id: canvasMenu
        objectName: "canvasMenu"
        MenuItem { objectName: "menuPasteHere"; text: qsTr("Paste here"); onTriggered: graph.pasteAt(canvasRoot.menuWorld.x, canvasRoot.menuWorld.y) }
        MenuItem { text: qsTr("Select all"); onTriggered: graph.selectAll() }
        MenuSeparator {}
        MenuItem { text: qsTr("Auto-arrange"); onTriggered: graph.autoArrange() }
        MenuItem { text: qsTr("Fit to window"); onTriggered: canvasRoot.fit() }
        MenuSeparator {}
        MenuItem { text: qsTr("Command palette… (Ctrl+K)"); onTriggered: canvasRoot.commandPaletteRequested() }
    }
    Menu {
        id: nodeMenu
        objectName: "nodeMenu"
        MenuItem { objectName: "menuCopy"; text: qsTr("Copy"); onTriggered: graph.copySelection() }
        MenuItem { objectName: "menuDuplicate"; text: qsTr("Duplicate"); onTriggered: graph.duplicateSelection() }
        MenuItem { objectName: "menuDelete"; text: qsTr("Delete"); onTriggered: graph.removeSelected() }
        MenuSeparator {}
        MenuItem { text: qsTr("Auto-arrange"); onTriggered: graph.autoArrange() }
    }
    Menu {
        id: wireMenu
        objectName: "wireMenu"
        MenuItem { objectName: "menuDeleteWire"; text: qsTr("Delete wire"); onTriggered: graph.removeSelected() }
    }
    signal commandPaletteRequested()

    Rectangle { anchors.fill: parent; color: Theme.canvas }

    // Dot grid, drawn in view space so it costs the same at every zoom.
    Canvas {
        id: gridCanvas
        anchors.fill: parent
        property real step: graph.gridSize * canvasRoot.zoom * (canvasRoot.zoom < 0.6 ? 2 : 1)
        onStepChanged: requestPaint()
        Connections { target: canvasRoot; function onPanXChanged() { gridCanvas.requestPaint() } function onPanYChanged() { gridCanvas.requestPaint() } }
        onPaint: {
            const ctx = getContext("2d")
            ctx.reset()
            ctx.fillStyle = Theme.grid
            const s = step
            const ox = ((canvasRoot.panX % s) + s) % s, oy = ((canvasRoot.panY % s) + s) % s
            for (let x = ox; x < width; x += s)
                for (let y = oy; y < height; y += s)
                    ctx.fillRect(x - 1, y - 1, 2, 2)
        }
    }

    // Empty space: rubber band (Shift adds, Ctrl toggles), middle-drag or Space+drag pans.
    MouseArea {
        id: background
        objectName: "canvasBackground"
        anchors.fill: parent
        acceptedButtons: Qt.LeftButton | Qt.MiddleButton | Qt.RightButton
        property bool panning: false
        property point pressAt
        property point panStart
        property string mode: "replace"
        onPressed: (mouse) => {
            canvasRoot.forceActiveFocus()
            if (mouse.button === Qt.RightButton) {
                canvasRoot.openCanvasMenu(mouse.x, mouse.y)
                return
            }
            pressAt = Qt.point(mouse.x, mouse.y)
            panning = mouse.button === Qt.MiddleButton || canvasRoot.spaceHeld
            panStart = Qt.point(canvasRoot.panX, canvasRoot.panY)
            mode = (mouse.modifiers & Qt.ControlModifier) ? "toggle" : (mouse.modifiers & Qt.ShiftModifier) ? "add" : "replace"
            if (!panning) { band.x = mouse.x; band.y = mouse.y; band.width = 0; band.height = 0; band.visible = true }
        }
        onPositionChanged: (mouse) => {
            if (panning) {
                canvasRoot.panX = panStart.x + mouse.x - pressAt.x
                canvasRoot.panY = panStart.y + mouse.y - pressAt.y
            } else {
                band.x = Math.min(mouse.x, pressAt.x); band.y = Math.min(mouse.y, pressAt.y)
                band.width = Math.abs(mouse.x - pressAt.x); band.height = Math.abs(mouse.y - pressAt.y)
            }
        }
        onReleased: (mouse) => {
            if (mouse.button === Qt.RightButton) return
            if (!panning) {
                band.visible = false
                const a = canvasRoot.toWorld(band.x, band.y)
                graph.selectInRect(a.x, a.y, band.width / canvasRoot.zoom, band.height / canvasRoot.zoom, mode)
            }
            panning = false
        }
        cursorShape: panning || canvasRoot.spaceHeld ? Qt.ClosedHandCursor : Qt.ArrowCursor
    }

    WheelHandler {
        acceptedModifiers: Qt.ControlModifier
        onWheel: (event) => canvasRoot.setZoom(canvasRoot.zoom * (event.angleDelta.y > 0 ? 1.15 : 1 / 1.15), point.position.x, point.position.y)
    }
    WheelHandler {
        acceptedModifiers: Qt.NoModifier
        onWheel: (event) => { canvasRoot.panX += event.angleDelta.x / 4; canvasRoot.panY += event.angleDelta.y / 4 }
    }

    Item {
        id: world
        objectName: "world"
        x: canvasRoot.panX
        y: canvasRoot.panY
        scale: canvasRoot.zoom
        transformOrigin: Item.TopLeft
        Repeater {
            id: wires
            model: canvasRoot.graph.edges
            delegate: Wire { graph: canvasRoot.graph; canvas: canvasRoot }
        }
        Repeater {
            id: nodes
            objectName: "nodeRepeater"
            model: canvasRoot.graph.nodes
            delegate: NodeItem { graph: canvasRoot.graph; canvas: canvasRoot; studio: canvasRoot.studio }
        }
        Shape {
            visible: canvasRoot.wiring
            ShapePath {
                strokeColor: Theme.mediaColor(canvasRoot.wireType)
                strokeWidth: 2
                strokeStyle: ShapePath.DashLine
                fillColor: "transparent"
                startX: canvasRoot.wireFrom.x; startY: canvasRoot.wireFrom.y
                PathCubic {
                    x: canvasRoot.wireTo.x; y: canvasRoot.wireTo.y
                    control1X: canvasRoot.wireFrom.x + 60; control1Y: canvasRoot.wireFrom.y
                    control2X: canvasRoot.wireTo.x - 60; control2Y: canvasRoot.wireTo.y
                }
            }
        }
    }

    Rectangle {
        id: band
        visible: false
        color: Qt.rgba(0.24, 0.55, 0.99, 0.12)
        border.color: Theme.selection
    }

    Label {
        anchors.centerIn: parent
        visible: canvasRoot.graph.nodes.count === 0
        horizontalAlignment: Text.AlignHCenter
        color: Theme.subtext
        text: qsTr("Drag elements from the palette, or start from a template (View ▸ Templates).\nDrag from an output port to an input port to connect.")
    }

    Minimap {
        anchors.right: parent.right
        anchors.bottom: parent.bottom
        anchors.margins: 10
        canvas: canvasRoot
        graph: canvasRoot.graph
        visible: canvasRoot.graph.nodes.count > 0
    }

    Label {
        anchors.left: parent.left; anchors.bottom: parent.bottom; anchors.margins: 8
        text: Math.round(canvasRoot.zoom * 100) + "%"
        color: Theme.subtext
    }

    Keys.onPressed: (event) => {
        if (event.key === Qt.Key_Space && !event.isAutoRepeat) { spaceHeld = true; event.accepted = true }
    }
    Keys.onReleased: (event) => {
        if (event.key === Qt.Key_Space && !event.isAutoRepeat) { spaceHeld = false; event.accepted = true }
    }
}
