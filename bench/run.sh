#!/usr/bin/env bash
# Pipewright WebRTC loopback benchmark against Janus EchoTest (see bench/README.md).
#
#   bench/run.sh [--sessions 1,4,8] [--seconds 20] [--server /path/to/pipewright] [driver options]
#
# Runs bench/driver.py inside a private network namespace (`unshare -n`), so every packet -
# signalling, ICE, DTLS, RTP - stays on 127.0.0.1. Needs root (or CAP_SYS_ADMIN).
# Not a test: never add it to ctest. On a shared machine wrap it in the team's lock:
#   flock /tmp/pw-heavy.lock bench/run.sh ...
set -euo pipefail
here="$(cd "$(dirname "$0")" && pwd)"
repo="$(dirname "$here")"
server="$repo/build/app/pipewright"
args=()
while [ $# -gt 0 ]; do
  case "$1" in
    --server) server="$2"; shift 2 ;;
    --server=*) server="${1#--server=}"; shift ;;
    -h|--help) sed -n '2,9p' "$0"; exec /usr/bin/python3 "$here/driver.py" --server x --help ;;
    *) args+=("$1"); shift ;;
  esac
done
server="$(realpath "$server")"
[ -x "$server" ] || { echo "bench: no server binary at $server (build it, or pass --server)" >&2; exit 2; }
command -v janus >/dev/null || { echo "bench: janus is missing: run bench/setup.sh" >&2; exit 2; }
/usr/bin/python3 -c 'import gi, websockets' 2>/dev/null || { echo "bench: python3-gi or python3-websockets missing: run bench/setup.sh" >&2; exit 2; }
if ! unshare -n true 2>/dev/null; then
  echo "bench: cannot create a private network namespace (run as root)" >&2
  exit 2
fi
# `python3` on PATH may be a pyenv shim without gi: always Debian's interpreter.
# Inside the namespace: lo up, plus a veth pair that carries 127.0.0.1 too, because Janus skips
# interfaces flagged LOOPBACK when it gathers ICE candidates (see janus/janus.jcfg.in). The pair
# exists only in this namespace and has no other address (IPv6 link-local generation is off).
exec unshare -n /bin/sh -c '
  set -e
  ip link set lo up
  ip link add pwbench0 type veth peer name pwbench1
  for d in pwbench0 pwbench1; do ip link set dev $d addrgenmode none; ip link set dev $d up; done
  ip addr add 127.0.0.1/32 dev pwbench0
  exec /usr/bin/python3 "$0" "$@"' \
  "$here/driver.py" --server "$server" "${args[@]}"
