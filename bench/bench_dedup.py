"""Duplicate detection throughput, memory and recall on SaudiNewsNet (31k articles, 559 byte-identical groups).

    python bench/bench_dedup.py [--data ../shared/data/saudinewsnet] [--sample-pairs 100]

Times fingerprinting (matching keys, word 4-gram shingles, MinHash) and LSH indexing + verified
querying of every article, as the duplicate pass does, without cleaning or storing. Prints the
recall of whole byte-identical groups and writes a random sample of reported near-duplicate pairs
(texts not identical) to bench/out/near_duplicate_sample.txt for a manual precision check.
"""

from __future__ import annotations

import argparse
import random
import resource
import sys
import time
from pathlib import Path

from bench_stories import DEFAULT_DATA, load_records

from rasid.dedup import DedupIndex
from rasid.text.normalize import match_key


def main() -> int:
    ap = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    ap.add_argument("--data", type=Path, default=DEFAULT_DATA)
    ap.add_argument("--sample-pairs", type=int, default=100)
    args = ap.parse_args()
    t0 = time.perf_counter()
    records = load_records(args.data, None)
    load_s = time.perf_counter() - t0
    index = DedupIndex()
    t0 = time.perf_counter()
    fingerprints = [index.fingerprint(r["id"], match_key(r["text"])) for r in records]
    fp_s = time.perf_counter() - t0
    t0 = time.perf_counter()
    parent: dict[str, str] = {}
    near_pairs = []
    for fp in fingerprints:
        exact = index.exact_duplicate(fp)
        if exact:
            parent[fp.doc_id] = parent.get(exact, exact)
        for other, j in index.near_duplicates(fp):
            if other != exact:
                near_pairs.append((other, fp.doc_id, j))
                parent.setdefault(fp.doc_id, parent.get(other, other))
        index.add(fp)
    query_s = time.perf_counter() - t0
    n = len(records)
    total = fp_s + query_s
    print(f"articles                 {n:,} (read in {load_s:.1f} s, not timed below)")
    print(f"fingerprint              {fp_s:.1f} s  ({n / fp_s:,.0f} articles/s)")
    print(f"index + verified query   {query_s:.1f} s  ({n / query_s:,.0f} articles/s)")
    print(f"dedup total              {total:.1f} s  -> {n / total:,.0f} articles/s")
    print(f"peak RSS                 {resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024:,.0f} MB")

    groups: dict[str, list[str]] = {}
    for r in records:
        groups.setdefault(r["text"].strip(), []).append(r["id"])
    multi = [g for g in groups.values() if len(g) > 1]

    def root(d: str) -> str:
        while d in parent and parent[d] != d:
            d = parent[d]
        return d

    whole = sum(1 for g in multi if len({root(d) for d in g}) == 1)
    print(f"identical groups         {whole} of {len(multi)} found whole (recall {whole / len(multi):.3f})")
    text = {r["id"]: r for r in records}
    differing = [p for p in near_pairs if text[p[0]]["text"].strip() != text[p[1]]["text"].strip()]
    print(f"near-duplicate pairs     {len(near_pairs):,} reported, {len(differing):,} with non-identical text")
    rng = random.Random(11)
    sample = rng.sample(differing, min(args.sample_pairs, len(differing)))
    out = Path(__file__).parent / "out" / "near_duplicate_sample.txt"
    out.parent.mkdir(exist_ok=True)
    with out.open("w", encoding="utf-8") as fh:
        for a, b, j in sample:
            ra, rb = text[a], text[b]
            fh.write(f"=== J={j:.2f}  {a} ({ra['outlet']}, {len(ra['text'])} chars)  ~  {b} ({rb['outlet']}, "
                     f"{len(rb['text'])} chars)\nA: {ra['title']} | {ra['text'][:160]!r}\nB: {rb['title']} | "
                     f"{rb['text'][:160]!r}\n")
    print(f"sample for manual check  {len(sample)} pairs -> {out}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
