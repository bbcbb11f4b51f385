#!/usr/bin/env bash
# Release check (not run in CI: it downloads Debian and takes minutes): does the .deb work on a
# clean Debian 12? As root:
#   tests/packaging/clean-root-check.sh [build/pipewright_<version>_<arch>.deb]
# 1. debootstrap a minbase bookworm root once into $PW_ROOT/base (default /tmp/pw-root; kept and
#    reused by later runs; delete it to start over). Network: only http://deb.debian.org.
# 2. For each mode, "recommends" and "no-recommends": copy the base, `apt-get install ./<deb>`
#    in it (with or without --no-install-recommends), then, in a private network namespace where
#    only lo exists (nothing can leave the machine):
#    - `pipewright --version` names the package version;
#    - the headless server as user pipewright with the packaged config (as the service runs it)
#      answers a plain HTTP GET on 127.0.0.1:8888 from the host;
#    - a WebRTC loopback through it: the host's Chromium (headless, fake camera; run by
#      tests/packaging/installed-check.mjs with the host's node and tests/node_modules) opens the
#      installed server's own hello-world tutorial page and its remote <video> shows a moving
#      picture that came back from the server;
#    - (recommends mode) the studio, as an unprivileged user under Xvfb in the root, opens its
#      window while the service holds 8888, moves to another port and says so (screenshot:
#      $PW_ROOT/studio-<mode>.png); xdotool clicks the first template card (Player -> Recorder),
#      presses F5 (Run) and Shift+F5 (Stop), and installed-check.mjs asks the studio's engine over
#      the Kurento protocol (an adminToken in the desk user's config) that the pipeline was built,
#      ran (player and recorder START, video flowing in, the recording growing) and stopped; no
#      error line in the studio's log. Screenshot while it ran: $PW_ROOT/studio-<mode>-template.png.
# Prints one line per step and the time each mode took; exits 1 on the first failure.
set -euo pipefail
src="$(cd "$(dirname "$0")/../.." && pwd)"
deb="${1:-$(ls "$src"/build/pipewright_*.deb 2>/dev/null | head -1)}"
[ -f "$deb" ] || { echo "usage: $0 <pipewright .deb> (build it with: cmake --build build --target package)"; exit 2; }
deb="$(readlink -f "$deb")"
[ "$(id -u)" = 0 ] || { echo "clean-root-check: must run as root (debootstrap, chroot)"; exit 2; }
command -v debootstrap >/dev/null || { echo "clean-root-check: apt-get install debootstrap"; exit 2; }
[ -x /usr/bin/chromium ] && command -v node >/dev/null && [ -d "$src/tests/node_modules/puppeteer-core" ] ||
  { echo "clean-root-check: the WebRTC loopback needs node, chromium and (cd tests && npm ci --ignore-scripts)"; exit 2; }
top="${PW_ROOT:-/tmp/pw-root}"
mirror="http://deb.debian.org/debian"
version="$(dpkg-deb -f "$deb" Version)"
mkdir -p "$top"

step() { echo "clean-root-check: $*"; }
die() { echo "clean-root-check: FAIL: $*"; exit 1; }

# --- 1. the base root (once) ---------------------------------------------------------------------
if [ ! -f "$top/base/.pw-base-ready" ]; then
  rm -rf "$top/base"
  t0=$SECONDS
  step "debootstrap --variant=minbase bookworm $top/base ($mirror)"
  debootstrap --variant=minbase bookworm "$top/base" "$mirror" >"$top/debootstrap.log" 2>&1 ||
    { tail -20 "$top/debootstrap.log"; die "debootstrap failed (log: $top/debootstrap.log)"; }
  # What a Debian 12 machine gets from the installer: the updates and security suites.
  cat >"$top/base/etc/apt/sources.list" <<EOF
deb $mirror bookworm main
deb $mirror bookworm-updates main
deb http://deb.debian.org/debian-security bookworm-security main
EOF
  touch "$top/base/.pw-base-ready"
  step "base root ready in $((SECONDS - t0)) s"
fi

mounted=()
cleanup() {
  for ((i = ${#mounted[@]} - 1; i >= 0; i--)); do umount -l "${mounted[$i]}" 2>/dev/null || true; done
}
trap cleanup EXIT
bind() { mount --bind "$1" "$2"; mounted+=("$2"); }

run_mode() {
  local mode="$1" root="$top/$mode" t0=$SECONDS
  local aptopts=(-y -q)
  [ "$mode" = no-recommends ] && aptopts+=(--no-install-recommends)
  step "[$mode] fresh root $root (copy of the base)"
  rm -rf "$root"
  cp -a "$top/base" "$root"
  mount -t proc proc "$root/proc"; mounted+=("$root/proc")
  bind /dev "$root/dev"
  bind /dev/pts "$root/dev/pts"
  # Downloaded .debs are kept in $top/apt-archives for the other mode and later runs.
  mkdir -p "$top/apt-archives/partial"
  bind "$top/apt-archives" "$root/var/cache/apt/archives"
  cp /etc/resolv.conf "$root/etc/resolv.conf"
  cp "$deb" "$root/tmp/"
  local in=(chroot "$root" env -i PATH=/usr/sbin:/usr/bin:/sbin:/bin DEBIAN_FRONTEND=noninteractive LANG=C.UTF-8)

  step "[$mode] apt-get install ${aptopts[*]} ./$(basename "$deb")"
  "${in[@]}" apt-get -q update >"$top/$mode-apt.log" 2>&1 || { tail "$top/$mode-apt.log"; die "apt-get update"; }
  "${in[@]}" apt-get install "${aptopts[@]}" "/tmp/$(basename "$deb")" >>"$top/$mode-apt.log" 2>&1 ||
    { tail -30 "$top/$mode-apt.log"; die "[$mode] apt-get install of the package failed"; }
  step "[$mode] installed: $("${in[@]}" dpkg-query -W -f '${db:Status-Abbrev}' pipewright) pipewright $("${in[@]}" dpkg-query -W -f '${Version}' pipewright), $("${in[@]}" dpkg-query -W -f '${binary:Package}\n' | wc -l) packages in the root"
  # The maintainer scripts' work (names looked up inside the root: its uids are not the host's).
  "${in[@]}" getent passwd pipewright >/dev/null || die "[$mode] no pipewright user"
  [ "$("${in[@]}" stat -c '%U:%G %a' /var/lib/pipewright)" = "pipewright:pipewright 750" ] || die "[$mode] /var/lib/pipewright owner/mode"
  [ "$("${in[@]}" stat -c '%U:%G %a' /etc/pipewright/pipewright.json)" = "root:pipewright 640" ] || die "[$mode] config owner/mode"
  [ -L "$root/etc/systemd/system/multi-user.target.wants/pipewright.service" ] || die "[$mode] service not enabled"

  local v
  v="$("${in[@]}" pipewright --version)" || die "[$mode] pipewright --version failed"
  grep -q "^pipewright $version (git " <<<"$v" || die "[$mode] --version says '$v'"
  step "[$mode] pipewright --version: $v"

  if [ "$mode" = recommends ]; then
    step "[$mode] apt-get install xvfb xauth gstreamer1.0-tools xdotool (for the studio check and its screenshots)"
    "${in[@]}" apt-get install -y -q --no-install-recommends xvfb xauth gstreamer1.0-tools xdotool >>"$top/$mode-apt.log" 2>&1 ||
      die "[$mode] installing xvfb failed"
    "${in[@]}" useradd -m desk 2>/dev/null || true
  fi

  # Everything that runs the binaries from here on: a private network namespace with only lo.
  # The browser and the protocol checks are the host's Chromium and node (tests/node_modules):
  # only the server and the studio under test come from the root.
  local status
  status="$(unshare -n bash -s "$root" "$mode" "$top" "$src" <<'NETNS'
set -uo pipefail
root="$1"; mode="$2"; top="$3"; src="$4"
ip link set lo up
export XDG_RUNTIME_DIR="$(mktemp -d)"
in=(chroot "$root" env -i PATH=/usr/sbin:/usr/bin:/sbin:/bin LANG=C.UTF-8)
check() { node "$src/tests/packaging/installed-check.mjs" "$@"; }
# end <pid> <job>: SIGTERM to pid, SIGKILL after 30 s, then reap the background job.
end() {
  [ -n "$1" ] && kill "$1" 2>/dev/null
  for _ in $(seq 150); do kill -0 "$2" 2>/dev/null || break; sleep 0.2; done
  [ -n "$1" ] && kill -KILL "$1" 2>/dev/null
  wait "$2" 2>/dev/null
}
# The service's command line, as its user (systemd is not running in the root).
"${in[@]}" setpriv --reuid=pipewright --regid=pipewright --init-groups env HOME=/var/lib/pipewright \
  /usr/bin/pipewright --headless --config /etc/pipewright/pipewright.json >"$top/$mode-server.log" 2>&1 &
server=$!
for _ in $(seq 150); do grep -q "^Pipewright listening on" "$top/$mode-server.log" && break; sleep 0.2; done
echo "http=$(curl -s -o /dev/null -w '%{http_code}' --max-time 10 http://127.0.0.1:8888/ || true)"
# A WebRTC loopback through the installed server: its own hello-world tutorial page.
echo "loopback=$(check loopback http://127.0.0.1:8888 2>&1 | tail -1)"
if [ "$mode" = recommends ]; then
  # The studio as a desktop user while the service holds 8888. Its only setting is an
  # administrator token, so that the checks (another session) can see its pipeline.
  token="clean-root-$RANDOM$RANDOM"
  mkdir -p "$root/home/desk/.config/pipewright" "$root/tmp/desk-run"
  printf '{"adminToken": "%s"}\n' "$token" >"$root/home/desk/.config/pipewright/pipewright.json"
  chmod 0700 "$root/tmp/desk-run"
  chown -R --reference="$root/home/desk" "$root/home/desk/.config" "$root/tmp/desk-run"
  desk=("${in[@]}" setpriv --reuid=desk --regid=desk --init-groups env HOME=/home/desk USER=desk XDG_RUNTIME_DIR=/tmp/desk-run)
  x=("${desk[@]}" DISPLAY=:42 XAUTHORITY=/tmp/desk-run/Xauthority)
  shot() { "${x[@]}" gst-launch-1.0 -q ximagesrc num-buffers=1 use-damage=false ! videoconvert ! pngenc ! filesink location="/tmp/$1" >>"$top/$mode-shot.log" 2>&1 && cp "$root/tmp/$1" "$top/$2"; }
  # Display :42 is free: the namespace has its own abstract sockets and the root its own /tmp.
  "${desk[@]}" xvfb-run -n 42 -f /tmp/desk-run/Xauthority -s "-screen 0 1600x1000x24" \
    bash -c 'pipewright & echo $! >/tmp/desk-run/studio.pid; wait' >"$top/$mode-studio.log" 2>&1 &
  xvfb=$!
  for _ in $(seq 200); do grep -q "studio window open" "$top/$mode-studio.log" && break; sleep 0.2; done
  studio="$(sed -n 's/^Pipewright listening on //p' "$top/$mode-studio.log" | head -1)"
  echo "studio=$studio"
  echo "moved=$(grep -c "port 8888 is in use" "$top/$mode-studio.log")"
  if [ -n "$studio" ]; then
    sleep 4  # its first frames
    shot studio.png "studio-$mode.png"
    # The template gallery shows on an empty canvas: click its first card (Player -> Recorder),
    # the middle of the window left of centre and a little above it; the engine says what it built.
    eval "$(timeout 30 "${x[@]}" xdotool search --sync --onlyvisible --name Pipewright getwindowgeometry --shell | head -6)"
    run="FAIL: no studio window found with xdotool"
    [ -n "${WIDTH:-}" ] && "${x[@]}" xdotool mousemove $((X + WIDTH / 2 - 170)) $((Y + HEIGHT / 2 - 60)) click 1 &&
      run="$(check studio loaded "$studio" "$token" "$root" 2>&1 | tail -1)"
    if [[ "$run" != FAIL* ]]; then
      # Run (F5: without a window manager the keyboard follows the pointer, which is on the window).
      "${x[@]}" xdotool key F5
      run="$run; $(check studio running "$studio" "$token" "$root" 2>&1 | tail -1)"
      sleep 3  # the REC badge counts on in the picture
      shot studio-template.png "studio-$mode-template.png"
      "${x[@]}" xdotool key shift+F5
      [[ "$run" != *FAIL* ]] && run="$run; $(check studio stopped "$studio" "$token" "$root" 2>&1 | tail -1)"
      errors="$(grep -c " error pipewright\." "$top/$mode-studio.log")"
      [ "$errors" = 0 ] || run="$run; FAIL: $errors error lines in the studio's log"
    fi
    echo "run=$run"
  fi
  end "$(cat "$root/tmp/desk-run/studio.pid" 2>/dev/null)" "$xvfb"
fi
end "$server" "$server"
rm -rf "$XDG_RUNTIME_DIR"
NETNS
)"
  local http loopback; http="$(sed -n 's/^http=//p' <<<"$status")"; loopback="$(sed -n 's/^loopback=//p' <<<"$status")"
  [ "$http" = 200 ] || { cat "$top/$mode-server.log"; die "[$mode] GET http://127.0.0.1:8888/ answered '$http'"; }
  step "[$mode] headless server as user pipewright with the packaged config: GET http://127.0.0.1:8888/ -> 200"
  [ -n "$loopback" ] && [[ "$loopback" != FAIL* ]] || { cat "$top/$mode-server.log"; die "[$mode] WebRTC loopback: ${loopback:-no answer}"; }
  step "[$mode] Chromium (host, same namespace) on the installed server's $loopback"
  if [ "$mode" = recommends ]; then
    local studio moved run
    studio="$(sed -n 's/^studio=//p' <<<"$status")"; moved="$(sed -n 's/^moved=//p' <<<"$status")"; run="$(sed -n 's/^run=//p' <<<"$status")"
    [ -n "$studio" ] && [ "$moved" = 1 ] || { cat "$top/$mode-studio.log" 2>/dev/null; die "[$mode] the studio did not open on another port"; }
    step "[$mode] studio as user desk under Xvfb, service on 8888: listens on $studio and says so"
    [ -s "$top/studio-$mode.png" ] && step "[$mode] screenshot: $top/studio-$mode.png" || step "[$mode] (no screenshot taken)"
    [ -n "$run" ] && [[ "$run" != *FAIL* ]] || { cat "$top/$mode-studio.log" 2>/dev/null; die "[$mode] first template, Run, Stop: ${run:-not tried}"; }
    step "[$mode] first template card clicked, F5, Shift+F5: $run"
    [ -s "$top/studio-$mode-template.png" ] && step "[$mode] screenshot while it ran: $top/studio-$mode-template.png" || step "[$mode] (no screenshot taken while it ran)"
  fi
  cleanup; mounted=()
  step "[$mode] PASS in $((SECONDS - t0)) s"
}

total=$SECONDS
for mode in ${PW_MODES:-no-recommends recommends}; do run_mode "$mode"; done
step "all PASS ($(basename "$deb"), $((SECONDS - total)) s after the base root)"
