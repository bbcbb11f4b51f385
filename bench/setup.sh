#!/usr/bin/env bash
# Installs what bench/run.sh needs, from Debian only: Janus (the baseline), GStreamer with
# webrtcbin and libnice, Python GObject introspection and the asyncio WebSocket library.
set -euo pipefail
pkgs=(janus python3-gi python3-websockets gir1.2-gstreamer-1.0 gir1.2-gst-plugins-base-1.0
      gir1.2-gst-plugins-bad-1.0 gstreamer1.0-tools gstreamer1.0-plugins-base gstreamer1.0-plugins-good
      gstreamer1.0-plugins-bad gstreamer1.0-nice iproute2 util-linux)
missing=()
for p in "${pkgs[@]}"; do
  dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q 'install ok installed' || missing+=("$p")
done
if [ ${#missing[@]} -eq 0 ]; then
  echo "bench: all packages present"
  exit 0
fi
echo "bench: installing ${missing[*]}"
apt-get update
DEBIAN_FRONTEND=noninteractive apt-get install -y --no-install-recommends "${missing[@]}"
# Debian's janus package may ship a service; the benchmark starts its own private instance.
if command -v systemctl >/dev/null && systemctl is-enabled janus >/dev/null 2>&1; then
  echo "bench: note: a system-wide janus service is enabled; the benchmark does not use it"
fi
