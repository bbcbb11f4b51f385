import QtQuick
import QtQuick.Controls
import QtQuick.Layouts

// Properties (editable where writable, applied live) and methods (as forms) of the selected
// element, from the schema; values refreshed every two seconds while shown.
Rectangle {
    id: inspector
    objectName: "inspector"
    required property var studio
    readonly property var graph: studio.graph
    readonly property var inspectorModel: studio.inspector  // the rows and method calls
    property string key: ""
    property var properties: []
    property var methods: []
    property string lastResult: ""
    color: Theme.panel

    function reload() {
        properties = key === "" ? [] : inspectorModel.propertyRows(key)
        methods = key === "" ? [] : inspectorModel.methodRows(key)
    }
    function nodeData() {
        for (let i = 0; i < nodeRepeater.count; ++i) {
            const it = nodeRepeater.itemAt(i)
            if (it && it.nodeKey === key) return it
        }
        return null
    }
    Connections {
        target: graph
        function onSelectionChanged() {
            const keys = graph.selectedKeys()
            inspector.key = keys.length === 1 ? keys[0] : ""
            inspector.lastResult = ""
            inspector.reload()
            if (inspector.key !== "") inspectorModel.refresh(inspector.key)
        }
    }
    Connections {
        target: inspectorModel
        function onValuesChanged(k) { if (k === inspector.key) inspector.properties = inspectorModel.propertyRows(k) }
        function onMethodFinished(k, method, ok, text) {
            if (k === inspector.key) inspector.lastResult = (ok ? "✔ " : "✖ ") + method + (text !== "" ? ": " + text : "")
        }
    }
    Connections {
        target: studio.gstProperties
        // A GStreamer property edit rewrote the command (GstProperties).
        function onCommandChanged() { inspector.properties = inspector.key === "" ? [] : inspectorModel.propertyRows(inspector.key) }
    }
    Timer {
        interval: 2000; repeat: true
        running: inspector.visible && inspector.key !== ""
        onTriggered: inspectorModel.refresh(inspector.key)
    }
    // Node facts (type, id, state) come from the node model.
    Repeater {
        id: nodeRepeater
        model: graph.nodes
        delegate: Item {
            required property string key
            required property string type
            required property string objectId
            required property string status
            required property string error
            readonly property string nodeKey: key
        }
    }

    ScrollView {
        anchors.fill: parent
        anchors.margins: 8
        contentWidth: availableWidth
        ColumnLayout {
            width: parent.width
            spacing: 6
            Label { text: qsTr("Inspector"); font.bold: true; color: Theme.text }
            Label {
                visible: inspector.key === ""
                Layout.fillWidth: true
                wrapMode: Text.WordWrap
                color: Theme.subtext
                text: graph.selectionCount > 1 ? qsTr("%1 elements selected.").arg(graph.selectionCount)
                                               : qsTr("Select an element to see its properties and methods.")
            }
            ColumnLayout {
                visible: inspector.key !== ""
                Layout.fillWidth: true
                spacing: 4
                readonly property var node: inspector.key !== "" ? inspector.nodeData() : null
                Label { text: parent.node ? parent.node.type : ""; font.pixelSize: 16; font.bold: true; color: Theme.text }
                Label {
                    Layout.fillWidth: true
                    text: parent.node ? parent.node.objectId : ""
                    elide: Text.ElideMiddle; font.pixelSize: 10; color: Theme.subtext
                }
                Label {
                    visible: parent.node && parent.node.error !== ""
                    Layout.fillWidth: true; wrapMode: Text.WordWrap
                    text: parent.node ? parent.node.error : ""
                    color: Theme.error
                }
                // Quick actions for the elements that run.
                Row {
                    spacing: 4
                    visible: parent.node && (parent.node.type === "PlayerEndpoint" || parent.node.type === "RecorderEndpoint")
                    readonly property bool player: parent.node && parent.node.type === "PlayerEndpoint"
                    Button { objectName: "quickStart"; text: parent.player ? qsTr("Play") : qsTr("Record"); onClicked: inspectorModel.callMethod(inspector.key, parent.player ? "play" : "record", {}) }
                    Button { text: qsTr("Pause"); onClicked: inspectorModel.callMethod(inspector.key, "pause", {}) }
                    Button { objectName: "quickStop"; text: qsTr("Stop"); onClicked: inspectorModel.callMethod(inspector.key, parent.player ? "stop" : "stopAndWait", {}) }
                }
                Label { visible: inspector.lastResult !== ""; Layout.fillWidth: true; wrapMode: Text.WrapAnywhere; text: inspector.lastResult; color: Theme.subtext; font.pixelSize: 11 }

                GstProperties {
                    Layout.fillWidth: true
                    studio: inspector.studio
                    nodeKey: inspector.key
                }
                Label { text: qsTr("Properties"); font.bold: true; color: Theme.text; topPadding: 8 }
                Repeater {
                    model: inspector.properties
                    delegate: ColumnLayout {
                        required property var modelData
                        Layout.fillWidth: true
                        spacing: 1
                        Label {
                            text: modelData.name + (modelData.writable ? "" : qsTr("  (read-only)"))
                            color: Theme.subtext; font.pixelSize: 11
                            ToolTip.visible: nameArea.containsMouse; ToolTip.text: modelData.doc + " [" + modelData.type + "]"
                            MouseArea { id: nameArea; anchors.fill: parent; hoverEnabled: true }
                        }
                        RowLayout {
                            Layout.fillWidth: true
                            spacing: 4
                            TextField {
                                id: valueField
                                objectName: "prop_" + modelData.name
                                Layout.fillWidth: true
                                text: modelData.value
                                readOnly: !modelData.writable
                                selectByMouse: true
                                font.pixelSize: 12
                                onTextChanged: if (!activeFocus) cursorPosition = 0  // show the start of long values
                                onAccepted: graph.setElementProperty(inspector.key, modelData.name, text)
                            }
                            // Read-only values are there to be used elsewhere (a WHIP URL for OBS, an id).
                            Button {
                                objectName: "copy_" + modelData.name
                                visible: !modelData.writable && valueField.text !== ""
                                text: qsTr("Copy")
                                font.pixelSize: 11
                                ToolTip.visible: hovered; ToolTip.text: qsTr("Copy %1 to the clipboard").arg(modelData.name)
                                onClicked: { valueField.selectAll(); valueField.copy(); valueField.deselect() }
                            }
                        }
                    }
                }
                Label { text: qsTr("Methods"); font.bold: true; color: Theme.text; topPadding: 8 }
                Repeater {
                    model: inspector.methods
                    delegate: ColumnLayout {
                        id: method
                        required property var modelData
                        property var values: ({})
                        Layout.fillWidth: true
                        spacing: 2
                        RowLayout {
                            Layout.fillWidth: true
                            Button {
                                objectName: "call_" + method.modelData.name
                                text: method.modelData.name
                                onClicked: inspectorModel.callMethod(inspector.key, method.modelData.name, method.values)
                                ToolTip.visible: hovered; ToolTip.text: method.modelData.doc
                            }
                            Label { Layout.fillWidth: true; elide: Text.ElideRight; text: method.modelData.returns; color: Theme.subtext; font.pixelSize: 10 }
                        }
                        Repeater {
                            model: method.modelData.params
                            delegate: TextField {
                                required property var modelData
                                Layout.fillWidth: true
                                placeholderText: modelData.name + (modelData.optional ? qsTr(" (optional) ") : " ") + modelData.type
                                font.pixelSize: 11
                                onTextChanged: { const v = method.values; v[modelData.name] = text; method.values = v }
                            }
                        }
                    }
                }
            }
        }
    }
}
