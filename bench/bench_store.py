"""SQLite beside PostgreSQL: ingest + clean + store of SaudiNewsNet (31k articles), in one run.

    python bench/bench_store.py [--data ../shared/data/saudinewsnet] [--limit N] [--workers N] [--pg URL]

Each backend gets a fresh store and its own child process (so each peak memory is its own): the
archives are read, cleaned, checked for duplicates, stored and indexed for search (stories and entities are timed by
bench_stories.py and bench_entities.py), then read again with nothing changed. Without ``--pg`` a
throw-away PostgreSQL server is started under a temporary folder (Debian's ``postgresql``
binaries). Prints articles/s, the no-op re-run, peak memory of the Python process (and, for
PostgreSQL, of the server process that served it) and the load average; asserts nothing.
"""

from __future__ import annotations

import argparse
import json
import os
import subprocess
import sys
import tempfile
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))

from bench_ingest import DEFAULT_DATA, SNN_FIELDS, peak_rss_mb, snn_archives  # noqa: E402


def run_backend(target: str, archives: list[Path], workers: int) -> dict:
    """Analyse the archives into the store at `target` twice; the figures of both runs."""
    from rasid.clean import Cleaner
    from rasid.ingest import FieldMap, ReadOptions
    from rasid.pipeline import analyze
    from rasid.store import is_url, open_store

    options = ReadOptions(fields=FieldMap().with_overrides(SNN_FIELDS))
    cleaner = Cleaner.from_data()
    with open_store(target) as store:
        server_pid = store.db.execute("SELECT pg_backend_pid()").fetchone()[0] if is_url(target) else None
        t0 = time.perf_counter()
        report = analyze(archives, store, options=options, cleaner=cleaner, workers=workers, stories=False,
                         entities=False)
        first = time.perf_counter() - t0
        t0 = time.perf_counter()
        again = analyze(archives, store, options=options, cleaner=cleaner, stories=False, entities=False)
        second = time.perf_counter() - t0
        server_mb = _peak_mb(server_pid) if server_pid else None
        stored = store.count_documents()
    return {"read": report.read, "stored": stored, "seconds": first, "rerun_seconds": second,
            "unchanged": again.unchanged, "peak_mb": peak_rss_mb(), "server_peak_mb": server_mb,
            "load": os.getloadavg()}


def _peak_mb(pid: int) -> float | None:
    """Peak resident memory of a local process (the PostgreSQL backend), from /proc."""
    try:
        for line in Path(f"/proc/{pid}/status").read_text().splitlines():
            if line.startswith("VmHWM:"):
                return int(line.split()[1]) / 1024
    except OSError:
        return None
    return None


def main() -> int:
    ap = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    ap.add_argument("--data", type=Path, default=DEFAULT_DATA)
    ap.add_argument("--limit", type=int, default=0, help="read only the first N archives")
    ap.add_argument("--workers", type=int, default=1, help="processes cleaning articles in parallel")
    ap.add_argument("--pg", metavar="URL", help="an empty PostgreSQL database (default: a throw-away server)")
    ap.add_argument("--child", metavar="TARGET", help=argparse.SUPPRESS)
    args = ap.parse_args()
    archives = snn_archives(args.data, args.limit)
    if not archives:
        return 1
    if args.child:
        print(json.dumps(run_backend(args.child, archives, args.workers)))
        return 0
    from rasid.store.throwaway import ThrowawayServer

    rows = {}
    with tempfile.TemporaryDirectory() as tmp:
        server = None
        pg = args.pg
        if pg is None:
            server = ThrowawayServer().start()
            pg = server.create_database()
        try:
            for name, target in (("SQLite", str(Path(tmp) / "bench.sqlite")), ("PostgreSQL", pg)):
                cmd = [sys.executable, __file__, "--child", target, "--data", str(args.data), "--limit",
                       str(args.limit), "--workers", str(args.workers)]
                done = subprocess.run(cmd, stdout=subprocess.PIPE, text=True, check=True)
                rows[name] = json.loads(done.stdout.strip().splitlines()[-1])
        finally:
            if server is not None:
                server.stop()
    print(f"SaudiNewsNet: {len(archives)} archives; ingest + clean + dedup + store (workers={args.workers})")
    print(f"{'backend':12} {'articles':>9} {'seconds':>8} {'articles/s':>11} {'no-op re-run s':>15} "
          f"{'peak MB':>8} {'server peak MB':>15}  load average (1, 5, 15 min)")
    for name, r in rows.items():
        server_mb = f"{r['server_peak_mb']:,.0f}" if r["server_peak_mb"] else "-"
        print(f"{name:12} {r['read']:>9,} {r['seconds']:>8.1f} {r['read'] / r['seconds']:>11,.0f} "
              f"{r['rerun_seconds']:>15.1f} {r['peak_mb']:>8,.0f} {server_mb:>15}  "
              + ", ".join(f"{x:.2f}" for x in r["load"]))
    return 0


if __name__ == "__main__":
    sys.exit(main())
