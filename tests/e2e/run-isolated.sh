#!/usr/bin/env bash
# Runs the browser tests inside a private network namespace where only loopback exists, so
# every packet (signalling, ICE, DTLS, RTP) stays on 127.0.0.1 (network rule of the project).
# Needs root (or CAP_SYS_ADMIN); elsewhere the tests are skipped (ctest code 77).
set -euo pipefail
cd "$(dirname "$0")/.."
if ! unshare -n true 2>/dev/null; then
  echo "e2e: cannot create a private network namespace (run as root); skipping browser tests"
  exit 77
fi
exec unshare -n sh -c 'ip link set lo up && exec node --test --test-concurrency=1 e2e/'
