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
# The tutorial pages and, when the build made them (PIPEWRIGHT_WWW_BUNDLES), the browser bundles
# of kurento-client, kurento-utils and kurento-module-chroma they load; never the npm project
# behind them.
for f in ./usr/share/pipewright/www/hello-world.html ./usr/share/pipewright/www/kurento-tutorial.js \
  ./usr/share/pipewright/www/chroma.html ./usr/share/pipewright/www/chroma-background.png; do
  grep -q " $f\$" <<<"$contents" || fail "missing $f"
done
if [ -f "$build/www/kurento-client.js" ]; then
  for f in ./usr/share/pipewright/www/kurento-client.js ./usr/share/pipewright/www/kurento-utils.js \
    ./usr/share/pipewright/www/kurento-module-chroma.js; do
    grep -q " $f\$" <<<"$contents" || fail "missing $f (the tutorial bundles)"
  done
fi
! grep -Eq "/www/(bundle|CMakeLists\.txt)" <<<"$contents" || fail "ships www/bundle or www/CMakeLists.txt"
# Every QML module the studio needs (app/studio/QmlModules.cpp) is a dependency, and
# scripts/setup.sh installs it for the build and the tests.
depends="$(dpkg-deb -f "$deb" Depends)"
for p in $(grep -o 'qml6-module-[a-z0-9-]*' "$src/app/studio/QmlModules.cpp" | sort -u); do
  grep -Eq "(^|, )$p(,|$| )" <<<"$depends" || fail "Depends lacks $p (a QML module the studio loads)"
  grep -qw -- "$p" "$src/scripts/setup.sh" || fail "scripts/setup.sh does not install $p"
done
# Every element factory and QML module the code uses comes from a package in Depends/Recommends.
"$src/tests/packaging/check-depends.sh" "$deb" "$src"
# The package version is the project version, and the changelog's top entry names it.
version="$(sed -nE 's/^project\(Pipewright VERSION ([0-9.]+).*/\1/p' "$src/CMakeLists.txt")"
[ "$(dpkg-deb -f "$deb" Version)" = "$version" ] || fail "package version $(dpkg-deb -f "$deb" Version) is not the project's $version"
head -1 "$src/installers/debian/changelog" | grep -q "^pipewright ($version) " || fail "installers/debian/changelog does not start with $version"
for f in ./usr/share/doc/pipewright/copyright ./usr/share/doc/pipewright/changelog.gz; do
  grep -q " $f\$" <<<"$contents" || fail "missing $f"
done
dpkg-deb -e "$deb" "$out/control"
grep -qx "/etc/pipewright/pipewright.json" "$out/control/conffiles" || fail "config is not a conffile"
dpkg-deb -x "$deb" "$out/root"
"$src/tests/hardening/check-hardening.sh" --no-runpath "$out/root/usr/bin/pipewright"
# The copyright file is machine-readable (DEP-5) and the binary reports the package's version.
head -1 "$out/root/usr/share/doc/pipewright/copyright" |
  grep -qx "Format: https://www.debian.org/doc/packaging-manuals/copyright-format/1.0/" || fail "copyright is not DEP-5"
"$build/app/pipewright" --version | grep -Eq "^pipewright $version \(git ([0-9a-f]+|unknown)\)" ||
  fail "pipewright --version does not print $version and the git revision"
echo "package: OK ($(basename "$deb"))"
