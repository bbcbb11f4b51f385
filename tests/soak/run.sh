#!/usr/bin/env bash
# Runs the soak test inside a private network namespace where only loopback exists (network rule).
# SOAK_CYCLES (default 500) and SOAK_PARALLEL (default 4) tune it; 10000 for a long run.
set -euo pipefail
cd "$(dirname "$0")/.."
if ! unshare -n true 2>/dev/null; then
  echo "soak: cannot create a private network namespace (run as root); skipping"
  exit 77
fi
exec unshare -n sh -c 'ip link set lo up && exec node --test --test-concurrency=1 soak/'
