#!/usr/bin/env bash
# Coverage-guided fuzzing of the whole-file checker with libFuzzer (Sources/FuzzChecker),
# seeded with the MP3 fixtures. Run by reliability/run.sh; needs the build that
# `make reliability` makes in .build-fuzz. Appends one row of measured figures to the report
# file given as $1 and exits non-zero when an input broke a property or crashed the checker.
#   FUZZ_SECONDS (default 120): how long libFuzzer runs.
set -uo pipefail
cd "$(dirname "$0")/.."
report=${1:?usage: fuzz-checker.sh REPORT}
seconds=${FUZZ_SECONDS:-120}
corpus=$(mktemp -d)
findings=$(mktemp -d)
log=$(mktemp)
trap 'rm -rf "$corpus" "$log"' EXIT
cp Tests/AudioCheckTests/Fixtures/*.mp3 "$corpus"/
seeds=$(ls "$corpus" | wc -l)
.build-fuzz/release/FuzzChecker "$corpus" -max_total_time="$seconds" -max_len=262144 -timeout=10 \
  -print_final_stats=1 -artifact_prefix="$findings/" >"$log" 2>&1
status=$?
done_line=$(grep -E '^#[0-9]+[[:space:]]+DONE' "$log" | tail -1)
runs=$(grep -E '^stat::number_of_executed_units' "$log" | awk '{print $2}')
cov=$(echo "$done_line" | sed -nE 's/.*cov: ([0-9]+).*/\1/p')
ft=$(echo "$done_line" | sed -nE 's/.*ft: ([0-9]+).*/\1/p')
corpus_files=$(ls "$corpus" | wc -l)
found=$(ls "$findings" | wc -l)
printf 'fuzz whole-file checker (libFuzzer, %s s)\truns %s, Swift edges covered %s, features %s, corpus %s files from %s seeds, inputs that broke a property or crashed %s\n' \
  "$seconds" "${runs:-0}" "${cov:-0}" "${ft:-0}" "$corpus_files" "$seeds" "$found" >>"$report"
if [ "$status" != 0 ] || [ "$found" != 0 ]; then
  echo "fuzz-checker: libFuzzer exited $status; inputs kept in $findings" >&2
  grep -E 'ERROR|Fatal error|SUMMARY' "$log" | head -5 >&2
  exit 1
fi
rm -rf "$findings"
