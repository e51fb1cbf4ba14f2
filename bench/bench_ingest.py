"""Ingest + clean + store throughput and peak memory on SaudiNewsNet (31k real articles, 14 outlets).

    python bench/bench_ingest.py [--data ../shared/data/saudinewsnet] [--limit N] [--workers N]

Reads the 18 daily ZIP archives as they ship (each a JSON array), cleans every article and stores
it in a fresh SQLite file (with the duplicate pass; story assignment is timed by bench_stories.py),
then re-runs on the same input to time the no-op path. Prints figures;
asserts nothing.
"""

from __future__ import annotations

import argparse
import resource
import sys
import tempfile
import time
from pathlib import Path

from rasid.clean import Cleaner
from rasid.ingest import FieldMap, ReadOptions
from rasid.pipeline import analyze
from rasid.store import Store

DEFAULT_DATA = Path(__file__).resolve().parents[2] / "shared" / "data" / "saudinewsnet"


def peak_rss_mb() -> float:
    """Peak resident memory of this process in MB (Linux reports KB)."""
    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024


def identical_group_recall(archives: list[Path], duplicate_of: dict[str, str | None]) -> tuple[float, int]:
    """Share of byte-identical article groups whose members all resolve to one original."""
    import json
    import zipfile

    groups: dict[str, list[str]] = {}
    for archive in archives:
        with zipfile.ZipFile(archive) as z:
            for name in z.namelist():
                records = json.loads(z.read(name))
                width = max(5, len(str(len(records))))
                for i, rec in enumerate(records, 1):
                    text = (rec.get("content") or "").strip()
                    if text:
                        groups.setdefault(text, []).append(f"{Path(name).stem}-{i:0{width}d}")
    multi = [g for g in groups.values() if len(g) > 1]
    whole = sum(1 for g in multi if len({duplicate_of.get(d) or d for d in g}) == 1)
    return (whole / len(multi) if multi else 1.0), len(multi)


SNN_FIELDS = {"text": "content", "outlet": "source", "published": "date_extracted"}  # SaudiNewsNet's record fields


def snn_archives(data: Path, limit: int = 0) -> list[Path]:
    """SaudiNewsNet's daily archives under `data` (the first `limit` of them), or [] with a message."""
    archives = sorted(data.glob("*.zip"))[:limit or None]
    if not archives:
        print(f"no SaudiNewsNet archives under {data}", file=sys.stderr)
    return archives


def main() -> int:
    ap = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    ap.add_argument("--data", type=Path, default=DEFAULT_DATA)
    ap.add_argument("--limit", type=int, default=0, help="read only the first N archives")
    ap.add_argument("--workers", type=int, default=1, help="processes cleaning articles in parallel")
    args = ap.parse_args()
    archives = snn_archives(args.data, args.limit)
    if not archives:
        return 1
    fields = FieldMap().with_overrides(SNN_FIELDS)
    cleaner = Cleaner.from_data()
    with tempfile.TemporaryDirectory() as tmp:
        db = Path(tmp) / "bench.sqlite"
        with Store(db) as store:
            t0 = time.perf_counter()
            report = analyze(archives, store, options=ReadOptions(fields=fields), cleaner=cleaner,
                             workers=args.workers, stories=False, entities=False)
            # story assignment: bench/bench_stories.py; entities: bench/bench_entities.py
            first = time.perf_counter() - t0
            t0 = time.perf_counter()
            again = analyze(archives, store, options=ReadOptions(fields=fields), cleaner=cleaner, stories=False,
                            entities=False)
            second = time.perf_counter() - t0
            lines = sorted(store.line_status_counts().items())
            duplicate_of = {d: orig for d, (_date, orig) in store.duplicate_info().items()}
        recall, n_groups = identical_group_recall(archives, duplicate_of)
        size_mb = db.stat().st_size / 1e6
    n = report.read
    print(f"archives                 {len(archives)}")
    print(f"articles read            {n:,}  (skipped {len(report.skipped)}: {dict(report.skip_reasons())})")
    print(f"ingest+clean+store       {first:.1f} s  ->  {n / first:,.0f} articles/s  (workers={args.workers})")
    print("stage seconds            " + ", ".join(f"{k} {v:.1f}" for k, v in report.timings.items()))
    print(f"re-run, nothing changed  {second:.1f} s  ->  {again.unchanged:,} unchanged, {again.processed} processed")
    print(f"segments                 {report.segments:,}  ({report.multi_segment_docs} pages split)")
    print(f"non-Arabic flagged       {dict(report.flagged_language)}")
    print(f"outlet boilerplate lines {report.outlet_boilerplate_lines:,}")
    print(f"line statuses            {dict(lines)}")
    print(f"duplicates marked        {sum(1 for v in duplicate_of.values() if v):,} documents point at an earlier copy")
    print(f"identical-content groups {n_groups} in the input; recall of whole groups {recall:.3f}")
    print(f"store size               {size_mb:,.0f} MB")
    children = resource.getrusage(resource.RUSAGE_CHILDREN).ru_maxrss / 1024
    print(f"peak RSS                 {peak_rss_mb():,.0f} MB (largest worker {children:,.0f} MB)")
    return 0


if __name__ == "__main__":
    sys.exit(main())
