import QtQuick
import QtQuick.Controls
import QtQuick.Layouts

// The inspector's section for a GStreamerFilter: the properties of its command's element, from
// GParamSpec (studio.gstProperties), each with an editor for its type. A change rewrites the
// command and applies to the running element as one undo step.
ColumnLayout {
    id: section
    required property var studio
    required property string nodeKey
    readonly property var model: studio.gstProperties
    property string problem: ""
    visible: model.factory !== ""
    spacing: 4
    onNodeKeyChanged: { model.nodeKey = nodeKey; problem = "" }
    Component.onCompleted: model.nodeKey = nodeKey

    function apply(name, value) { problem = model.setValue(name, value) }

    Label { text: qsTr("GStreamer: %1").arg(section.model.factory); font.bold: true; color: Theme.text; topPadding: 8 }
    Label {
        objectName: "gstCommand"
        Layout.fillWidth: true
        wrapMode: Text.WrapAnywhere
        text: section.model.command
        color: Theme.subtext; font.family: "monospace"; font.pixelSize: 11
    }
    Label { visible: section.problem !== ""; Layout.fillWidth: true; wrapMode: Text.WordWrap; text: section.problem; color: Theme.error }
    Repeater {
        model: section.model
        delegate: ColumnLayout {
            id: row
            required property string name
            required property string kind
            required property string blurb
            required property var value
            required property var minimum
            required property var maximum
            required property var nicks
            required property bool isSet
            readonly property bool numeric: kind === "int" || kind === "double"
            Layout.fillWidth: true
            spacing: 1
            Label {
                text: row.name + (row.numeric ? "  (" + row.minimum + " … " + row.maximum + ")" : "")
                color: Theme.subtext; font.pixelSize: 11; font.bold: row.isSet
                ToolTip.visible: nameArea.containsMouse; ToolTip.text: row.blurb
                MouseArea { id: nameArea; anchors.fill: parent; hoverEnabled: true }
            }
            TextField {
                objectName: visible ? "gstprop_" + row.name : ""
                visible: row.kind !== "bool" && row.kind !== "enum"
                Layout.fillWidth: true
                text: String(row.value)
                selectByMouse: true
                font.pixelSize: 12
                onAccepted: section.apply(row.name, text)
            }
            Slider {
                // Doubles with a usable range also get a slider; one release is one step.
                objectName: visible ? "gstslider_" + row.name : ""
                visible: row.kind === "double" && row.maximum - row.minimum <= 1e6
                Layout.fillWidth: true
                from: visible ? row.minimum : 0
                to: visible ? row.maximum : 1
                value: visible ? row.value : 0
                onPressedChanged: if (!pressed) section.apply(row.name, value)
            }
            CheckBox {
                objectName: visible ? "gstprop_" + row.name : ""
                visible: row.kind === "bool"
                checked: row.kind === "bool" && row.value === true
                onToggled: section.apply(row.name, checked)
            }
            ComboBox {
                objectName: visible ? "gstprop_" + row.name : ""
                visible: row.kind === "enum"
                Layout.fillWidth: true
                model: row.nicks
                currentIndex: row.kind === "enum" ? row.nicks.indexOf(String(row.value)) : -1
                onActivated: section.apply(row.name, currentText)
            }
        }
    }
}
