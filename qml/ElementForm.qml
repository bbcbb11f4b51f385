import QtQuick
import QtQuick.Controls
import QtQuick.Layouts

// Asks for the constructor parameters an element cannot be created without (a player's URI,
// a filter's command, the hub of a HubPort), with sensible defaults filled in.
Dialog {
    id: form
    objectName: "elementForm"
    required property var studio
    property string type: ""
    property point at
    property var params: []
    property var values: ({})
    title: qsTr("New %1").arg(type)
    modal: true
    anchors.centerIn: Overlay.overlay
    width: 480
    standardButtons: Dialog.Ok | Dialog.Cancel

    function ask(elementType, x, y) {
        type = elementType
        at = Qt.point(x, y)
        const wanted = studio.inspector.constructorParams(elementType)
        const v = {}
        for (const p of wanted) {
            if (p.name === "uri") v.uri = elementType === "RecorderEndpoint" ? studio.newRecordingUri() : studio.sampleUri()
            else if (p.name === "command") v.command = "videoflip video-direction=horiz"
            else if (p.name === "hub") { const hubs = studio.graph.hubNodes(); v.hub = hubs.length ? hubs[0].key : "" }
            else v[p.name] = ""
        }
        values = v
        params = wanted  // after the values: the fields start from them
        open()
    }
    onAccepted: studio.graph.addElement(type, at.x, at.y, values)

    ColumnLayout {
        anchors.fill: parent
        Repeater {
            model: form.params
            delegate: ColumnLayout {
                required property var modelData
                Layout.fillWidth: true
                Label { text: modelData.name; font.bold: true }
                Label { text: modelData.doc; wrapMode: Text.WordWrap; Layout.fillWidth: true; font.pixelSize: 11; opacity: 0.8 }
                TextField {
                    objectName: "param_" + modelData.name
                    visible: modelData.name !== "hub"
                    Layout.fillWidth: true
                    Component.onCompleted: text = form.values[modelData.name] || ""
                    onTextChanged: { const v = form.values; v[modelData.name] = text; form.values = v }
                }
                ComboBox {
                    visible: modelData.name === "hub"
                    Layout.fillWidth: true
                    model: studio.graph.hubNodes()
                    textRole: "label"
                    valueRole: "key"
                    onActivated: { const v = form.values; v.hub = currentValue; form.values = v }
                }
            }
        }
    }
}
