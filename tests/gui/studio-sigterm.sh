#!/usr/bin/env bash
# SIGTERM ends the studio cleanly: exit status 0, "pipewright: stopped", and not the watchdog's
# "the clean shutdown did not finish in time" (app/ShutdownWatchdog). Three cases:
#   1. an idle studio (nothing on the canvas): nothing is left to recover;
#   2. the studio after the first template (Player -> Recorder with the sample clip), Run (F5)
#      and Stop (Shift+F5), as the packaging release check drives it: the canvas holds unsaved
#      work, which used to make the window refuse the quit (its "Save changes?" dialog) until the
#      watchdog killed the process; now the work stays in the autosave for the next start;
#   3. the headless server with a player playing into a recorder.
# The studio is driven with xdotool and checked over the Kurento protocol with the administrator
# token (tests/packaging/installed-check.mjs). Usage: studio-sigterm.sh <pipewright binary>.
# Talks only to 127.0.0.1.
set -euo pipefail
bin="$1"
tests="$(cd "$(dirname "$0")/.." && pwd)"
command -v xvfb-run >/dev/null || { echo "SKIP: xvfb-run missing"; exit 77; }
command -v xdotool >/dev/null || { echo "SKIP: xdotool missing (scripts/setup.sh installs it)"; exit 77; }
work="$(mktemp -d)"
pids=()
cleanup() {
  for p in "${pids[@]}"; do kill -KILL "$p" 2>/dev/null || true; done
  wait 2>/dev/null || true
  rm -rf "$work"
}
trap cleanup EXIT
fail() {
  echo "studio-sigterm: FAIL: $*"
  for f in "$work"/*.out "$work"/*.err; do [ -f "$f" ] && { echo "--- $f"; tail -40 "$f"; }; done
  exit 1
}

token="sigterm-$RANDOM$RANDOM"
mkdir -p "$work/config/pipewright" "$work/home" "$work/media" "$work/run"
chmod 0700 "$work/run"
# Port 0: the system picks a free one, so parallel tests never clash. The media folder (and the
# sample clip the first template writes into it) is shared by the cases.
cat >"$work/config/pipewright/pipewright.json" <<EOF
{ "listen": "127.0.0.1", "port": 0, "path": "kurento", "adminToken": "$token",
  "mediaFolders": ["$work/media"], "shutdownTimeoutSec": 10 }
EOF
export HOME="$work/home" XDG_CONFIG_HOME="$work/config" XDG_RUNTIME_DIR="$work/run"
unset PIPEWRIGHT_CONFIG PIPEWRIGHT_PORT PIPEWRIGHT_LISTEN WAYLAND_DISPLAY

# listenUrl <case>: the URL the process printed on standard output (waits up to 30 s).
listenUrl() {
  local url=""
  for _ in $(seq 300); do
    url="$(sed -n 's/^Pipewright listening on \(ws:\/\/127\.0\.0\.1:[0-9]*\/kurento\)$/\1/p' "$work/$1.out")"
    [ -n "$url" ] && { echo "$url"; return; }
    sleep 0.1
  done
  fail "$1: no listen URL within 30 s"
}

# terminate <case> <pid to signal> <job to wait for>: SIGTERM, then the exit status must be 0 with
# a clean shutdown. The watchdog ends a hung shutdown after shutdownTimeoutSec (10 s) with status
# 1 and its line; the 60 s here only keep a broken build from hanging the test.
terminate() {
  local name="$1" pid="$2" job="$3" rc
  kill -TERM "$pid"
  for _ in $(seq 600); do kill -0 "$pid" 2>/dev/null || break; sleep 0.1; done
  kill -0 "$pid" 2>/dev/null && fail "$name: still running 60 s after SIGTERM"
  set +e
  wait "$job"
  rc=$?
  set -e
  ! grep -q "did not finish in time" "$work/$name.err" || fail "$name: the clean shutdown hung until the watchdog ended it"
  [ "$rc" = 0 ] || fail "$name: exited with status $rc after SIGTERM, not 0"
  grep -q "^pipewright: stopped$" "$work/$name.out" || fail "$name: no 'pipewright: stopped' after SIGTERM"
}

# studio <case>: starts the studio under its own Xvfb with its own data folder (its autosave);
# sets studioPid, studioJob, url and DISPLAY/XAUTHORITY for xdotool.
studio() {
  local name="$1"
  # Its own settings too: the template gallery opens by itself only at a user's first start.
  mkdir -p "$work/$name-data" "$work/$name-config"
  cp -r "$work/config/pipewright" "$work/$name-config/"
  : >"$work/$name.pid"
  # The studio's own pid (not xvfb-run's) and display are written first; xvfb-run's exit status
  # is the studio's.
  XDG_DATA_HOME="$work/$name-data" XDG_CONFIG_HOME="$work/$name-config" QT_QPA_PLATFORM=xcb \
    xvfb-run -a -f "$work/$name.xauth" -s "-screen 0 1600x1000x24" \
    bash -c 'echo "$DISPLAY" >"$0.display"; echo $$ >"$0"; exec "$1"' "$work/$name.pid" "$bin" \
    >"$work/$name.out" 2>"$work/$name.err" &
  studioJob=$!
  pids+=("$studioJob")
  for _ in $(seq 100); do [ -s "$work/$name.pid" ] && break; sleep 0.1; done
  studioPid="$(cat "$work/$name.pid")"
  [ -n "$studioPid" ] || fail "$name: the studio did not start"
  pids=("$studioPid" "${pids[@]}")
  url="$(listenUrl "$name")"
  for _ in $(seq 300); do grep -q "studio window open" "$work/$name.out" && break; sleep 0.1; done
  grep -q "studio window open" "$work/$name.out" || fail "$name: the studio window did not open"
  export DISPLAY="$(cat "$work/$name.pid.display")" XAUTHORITY="$work/$name.xauth"
}

check() { node "$tests/packaging/installed-check.mjs" studio "$1" "$url" "$token" "" 2>&1 | tail -1 || true; }

# 1. Idle: nothing to save, nothing left to recover.
studio idle
sleep 1  # its first frames
terminate idle "$studioPid" "$studioJob"
[ ! -e "$work/idle-data/pipewright/autosave.pwproj" ] || fail "idle: an autosave was left behind"
echo "studio-sigterm: idle studio: exit 0 on SIGTERM"

# 2. The first template, Run, Stop, SIGTERM (the packaging release check's sequence).
studio template
# The template gallery shows on an empty canvas: its first card is left of the middle and a
# little above it (tests/packaging/clean-root-check.sh clicks the same place).
sleep 3  # its first frames, and the gallery on top
eval "$(timeout 30 xdotool search --sync --onlyvisible --name Pipewright getwindowgeometry --shell | head -6)"
[ -n "${WIDTH:-}" ] || fail "template: no studio window found with xdotool"
xdotool mousemove $((X + WIDTH / 2 - 170)) $((Y + HEIGHT / 2 - 60)) click 1
seen="$(check loaded)"
[[ "$seen" == "template loaded"* ]] || fail "template: $seen"
# Run (F5: without a window manager the keyboard follows the pointer, which is on the window).
xdotool key F5
seen="$(check running)"
[[ "$seen" == "template running"* ]] || fail "template: $seen"
xdotool key shift+F5
seen="$(check stopped)"
[[ "$seen" == "template stopped"* ]] || fail "template: $seen"
terminate template "$studioPid" "$studioJob"
autosave="$work/template-data/pipewright/autosave.pwproj"
[ -s "$autosave" ] || fail "template: the unsaved work was not kept in the autosave"
grep -q '"type": "PlayerEndpoint"' "$autosave" && grep -q '"type": "RecorderEndpoint"' "$autosave" ||
  fail "template: the autosave does not hold the template's player and recorder"
echo "studio-sigterm: template run and stopped: exit 0 on SIGTERM, the unsaved work kept in the autosave"

# 3. The headless server with a player playing the sample clip into a recorder.
QT_QPA_PLATFORM= DISPLAY= XDG_DATA_HOME="$work/headless-data" "$bin" --headless >"$work/headless.out" 2>"$work/headless.err" &
headless=$!
pids+=("$headless")
url="$(listenUrl headless)"
clip="$work/media/pipewright-sample.webm"
[ -s "$clip" ] || fail "headless: no sample clip from the studio case"
# The client stays connected (and the recording grows) while the server receives SIGTERM.
(cd "$tests" && exec node --input-type=module -e "
import { rpcClient, sleep } from './lib/server.mjs';
import { createPipeline, createElement, invoke, invokeValue } from './lib/kms.mjs';
import { statSync } from 'node:fs';
const [url, clip, out] = process.argv.slice(1);
const rpc = await rpcClient(url);
const pipeline = await createPipeline(rpc);
const player = await createElement(rpc, 'PlayerEndpoint', pipeline, { uri: 'file://' + clip });
const recorder = await createElement(rpc, 'RecorderEndpoint', pipeline, { uri: 'file://' + out });
await invoke(rpc, player, 'connect', { sink: recorder });
await invoke(rpc, recorder, 'record');
await invoke(rpc, player, 'play');
const size = () => { try { return statSync(out).size; } catch { return 0; } };
const flowing = () => invokeValue(rpc, recorder, 'isMediaFlowingIn', { mediaType: 'VIDEO' });
for (let i = 0; i < 300 && !(size() > 0 && await flowing()); ++i) await sleep(100);
if (!(size() > 0 && await flowing())) throw new Error('no video flowing into a growing recording');
console.log('playing');
await new Promise(() => {});
" "$url" "$clip" "$work/media/headless.webm") >"$work/headless-client.out" 2>&1 &
client=$!
pids+=("$client")
for _ in $(seq 400); do grep -q "^playing$" "$work/headless-client.out" && break; kill -0 "$client" 2>/dev/null || break; sleep 0.1; done
grep -q "^playing$" "$work/headless-client.out" || fail "headless: $(tail -3 "$work/headless-client.out")"
terminate headless "$headless" "$headless"
echo "studio-sigterm: headless server playing into a recorder: exit 0 on SIGTERM"
echo "studio-sigterm: OK"
