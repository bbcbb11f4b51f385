import QtQuick
import QtQuick.Controls
import QtQuick.Dialogs

// A FileDialog in save mode that behaves like one. Qt 6.4's Quick (non-native) file dialog in
// SaveFile mode keeps "Open" on its accept button and ignores Enter in its file name field:
// here the button says Save, and Enter in the name field presses it (after the field has handed
// the typed name to the dialog).
FileDialog {
    id: dialog
    // The window's overlay, where the dialog's popup is shown.
    required property Item overlay

    fileMode: FileDialog.SaveFile
    acceptLabel: qsTr("Save")

    property var hookedField: null
    onVisibleChanged: if (visible) Qt.callLater(hookEnter)

    function descendant(item, test) {
        if (!item) return null
        if (test(item)) return item
        const kids = item.children
        for (let i = 0; i < kids.length; ++i) {
            const found = descendant(kids[i], test)
            if (found) return found
        }
        return null
    }
    function hookEnter() {
        if (!overlay) return
        const titleLabel = descendant(overlay, (i) => i.objectName === "dialogTitleBarLabel" && i.text === dialog.title && i.visible)
        if (!titleLabel) return
        let popup = titleLabel
        while (popup.parent && popup.parent !== overlay) popup = popup.parent
        const field = descendant(popup, (i) => i.objectName === "fileNameTextField")
        const box = descendant(popup, (i) => typeof i.standardButton === "function" && i.standardButtons !== undefined)
        if (!field || !box || field === hookedField) return
        hookedField = field
        field.accepted.connect(function() {
            Qt.callLater(function() {
                const accept = box.standardButton(Dialog.Open) || box.standardButton(Dialog.Save)
                if (dialog.visible && field.text !== "" && accept && accept.enabled) accept.clicked()
            })
        })
    }
}
