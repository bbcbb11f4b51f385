import QtQuick

// The press-drag-release of a palette entry: reports "start" once the pointer moved a little,
// then "move", and "drop" or "cancel", with scene coordinates.
MouseArea {
    id: area
    required property string entryName
    signal dragElement(string name, string phase, real sceneX, real sceneY)
    property bool dragging: false
    property point pressAt
    hoverEnabled: true
    preventStealing: true  // the list must not turn a drag onto the canvas into a flick
    onPressed: (mouse) => { pressAt = Qt.point(mouse.x, mouse.y); dragging = false }
    onPositionChanged: (mouse) => {
        if (!pressed) return
        const p = mapToItem(null, mouse.x, mouse.y)
        if (!dragging && Math.abs(mouse.x - pressAt.x) + Math.abs(mouse.y - pressAt.y) > 6) {
            dragging = true
            area.dragElement(area.entryName, "start", p.x, p.y)
        }
        if (dragging) area.dragElement(area.entryName, "move", p.x, p.y)
    }
    onReleased: (mouse) => {
        const p = mapToItem(null, mouse.x, mouse.y)
        if (dragging) area.dragElement(area.entryName, "drop", p.x, p.y)
        dragging = false
    }
    onCanceled: { if (dragging) area.dragElement(area.entryName, "cancel", 0, 0); dragging = false }
}
