pragma Singleton
import QtQuick

// Colours of the studio. Follows the system palette (dark or light) unless the user picks one.
QtObject {
    id: theme
    property SystemPalette system: SystemPalette { colorGroup: SystemPalette.Active }
    property int mode: 0  // 0 = follow the system, 1 = light, 2 = dark
    readonly property bool dark: mode === 2 || (mode === 0 && system.window.hslLightness < 0.5)

    readonly property color window: dark ? "#1f2125" : "#f3f4f6"
    readonly property color panel: dark ? "#26292e" : "#ffffff"
    readonly property color canvas: dark ? "#181a1d" : "#eceef2"
    readonly property color grid: dark ? "#2b2f35" : "#d5d9e0"
    readonly property color text: dark ? "#e8eaed" : "#1f2328"
    readonly property color subtext: dark ? "#9aa0a6" : "#5f6670"
    readonly property color border: dark ? "#3a3f46" : "#c9ced6"
    readonly property color node: dark ? "#2d3137" : "#ffffff"
    readonly property color nodeHeader: dark ? "#383d45" : "#e6e9ee"
    readonly property color accent: "#3d8bfd"
    readonly property color selection: "#3d8bfd"
    readonly property color error: "#e5484d"
    readonly property color ok: "#30a46c"
    readonly property color warn: "#f5a524"
    readonly property color video: "#4c9aff"
    readonly property color audio: "#30c48d"
    readonly property color data: "#f0a030"

    // "1 session", "2 sessions": counts in labels (no translation catalogue to do plurals).
    function counted(n, one, many) {
        return n + " " + (n === 1 ? one : many)
    }
    function mediaColor(type) {
        return type === "VIDEO" ? video : type === "AUDIO" ? audio : data
    }
    function categoryColor(category) {
        return category === "Endpoints" ? "#4c9aff" : category === "Filters" ? "#b37feb"
             : category === "Hubs" ? "#f0a030" : "#f5c542"
    }
    // An Action's shortcut as a key-sequence string: StandardKey values (several of which bind
    // more than one key, which a Shortcut used only to read the text warns about) become the
    // first key they have on Linux desktops.
    function shortcutString(shortcut) {
        if (shortcut === undefined || shortcut === null) return ""
        if (typeof shortcut === "string") return shortcut
        const standard = [[StandardKey.New, "Ctrl+N"], [StandardKey.Open, "Ctrl+O"], [StandardKey.Save, "Ctrl+S"],
                          [StandardKey.Quit, "Ctrl+Q"], [StandardKey.Delete, "Del"], [StandardKey.SelectAll, "Ctrl+A"],
                          [StandardKey.Copy, "Ctrl+C"], [StandardKey.Paste, "Ctrl+V"], [StandardKey.Cut, "Ctrl+X"],
                          [StandardKey.Undo, "Ctrl+Z"], [StandardKey.Redo, "Ctrl+Shift+Z"]]
        for (const [key, text] of standard) if (key === shortcut) return text
        return ""
    }
}
