import QtQuick
import QtQuick.Controls

// A small horizontal level meter, OBS style: green up to -20 dB, yellow to -9 dB, red above;
// the bar is the RMS level, the tick the decaying peak (AudioLevelModel).
Item {
    id: meter
    property var level  // {rms, peak} in dB, or undefined when idle
    property real floorDb: -60
    readonly property real rmsDb: level ? level.rms : floorDb
    readonly property real peakDb: level ? level.peak : floorDb
    function fraction(db) { return Math.max(0, Math.min(1, (db - floorDb) / -floorDb)) }
    readonly property real greenEnd: fraction(-20)
    readonly property real yellowEnd: fraction(-9)
    implicitHeight: 4

    // Dim track, then the same zones at full brightness up to the RMS level.
    Repeater {
        model: 2
        delegate: Item {
            required property int index
            width: index === 0 ? meter.width : meter.width * meter.fraction(meter.rmsDb)
            height: meter.height
            clip: true
            opacity: index === 0 ? 0.25 : 1
            Rectangle { width: meter.width * meter.greenEnd; height: parent.height; color: "#30c48d" }
            Rectangle { x: meter.width * meter.greenEnd; width: meter.width * (meter.yellowEnd - meter.greenEnd); height: parent.height; color: "#f5c542" }
            Rectangle { x: meter.width * meter.yellowEnd; width: meter.width * (1 - meter.yellowEnd); height: parent.height; color: "#e5484d" }
        }
    }
    Rectangle {
        objectName: "peakTick"
        visible: meter.peakDb > meter.floorDb
        x: Math.min(meter.width - width, meter.width * meter.fraction(meter.peakDb))
        width: 2; height: meter.height
        color: Theme.text
    }
    HoverHandler { id: hover }
    ToolTip.visible: hover.hovered
    ToolTip.text: qsTr("Audio out: %1 dB RMS, peak %2 dB").arg(meter.rmsDb.toFixed(1)).arg(meter.peakDb.toFixed(1))
}
