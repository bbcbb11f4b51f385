#!/usr/bin/env bash
# fuzz/campaign.sh TARGET SECONDS         fuzz TARGET for SECONDS more, resuming its campaign
# fuzz/campaign.sh --merge TARGET         add the campaign's new coverage to fuzz/corpus/TARGET
# fuzz/campaign.sh --total [TARGET]       executions so far, per target, from the ledger
#
# A long campaign (docs/testing.md) is a series of runs on one growing corpus that outlives each
# run: $PIPEWRIGHT_CAMPAIGN_DIR/TARGET/corpus (default /var/tmp/pipewright-fuzz), seeded from
# fuzz/corpus/TARGET on the first run. Each run appends a line to fuzz/campaigns.tsv (commit it):
# date, target, source commit, build tree, seconds, executions, executions/s, corpus files, result.
# The executions of a campaign are the sum of its lines.
#
# Binaries come from $PIPEWRIGHT_FUZZ_BUILD (default build-fuzz: `cmake --preset fuzz`, UBSan
# only, several times faster than ASan). A campaign in that tree is only half the proof: merge
# its corpus (--merge) and the `fuzz.TARGET.regressions` ctest of the asan tree replays every
# input under ASan+UBSan, in CI too.
#
# A crash, timeout, leak or broken invariant ends the run with its input in
# $PIPEWRIGHT_CAMPAIGN_DIR/TARGET/artifacts/ and result "found" in the ledger; fix it, commit
# the input to fuzz/regressions/TARGET/ (docs/testing.md "Regressions").
set -euo pipefail
root=$(cd "$(dirname "$0")/.." && pwd)
build=${PIPEWRIGHT_FUZZ_BUILD:-$root/build-fuzz}
state=${PIPEWRIGHT_CAMPAIGN_DIR:-/var/tmp/pipewright-fuzz}
ledger=$root/fuzz/campaigns.tsv

usage() { sed -n '2,4p' "$0" | sed 's/^# //' >&2; exit 2; }

total() {
  [ -f "$ledger" ] || { echo "no campaign yet ($ledger)"; return; }
  awk -F'\t' -v want="${1:-}" 'NR > 1 && (want == "" || $2 == want) {
      execs[$2] += $6; secs[$2] += $5; runs[$2]++; if ($9 != "clean") found[$2]++ }
    END { for (t in execs) printf "%-20s %12d executions in %d runs, %.1f h%s\n", t, execs[t], runs[t], secs[t] / 3600,
                                 found[t] ? sprintf(", %d run(s) ended on a finding", found[t]) : "" }' "$ledger" | sort
}

# launch TARGET COMMAND...: fuzz_jsonrpc's requests name arbitrary hosts, so it runs with only
# loopback, in a private network namespace (root); the others as they are.
launch() {
  local target=$1
  shift
  if [ "$target" = fuzz_jsonrpc ]; then
    unshare -n sh -c 'ip link set lo up && exec "$@"' sh "$@"
  else
    "$@"
  fi
}

case "${1:-}" in
  --total) total "${2:-}"; exit 0 ;;
  --merge)
    target=${2:-}; [ -n "$target" ] || usage
    [ -d "$state/$target/corpus" ] || { echo "no campaign corpus for $target in $state" >&2; exit 1; }
    before=$(ls "$root/fuzz/corpus/$target" | wc -l)
    # -merge=1 keeps only the inputs that add coverage to what the committed corpus has; edges
    # only (-use_counters=0), so that the committed corpus stays small.
    launch "$target" "$build/fuzz/$target" -merge=1 -use_counters=0 -rss_limit_mb=4096 \
      "$root/fuzz/corpus/$target" "$state/$target/corpus" 2>&1 | tail -3
    echo "$target: fuzz/corpus/$target $before → $(ls "$root/fuzz/corpus/$target" | wc -l) files"
    exit 0
    ;;
  -*|"") usage ;;
esac

target=$1 seconds=${2:-}
[[ "$seconds" =~ ^[0-9]+$ ]] || usage
binary=$build/fuzz/$target
[ -f "$build/CMakeCache.txt" ] || { echo "no fuzz tree in $build: cmake --preset fuzz" >&2; exit 1; }
# Built from the sources of this run, so that the ledger's commit is the code that ran (the build
# lock keeps it from racing another build of the machine).
flock "${PIPEWRIGHT_BUILD_LOCK:-/tmp/pw-build.lock}" cmake --build "$build" --target "$target" >/dev/null ||
  { echo "$target does not build in $build" >&2; exit 1; }
dir=$state/$target
mkdir -p "$dir/corpus" "$dir/artifacts"
if [ -z "$(ls -A "$dir/corpus")" ]; then cp "$root/fuzz/corpus/$target"/* "$dir/corpus/"; fi

cmd=("$binary" -max_total_time="$seconds" -error_exitcode=1 -timeout=30 -rss_limit_mb=4096 -max_len=16384
     -print_final_stats=1 -artifact_prefix="$dir/artifacts/" "$dir/corpus")
commit=$(git -C "$root" rev-parse --short HEAD)$(git -C "$root" diff --quiet HEAD -- engine rpc fuzz ':!fuzz/campaigns.tsv' ':!fuzz/corpus' || echo +dirty)
log=$dir/run-$(date +%Y%m%d-%H%M%S).log
echo "$target: fuzzing for ${seconds}s from $(ls "$dir/corpus" | wc -l) inputs; log $log"
status=0
launch "$target" "${cmd[@]}" >"$log" 2>&1 || status=$?

execs=$(sed -n 's/^stat::number_of_executed_units: *//p' "$log" | tail -1)
elapsed=$(sed -n 's/^Done [0-9]* runs in \([0-9]*\) second.*/\1/p' "$log" | tail -1)
if [ -z "$execs" ]; then
  # A finding ends libFuzzer before its final stats: take the last status line.
  execs=$(grep -oE '^#[0-9]+' "$log" | tail -1 | tr -d '#')
fi
execs=${execs:-0}
elapsed=${elapsed:-$seconds}
result=clean
((status == 0)) || result=found
[ -f "$ledger" ] || printf 'date\ttarget\tcommit\tbuild\tseconds\texecutions\texec_per_s\tcorpus_files\tresult\n' >"$ledger"
printf '%s\t%s\t%s\t%s\t%s\t%s\t%s\t%s\t%s\n' "$(date -u +%Y-%m-%dT%H:%MZ)" "$target" "$commit" "$(basename "$build")" \
  "$elapsed" "$execs" "$((execs / (elapsed > 0 ? elapsed : 1)))" "$(ls "$dir/corpus" | wc -l)" "$result" >>"$ledger"
echo "$target: $execs executions in ${elapsed}s ($result)"
total "$target"
if [ "$result" != clean ]; then
  tail -40 "$log"
  echo "the input is in $dir/artifacts/" >&2
fi
exit "$status"
