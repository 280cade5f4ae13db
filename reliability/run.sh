#!/usr/bin/env bash
# The reliability suite at full size (issue "Reliability and security suite"). Run via
# `make reliability`. `make test` runs the same tests in a short form.
#   1. The reliability, security and hardening suites (Tests/CLITests, see FILTER) with
#      CALLARCHIVE_RELIABILITY=full: SIGKILL crash trials aimed at each phase of a call, a
#      2,000-call fault soak, disk full, read-only archive, 3 processes at once, bad catalogs,
#      token/symlink/SQL checks, signals, import, not-audio files, download claims, reports;
#      on PostgreSQL (a throw-away server): 3 fetch processes with the server killed mid-run and
#      restarted, and a 100,000-call `catalog copy` killed and resumed.
#   2. Fuzz (Sources/Fuzz, release build): FUZZ_COUNT inputs (default 1,000,000) for each
#      parser, one process per target, so a crash or a hang is counted against its target.
#   3. FuzzChecker (Sources/FuzzChecker, libFuzzer, coverage-guided): the whole-file checker for
#      FUZZ_SECONDS (default 120), seeded with the MP3 fixtures (reliability/fuzz-checker.sh).
# Prints the commit and command measured, then a table of the figures; every figure in it is
# measured by this run. Exits non-zero when anything failed.
set -uo pipefail
cd "$(dirname "$0")/.."
SWIFT=${SWIFT:-swift}
FUZZ_COUNT=${FUZZ_COUNT:-1000000}
FUZZ=${FUZZ:-.build-release/release/Fuzz}
FILTER='ReliabilityTests|PostgresReliabilityTests|SecurityTests|HardeningTests|LongCommandSignalTests|FileNameCollisionTests|ImportTests|NotAudioTests|DownloadClaimsTests|ReportsCLITests'
report=$(mktemp)
log=$(mktemp)
fuzz_err=$(mktemp)
trap 'rm -f "$report" "$log" "$fuzz_err"' EXIT

commit=$(git rev-parse HEAD 2>/dev/null || echo "unknown (not a git checkout)")
[ -n "$(git status --porcelain 2>/dev/null)" ] && commit="$commit dirty"
echo "commit: $commit"
echo "command: $0${*:+ $*} (SWIFT=$SWIFT FUZZ=$FUZZ FUZZ_COUNT=$FUZZ_COUNT)"
echo "tests: $SWIFT test --skip-build --no-parallel --filter '$FILTER' with CALLARCHIVE_RELIABILITY=full"
echo

started=$(date +%s)
CALLARCHIVE_RELIABILITY=full CALLARCHIVE_RELIABILITY_REPORT="$report" \
  $SWIFT test --skip-build --no-parallel --filter "$FILTER" >"$log" 2>&1
tests_status=$?
tests_seconds=$(( $(date +%s) - started ))
results=$(grep -E '^(✔ Test .* passed|✘ Test .* failed) after [0-9.]+ seconds' "$log" | grep -v '^. Test run with')
echo "$results" | sed 's/^/  /'
tests_passed=$(echo "$results" | grep -c '^✔')
tests_failed=$(echo "$results" | grep -c '^✘')
[ "$tests_passed" -gt 0 ] || { tests_status=1; echo "reliability: no test ran (filter: $FILTER)" >&2; }
[ "$tests_status" = 0 ] || { echo "reliability: test failures:" >&2; grep -E '✘|Expectation failed' "$log" >&2; }

# One Fuzz process per target: exit 70 is a crash, 71 a hang (the harness names the input).
fuzz_status=0
started=$(date +%s)
for target in json query header container; do
  : >"$fuzz_err"
  out=$("$FUZZ" --target "$target" --count "$FUZZ_COUNT" --json 2>"$fuzz_err")
  status=$?
  crashes=$(grep -c 'fuzz: CRASH' "$fuzz_err")
  hangs=$(grep -c 'fuzz: HANG' "$fuzz_err")
  [ "$status" = 0 ] || { fuzz_status=1; echo "reliability: fuzzing $target failed (exit $status):" >&2; cat "$fuzz_err" >&2; }
  FUZZ_OUT="$out" python3 -c '
import json, os, sys
target, status, crashes, hangs = sys.argv[1], int(sys.argv[2]), int(sys.argv[3]), int(sys.argv[4])
rows = [json.loads(l) for l in os.environ["FUZZ_OUT"].splitlines() if l.strip().startswith("{")]
if rows:
    r = rows[0]
    print("fuzz %s\tinputs %d, failures %d, crashes %d, hangs %d, slowest input %.1f ms, %.0f s, exit %d" % (
        r["target"], r["inputs"], r["failures"], crashes, hangs, r["slowest_us"] / 1000, r["seconds"], status))
else:
    print("fuzz %s\tno figures (stopped early), crashes %d, hangs %d, exit %d" % (target, crashes, hangs, status))
' "$target" "$status" "$crashes" "$hangs" >>"$report"
done
bash reliability/fuzz-checker.sh "$report" || fuzz_status=1
fuzz_seconds=$(( $(date +%s) - started ))

echo
echo "| check | figures |"
echo "| --- | --- |"
awk -F '\t' '{ printf "| %s | %s |\n", $1, $2 }' "$report"
echo
echo "tests: $([ "$tests_status" = 0 ] && echo passed || echo FAILED) ($tests_passed passed, $tests_failed failed) in ${tests_seconds} s;" \
  "fuzzing: $([ "$fuzz_status" = 0 ] && echo passed || echo FAILED) in ${fuzz_seconds} s"
[ "$tests_status" = 0 ] && [ "$fuzz_status" = 0 ]
