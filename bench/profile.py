#!/usr/bin/env python3
"""Sorts a fetch profile's samples into where the CPU went (bench/analysis.md, "Fetch profile").

    perf record -F 2999 -g -o fetch.perf -- callarchive fetch --api-url URL --archive DIR --jobs 4 --input IDS -q
    perf script -i fetch.perf -F ip,sym,dso | python3 bench/profile.py

Each sample counts once, under the first category whose test matches its stack (leaf first).
libmpg123, libebur128 and libsqlite3 have no frame pointers, so their stacks stop at the library: a sample
inside them is placed by the library alone.
"""
import collections
import sys

CATEGORIES = [
    ("decode: libmpg123", lambda s: "libmpg123" in s[0]),
    ("audio metrics: loudness in libebur128", lambda s: "libebur128" in s[0]),
    ("audio metrics: the meter's own pass", lambda s: any("AudioMeter" in f for f in s)),
    ("fsync of the file and its directory", lambda s: any("do_fsync" in f for f in s)),
    ("catalog (GRDB, SQLite, its writes)", lambda s: any("GRDB" in f or "libsqlite3" in f or "7Catalog" in f for f in s)),
    ("decode: reading the .part and sha256", lambda s: any("ByteSource" in f for f in s)),
    ("decode: the checker's own Swift", lambda s: any("AudioCheck" in f for f in s)),
    ("creating files (ext4 inode allocation)", lambda s: any("__x64_sys_openat" in f for f in s)),
    ("metadata: JSON and call decoding", lambda s: any("JSONDecoder" in f or "9Telephony" in f for f in s)),
    ("download: body to the .part file", lambda s: any("Downloader" in f or "PartFile" in f for f in s)),
    ("HTTP client (NIO, AsyncHTTPClient)", lambda s: any("NIO" in f or "AsyncHTTPClient" in f for f in s)),
    ("the fetch steps (Archive)", lambda s: any("7Archive" in f for f in s)),
    ("Swift concurrency runtime", lambda s: any("swift_job_run" in f or "swift_task" in f for f in s)),
]
CATALOG_CALLS = [("records(order:)", "CatalogAAC7records5order"), ("record(order:callIndex:)", "CatalogAAC6record5order"),
                 ("insertMissing", "insertMissing"), ("save(_:attempts:)", "CatalogAAC4save_8attempts"),
                 ("saveFetched", "saveFetched"), ("open and migrate", "CatalogAAC4open")]


def samples(lines):
    stack = []
    for line in lines:
        if line.strip() and line[0] in " \t":
            stack.append(line.strip())
        elif stack:
            yield stack
            stack = []
    if stack:
        yield stack


counts, calls, total = collections.Counter(), collections.Counter(), 0
for stack in samples(sys.stdin):
    total += 1
    name = next((name for name, test in CATEGORIES if test(stack)), "other")
    counts[name] += 1
    if name.startswith("catalog"):
        calls[next((c for c, key in CATALOG_CALLS if any(key in f for f in stack)), "not attributable (stack ends in SQLite)")] += 1
for name, n in counts.most_common():
    print(f"{100 * n / total:5.1f} %  {name}")
print(f"of the catalog ({sum(calls.values())} samples of {total}):")
for name, n in calls.most_common():
    print(f"{100 * n / total:7.2f} %  {name}")
