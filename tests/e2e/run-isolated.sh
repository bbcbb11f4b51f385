#!/usr/bin/env bash
# Runs node tests inside a private network namespace where only loopback exists, so every
# packet (signalling, ICE, DTLS, RTP) stays on 127.0.0.1 (network rule of the project).
# Usage: run-isolated.sh [folder under tests/, default e2e | test files…]  (the soak test uses "soak").
# Needs root (or CAP_SYS_ADMIN); elsewhere the tests are skipped (ctest code 77).
set -euo pipefail
cd "$(dirname "$0")/.."
folder="${1:-e2e}"
targets="'$folder/'"
case "$folder" in *.mjs) targets="$*" ;; esac
if ! unshare -n true 2>/dev/null; then
  echo "$folder: cannot create a private network namespace (run as root); skipping"
  exit 77
fi
exec unshare -n sh -c "ip link set lo up && exec node --test --test-concurrency=1 $targets"
