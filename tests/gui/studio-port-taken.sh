#!/usr/bin/env bash
# The studio from the menu opens even when its control port is taken (as by the packaged service
# on 127.0.0.1:8888): its engine listens on another port and says so. A headless server on a taken
# port still fails, with a message naming the port. The port comes from the per-user config
# ($XDG_CONFIG_HOME/pipewright/pipewright.json), so this also checks that the file is read.
# Usage: studio-port-taken.sh <pipewright binary>. Talks only to 127.0.0.1.
set -euo pipefail
bin="$1"
command -v xvfb-run >/dev/null || { echo "SKIP: xvfb-run missing"; exit 77; }
work="$(mktemp -d)"
pids=()
xvfb=""
cleanup() {
  # The studio first: xvfb-run then ends its Xvfb itself. Killed with a signal, xvfb-run would
  # leave the Xvfb running (holding whatever descriptors it inherited).
  for p in "${pids[@]}"; do [ "$p" = "$xvfb" ] || kill "$p" 2>/dev/null || true; done
  if [ -n "$xvfb" ]; then
    for _ in $(seq 50); do kill -0 "$xvfb" 2>/dev/null || break; sleep 0.1; done
    kill "$xvfb" 2>/dev/null || true
  fi
  wait 2>/dev/null || true
  rm -rf "$work"
}
trap cleanup EXIT
fail() {
  echo "studio-port-taken: FAIL: $*"
  for f in "$work"/*.out "$work"/*.err; do [ -f "$f" ] && { echo "--- $f"; cat "$f"; }; done
  exit 1
}

# Something else holds a port (a free one picked by the system, so parallel tests never clash).
node -e "const s=require('net').createServer(c=>c.destroy()).listen(0,'127.0.0.1',()=>console.log(s.address().port))" \
  >"$work/holder.out" &
pids+=($!)
for _ in $(seq 50); do [ -s "$work/holder.out" ] && break; sleep 0.1; done
taken="$(head -1 "$work/holder.out")"
[ -n "$taken" ] || fail "the port holder did not start"

mkdir -p "$work/config/pipewright" "$work/home" "$work/data" "$work/media" "$work/run"
chmod 0700 "$work/run"
cat >"$work/config/pipewright/pipewright.json" <<EOF
{ "listen": "127.0.0.1", "port": $taken, "path": "kurento", "mediaFolders": ["$work/media"] }
EOF
export HOME="$work/home" XDG_CONFIG_HOME="$work/config" XDG_DATA_HOME="$work/data" XDG_RUNTIME_DIR="$work/run"
unset PIPEWRIGHT_CONFIG PIPEWRIGHT_PORT PIPEWRIGHT_LISTEN WAYLAND_DISPLAY

# 1. --headless on the taken port: exit status 2 and a message that names the port.
set +e
QT_QPA_PLATFORM= DISPLAY= timeout 30 "$bin" --headless >"$work/headless.out" 2>"$work/headless.err"
rc=$?
set -e
[ "$rc" = 2 ] || fail "--headless on a taken port exited with $rc, not 2"
grep -q "cannot listen on 127.0.0.1:$taken" "$work/headless.err" || fail "--headless did not say which port is taken"

# 2. The studio (no --headless, a display): listens elsewhere and tells the user.
# The studio's own pid (not xvfb-run's) is written first, so that cleanup ends the studio itself.
QT_QPA_PLATFORM=xcb xvfb-run -a -s "-screen 0 1280x800x24" \
  bash -c 'echo $$ >"$0"; exec "$1"' "$work/studio.pid" "$bin" >"$work/studio.out" 2>"$work/studio.err" &
xvfb=$!
pids+=($xvfb)
for _ in $(seq 100); do [ -s "$work/studio.pid" ] && break; sleep 0.1; done
[ -s "$work/studio.pid" ] && pids=("$(cat "$work/studio.pid")" "${pids[@]}")
url=""
for _ in $(seq 300); do
  url="$(sed -n 's/^Pipewright listening on \(ws:\/\/127\.0\.0\.1:[0-9]*\/kurento\)$/\1/p' "$work/studio.out")"
  [ -n "$url" ] && break
  kill -0 "${pids[0]}" 2>/dev/null || fail "the studio exited before listening"
  sleep 0.1
done
[ -n "$url" ] || fail "the studio did not report a listen URL within 30 s"
port="${url#ws://127.0.0.1:}"; port="${port%%/*}"
[ "$port" != "$taken" ] || fail "the studio claims the taken port $taken"
grep -q "^pipewright: port $taken is in use (the pipewright service?): the studio's engine listens on port $port instead$" \
  "$work/studio.out" || fail "the studio did not say that it moved from port $taken to $port"
grep -q "studio window open" "$work/studio.out" || fail "the studio window did not open"
# The status bar shows the note (qml/StatusBar.qml) without QML errors.
sleep 1
! grep -q "StatusBar.qml" "$work/studio.err" || fail "QML messages from the status bar"
# The moved control port answers plain HTTP (the built-in start page).
status="$(node -e "fetch('http://127.0.0.1:$port/').then(r=>console.log(r.status),e=>console.log(String(e)))")"
[ "$status" = 200 ] || fail "GET http://127.0.0.1:$port/ answered $status"
echo "studio-port-taken: OK (port $taken taken: --headless refused, the studio listens on $port and says so)"
