#!/usr/bin/env bash
# run-fuzzer.sh [--isolated] --fuzz   BINARY CORPUS WORKDIR   fuzz for $PIPEWRIGHT_FUZZ_SECONDS (60)
# run-fuzzer.sh [--isolated] --replay BINARY CORPUS REGRESSIONS  run every saved input once
#
# --fuzz copies the committed CORPUS into WORKDIR/corpus and fuzzes there (new inputs stay in
# the build tree; merge them into fuzz/corpus by hand, docs/testing.md). A crash, leak, timeout
# or sanitizer report fails the run (-error_exitcode=1: libFuzzer's default 77 is ctest's skip code here); the input is saved as WORKDIR/artifacts/crash-<sha1>.
# --isolated runs the target in a private network namespace with only loopback (unshare -n);
# where that is impossible (not root) the test is skipped with code 77.
set -euo pipefail
isolated=0
if [ "${1:-}" = --isolated ]; then isolated=1; shift; fi
mode=$1 binary=$2 corpus=$3 dir=$4
name=$(basename "$binary")

run() {
  if ((isolated)); then
    if ! unshare -n true 2>/dev/null; then
      echo "$name: cannot create a private network namespace (run as root); skipping"
      exit 77
    fi
    unshare -n sh -c 'ip link set lo up && exec "$@"' sh "$@"
  else
    "$@"
  fi
}

case $mode in
  --fuzz)
    seconds=${PIPEWRIGHT_FUZZ_SECONDS:-60}
    rm -rf "$dir/corpus"
    mkdir -p "$dir/corpus" "$dir/artifacts"
    cp "$corpus"/* "$dir/corpus/"
    echo "$name: fuzzing for ${seconds}s (PIPEWRIGHT_FUZZ_SECONDS), corpus $dir/corpus"
    run "$binary" -max_total_time="$seconds" -error_exitcode=1 -timeout=30 -rss_limit_mb=4096 -max_len=16384 \
        -print_final_stats=1 -artifact_prefix="$dir/artifacts/" "$dir/corpus"
    ;;
  --replay)
    shopt -s nullglob
    inputs=("$corpus"/* "$dir"/*)
    echo "$name: replaying ${#inputs[@]} inputs (corpus and regressions)"
    run "$binary" -error_exitcode=1 -timeout=30 -rss_limit_mb=4096 "${inputs[@]}"
    ;;
  *)
    echo "usage: $0 [--isolated] --fuzz|--replay BINARY CORPUS DIR" >&2
    exit 2
    ;;
esac
