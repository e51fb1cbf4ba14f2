"""Where duplicate detection spends its time, step by step, on the first N SaudiNewsNet articles.

    python bench/profile_dedup.py [--articles 3000] [--data ../shared/data/saudinewsnet] [--cprofile]

Each step of the duplicate pass is timed on its own, in CPU seconds (other jobs on the machine
then matter less), over the same batches the index uses: matching keys (the reference
``match_key`` and the table-driven ``document_key``), UTF-8 encoding (with each text's CRC-32, its
exact key), word hashing, word 4-gram shingle sets, signatures, band keys, candidate pairs and
verification. With ``--cprofile`` the whole pass runs once more under cProfile and the top
functions are printed.
"""

from __future__ import annotations

import argparse
import cProfile
import itertools
import pstats
import sys
import time
from pathlib import Path

import numpy as np
from bench_dedup import DEFAULT_DATA, iter_records

from rasid.dedup import DedupIndex, document_key
from rasid.dedup.index import _BATCH_CHARS, SHINGLE_WORDS
from rasid.dedup.sketch import (
    band_keys,
    encode_batch,
    shared_key_pairs,
    shingle_sets,
    signatures,
    word_hashes,
)
from rasid.text.normalize import match_key


def batches(texts: list[str]) -> list[list[str]]:
    """Split texts the way DedupIndex.fingerprints does (about _BATCH_CHARS characters each)."""
    out, batch, chars = [], [], 0
    for t in texts:
        batch.append(t)
        chars += len(t)
        if chars >= _BATCH_CHARS:
            out.append(batch)
            batch, chars = [], 0
    return out + ([batch] if batch else [])


def main() -> int:
    ap = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    ap.add_argument("--data", type=Path, default=DEFAULT_DATA)
    ap.add_argument("--articles", type=int, default=3000)
    ap.add_argument("--cprofile", action="store_true")
    args = ap.parse_args()
    records = list(itertools.islice(iter_records(args.data), args.articles))
    n = len(records)
    texts = [r["text"] for r in records]
    rows: list[tuple[str, float]] = []

    def step(name: str, fn):
        t0 = time.process_time()
        out = fn()
        rows.append((name, time.process_time() - t0))
        return out

    step("match_key (reference, not used)", lambda: [match_key(t) for t in texts])
    keys = step("matching keys (document_key)", lambda: [document_key(t) for t in texts])
    parts = batches(keys)
    enc = step("  encode UTF-8", lambda: [encode_batch(b) for b in parts])
    step("  word CRC-32", lambda: [word_hashes(e[0]) for e in enc])
    sets = step("  shingle sets (incl. the two above)", lambda: [shingle_sets(b, SHINGLE_WORDS) for b in parts])
    index = DedupIndex()
    sigs = step("  signatures", lambda: [signatures(f, o, index.num_perm) for f, o in sets])
    fps = step("fingerprints (all of the above but keys)", lambda: index.fingerprints(
        (r["id"], k) for r, k in zip(records, keys, strict=True)))
    allsig = np.concatenate(sigs)
    bk = step("  band keys", lambda: band_keys(allsig, index.bands, index.rows))
    step("  candidate pairs", lambda: shared_key_pairs(bk.ravel(), np.repeat(np.arange(n), index.bands)))
    links = step("index + links (add, band keys, pairs, verify)", lambda: index.duplicate_links(fps))
    total = sum(t for name, t in rows if not name.startswith(" ") and "reference" not in name)
    print(f"articles {n:,}; CPU seconds per step (indented: parts of the step above)")
    for name, t in rows:
        print(f"  {name:48s} {t:7.3f} s  {n / t if t else float('inf'):>10,.0f} articles/s")
    print(f"  {'duplicate detection from raw text':48s} {total:7.3f} s  {n / total:>10,.0f} articles/s"
          f"  ({len(links)} links)")
    if args.cprofile:
        prof = cProfile.Profile()
        prof.enable()
        index = DedupIndex()
        index.duplicate_links(index.fingerprints((r["id"], document_key(r["text"])) for r in records))
        prof.disable()
        pstats.Stats(prof).sort_stats("tottime").print_stats(15)
    return 0


if __name__ == "__main__":
    sys.exit(main())
