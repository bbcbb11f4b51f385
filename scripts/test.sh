#!/usr/bin/env bash
# Installs what is missing, builds, and runs the whole test suite (unit, RPC over real
# WebSockets, real kurento-client, hardening), then builds the sanitizer tree (`asan` preset:
# clang-14 with ASan+UBSan) and runs the unit and protocol tests under the sanitizers and every
# fuzzer for PIPEWRIGHT_FUZZ_SECONDS (default 60) each, then the threaded engine tests under
# ThreadSanitizer (`tsan` preset, build-tsan/) (docs/testing.md).
# Extra arguments go to both ctest runs (e.g. -R rpc).
# PIPEWRIGHT_SANITIZERS=0 skips the sanitizer tree (local runs only; CI runs it).
set -euo pipefail
cd "$(dirname "$0")/.."
scripts/setup.sh
export XDG_RUNTIME_DIR="${XDG_RUNTIME_DIR:-$(mktemp -d /tmp/pw-xdg-XXXXXX)}"
chmod 700 "$XDG_RUNTIME_DIR"

status=0
(cd build && ctest --output-on-failure --timeout 600 "$@") || status=$?

if [ "${PIPEWRIGHT_SANITIZERS:-1}" != 0 ]; then
  echo "test: sanitizer tree (build-asan: ASan+UBSan, fuzzers)"
  [ -f build-asan/CMakeCache.txt ] || cmake --preset asan >/dev/null
  cmake --build build-asan --parallel "$(nproc)"
  if [ "$#" -gt 0 ]; then
    (cd build-asan && ctest --output-on-failure --timeout 1800 "$@") || status=$?
  else
    # Everything but the fuzzing runs one test at a time; then the fuzzers, one per core (each
    # still fuzzes PIPEWRIGHT_FUZZ_SECONDS; two at once halve the wall time on 2 cores).
    (cd build-asan && ctest --output-on-failure --timeout 1800 -LE '^fuzz$') || status=$?
    (cd build-asan && ctest --output-on-failure --timeout 1800 -L '^fuzz$' -j "$(nproc)") || status=$?
  fi
  # ThreadSanitizer on the threaded engine (docs/testing.md, "ThreadSanitizer"): the lean media
  # path's media loops and ICE agents across threads (tst_ice_agent; the packet-level tests count
  # allocations with their own operator new, which TSan's runtime provides itself), and real
  # GStreamer pipelines whose streaming threads feed the engine thread (tst_media: players,
  # shared transcoders, recorders; tst_hubs: Composite, dispatchers, ports coming and going;
  # tst_reaper: teardown workers, EOS probes on streaming threads and waits overlapping).
  # Any report fails its test (halt_on_error=1).
  echo "test: ThreadSanitizer (build-tsan: unit.transport.ice_agent, unit.media, unit.hubs, unit.reaper)"
  [ -f build-tsan/CMakeCache.txt ] || cmake --preset tsan -DPIPEWRIGHT_BUILD_STUDIO=OFF >/dev/null
  cmake --build build-tsan --parallel "$(nproc)" --target tst_ice_agent tst_media tst_hubs tst_reaper
  (cd build-tsan && ctest --output-on-failure --timeout 600 -R '^unit\.(transport\.ice_agent|media|hubs|reaper)$') || status=$?
fi
exit "$status"
