#!/usr/bin/env bash
# fail-on-reports.sh LOGDIR COMMAND...: runs COMMAND with every ASan/LSan/UBSan/TSan report
# written to LOGDIR (log_path), and fails when any report was written, even if COMMAND passed.
# For tests that start the server themselves (tests/rpc): a server's sanitizer report otherwise
# only shows as an exit code the test does not look at.
set -uo pipefail
logdir=$1
shift
rm -rf "$logdir"
mkdir -p "$logdir"
for var in ASAN_OPTIONS UBSAN_OPTIONS TSAN_OPTIONS; do
  export "$var=${!var:-}${!var:+:}log_path=$logdir/report"
done
"$@"
rc=$?
shopt -s nullglob
reports=("$logdir"/report*)
if ((${#reports[@]})); then
  echo "fail-on-reports: ${#reports[@]} sanitizer report(s) in $logdir:"
  for f in "${reports[@]}"; do
    echo "==== $f"
    head -c 20000 "$f"
  done
  exit 1
fi
exit $rc
