#!/usr/bin/env bash
# Installs what is missing, builds, and starts Pipewright. Without a display it runs the
# headless server. Extra arguments go to pipewright (e.g. --port 8890).
set -euo pipefail
cd "$(dirname "$0")/.."
scripts/setup.sh
args=("$@")
if [ -z "${DISPLAY:-}" ] && [ -z "${WAYLAND_DISPLAY:-}" ]; then args=(--headless "${args[@]}"); fi
exec build/app/pipewright "${args[@]}"
