#!/usr/bin/env bash
# Installs what is missing (Debian packages, npm packages for the client tests) and builds
# Pipewright with the default CMake preset. Safe to run again: it only does what is needed.
# clang-14 and libclang-rt-14-dev (its ASan/UBSan/TSan runtimes and libFuzzer) are for the
# sanitizer tree and the fuzzers that scripts/test.sh builds (docs/testing.md).
set -euo pipefail
cd "$(dirname "$0")/.."

PACKAGES=(
  build-essential cmake ninja-build ccache pkg-config binutils file dpkg-dev
  qt6-base-dev qt6-base-dev-tools qt6-websockets-dev qt6-httpserver-dev qt6-declarative-dev qt6-declarative-dev-tools
  qt6-shadertools-dev qt6-qpa-plugins qml6-module-qtqml qml6-module-qtqml-models qml6-module-qtqml-workerscript
  qml6-module-qtquick qml6-module-qtquick-window qml6-module-qtquick-controls qml6-module-qtquick-templates
  qml6-module-qtquick-layouts qml6-module-qtquick-shapes qml6-module-qtquick-dialogs qml6-module-qt-labs-platform
  qml6-module-qt-labs-folderlistmodel
  qml6-module-qtcore qml6-module-qttest gstreamer1.0-gl gstreamer1.0-x gstreamer1.0-qt6
  xvfb xauth xdotool fontconfig libgl1-mesa-dri libglx-mesa0 libegl-mesa0
  libgstreamer1.0-dev libgstreamer-plugins-base1.0-dev libgstreamer-plugins-bad1.0-dev gstreamer1.0-tools
  gstreamer1.0-plugins-base gstreamer1.0-plugins-good gstreamer1.0-plugins-bad gstreamer1.0-plugins-ugly
  gstreamer1.0-libav gstreamer1.0-nice gstreamer1.0-plugins-base-apps
  gstreamer1.0-opencv opencv-data qrencode libssl-dev openssl libnice-dev libsrtp2-dev
  chromium iproute2 nftables util-linux fonts-dejavu-core
  clang-14 libclang-rt-14-dev
  python3-gi gir1.2-gstreamer-1.0 gir1.2-gst-plugins-base-1.0 gir1.2-gst-plugins-bad-1.0
)

missing=()
for p in "${PACKAGES[@]}"; do
  dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q "install ok installed" || missing+=("$p")
done
# Node.js: use the one on the machine; install Debian's only when there is none.
command -v node >/dev/null 2>&1 || missing+=(nodejs npm)
# npm also builds the tutorials' kurento-client/kurento-utils browser bundles (www/CMakeLists.txt).
if command -v node >/dev/null 2>&1 && ! command -v npm >/dev/null 2>&1; then
  echo "setup: node is installed without npm; install npm with that Node.js (or build with -DPIPEWRIGHT_WWW_BUNDLES=OFF)" >&2
fi

if ((${#missing[@]})); then
  echo "setup: installing ${missing[*]}"
  SUDO=""
  [ "$(id -u)" -eq 0 ] || SUDO="sudo"
  $SUDO apt-get update -qq
  DEBIAN_FRONTEND=noninteractive $SUDO apt-get install -y -qq --no-install-recommends "${missing[@]}" >/dev/null
fi

# npm packages of the Node tests (kurento-client needs --ignore-scripts, see tests/package.json).
if [ ! -d tests/node_modules ] || [ tests/package-lock.json -nt tests/node_modules/.package-lock.json ]; then
  echo "setup: installing npm packages for tests/"
  (cd tests && npm ci --no-audit --no-fund --ignore-scripts --loglevel=error)
fi

echo "setup: building"
[ -f build/CMakeCache.txt ] || cmake --preset default >/dev/null
cmake --build build --parallel "$(nproc)"
