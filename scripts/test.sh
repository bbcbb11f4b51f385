#!/usr/bin/env bash
# Installs what is missing, builds, and runs the whole test suite (unit, RPC over real
# WebSockets, real kurento-client, hardening). Extra arguments go to ctest (e.g. -R rpc).
set -euo pipefail
cd "$(dirname "$0")/.."
scripts/setup.sh
export XDG_RUNTIME_DIR="${XDG_RUNTIME_DIR:-$(mktemp -d /tmp/pw-xdg-XXXXXX)}"
chmod 700 "$XDG_RUNTIME_DIR"
cd build
exec ctest --output-on-failure --timeout 600 "$@"
