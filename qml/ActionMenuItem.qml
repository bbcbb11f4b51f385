import QtQuick
import QtQuick.Controls
import QtQuick.Layouts

// A menu entry for an Action that shows the action's shortcut on the right, as desktop menus
// do (Quick Controls' own MenuItem does not show it).
MenuItem {
    id: item
    // Reads the native text of the action's shortcut; never fires.
    Shortcut { id: keys; enabled: false; sequence: Theme.shortcutString(item.action ? item.action.shortcut : undefined) }
    readonly property string shortcutText: keys.nativeText
    contentItem: RowLayout {
        spacing: 24
        Label {
            Layout.fillWidth: true
            leftPadding: item.checkable ? item.indicator.width + item.spacing : 0
            text: item.text.replace(/&(?=[^&])/, "")
            color: item.enabled ? Theme.text : Theme.subtext
            elide: Text.ElideRight
        }
        Label {
            visible: item.shortcutText !== ""
            text: item.shortcutText
            color: Theme.subtext
            font.pixelSize: 11
        }
    }
}
