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
#    - (recommends mode) the studio, as an unprivileged user under Xvfb in the root, opens its
#      window while the service holds 8888, moves to another port and says so; a screenshot of
#      it is written to $PW_ROOT/studio-<mode>.png.
# Prints one line per step and the time each mode took; exits 1 on the first failure.
set -euo pipefail
src="$(cd "$(dirname "$0")/../.." && pwd)"
deb="${1:-$(ls "$src"/build/pipewright_*.deb 2>/dev/null | head -1)}"
[ -f "$deb" ] || { echo "usage: $0 <pipewright .deb> (build it with: cmake --build build --target package)"; exit 2; }
deb="$(readlink -f "$deb")"
[ "$(id -u)" = 0 ] || { echo "clean-root-check: must run as root (debootstrap, chroot)"; exit 2; }
command -v debootstrap >/dev/null || { echo "clean-root-check: apt-get install debootstrap"; exit 2; }
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
  local status
  status="$(unshare -n bash -s "$root" "$mode" "$top" <<'NETNS'
set -euo pipefail
root="$1"; mode="$2"; top="$3"
ip link set lo up
in=(chroot "$root" env -i PATH=/usr/sbin:/usr/bin:/sbin:/bin LANG=C.UTF-8)
# The service's command line, as its user (systemd is not running in the root).
"${in[@]}" setpriv --reuid=pipewright --regid=pipewright --init-groups env HOME=/var/lib/pipewright \
  /usr/bin/pipewright --headless --config /etc/pipewright/pipewright.json >"$top/$mode-server.log" 2>&1 &
server=$!
for _ in $(seq 150); do grep -q "^Pipewright listening on" "$top/$mode-server.log" && break; sleep 0.2; done
code="$(curl -s -o /dev/null -w '%{http_code}' --max-time 10 http://127.0.0.1:8888/ || true)"
echo "http=$code"
if [ "$mode" = recommends ]; then
  # The studio as a desktop user while the service holds 8888.
  mkdir -p "$root/tmp/desk-run"; chmod 0700 "$root/tmp/desk-run"; chown --reference="$root/home/desk" "$root/tmp/desk-run"
  "${in[@]}" setpriv --reuid=desk --regid=desk --init-groups env HOME=/home/desk USER=desk XDG_RUNTIME_DIR=/tmp/desk-run \
    xvfb-run -a -n 42 -s "-screen 0 1600x1000x24" bash -c '
      shot() { gst-launch-1.0 -q ximagesrc num-buffers=1 use-damage=false ! videoconvert ! pngenc ! filesink location="$1" >>/tmp/shot.log 2>&1 || true; }
      pipewright >/tmp/studio.log 2>&1 & p=$!
      for i in $(seq 200); do grep -q "studio window open" /tmp/studio.log && break; sleep 0.2; done
      sleep 4
      shot /tmp/studio.png
      # The template gallery shows on an empty canvas: click its first card (Player -> Recorder),
      # the middle of the window left of centre and a little above it.
      eval "$(xdotool search --sync --onlyvisible --name Pipewright getwindowgeometry --shell 2>/dev/null | head -6)" || true
      if [ -n "${WIDTH:-}" ]; then
        xdotool mousemove $((X + WIDTH / 2 - 170)) $((Y + HEIGHT / 2 - 60)) click 1 || true
        sleep 5
        shot /tmp/studio-template.png
      fi
      kill $p; wait $p || true' >/dev/null 2>&1 || true
  cp "$root/tmp/studio.log" "$top/$mode-studio.log" 2>/dev/null || true
  cp "$root/tmp/studio.png" "$top/studio-$mode.png" 2>/dev/null || true
  cp "$root/tmp/studio-template.png" "$top/studio-$mode-template.png" 2>/dev/null || true
  echo "studio=$(sed -n 's/^Pipewright listening on //p' "$top/$mode-studio.log" 2>/dev/null | head -1)"
  echo "moved=$(grep -c "port 8888 is in use" "$top/$mode-studio.log" 2>/dev/null || true)"
fi
kill "$server" 2>/dev/null || true
wait "$server" 2>/dev/null || true
NETNS
)"
  local http; http="$(sed -n 's/^http=//p' <<<"$status")"
  [ "$http" = 200 ] || { cat "$top/$mode-server.log"; die "[$mode] GET http://127.0.0.1:8888/ answered '$http'"; }
  step "[$mode] headless server as user pipewright with the packaged config: GET http://127.0.0.1:8888/ -> 200"
  if [ "$mode" = recommends ]; then
    local studio moved
    studio="$(sed -n 's/^studio=//p' <<<"$status")"; moved="$(sed -n 's/^moved=//p' <<<"$status")"
    [ -n "$studio" ] && [ "$moved" = 1 ] || { cat "$top/$mode-studio.log" 2>/dev/null; die "[$mode] the studio did not open on another port"; }
    step "[$mode] studio as user desk under Xvfb, service on 8888: listens on $studio and says so"
    [ -s "$top/studio-$mode.png" ] && step "[$mode] screenshot: $top/studio-$mode.png" || step "[$mode] (no screenshot taken)"
    [ -s "$top/studio-$mode-template.png" ] && step "[$mode] after clicking the first template: $top/studio-$mode-template.png (look at it)"
  fi
  cleanup; mounted=()
  step "[$mode] PASS in $((SECONDS - t0)) s"
}

total=$SECONDS
for mode in ${PW_MODES:-no-recommends recommends}; do run_mode "$mode"; done
step "all PASS ($(basename "$deb"), $((SECONDS - total)) s after the base root)"
