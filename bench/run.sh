#!/usr/bin/env bash
# Benchmarks for callarchive (issue "Benchmarks"). Run via `make bench`, or directly:
#   bash bench/run.sh [--api-url URL] [--ids FILE] [--only fetch] [--slow-api-ms MS]
#   --api-url URL   measure fetch against this API instead of starting the simulator (ids from
#                   --ids; CALLARCHIVE_API_TOKEN is sent when set); memory and start-up, which
#                   need the simulator's special ids, are then left out
#   --ids FILE      the order ids to fetch (one a line; default: 300 the simulator serves, ~65 s)
#   --only fetch    only fetch_300 and fetch_slow_api; writes $BENCH_WORK/results-fetch.json and
#                   prints it, leaving BENCHMARKS.md and bench/results.json alone
#   --slow-api-ms   the metadata delay of fetch_slow_api (default 80)
# Needs: aria2c, mpg123, hyperfine, sqlite3, /usr/bin/time, python3 (with venv).
# Env: CALLARCHIVE_BIN / BENCHCATALOG_BIN override the binaries (default: the static release build
# in .build-dist that `make bench` and `make dist` make, else .build-release, else the debug build); BENCH_RUNS (5), BENCH_SEED_RUNS (3), BENCH_ROWS (1000000),
# BENCH_POSTGRES=0 skips the PostgreSQL benchmarks (bench/bench_postgres.py: a throw-away server in
# $BENCH_WORK/pg, search/stats/export against psql, three fetchers against one).
# Writes bench/results.json and BENCHMARKS.md. Scratch data lives in /tmp/callarchive-bench
# (the generated catalog is cached there between runs, keyed by row count).
set -euo pipefail
API_URL="" IDS="" ONLY=all
while [ $# -gt 0 ]; do
  case "$1" in
    --api-url) API_URL=$2; shift 2 ;;
    --ids) IDS=$(realpath "$2"); shift 2 ;;
    --only) ONLY=$2; shift 2 ;;
    --slow-api-ms) export BENCH_SLOW_API_MS=$2; shift 2 ;;
    *) echo "bench: unknown argument $1 (see the head of bench/run.sh)" >&2; exit 64 ;;
  esac
done
case "$ONLY" in all|fetch) ;; *) echo "bench: --only takes fetch" >&2; exit 64 ;; esac
if [ -n "$API_URL" ] && [ -z "$IDS" ]; then echo "bench: --api-url needs --ids FILE" >&2; exit 64; fi
export BENCH_ONLY=$ONLY BENCH_IDS=$IDS
cd "$(dirname "$0")/.."
started=$(date +%s)

if [ -z "${CALLARCHIVE_BIN:-}" ]; then
  if [ -x .build-dist/release/callarchive ]; then CALLARCHIVE_BIN=$PWD/.build-dist/release/callarchive
  elif [ -x .build-release/release/callarchive ]; then CALLARCHIVE_BIN=$PWD/.build-release/release/callarchive
  else CALLARCHIVE_BIN=$PWD/.build/debug/callarchive; echo "bench: WARNING no release build, using debug" >&2; fi
fi
if [ -z "${BENCHCATALOG_BIN:-}" ]; then
  BENCHCATALOG_BIN=$(dirname "$CALLARCHIVE_BIN")/BenchCatalog
fi
export CALLARCHIVE_BIN BENCHCATALOG_BIN
for tool in aria2c mpg123 hyperfine sqlite3 /usr/bin/time; do
  command -v "$tool" >/dev/null || { echo "bench: missing $tool (make bench installs it)" >&2; exit 1; }
done

# The seed needs aiohttp + backoff: a venv outside the repository.
VENV=${BENCH_VENV:-/tmp/callarchive-bench-venv}
if ! "$VENV/bin/python" -c 'import aiohttp, backoff' 2>/dev/null; then
  python3 -m venv "$VENV"
  "$VENV/bin/pip" install -q 'aiohttp>=3.7.4' 'backoff>=1.10.0'
fi
export BENCH_SEED_PYTHON=$VENV/bin/python

export BENCH_WORK=${BENCH_WORK:-/tmp/callarchive-bench}
mkdir -p "$BENCH_WORK"
if [ -n "$API_URL" ]; then
  export BENCH_API_URL=$API_URL BENCH_API_SERVER=given
else
  PORT=$(python3 -c 'import socket; s=socket.socket(); s.bind(("127.0.0.1", 0)); print(s.getsockname()[1])')
  # BIG001…BIG008 serve ~50 MB recordings (fault `long`) for the memory benchmark.
  BIG=(); for n in 1 2 3 4 5 6 7 8; do BIG+=(--fault "BIG00$n=long"); done
  "$CALLARCHIVE_BIN" simulate --host 127.0.0.1 --port "$PORT" --calls 10 "${BIG[@]}" >"$BENCH_WORK/simulator.log" 2>&1 &
  SIM_PID=$!
  export BENCH_SIM_PID=$SIM_PID
  trap 'kill "$SIM_PID" 2>/dev/null || true; wait "$SIM_PID" 2>/dev/null || true' EXIT
  for _ in $(seq 50); do curl -sf "http://127.0.0.1:$PORT/orders" >/dev/null && break; sleep 0.1; done
  export BENCH_API_URL=http://127.0.0.1:$PORT/calls BENCH_API_SERVER=simulator
fi

if [ "$ONLY" = fetch ]; then
  export BENCH_RESULTS=${BENCH_RESULTS:-$BENCH_WORK/results-fetch.json}
  python3 bench/bench.py
  python3 - "$BENCH_RESULTS" <<'PY'
import json, sys
r = json.load(open(sys.argv[1]))
print(f"commit {r['commit']}, API {r['api_server']['url']} ({r['api_server']['kind']})")
for b in r["benchmarks"]:
    m = b["measured"]
    base = "; ".join(f"{x['label']}: {x['median_s']:.3f} s" for x in b["baselines"])
    print(f"{b['name']}: {m['median_s']:.3f} s ({m['min_s']:.3f}-{m['max_s']:.3f}) vs {base}: "
          f"{b['ratio']:.2f}x, target {b['target']}: {'met' if b['met'] else 'NOT met'}")
PY
  exit 0
fi
export BENCH_RESULTS=${BENCH_RESULTS:-$PWD/bench/results.json}
export BENCH_COMMAND=${BENCH_COMMAND:-"bash bench/run.sh${BENCH_ROWS:+ (BENCH_ROWS=$BENCH_ROWS)}"}
BENCH_MD=${BENCH_MD:-$PWD/BENCHMARKS.md}
python3 bench/bench.py
python3 bench/render.py "$BENCH_RESULTS" "$BENCH_MD" "$(( $(date +%s) - started ))"
echo "bench: done in $(( $(date +%s) - started )) s; see BENCHMARKS.md" >&2
