#!/usr/bin/env python3
"""Runs the callarchive benchmarks against a loopback simulator and writes bench/results.json.

Called by bench/run.sh, which starts the simulator and passes its URL. Everything talks only to
127.0.0.1; every request loop is bounded. Timing: time.perf_counter around a whole process
(fork+exec to exit), hyperfine for the start-up benchmark.
"""
import concurrent.futures
import datetime
import http.client
import json
import os
import platform
import random
import re
import resource
import shutil
import statistics
import subprocess
import sys
import time
import urllib.parse

import bench_postgres

BIN = os.environ["CALLARCHIVE_BIN"]
# Times in UTC, so call_in_local is the stored time and the sqlite3 baseline can compute it.
os.environ["TZ"] = "UTC"
os.environ.pop("CALLARCHIVE_TZ", None)
GEN = os.environ["BENCHCATALOG_BIN"]
API = os.environ["BENCH_API_URL"]            # http://127.0.0.1:PORT/calls, or the one given with --api-url
# "simulator" when run.sh started `callarchive simulate` on loopback; else the user's own server.
SERVER = os.environ.get("BENCH_API_SERVER", "simulator")
IDS_FILE = os.environ.get("BENCH_IDS", "")     # order ids to fetch (--ids); else picked from the simulator
ONLY = os.environ.get("BENCH_ONLY", "all")     # "fetch": the fetch benchmarks only
SLOW_MS = int(os.environ.get("BENCH_SLOW_API_MS", "80"))
SEED_PY = os.environ["BENCH_SEED_PYTHON"]
WORK = os.environ.get("BENCH_WORK", "/tmp/callarchive-bench")
OUT = os.environ.get("BENCH_RESULTS", os.path.join(os.path.dirname(__file__), "results.json"))
ROWS = int(os.environ.get("BENCH_ROWS", "1000000"))
RUNS = int(os.environ.get("BENCH_RUNS", "5"))
SEED_RUNS = int(os.environ.get("BENCH_SEED_RUNS", "3"))
SEED_BUDGET = float(os.environ.get("BENCH_SEED_BUDGET_S", "330"))
N_CALLS = int(os.environ.get("BENCH_CALLS", "300"))
HERE = os.path.dirname(os.path.abspath(__file__))
T0 = time.perf_counter()
u = urllib.parse.urlsplit(API)
HOST, PORT = u.hostname, u.port
assert SERVER != "simulator" or HOST == "127.0.0.1", "the simulator benchmarks only talk to loopback"

results = {"benchmarks": []}


def log(msg):
    print(f"[bench {time.perf_counter() - T0:6.1f}s] {msg}", file=sys.stderr, flush=True)


SIM_PID = int(os.environ.get("BENCH_SIM_PID", "0"))
CPU = {}  # command label -> [(own CPU s, simulator CPU s)] per run


def sim_cpu():
    """CPU seconds the simulator process has used so far (0 when unknown)."""
    try:
        fields = open(f"/proc/{SIM_PID}/stat").read().rsplit(")", 1)[1].split()
        return (int(fields[11]) + int(fields[12])) / os.sysconf("SC_CLK_TCK")
    except (OSError, IndexError, ValueError):
        return 0.0


def run_timed(cmd, shell=False, setup=None, stdout=subprocess.DEVNULL, check=True, cpu_label=None):
    if setup:
        setup()
    before, sim_before = resource.getrusage(resource.RUSAGE_CHILDREN), sim_cpu()
    t = time.perf_counter()
    p = subprocess.run(cmd, shell=shell, stdout=stdout, stderr=subprocess.PIPE)
    dt = time.perf_counter() - t
    after = resource.getrusage(resource.RUSAGE_CHILDREN)
    if cpu_label:
        own = (after.ru_utime - before.ru_utime) + (after.ru_stime - before.ru_stime)
        CPU.setdefault(cpu_label, []).append((own, sim_cpu() - sim_before))
    if check and p.returncode != 0:
        raise RuntimeError(f"{cmd!r} exited {p.returncode}: {p.stderr.decode(errors='replace')[-500:]}")
    return dt


def cpu_summary(label):
    runs = CPU.get(label, [])
    return {"own_cpu_s": statistics.median(r[0] for r in runs), "simulator_cpu_s": statistics.median(r[1] for r in runs)} if runs else {}


def series(cmd, runs, shell=False, setup=None, warmup=0, cpu_label=None):
    for _ in range(warmup):
        run_timed(cmd, shell=shell, setup=setup)
    return [run_timed(cmd, shell=shell, setup=setup, cpu_label=cpu_label) for _ in range(runs)]


def alternating(specs, runs, warmup=0):
    """Times several commands round by round (A B C, B C A, ...), so that the drift of a noisy
    machine falls on all of them alike. `specs`: dicts of series() arguments. Returns one list
    of times per spec."""
    for spec in specs:
        for _ in range(warmup):
            run_timed(spec["cmd"], shell=spec.get("shell", False), setup=spec.get("setup"))
    times = [[] for _ in specs]
    for round_ in range(runs):
        for k in range(len(specs)):
            i = (round_ + k) % len(specs)
            spec = specs[i]
            times[i].append(run_timed(spec["cmd"], shell=spec.get("shell", False), setup=spec.get("setup"),
                                      cpu_label=spec.get("cpu_label")))
    return times


def summary(times):
    return {"runs": len(times), "median_s": statistics.median(times), "min_s": min(times),
            "max_s": max(times), "times_s": times}


def add(name, what, measured, baselines, target_ratio=None, target_abs_s=None, notes="", extra=None):
    entry = {"name": name, "what": what, "measured": measured, "baselines": baselines, "notes": notes}
    if target_ratio is not None:
        ref = max(b["median_s"] for b in baselines)
        entry["ratio"] = measured["median_s"] / ref
        entry["target"] = f"<= {target_ratio}x " + ("the slower baseline" if len(baselines) > 1 else "baseline")
        entry["met"] = entry["ratio"] <= target_ratio
    elif target_abs_s is not None:
        entry["target"] = f"<= {target_abs_s * 1000:.0f} ms"
        entry["met"] = measured["median_s"] <= target_abs_s
    if extra:
        entry.update(extra)
    results["benchmarks"].append(entry)
    log(f"{name}: {measured['median_s']:.3f}s ratio={entry.get('ratio')} met={entry.get('met')}")


# ---------------------------------------------------------------- probing the simulator
class Client:
    """Keep-alive GETs, one connection per scheme, host and port."""
    def __init__(self):
        self.conns = {}

    def get(self, url, headers=None):
        parts = urllib.parse.urlsplit(url)
        key = (parts.scheme, parts.hostname, parts.port)
        path = parts.path + (f"?{parts.query}" if parts.query else "")
        for attempt in range(3):
            try:
                if key not in self.conns:
                    cls = http.client.HTTPSConnection if parts.scheme == "https" else http.client.HTTPConnection
                    self.conns[key] = cls(parts.hostname, parts.port, timeout=30)
                self.conns[key].request("GET", path, headers=headers or {})
                r = self.conns[key].getresponse()
                return r.status, dict(r.getheaders()), r.read()
            except (OSError, http.client.HTTPException):
                self.conns.pop(key).close()
                if attempt == 2:
                    raise


def calls_of(payload):
    if isinstance(payload, list):
        return payload
    if isinstance(payload, dict):
        for k in ("data", "call", "calls"):
            if k in payload:
                return calls_of(payload[k])
        return [payload]
    return []


def probe(ids):
    """metadata + recording size (Range: bytes=0-0) for each id; single-call orders only."""
    client = Client()
    token = os.environ.get("CALLARCHIVE_API_TOKEN")
    out = []
    for oid in ids:
        meta = API.replace("{order_id}", oid) if "{order_id}" in API else f"{API.rstrip('/')}/{oid}"
        headers = {"Accept": "application/json", **({"Authorization": f"Bearer {token}"} if token else {})}
        st, _, body = client.get(meta, headers)
        if st != 200:
            continue
        calls = calls_of(json.loads(body))
        if len(calls) != 1 or not calls[0].get("recording_url"):
            continue
        url = urllib.parse.urljoin(API, calls[0]["recording_url"])
        st, h, _ = client.get(url, {"Range": "bytes=0-0"})
        m = re.search(r"/(\d+)$", h.get("Content-Range", ""))
        if st == 206 and m:
            out.append((oid, url, int(m.group(1)), meta))
    return out


def pick_ids():
    """Deterministic candidate ids; keep the 300 single-call orders whose recording is nearest
    65 s (32 kbps -> 4000 bytes/s)."""
    if IDS_FILE:
        ids = [line.split(",")[0].strip() for line in open(IDS_FILE) if line.strip() and not line.startswith("#")]
        found = probe(ids)
        return found, found[:N_CALLS]
    rng = random.Random(20250220)
    alphabet = "ABCDEFGHJKLMNPQRSTUVWXYZ23456789"
    cands = sorted({"".join(rng.choice(alphabet) for _ in range(6)) for _ in range(int(os.environ.get("BENCH_PROBE", "9000")))})
    chunks = [cands[i::4] for i in range(4)]
    with concurrent.futures.ThreadPoolExecutor(4) as ex:
        found = [x for part in ex.map(probe, chunks) for x in part]
    near = sorted(found, key=lambda x: (abs(x[2] / 4000 - 65), x[0]))[:N_CALLS]
    return found, near


# ---------------------------------------------------------------- benchmarks
SEARCHES = [
    ("store", ["store:MI-001"]),
    ("agent", ["agent:marcus"]),
    ("store_and_agent", ["store:MI-001", "agent:marcus"]),
    ("negation", ["-verdict:valid", "-store:MI"]),
    ("date_range", ["date:2025-02-01..2025-02-07"]),
    ("full_text", ["priya"]),
    ("miss", ["store:nosuchstore"]),
]


EXPORT_REALS = {"call_seconds", "audio_seconds", "bitrate_kbps", "silence_seconds", "longest_silence_seconds",
                "leading_silence_seconds", "peak_dbfs", "loudness_lufs"}


def export_selection(cols, real, local):
    """The export's columns as a baseline's SELECT list, read as export reads them: reals to three
    decimals through `real` (a format of the column name), tags and notes from their own table,
    and call_in_local, which is computed, not stored: in UTC (the benchmark runs with TZ=UTC)
    the stored time with a +00:00 offset, the SQL expression `local`."""
    annotation = "COALESCE((SELECT a.{0} FROM annotations a WHERE a.order_id = calls.order_id AND a.call_index = calls.call_index), '') AS {0}"
    return ", ".join(real.format(c) if c in EXPORT_REALS else f"{local} AS call_in_local" if c == "call_in_local"
                     else annotation.format(c) if c in ("tags", "notes") else c for c in cols)


def printed_sql(cmd):
    """The SQL a callarchive command runs, its values written in (its hidden --print-sql)."""
    return subprocess.run(cmd + ["--print-sql"], capture_output=True, text=True, check=True).stdout


def search_sets(cat_dir, cat, rows):
    """Each kind of search (--limit 50, whole process) against sqlite3 running the same SQL."""
    for label, words in SEARCHES:
        cmd = [BIN, "search", "--archive", cat_dir, *words, "--limit", "50"]
        sql = printed_sql(cmd)
        baseline = ["sqlite3", "-readonly", cat, sql]
        hits = len(subprocess.run(cmd[:-2] + ["--format", "jsonl", "--fields", "order_id"], capture_output=True, text=True).stdout.splitlines())
        log(f"search {label}")
        t_search, t_sql = alternating([dict(cmd=cmd), dict(cmd=baseline)], max(RUNS, 20), warmup=3)
        add(f"search_{label}", f"search {' '.join(words)} --limit 50 on {rows:,} rows ({hits:,} matches), whole process",
            dict(summary(t_search), command=" ".join(cmd)),
            [dict(summary(t_sql), label="sqlite3, the same SQL", command="sqlite3 -readonly CATALOG '<the same SQL>'", sql=sql.strip())],
            target_abs_s=0.025, extra={"ratio": statistics.median(t_search) / statistics.median(t_sql)})


def fresh(d):
    return lambda: (shutil.rmtree(d, ignore_errors=True), os.makedirs(d))


def bench_fetch(near, dataset, arch, ids_file, urls_file):
    """fetch_300: callarchive against aria2c (download only) and two mpg123 -t (decode only)."""
    aria = os.path.join(WORK, "aria-dir")

    fetch_cmd = [BIN, "fetch", "--api-url", API, "--archive", arch, "--jobs", "4", "--input", ids_file, "-q"]
    aria_cmd = ["aria2c", "-j4", "-i", urls_file, "-d", aria, "-q", "--file-allocation=none",
                "--allow-overwrite=true", "--auto-file-renaming=false", "--max-tries=3"]
    mpg_cmd = f"cd {aria} && ls *.mp3 | xargs -P2 -n 20 mpg123 -q -t"
    log("fetch 300: callarchive, aria2c and mpg123, round by round")
    run_timed(aria_cmd, setup=fresh(aria))  # mpg123 decodes what aria2c downloaded
    t_fetch, t_aria, t_mpg = alternating([
        dict(cmd=fetch_cmd, setup=lambda: shutil.rmtree(arch, ignore_errors=True), cpu_label="callarchive"),
        dict(cmd=aria_cmd, setup=fresh(aria), cpu_label="aria2c"),
        dict(cmd=mpg_cmd, shell=True, cpu_label="mpg123"),
    ], RUNS)
    add("fetch_300", f"fetch {len(near)} calls (~{dataset['mean_audio_s_approx']:.0f} s each, "
        f"{dataset['total_bytes'] / 1e6:.1f} MB): metadata + download + decode + sha256 + catalog",
        dict(summary(t_fetch), command=" ".join(fetch_cmd)),
        [dict(summary(t_aria), label="aria2c -j4 (download only)", command=" ".join(aria_cmd)),
         dict(summary(t_mpg), label="xargs -P2 mpg123 -t (decode only)", command=mpg_cmd)],
        target_ratio=1.15,
        notes="Fresh archive / download dir per run. aria2c gets the recording URLs directly (the "
              "metadata requests callarchive makes are not in its time); mpg123 decodes the files "
              "aria2c downloaded. Ratio is against the slower of the two.",
        extra={"ratio_vs_sum": statistics.median(t_fetch) / (statistics.median(t_aria) + statistics.median(t_mpg)),
               "cpu": {label: cpu_summary(label) for label in ("callarchive", "aria2c", "mpg123")}})
    # The floor on this machine: the CPU the work needs (client + simulator), over the cores.
    cpu = results["benchmarks"][-1]["cpu"]
    if cpu["callarchive"]:
        cores = os.cpu_count() or 1
        results["benchmarks"][-1]["cpu_floor_s"] = (cpu["callarchive"]["own_cpu_s"] + cpu["callarchive"]["simulator_cpu_s"]) / cores
        results["benchmarks"][-1]["baseline_cpu_floor_s"] = (
            cpu["aria2c"]["own_cpu_s"] + cpu["aria2c"]["simulator_cpu_s"] + cpu["mpg123"]["own_cpu_s"]) / cores

    return fetch_cmd, t_fetch


def bench_slow_api(near, ids_file):
    """fetch_slow_api: the same orders through slow_api.py, which answers each metadata request
    SLOW_MS late, against aria2c -j4 fetching the same metadata and recording URLs."""
    proxy = subprocess.Popen([sys.executable, os.path.join(HERE, "slow_api.py"), API, str(SLOW_MS)],
                             stdout=subprocess.PIPE, text=True)
    try:
        port = int(proxy.stdout.readline())
        slow = urllib.parse.urlunsplit(("http", f"127.0.0.1:{port}", u.path, u.query, ""))
        arch = os.path.join(WORK, "slow-archive")
        aria = os.path.join(WORK, "slow-aria-dir")
        both = os.path.join(WORK, "slow-urls.txt")
        meta = [x[3].replace(f"{u.scheme}://{u.netloc}", f"http://127.0.0.1:{port}", 1) for x in near]
        open(both, "w").write("".join(f"{m}\n{x[1]}\n" for m, x in zip(meta, near)))
        fetch_cmd = [BIN, "fetch", "--api-url", slow, "--archive", arch, "--jobs", "4", "--input", ids_file, "-q"]
        aria_cmd = ["aria2c", "-j4", "-i", both, "-d", aria, "-q", "--file-allocation=none",
                    "--allow-overwrite=true", "--auto-file-renaming=false", "--max-tries=3"]
        log(f"fetch with a {SLOW_MS} ms API: callarchive and aria2c, round by round")
        t_fetch, t_aria = alternating([
            dict(cmd=fetch_cmd, setup=lambda: shutil.rmtree(arch, ignore_errors=True)),
            dict(cmd=aria_cmd, setup=fresh(aria)),
        ], RUNS)
    finally:
        proxy.kill()
        proxy.wait()
    add("fetch_slow_api", f"fetch the same {len(near)} calls while the API answers each metadata request "
        f"after {SLOW_MS} ms (bench/slow_api.py in front of the API)",
        dict(summary(t_fetch), command=" ".join(fetch_cmd)),
        [dict(summary(t_aria), label=f"aria2c -j4, the same metadata ({SLOW_MS} ms each) and recording URLs",
              command=" ".join(aria_cmd))],
        target_ratio=1.5,
        notes="Recordings come straight from the API's server; only metadata requests wait. aria2c "
              "downloads the metadata and recording URLs in one list, four at a time; it decodes nothing.")


def main():
    os.makedirs(WORK, exist_ok=True)
    results["generated_at"] = datetime.datetime.now(datetime.timezone.utc).isoformat(timespec="seconds")
    results["commit"] = commit()
    results["command"] = os.environ.get("BENCH_COMMAND", "bash bench/run.sh")
    results["binary"] = BIN
    results["binary_version"] = subprocess.run([BIN, "--version"], capture_output=True, text=True).stdout.strip()
    results["build"] = "release" if "/release/" in BIN else "debug"
    results["static_swift_runtime"] = "libswiftCore" not in subprocess.run(["ldd", BIN], capture_output=True, text=True).stdout
    results["machine"] = machine()
    results["api_server"] = {"url": API, "kind": SERVER}

    log("probing simulator for ~65 s recordings")
    found, near = pick_ids()
    log(f"probed {len(found)} single-call orders; picked {len(near)} near 65 s")
    ids_file = os.path.join(WORK, "ids300.txt")
    urls_file = os.path.join(WORK, "urls300.txt")
    open(ids_file, "w").write("".join(x[0] + "\n" for x in near))
    open(urls_file, "w").write("".join(x[1] + "\n" for x in near))
    total_bytes = sum(x[2] for x in near)
    dataset = {"orders": len(near), "total_bytes": total_bytes,
               "mean_bytes": total_bytes / len(near),
               "mean_audio_s_approx": total_bytes / len(near) / 4000,
               "min_audio_s_approx": min(x[2] for x in near) / 4000,
               "max_audio_s_approx": max(x[2] for x in near) / 4000}
    dataset["ids_file"] = IDS_FILE or None
    results["dataset_300"] = dataset

    # 1. fetch 300, and with a slow API ---------------------------------------------
    arch = os.path.join(WORK, "fetch-archive")
    fetch_cmd, t_fetch = bench_fetch(near, dataset, arch, ids_file, urls_file)
    bench_slow_api(near, ids_file)
    if ONLY == "fetch":
        results["total_bench_s"] = time.perf_counter() - T0
        json.dump(results, open(OUT, "w"), indent=2, ensure_ascii=False)
        log(f"wrote {OUT}")
        return

    # 2. verify ----------------------------------------------------------------
    verify_cmd = [BIN, "verify", "--archive", arch]
    remeasure_cmd = verify_cmd + ["--remeasure"]
    log("verify 300 (and with --remeasure)")
    mpg_arch = f"cd {arch} && ls *.mp3 | xargs -P2 -n 20 mpg123 -q -t"
    t_ver, t_mpg2, t_remeasure = alternating(
        [dict(cmd=verify_cmd), dict(cmd=mpg_arch, shell=True), dict(cmd=remeasure_cmd)], RUNS, warmup=1)
    add("verify_300", "verify the 300 fetched files (decode + re-hash; their audio metrics are known, so not measured again)",
        dict(summary(t_ver), command=" ".join(verify_cmd)),
        [dict(summary(t_mpg2), label="xargs -P2 mpg123 -t", command=mpg_arch)], target_ratio=0.85,
        notes="Same files, page cache warm (one warm-up run each).")
    add("verify_300_remeasure", "verify --remeasure: the same files, decoded, re-hashed and measured again (silence, peak, loudness)",
        dict(summary(t_remeasure), command=" ".join(remeasure_cmd)),
        [dict(summary(t_mpg2), label="xargs -P2 mpg123 -t", command=mpg_arch)], target_ratio=0.85,
        notes=f"The metric cost alone: {statistics.median(t_remeasure) - statistics.median(t_ver):.2f} s over verify "
              f"({statistics.median(t_remeasure) / statistics.median(t_ver):.2f}×); the runs alternate with verify_300's.")

    # 3. the seed's way ------------------------------------------------------------
    seed_dir = os.path.join(WORK, "seed-dir")
    seed_cmd = (f"while read id; do {SEED_PY} {HERE}/seed_download.py --base-url {API} "
                f"--output-dir {seed_dir} \"$id\" >/dev/null 2>&1 || exit 1; done < {ids_file}")
    log(f"seed way: up to {SEED_RUNS} runs of {len(near)} sequential invocations")
    t_seed = []
    began = time.perf_counter()
    for i in range(SEED_RUNS):
        t_seed.append(run_timed(seed_cmd, shell=True, setup=fresh(seed_dir)))
        log(f"  seed run {i + 1}: {t_seed[-1]:.1f}s")
        if len(t_seed) >= 2 and time.perf_counter() - began + t_seed[-1] > SEED_BUDGET:
            break
    seed = summary(t_seed)
    add("seed_vs_fetch_300", "the seed's way: seed_download.py once per id, sequentially, vs one callarchive fetch --jobs 4",
        dict(summary(t_fetch), command=" ".join(fetch_cmd)),
        [dict(seed, label="seed_download.py x300, sequential", command=seed_cmd)],
        notes="The callarchive numbers are the fetch_300 runs. The seed does no decode, hash or catalog.",
        extra={"speedup": seed["median_s"] / statistics.median(t_fetch),
               "ratio": statistics.median(t_fetch) / seed["median_s"]})

    # 4-6. catalog of ROWS rows ----------------------------------------------------
    cat_dir = os.path.join(WORK, f"catalog-{ROWS}")
    cat = os.path.join(cat_dir, "catalog.sqlite")
    if not os.path.exists(os.path.join(cat_dir, ".complete")):
        shutil.rmtree(cat_dir, ignore_errors=True)
        os.makedirs(cat_dir)
        log(f"generating {ROWS} rows with BenchCatalog (cached afterwards)")
        t = time.perf_counter()
        subprocess.run([GEN, cat, str(ROWS)], check=True, stdout=subprocess.DEVNULL)
        subprocess.run(["sqlite3", cat, "PRAGMA wal_checkpoint(TRUNCATE);"], check=True, stdout=subprocess.DEVNULL)
        results["catalog_generation_s"] = time.perf_counter() - t
        open(os.path.join(cat_dir, ".complete"), "w").write(BIN + "\n")
    rows = int(subprocess.run(["sqlite3", cat, "SELECT count(*) FROM calls"], capture_output=True, text=True, check=True).stdout)
    results["catalog_rows"] = rows

    search_sets(cat_dir, cat, rows)

    stats_cmd = [BIN, "stats", "--archive", cat_dir, "--by", "agent"]
    # The baseline runs exactly the statements callarchive runs (printed with their values).
    stats_sql = printed_sql(stats_cmd)
    stats_sqlite = ["sqlite3", "-readonly", cat, stats_sql]
    log("stats")
    t_stats, t_stats_sql = alternating([dict(cmd=stats_cmd), dict(cmd=stats_sqlite)], RUNS, warmup=1)
    add("stats_by_agent", f"stats --by agent on {rows:,} rows",
        dict(summary(t_stats), command=" ".join(stats_cmd)),
        [dict(summary(t_stats_sql), label="sqlite3, the same SQL", command=" ".join(stats_sqlite[:3]) + " '<the same SQL>'", sql=stats_sql)],
        target_ratio=1.5)

    export_cmd = [BIN, "export", "--archive", cat_dir]
    head = subprocess.Popen(export_cmd, stdout=subprocess.PIPE, text=True)
    cols = head.stdout.readline().strip().split(",")
    head.kill()
    head.wait()
    sel = export_selection(cols, "printf('%.3f', {0}) AS {0}", "strftime('%Y-%m-%dT%H:%M:%f', call_in_time) || '+00:00'")
    export_sql = f"SELECT {sel} FROM calls ORDER BY call_in_time, order_id, call_index;"
    export_sqlite = ["sqlite3", "-readonly", "-csv", "-header", cat, export_sql]
    log("export")
    t_exp, t_exp_sql = alternating([dict(cmd=export_cmd), dict(cmd=export_sqlite)], RUNS, warmup=1)
    add("export_csv", f"export (CSV to /dev/null, {len(cols)} columns) on {rows:,} rows",
        dict(summary(t_exp), command=" ".join(export_cmd) + " > /dev/null"),
        [dict(summary(t_exp_sql), label="sqlite3 -csv, same rows and columns", command="sqlite3 -readonly -csv -header CATALOG '<SELECT …>' > /dev/null", sql=export_sql)],
        target_ratio=1.05)

    # 6b. the same on PostgreSQL, and three fetchers sharing it (bench/bench_postgres.py) ----
    if os.path.exists(bench_postgres.PG_BIN) and os.environ.get("BENCH_POSTGRES", "1") != "0":
        bench_postgres.run(sys.modules[__name__], cat, rows, ids_file)

    if SERVER != "simulator":
        results["total_bench_s"] = time.perf_counter() - T0
        json.dump(results, open(OUT, "w"), indent=2, ensure_ascii=False)
        log(f"wrote {OUT} (memory and start-up need the simulator's BIG ids: not run)")
        return

    # 7. memory ----------------------------------------------------------------------
    mem_arch = os.path.join(WORK, "mem-archive")
    long_ids = [f"BIG00{n}" for n in range(1, 9)]
    mem_cmd = ["/usr/bin/time", "-v", BIN, "fetch", "--api-url", API, "--archive", mem_arch, "--jobs", "8", "-q"] + long_ids
    rss, t_mem = [], []
    log("memory")
    for _ in range(3):
        shutil.rmtree(mem_arch, ignore_errors=True)
        t = time.perf_counter()
        p = subprocess.run(mem_cmd, capture_output=True, text=True)
        t_mem.append(time.perf_counter() - t)
        if p.returncode != 0:
            raise RuntimeError(f"memory run exited {p.returncode}: {p.stderr[-500:]}")
        m = re.search(r"Maximum resident set size \(kbytes\): (\d+)", p.stderr)
        rss.append(int(m.group(1)) / 1024)
    big_sizes = [os.path.getsize(os.path.join(mem_arch, f)) for f in sorted(os.listdir(mem_arch)) if f.endswith(".mp3")]
    valid = int(subprocess.run(["sqlite3", "-readonly", os.path.join(mem_arch, "catalog.sqlite"),
                                "SELECT count(*) FROM calls WHERE verdict = 'valid'"], capture_output=True, text=True, check=True).stdout)
    entry = {"name": "memory_fetch_jobs8", "what": f"peak RSS of fetch --jobs 8 of 8 orders whose {len(big_sizes)} recordings are ~50 MB each",
             "measured": dict(summary(t_mem), command=" ".join(mem_cmd)), "baselines": [],
             "peak_rss_mib": {"runs": 3, "median": statistics.median(rss), "min": min(rss), "max": max(rss), "values": rss},
             "recording_bytes": big_sizes, "target": "<= 64 MiB peak RSS", "met": statistics.median(rss) <= 64,
             "notes": f"{len(big_sizes)} recordings of {min(big_sizes) / 1e6:.1f}-{max(big_sizes) / 1e6:.1f} MB "
                      f"({sum(big_sizes) / 1e6:.0f} MB in all), served by the simulator's `long` fault (BIG001-BIG008); "
                      f"each run exited 0; the last catalogued {valid} of {len(long_ids)} calls valid."}
    results["benchmarks"].append(entry)
    log(f"memory: {rss}")

    # 8. start-up ----------------------------------------------------------------------
    hf_json = os.path.join(WORK, "hyperfine-version.json")
    subprocess.run(["hyperfine", "-N", "--warmup", "5", "--runs", "50", "--export-json", hf_json, f"{BIN} --version"],
                   check=True, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    r = json.load(open(hf_json))["results"][0]
    add("startup_version", "callarchive --version (hyperfine -N, 5 warm-up, 50 runs)",
        {"runs": len(r["times"]), "median_s": r["median"], "min_s": r["min"], "max_s": r["max"],
         "mean_s": r["mean"], "command": f"{BIN} --version"}, [], target_abs_s=0.030)

    results["total_bench_s"] = time.perf_counter() - T0
    json.dump(results, open(OUT, "w"), indent=2, ensure_ascii=False)
    log(f"wrote {OUT}")


def commit():
    """The commit measured, with "+dirty" when the work tree has changes to tracked files."""
    head = subprocess.run(["git", "rev-parse", "HEAD"], capture_output=True, text=True, cwd=HERE).stdout.strip()
    dirty = subprocess.run(["git", "status", "--porcelain", "--untracked-files=no"], capture_output=True, text=True, cwd=HERE).stdout.strip()
    return (head or "unknown") + ("+dirty" if dirty else "")


def machine():
    cpu = "unknown"
    for line in open("/proc/cpuinfo"):
        if line.startswith("model name"):
            cpu = line.split(":", 1)[1].strip()
            break
    mem_kb = next(int(l.split()[1]) for l in open("/proc/meminfo") if l.startswith("MemTotal"))
    return {"nproc": os.cpu_count(), "cpu": cpu, "mem_gib": round(mem_kb / 1024 / 1024, 1),
            "kernel": platform.release(), "os": platform.platform(),
            "tools": {t: t + " " + (subprocess.run([t, "--version"], capture_output=True, text=True).stdout.splitlines() or [""])[0]
                      for t in ("aria2c", "mpg123", "hyperfine", "sqlite3")}}


if __name__ == "__main__":
    main()
