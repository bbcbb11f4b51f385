#!/usr/bin/env bash
# Builds the Debian package from the build tree and checks it: named exactly "pipewright",
# ships the binary (hardened), the systemd unit, the default config as a conffile.
set -euo pipefail
build="$1"; src="$(cd "$(dirname "$0")/../.." && pwd)"
out="$(mktemp -d)"; trap 'rm -rf "$out"' EXIT
(cd "$build" && cpack -G DEB -B "$out" >/dev/null)
deb="$(ls "$out"/*.deb)"
fail() { echo "package: $*"; exit 1; }
[ "$(dpkg-deb -f "$deb" Package)" = "pipewright" ] || fail "package name is not 'pipewright'"
contents="$(dpkg-deb -c "$deb")"
for f in ./usr/bin/pipewright ./usr/lib/systemd/system/pipewright.service ./etc/pipewright/pipewright.json \
         ./usr/share/applications/io.pipewright.Pipewright.desktop; do
  grep -q " $f\$" <<<"$contents" || fail "missing $f"
done
dpkg-deb -e "$deb" "$out/control"
grep -qx "/etc/pipewright/pipewright.json" "$out/control/conffiles" || fail "config is not a conffile"
dpkg-deb -x "$deb" "$out/root"
"$src/tests/hardening/check-hardening.sh" --no-runpath "$out/root/usr/bin/pipewright"
echo "package: OK ($(basename "$deb"))"
