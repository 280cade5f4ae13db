#!/usr/bin/env python3
"""The PostgreSQL benchmarks (issue 13), run by bench.py after the SQLite ones:

- the ROWS-row benchmark catalog copied into a throw-away PostgreSQL 15 server (`catalog copy`),
- search (each kind, --limit 50), stats --by agent and export on it, each against `psql` running
  exactly the same SQL (the hidden --print-sql), export against `psql \\copy (…) TO STDOUT CSV`,
- three fetch processes sharing one PostgreSQL catalog against one fetch process, same ids.

The server lives in WORK/pg (initdb + pg_ctl as the `postgres` user, TCP on 127.0.0.1 only,
trust authentication, fsync on) and is stopped at the end. No system cluster is touched.

Standalone smoke run (needs the same environment as bench.py):
    python3 bench/bench_postgres.py CATALOG.sqlite IDS_FILE
"""
import os
import shutil
import socket
import statistics
import subprocess
import sys

PG_BIN = "/usr/lib/postgresql/15/bin"


class Server:
    """A throw-away PostgreSQL server in `directory`."""

    def __init__(self, directory):
        self.directory = directory
        s = socket.socket()
        s.bind(("127.0.0.1", 0))
        self.port = s.getsockname()[1]
        s.close()
        shutil.rmtree(directory, ignore_errors=True)
        os.makedirs(directory)
        shutil.chown(directory, "postgres", "postgres")
        self.as_postgres("initdb", "-D", directory + "/data", "-U", "postgres", "--auth=trust", "-E", "UTF8", "--locale=C.UTF-8")
        self.as_postgres("pg_ctl", "-D", directory + "/data", "-l", directory + "/log", "-w", "-o",
                         f"-p {self.port} -k {directory} -c listen_addresses=127.0.0.1 -c shared_buffers=256MB", "start")

    def as_postgres(self, tool, *arguments):
        subprocess.run(["runuser", "-u", "postgres", "--", f"{PG_BIN}/{tool}", *arguments], check=True, cwd="/tmp",
                       stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)

    def new_database(self, name):
        self.as_postgres("dropdb", "--if-exists", "-h", self.directory, "-p", str(self.port), name)
        self.as_postgres("createdb", "-h", self.directory, "-p", str(self.port), name)
        return f"postgresql://postgres@127.0.0.1:{self.port}/{name}?sslmode=disable"

    def psql(self, database, *arguments):
        return [f"{PG_BIN}/psql", "-X", "-q", "-A", "-t", "-h", "127.0.0.1", "-p", str(self.port), "-U", "postgres", "-d", database, *arguments]

    def stop(self):
        self.as_postgres("pg_ctl", "-D", self.directory + "/data", "-m", "fast", "-w", "stop")


def run(b, cat, rows, ids_file):
    """Every PostgreSQL benchmark; `b` is the bench module (its timing and result helpers)."""
    server = Server(os.path.join(b.WORK, "pg"))
    try:
        url = server.new_database("bench")
        b.log(f"copying {rows:,} rows into PostgreSQL (catalog copy)")
        copy_s = b.run_timed([b.BIN, "catalog", "copy", cat, url])
        b.results["postgres_catalog_copy_s"] = copy_s
        subprocess.run(server.psql("bench", "-c", "VACUUM ANALYZE"), check=True)
        queries(b, server, url, rows)
        fetchers(b, server, ids_file)
    finally:
        server.stop()


def queries(b, server, url, rows):
    """search, stats and export on PostgreSQL against psql running the same SQL."""
    for label, words in b.SEARCHES:
        cmd = [b.BIN, "search", "--catalog", url, *words, "--limit", "50"]
        sql = b.printed_sql(cmd)
        baseline = server.psql("bench", "-c", sql)
        b.log(f"postgres search {label}")
        t_search, t_sql = b.alternating([dict(cmd=cmd), dict(cmd=baseline)], max(b.RUNS, 20), warmup=3)
        b.add(f"pg_search_{label}", f"search {' '.join(words)} --limit 50 on {rows:,} rows in PostgreSQL, whole process",
              dict(b.summary(t_search), command=" ".join(cmd)),
              [dict(b.summary(t_sql), label="psql, the same SQL", command="psql -X -A -t -c '<the same SQL>'", sql=sql.strip())],
              target_abs_s=0.025, extra={"ratio": statistics.median(t_search) / statistics.median(t_sql)})
    stats_cmd = [b.BIN, "stats", "--catalog", url, "--by", "agent"]
    stats_sql = b.printed_sql(stats_cmd)
    b.log("postgres stats")
    t_stats, t_stats_sql = b.alternating([dict(cmd=stats_cmd), dict(cmd=server.psql("bench", "-c", stats_sql))], b.RUNS, warmup=1)
    b.add("pg_stats_by_agent", f"stats --by agent on {rows:,} rows in PostgreSQL",
          dict(b.summary(t_stats), command=" ".join(stats_cmd)),
          [dict(b.summary(t_stats_sql), label="psql, the same SQL", command="psql -X -A -t -c '<the same SQL>'", sql=stats_sql)],
          target_ratio=1.5)
    export_cmd = [b.BIN, "export", "--catalog", url]
    head = subprocess.Popen(export_cmd, stdout=subprocess.PIPE, text=True)
    cols = head.stdout.readline().strip().split(",")
    head.kill()
    head.wait()
    sel = b.export_selection(cols, "round({0}::numeric, 3) AS {0}", "substr(call_in_time, 1, 23) || '+00:00'")
    export_sql = f"\\copy (SELECT {sel} FROM calls ORDER BY call_in_time NULLS FIRST, order_id, call_index) TO STDOUT WITH CSV HEADER"
    b.log("postgres export")
    t_exp, t_exp_sql = b.alternating([dict(cmd=export_cmd), dict(cmd=server.psql("bench", "-c", export_sql))], b.RUNS, warmup=1)
    b.add("pg_export_csv", f"export (CSV to /dev/null, {len(cols)} columns) on {rows:,} rows in PostgreSQL",
          dict(b.summary(t_exp), command=" ".join(export_cmd) + " > /dev/null"),
          [dict(b.summary(t_exp_sql), label="psql \\copy … CSV, same rows and columns", command="psql -c '\\copy (SELECT …) TO STDOUT WITH CSV HEADER' > /dev/null", sql=export_sql)],
          target_ratio=1.2)


def fetchers(b, server, ids_file):
    """The same ids fetched by one process, then by three at once (a third each), each run into
    a fresh database and archive; the ratio is three's time over one's."""
    ids = [line.strip() for line in open(ids_file) if line.strip()]
    parts = []
    for n in range(3):
        path = os.path.join(b.WORK, f"pg-ids-{n}.txt")
        open(path, "w").write("".join(i + "\n" for i in ids[n::3]))
        parts.append(path)
    archive = os.path.join(b.WORK, "pg-fetch-archive")
    urls = {}

    def fresh(kind):
        def setup():
            shutil.rmtree(archive, ignore_errors=True)
            os.makedirs(archive)
            urls[kind] = server.new_database(f"fetch_{kind}")
        return setup

    def command(kind):
        def process(ids_path):
            return f"{b.BIN} fetch --api-url {b.API} --archive {archive} --catalog '{urls[kind]}' --jobs 4 -q --input {ids_path}"
        return process(ids_file) if kind == "one" else " & ".join(process(p) for p in parts) + " & wait"

    b.log(f"postgres fetch: {len(ids)} ids, one process vs three")
    times = {"one": [], "three": []}
    for round_ in range(b.RUNS):
        for kind in (("one", "three") if round_ % 2 == 0 else ("three", "one")):
            fresh(kind)()
            times[kind].append(b.run_timed(command(kind), shell=True))
    valid = subprocess.run(server.psql("fetch_three", "-c", "SELECT count(*) FROM calls WHERE verdict = 'valid'"),
                           capture_output=True, text=True, check=True).stdout.strip()
    one_s, three_s = statistics.median(times["one"]), statistics.median(times["three"])
    b.add("pg_fetch_3_vs_1", f"fetch {len(ids)} calls into one PostgreSQL catalog: three processes (a third of the ids each, "
          f"--jobs 4) against one process (--jobs 4)",
          dict(b.summary(times["three"]), command=command("three").replace(urls["three"], "URL")),
          [dict(b.summary(times["one"]), label="one fetch process", command=command("one").replace(urls["one"], "URL"))],
          notes=f"{len(ids) / three_s:.1f} calls/s with three processes, {len(ids) / one_s:.1f} with one, on "
                f"{os.cpu_count()} cores; the last three-process run catalogued {valid} calls valid. Decoding and "
                "the simulator share the same cores, so three processes can only gain where one leaves them idle.",
          extra={"ratio": three_s / one_s})


if __name__ == "__main__":
    sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
    import bench
    catalog, ids = sys.argv[1], sys.argv[2]
    rows = int(subprocess.run(["sqlite3", catalog, "SELECT count(*) FROM calls"], capture_output=True, text=True, check=True).stdout)
    run(bench, catalog, rows, ids)
    for entry in bench.results["benchmarks"]:
        print(f"{entry['name']}: {entry['measured']['median_s'] * 1000:.1f} ms; baseline "
              + ", ".join(f"{x['median_s'] * 1000:.1f} ms" for x in entry["baselines"])
              + f"; ratio {entry.get('ratio', 0):.2f}; met {entry.get('met', 'n/a')}")
    print(f"catalog copy: {bench.results.get('postgres_catalog_copy_s', 0):.1f} s")
