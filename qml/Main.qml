import QtQuick
import QtQuick.Controls
import QtQuick.Layouts
import QtQuick.Dialogs

ApplicationWindow {
    id: root
    objectName: "mainWindow"
    required property var studio
    readonly property var graph: studio.graph
    width: 1400
    height: 860
    visible: true
    title: (studio.currentFile !== "" ? studio.currentFile.split("/").pop() : qsTr("Untitled")) + (graph.dirty ? " •" : "") + " — Pipewright Studio"
    color: Theme.window
    palette.window: Theme.window
    palette.base: Theme.panel
    palette.text: Theme.text
    palette.windowText: Theme.text
    palette.buttonText: Theme.text
    palette.button: Theme.dark ? "#353a41" : "#e9ecf1"
    palette.highlight: Theme.accent
    palette.placeholderText: Theme.subtext
    // Every role the Fusion style draws with, so that dialogs, menus and tooltips (popups take
    // the window's palette) follow the theme too: unset roles stayed light in the dark theme.
    palette.alternateBase: Theme.dark ? "#2d3137" : "#f5f6f8"
    palette.light: Theme.dark ? "#4a5059" : "#ffffff"
    palette.midlight: Theme.dark ? "#3d434b" : "#f0f2f5"
    palette.mid: Theme.dark ? "#30353c" : "#c9ced6"
    palette.dark: Theme.dark ? "#1a1c1f" : "#a0a6ae"
    palette.shadow: Theme.dark ? "#000000" : "#7a8088"
    palette.highlightedText: "#ffffff"
    palette.brightText: "#ffffff"
    palette.toolTipBase: Theme.dark ? "#383d45" : "#ffffdc"
    palette.toolTipText: Theme.text
    palette.link: Theme.accent
    property alias canvas: canvasView
    readonly property Item overlayItem: Overlay.overlay

    // ---- actions (menus and shortcuts share them)
    Action { id: newAction; text: qsTr("&New"); shortcut: StandardKey.New; onTriggered: root.guarded(() => studio.newProject()) }
    Action { id: openAction; text: qsTr("&Open…"); shortcut: StandardKey.Open; onTriggered: root.guarded(() => root.openFileDialog(openDialog)) }
    Action { id: saveAction; text: qsTr("&Save"); shortcut: StandardKey.Save; onTriggered: studio.currentFile !== "" ? studio.saveProject("") : root.openFileDialog(saveDialog) }
    Action { id: saveAsAction; text: qsTr("Save &As…"); shortcut: "Ctrl+Shift+S"; onTriggered: root.openFileDialog(saveDialog) }
    // Quit closes the window, like its close button: onClosing asks first when work would be lost.
    Action { id: quitAction; text: qsTr("&Quit"); shortcut: StandardKey.Quit; onTriggered: root.close() }
    Action { id: undoAction; text: graph.canUndo ? qsTr("&Undo %1").arg(graph.undoText) : qsTr("&Undo"); enabled: graph.canUndo; shortcut: "Ctrl+Z"; onTriggered: graph.undo() }
    Action { id: redoAction; text: graph.canRedo ? qsTr("&Redo %1").arg(graph.redoText) : qsTr("&Redo"); enabled: graph.canRedo; shortcut: "Ctrl+Shift+Z"; onTriggered: graph.redo() }
    Action { id: deleteAction; text: qsTr("&Delete"); shortcut: StandardKey.Delete; onTriggered: graph.removeSelected() }
    Action { id: selectAllAction; text: qsTr("Select &All"); shortcut: StandardKey.SelectAll; onTriggered: graph.selectAll() }
    Action { id: fitAction; text: qsTr("&Fit"); shortcut: "Ctrl+0"; onTriggered: canvasView.fit() }
    Action { id: actualAction; text: qsTr("&100 %"); shortcut: "Ctrl+1"; onTriggered: canvasView.actualSize() }
    Action { id: arrangeAction; text: qsTr("Auto-&arrange"); shortcut: "Ctrl+L"; onTriggered: graph.autoArrange() }
    Action { id: runAction; text: qsTr("&Run"); shortcut: "F5"; onTriggered: graph.run() }
    Action { id: pauseAction; text: qsTr("&Pause"); shortcut: "F6"; enabled: graph.running === "running"; onTriggered: graph.pause() }
    Action { id: stopAction; text: qsTr("S&top"); shortcut: "Shift+F5"; onTriggered: graph.stop() }
    Action { id: copyAction; text: qsTr("&Copy"); shortcut: StandardKey.Copy; enabled: graph.selectionCount > 0; onTriggered: graph.copySelection() }
    Action { id: pasteAction; text: qsTr("&Paste"); shortcut: StandardKey.Paste; onTriggered: graph.paste() }
    Action { id: duplicateAction; text: qsTr("D&uplicate"); shortcut: "Ctrl+D"; enabled: graph.selectionCount > 0; onTriggered: graph.duplicateSelection() }
    Action { id: commandAction; text: qsTr("&Command Palette…"); shortcut: "Ctrl+K"; onTriggered: root.openCommandPalette() }
    Action { id: templatesAction; text: qsTr("&Templates…"); onTriggered: gallery.open() }
    Shortcut { sequence: "Backspace"; onActivated: graph.removeSelected() }
    Shortcut { sequence: "Ctrl+Y"; onActivated: graph.redo() }

    menuBar: MenuBar {
        Menu {
            title: qsTr("&File")
            ActionMenuItem { action: newAction }
            ActionMenuItem { action: openAction }
            Menu {
                title: qsTr("Open &Recent")
                enabled: studio.recentFiles.length > 0
                Repeater {
                    model: studio.recentFiles
                    delegate: MenuItem { required property string modelData; text: modelData; onTriggered: root.guarded(() => studio.openProject(modelData)) }
                }
            }
            ActionMenuItem { action: saveAction }
            ActionMenuItem { action: saveAsAction }
            MenuSeparator {}
            MenuItem { text: qsTr("Export GStreamer &DOT…"); onTriggered: root.openFileDialog(dotDialog) }
            MenuItem { text: qsTr("Export &PNG…"); onTriggered: root.openFileDialog(pngDialog) }
            MenuSeparator {}
            ActionMenuItem { action: quitAction }
        }
        Menu {
            title: qsTr("&Edit")
            ActionMenuItem { action: undoAction }
            ActionMenuItem { action: redoAction }
            MenuSeparator {}
            ActionMenuItem { action: copyAction }
            ActionMenuItem { action: pasteAction }
            ActionMenuItem { action: duplicateAction }
            ActionMenuItem { action: deleteAction }
            ActionMenuItem { action: selectAllAction }
            MenuSeparator {}
            ActionMenuItem { action: commandAction }
        }
        Menu {
            title: qsTr("&View")
            ActionMenuItem { action: fitAction }
            ActionMenuItem { action: actualAction }
            ActionMenuItem { action: arrangeAction }
            MenuItem { text: qsTr("Snap to &grid"); checkable: true; checked: graph.snapToGrid; onToggled: graph.snapToGrid = checked }
            MenuSeparator {}
            ActionMenuItem { action: templatesAction }
            Menu {
                title: qsTr("T&heme")
                MenuItem { text: qsTr("Follow the system"); checkable: true; checked: Theme.mode === 0; onTriggered: Theme.mode = 0 }
                MenuItem { text: qsTr("Light"); checkable: true; checked: Theme.mode === 1; onTriggered: Theme.mode = 1 }
                MenuItem { text: qsTr("Dark"); checkable: true; checked: Theme.mode === 2; onTriggered: Theme.mode = 2 }
            }
        }
        Menu {
            title: qsTr("&Pipeline")
            ActionMenuItem { action: runAction }
            ActionMenuItem { action: pauseAction }
            ActionMenuItem { action: stopAction }
            MenuItem { text: qsTr("&Close pipeline"); onTriggered: graph.closePipeline() }
        }
        Menu {
            objectName: "helpMenu"
            title: qsTr("&Help")
            MenuItem {
                objectName: "helpTutorials"
                text: qsTr("&Tutorials in your browser")
                enabled: studio.monitor.tutorialsUrl !== ""
                onTriggered: {
                    if (!studio.monitor.openTutorials())
                        studio.notify(qsTr("No browser opened: visit %1 yourself").arg(studio.monitor.tutorialsUrl), true)
                }
            }
        }
    }

    header: ToolBar {
        background: Rectangle { color: Theme.window }
        RowLayout {
            anchors.fill: parent
            spacing: 4
            ToolButton { action: newAction; text: qsTr("New") }
            ToolButton { action: openAction; text: qsTr("Open") }
            ToolButton { action: saveAction; text: qsTr("Save") }
            ToolSeparator {}
            ToolButton { objectName: "undoButton"; action: undoAction; text: qsTr("Undo") }
            ToolButton { objectName: "redoButton"; action: redoAction; text: qsTr("Redo") }
            ToolSeparator {}
            ToolButton { objectName: "runButton"; action: runAction; text: qsTr("▶ Run") }
            ToolButton { objectName: "pauseButton"; action: pauseAction; text: qsTr("❚❚ Pause") }
            ToolButton { objectName: "stopButton"; action: stopAction; text: qsTr("■ Stop") }
            ToolSeparator {}
            ToolButton { action: fitAction; text: qsTr("Fit") }
            ToolButton { action: arrangeAction; text: qsTr("Arrange") }
            ToolButton { text: qsTr("Templates"); onClicked: gallery.open() }
            Item { Layout.fillWidth: true }
            Label { text: graph.pipelineId !== "" ? qsTr("Pipeline %1").arg(graph.pipelineId.substring(0, 8)) : qsTr("No pipeline"); color: Theme.subtext }
        }
    }

    footer: StatusBar { studio: root.studio }

    SplitView {
        anchors.fill: parent
        orientation: Qt.Horizontal
        SplitView {
            orientation: Qt.Vertical
            SplitView.preferredWidth: 240
            SplitView.minimumWidth: 160
            ElementPalette {
                id: paletteView
                studio: root.studio
                SplitView.fillHeight: true
                onDragElement: (name, phase, sx, sy) => root.paletteDrag(name, phase, sx, sy)
                onDragGstElement: (name, phase, sx, sy) => root.paletteDrag(name, phase, sx, sy, true)
            }
            SessionsPanel {
                studio: root.studio
                SplitView.preferredHeight: 220
                onOpenRequested: (id) => root.guarded(() => graph.openPipeline(id))
            }
        }
        SplitView {
            orientation: Qt.Vertical
            SplitView.fillWidth: true
            GraphCanvas {
                id: canvasView
                graph: root.graph
                studio: root.studio
                SplitView.fillHeight: true
            }
            EventLog { studio: root.studio; SplitView.preferredHeight: 170 }
        }
        Inspector { studio: root.studio; SplitView.preferredWidth: 320; SplitView.minimumWidth: 220 }
    }

    // ---- palette drags: a ghost follows the pointer; dropping on the canvas creates the element
    Rectangle {
        id: ghost
        parent: Overlay.overlay
        visible: false
        width: 160; height: 30; radius: 6
        color: Theme.accent; opacity: 0.85
        property string name
        Label { anchors.centerIn: parent; text: ghost.name; color: "white"; font.bold: true }
    }
    // `gstElement`: `name` is a GStreamer element, added as a GStreamerFilter running it.
    function paletteDrag(name, phase, sx, sy, gstElement) {
        ghost.name = name
        ghost.x = sx - ghost.width / 2
        ghost.y = sy - ghost.height / 2
        ghost.visible = phase === "start" || phase === "move"
        if (phase !== "drop") return
        const local = canvasView.mapFromItem(null, sx, sy)
        if (local.x < 0 || local.y < 0 || local.x > canvasView.width || local.y > canvasView.height) return
        const w = canvasView.toWorld(local.x, local.y)
        const x = w.x - graph.nodeWidth / 2, y = w.y - graph.headerHeight / 2
        if (gstElement) graph.addElement("GStreamerFilter", x, y, {command: name})
        else if (studio.inspector.constructorParams(name).length > 0) elementForm.ask(name, x, y)
        else graph.addElement(name, x, y, {})
    }

    // ---- Ctrl+K: the menu commands and "Add <element>"
    Shortcut { id: keyText; enabled: false }
    function shortcutOf(action) {
        keyText.sequence = Theme.shortcutString(action.shortcut)
        return keyText.nativeText
    }
    function openCommandPalette() {
        const commands = []
        for (const a of [newAction, openAction, saveAction, saveAsAction, undoAction, redoAction, copyAction, pasteAction,
                         duplicateAction, deleteAction, selectAllAction, fitAction, actualAction, arrangeAction, runAction,
                         pauseAction, stopAction, templatesAction, quitAction]) {
            if (!a.enabled) continue
            commands.push({ text: a.text.replace(/&(?=[^&])/, ""), shortcut: shortcutOf(a), run: () => a.trigger() })
        }
        for (const name of studio.palette.allNames()) {
            commands.push({ text: qsTr("Add %1").arg(name), shortcut: "", run: () => {
                const c = canvasView.mapToItem(null, canvasView.width / 2, canvasView.height / 2)
                root.paletteDrag(name, "drop", c.x, c.y)
            } })
        }
        commandPalette.commands = commands
        commandPalette.open()
    }
    CommandPalette { id: commandPalette; parent: Overlay.overlay }
    Connections { target: canvasView; function onCommandPaletteRequested() { root.openCommandPalette() } }

    // ---- messages
    function toast(text) { toastLabel.text = text; toastBox.opacity = 1; toastTimer.restart() }
    Connections { target: studio.log; function onAdded(level, type, text) { if (level === "error") root.toast(text) } }
    Rectangle {
        id: toastBox
        objectName: "toast"
        parent: Overlay.overlay
        anchors.horizontalCenter: parent.horizontalCenter
        y: parent.height - 110
        width: Math.min(toastLabel.implicitWidth + 32, parent.width - 40)
        height: toastLabel.implicitHeight + 16
        radius: 6
        color: Theme.dark ? "#3b1d20" : "#fde8e9"
        border.color: Theme.error
        opacity: 0
        visible: opacity > 0
        Behavior on opacity { NumberAnimation { duration: 200 } }
        Label { id: toastLabel; anchors.centerIn: parent; width: parent.width - 32; wrapMode: Text.WordWrap; color: Theme.text }
        Timer { id: toastTimer; interval: 5000; onTriggered: toastBox.opacity = 0 }
    }

    ElementForm { id: elementForm; studio: root.studio }
    TemplateGallery {
        id: gallery
        studio: root.studio
        onChosen: (name) => root.guarded(() => studio.applyTemplate(name))
    }

    // New, Open, a template or another pipeline replace the canvas: the studio's own pipeline is
    // released then, so unsaved changes are confirmed first.
    property var pendingAction: null
    function guarded(action) {
        if (graph.dirty && graph.nodes.count > 0) {
            pendingAction = action
            discardDialog.open()
        } else {
            action()
        }
    }
    Dialog {
        id: discardDialog
        objectName: "discardDialog"
        title: qsTr("Discard unsaved changes?")
        modal: true
        anchors.centerIn: Overlay.overlay
        standardButtons: Dialog.Discard | Dialog.Cancel
        Label { text: qsTr("The pipeline on the canvas has changes that are not saved in a project file.\nThe studio's own pipeline is released when another one replaces it.") }
        onDiscarded: { close(); studio.discardUnsavedWork(); const a = root.pendingAction; root.pendingAction = null; if (a) a() }
        onRejected: root.pendingAction = null
    }

    // Quitting (File ▸ Quit, Ctrl+Q, the window's close button) with work that no project file
    // holds: Save, Discard or Cancel. The studio decides when nothing would be lost.
    onClosing: (close) => {
        if (studio.mayClose()) return
        close.accepted = false
        quitDialog.open()
    }
    property bool quitAfterSave: false
    function saveThenQuit() {
        if (studio.currentFile !== "") {
            if (studio.saveProject("") === "") root.close()
            return
        }
        quitAfterSave = true
        if (!openFileDialog(saveDialog)) quitAfterSave = false
    }
    Dialog {
        id: quitDialog
        objectName: "quitDialog"
        title: qsTr("Save changes before quitting?")
        modal: true
        anchors.centerIn: Overlay.overlay
        standardButtons: Dialog.Save | Dialog.Discard | Dialog.Cancel
        contentWidth: 460
        Label {
            width: 460
            wrapMode: Text.WordWrap
            text: qsTr("%1 has changes that are not saved in a project file.\nIf you quit without saving, they are lost.")
                  .arg(studio.currentFile !== "" ? studio.currentFile.split("/").pop() : qsTr("The pipeline on the canvas"))
        }
        onAccepted: root.saveThenQuit()
        onDiscarded: { close(); studio.discardAndQuit(); root.close() }
    }

    // A QML module the file dialogs need is missing (StudioRuntime checked): say which package
    // to install instead of opening a dialog that cannot load.
    Dialog {
        id: moduleDialog
        objectName: "qmlModuleDialog"
        title: qsTr("File dialogs unavailable")
        modal: true
        anchors.centerIn: Overlay.overlay
        standardButtons: Dialog.Ok
        contentWidth: 560
        Label { text: studio.fileDialogProblem; wrapMode: Text.WordWrap; width: 560 }
    }
    function openFileDialog(dialog) {
        if (studio.fileDialogProblem !== "") {
            studio.notify(studio.fileDialogProblem, true)
            moduleDialog.open()
            return false
        }
        dialog.currentFolder = studio.projectFolder
        dialog.open()
        return true
    }

    Dialog {
        id: recoveryDialog
        objectName: "recoveryDialog"
        title: qsTr("Recover unsaved work?")
        modal: true
        anchors.centerIn: Overlay.overlay
        standardButtons: Dialog.Yes | Dialog.Discard
        Label { text: qsTr("Pipewright stopped with unsaved work last time. Restore the pipeline it autosaved?") }
        onAccepted: studio.recover()
        onDiscarded: { studio.discardRecovery(); close() }
    }

    FileDialog {
        id: openDialog
        title: qsTr("Open project")
        nameFilters: [qsTr("Pipewright projects (*.pwproj *.json)"), qsTr("All files (*)")]
        onAccepted: studio.openProject(selectedFile)
    }
    SaveFileDialog {
        id: saveDialog
        overlay: root.overlayItem
        title: qsTr("Save project")
        defaultSuffix: "pwproj"
        nameFilters: [qsTr("Pipewright projects (*.pwproj)")]
        onAccepted: {
            const error = studio.saveProject(selectedFile)
            if (root.quitAfterSave && error === "") root.close()
            root.quitAfterSave = false
        }
        onRejected: root.quitAfterSave = false
    }
    SaveFileDialog {
        id: dotDialog
        overlay: root.overlayItem
        title: qsTr("Export GStreamer DOT graph")
        defaultSuffix: "dot"
        onAccepted: studio.project.exportDot(selectedFile)
    }
    SaveFileDialog {
        id: pngDialog
        overlay: root.overlayItem
        title: qsTr("Export picture")
        defaultSuffix: "png"
        onAccepted: root.exportPng(studio.toLocalPath(selectedFile))
    }
    function exportPng(path) {
        canvasView.grabToImage(function(result) {
            studio.notify(result.saveToFile(path) ? qsTr("Saved picture %1").arg(path) : qsTr("Could not write %1").arg(path), false)
        })
    }
    Connections {
        target: studio.project
        function onDotExported(path, ok, message) {
            studio.notify(ok ? qsTr("Saved DOT graph %1 (render it with: dot -Tsvg %1 -o graph.svg)").arg(path)
                             : qsTr("Could not export the DOT graph: %1").arg(message), !ok)
        }
    }
    Connections {
        target: studio
        function onTemplateApplied(name) { fitTimer.restart() }
        // A tutorial page's "Open in studio" (or any client adding the tag): the window comes to
        // the front and opens the pipeline as the sessions panel's Open does.
        function onOpenPipelineRequested(id) {
            root.raise()
            root.requestActivate()
            if (id !== graph.pipelineId) root.guarded(() => graph.openPipeline(id))
        }
    }
    Timer { id: fitTimer; interval: 150; onTriggered: canvasView.fit() }

    Component.onCompleted: {
        if (studio.fileDialogProblem !== "") moduleDialog.open()
        if (studio.hasRecovery) recoveryDialog.open()
        else if (studio.firstRun) gallery.open()
    }
}
