"""Cleaning on real Arabic page text: line-level F1 of the lines a reader takes out, by split, for the
rules alone and for the rules with the learned line model, side by side; and the samples.

    python bench/bench_clean_pages.py [--pages bench/data/pages/pages.jsonl] [--model FILE]

The page set is split by site (bench/data/pages/SOURCE.md): the test sites are scored here and
never read for errors. Also prints lines per second of the whole cleaner. Asserts nothing.
"""

from __future__ import annotations

import argparse
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]


def main() -> int:
    from rasid.clean import Cleaner
    from rasid.clean.training import load_pages, score_pages, seeds_exact

    ap = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    ap.add_argument("--pages", type=Path, default=ROOT / "bench" / "data" / "pages" / "pages.jsonl")
    ap.add_argument("--model", help="a line model file (default: the shipped one)")
    args = ap.parse_args()
    rules = Cleaner.from_data(line_model=False, identify_language=False)
    learned = Cleaner.from_data(line_model=args.model, identify_language=False)
    seeds = (ROOT / "demo" / "seeds", ROOT.parent / "shared" / "eval" / "seeds_gold.json")
    print(f"{'split':6} {'cleaner':8} {'P':>6} {'R':>6} {'F1':>6}  pages  lines")
    for split in ("train", "dev", "test"):
        pages = load_pages(args.pages, [split])
        for name, cleaner in (("rules", rules), ("learned", learned)):
            s = score_pages(cleaner, pages)
            print(f"{split:6} {name:8} {s['precision']:6.3f} {s['recall']:6.3f} {s['f1']:6.3f}  {s['pages']:5}  {s['lines']:5}")
    if seeds[1].exists():
        print(f"samples exact: rules {seeds_exact(rules, *seeds)}, learned {seeds_exact(learned, *seeds)}")
    pages = load_pages(args.pages)
    t0 = time.perf_counter()
    n = sum(len(learned.clean(__import__("rasid.document", fromlist=["Article"]).Article(p.id, p.text, "x"))[0].lines)
            for p in pages)
    print(f"cleaner with the line model: {n / (time.perf_counter() - t0):,.0f} lines/s")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
