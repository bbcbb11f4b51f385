import QtQuick

// The whole graph in small, with the visible part framed; click to look there.
Rectangle {
    id: map
    required property Item canvas
    required property var graph
    width: 180
    height: 120
    radius: 6
    color: Theme.panel
    opacity: 0.92
    border.color: Theme.border
    readonly property rect bounds: {
        graph.revision  // re-evaluate when nodes move, come and go
        const r = graph.boundingRect()
        const v = Qt.rect(-canvas.panX / canvas.zoom, -canvas.panY / canvas.zoom, canvas.width / canvas.zoom, canvas.height / canvas.zoom)
        const x0 = Math.min(r.x, v.x), y0 = Math.min(r.y, v.y)
        const x1 = Math.max(r.x + r.width, v.x + v.width), y1 = Math.max(r.y + r.height, v.y + v.height)
        return Qt.rect(x0, y0, Math.max(1, x1 - x0), Math.max(1, y1 - y0))
    }
    readonly property real k: Math.min((width - 12) / bounds.width, (height - 12) / bounds.height)
    Repeater {
        model: map.graph.nodes
        delegate: Rectangle {
            required property real nodeX
            required property real nodeY
            required property real nodeHeight
            required property bool selected
            x: 6 + (nodeX - map.bounds.x) * map.k
            y: 6 + (nodeY - map.bounds.y) * map.k
            width: map.graph.nodeWidth * map.k
            height: nodeHeight * map.k
            color: selected ? Theme.selection : Theme.subtext
            radius: 1
        }
    }
    Rectangle {
        x: 6 + (-map.canvas.panX / map.canvas.zoom - map.bounds.x) * map.k
        y: 6 + (-map.canvas.panY / map.canvas.zoom - map.bounds.y) * map.k
        width: map.canvas.width / map.canvas.zoom * map.k
        height: map.canvas.height / map.canvas.zoom * map.k
        color: "transparent"
        border.color: Theme.accent
    }
    MouseArea {
        anchors.fill: parent
        onClicked: (mouse) => map.canvas.centerOn(map.bounds.x + (mouse.x - 6) / map.k, map.bounds.y + (mouse.y - 6) / map.k)
    }
}
