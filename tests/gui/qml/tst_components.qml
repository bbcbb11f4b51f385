import QtQuick
import QtTest
import Pipewright.Studio

// Components against the real studio models (testStudio) and a real engine.
Item {
    id: root
    width: 1200
    height: 800

    GraphCanvas {
        id: canvas
        x: 240
        width: 960
        height: 800
        graph: testStudio.graph
        studio: testStudio
    }
    ElementPalette {
        id: palette
        width: 240
        height: 800
        studio: testStudio
    }

    EventLog {
        id: eventLog
        x: 240
        y: 620
        width: 960
        height: 180
        z: 10
        studio: testStudio
    }

    TestCase {
        name: "EventLog"
        when: windowShown
        readonly property var list: findChild(eventLog, "eventLog")

        function init() {
            eventLog.filterText = ""
            eventLog.following = true
            eventLog.expandedSource = -1
            testStudio.log.clear()
        }
        function lineFullyShown(row) {
            const item = list.itemAtIndex(row)
            return item !== null && item.y >= list.contentY - 0.5 && item.y + item.height <= list.contentY + list.height + 0.5
        }

        function test_follow_shows_the_newest_line_whole() {
            for (let i = 0; i < 60; ++i) testStudio.notify("line " + i)
            tryVerify(() => list.count === 60 && lineFullyShown(59), 2000, "the newest line is in view")
            testStudio.notify("one more")
            tryVerify(() => list.count === 61 && lineFullyShown(60), 2000, "and the next one too")
        }

        function test_clearing_the_filter_keeps_the_place() {
            for (let i = 0; i < 80; ++i) testStudio.notify((i % 10 === 3 ? "match " : "line ") + i)
            tryCompare(list, "count", 80)
            // Following: clearing the filter shows the newest line, not the first.
            eventLog.filterText = "match"
            tryCompare(list, "count", 8)
            eventLog.filterText = ""
            tryVerify(() => list.count === 80 && lineFullyShown(79), 2000, "back at the newest line")
            // Not following: the line at the top stays there.
            eventLog.following = false
            list.positionViewAtIndex(40, ListView.Beginning)
            wait(50)
            const row = list.indexAt(0, list.contentY + 1)
            compare(row, 40)
            eventLog.filterText = "match 43"
            tryCompare(list, "count", 1)
            eventLog.filterText = ""
            tryCompare(list, "count", 80)
            wait(50)
            verify(Math.abs(list.indexAt(0, list.contentY + 1) - 40) <= 3, "top row " + list.indexAt(0, list.contentY + 1))
            verify(list.contentY > 0, "not back at the top")
        }

        function test_a_click_shows_the_whole_json() {
            const longNote = "x".repeat(400)
            testStudio.notify(JSON.stringify({ mediaType: "VIDEO", state: "FLOWING", note: longNote }))
            eventLog.filterText = "FLOWING"
            tryVerify(() => list.count === 1 && list.itemAtIndex(0) !== null)
            const line = list.itemAtIndex(0)
            const details = findChild(line, "logDetails")
            verify(!details.visible)
            mouseClick(line, 400, 9)
            tryVerify(() => details.visible)
            verify(details.text.indexOf('"mediaType": "VIDEO"') >= 0, details.text)
            verify(details.text.indexOf(longNote) >= 0, "the whole text")
            verify(line.height > 18 + 30, "the line grows to show it: " + line.height)
            mouseClick(line, 400, 9)
            tryVerify(() => !details.visible)
        }
    }

    TestCase {
        name: "Components"
        when: windowShown
        readonly property var graph: testStudio.graph

        function nodeItem(key) {
            const world = findChild(canvas, "world")
            for (let i = 0; i < world.children.length; ++i) {
                const c = world.children[i]
                if (c.objectName && c.objectName.endsWith("_" + key)) return c
            }
            return null
        }
        function addAndWait(type, x, y, params) {
            const key = graph.addElement(type, x, y, params || {})
            verify(key !== "", "addElement " + type)
            tryVerify(() => nodeItem(key) !== null && nodeItem(key).status !== "creating", 10000, type + " created")
            compare(nodeItem(key).status, "ready", type + ": " + nodeItem(key).error)
            return key
        }

        function init() { graph.newPipeline() }

        function test_palette_search_narrows_the_list() {
            const list = findChild(palette, "paletteList")
            const all = list.count
            verify(all >= 10)
            testStudio.palette.filter = "zbar"
            compare(list.count, 1)
            testStudio.palette.filter = "no such element"
            compare(list.count, 0)
            testStudio.palette.filter = ""
            compare(list.count, all)
        }

        function test_ports_follow_the_element_class() {
            const recorder = addAndWait("RecorderEndpoint", 100, 100, { uri: testMediaUri })
            const node = nodeItem(recorder)
            verify(findChild(node, "in_VIDEO").visible)
            verify(findChild(node, "in_AUDIO").visible)
            verify(!findChild(node, "out_VIDEO").visible, "a recorder has no outputs")
            const webrtc = addAndWait("WebRtcEndpoint", 400, 100)
            verify(findChild(nodeItem(webrtc), "out_DATA").visible, "WebRTC has a data output")
        }

        function test_wiring_highlights_what_fits() {
            const player = addAndWait("PlayerEndpoint", 60, 60, { uri: testMediaUri })
            const recorder = addAndWait("RecorderEndpoint", 400, 60, { uri: testMediaUri })
            const input = findChild(nodeItem(recorder), "in_VIDEO")
            const videoRing = findChild(nodeItem(recorder), "inRing_VIDEO")
            const audioRing = findChild(nodeItem(recorder), "inRing_AUDIO")
            for (const mode of [1, 2]) {  // light, then dark: the rings are the same strong colours
                Theme.mode = mode
                verify(!videoRing.visible && !audioRing.visible, "no rings before a wire is dragged")
                canvas.beginWire(player, "VIDEO", 0, 0, 10, 10)
                compare(input.border.color, Theme.ok)
                verify(videoRing.visible, "a ring around the input that fits")
                compare(videoRing.border.color, Theme.ok)
                verify(videoRing.width >= 2 * input.width - 4, "the ring is clearly larger than the port")
                verify(audioRing.visible, "the documented red ring: an input of another media type")
                compare(audioRing.border.color, Theme.error)
                canvas.cancelWire()
                compare(input.border.color, Theme.mediaColor("VIDEO"))
                verify(!videoRing.visible && !audioRing.visible)
            }
            Theme.mode = 0
            // Dropping on the recorder's header wires every type both ends share.
            canvas.beginWire(player, "VIDEO", 0, 0, 10, 10)
            canvas.endWire(420, 70)
            tryCompare(graph.edges, "count", 2)
        }

        function test_zoom_fit_and_world_coordinates() {
            addAndWait("PassThrough", 0, 0)
            addAndWait("PassThrough", 1600, 900)
            canvas.setZoom(2, 0, 0)
            compare(canvas.zoom, 2)
            const w = canvas.toWorld(200, 100)
            fuzzyCompare(w.x, (200 - canvas.panX) / 2, 0.001)
            canvas.actualSize()
            compare(canvas.zoom, 1)
            canvas.fit()
            verify(canvas.zoom < 1, "fitting 1800 px into 960 zooms out")
            const r = graph.boundingRect()
            verify(canvas.panX + r.x * canvas.zoom >= 0)
            verify(canvas.panX + (r.x + r.width) * canvas.zoom <= canvas.width)
        }

        function test_rubber_band_selects() {
            const a = addAndWait("PassThrough", 40, 40)
            addAndWait("PassThrough", 600, 400)
            canvas.actualSize()
            canvas.panX = 0; canvas.panY = 0
            mouseDrag(findChild(canvas, "canvasBackground"), 10, 10, 300, 200)
            tryCompare(graph, "selectionCount", 1)
            compare(graph.selectedKeys()[0], a)
        }
    }
}
