"""Merge the labellers' parts (bench/data/pages/parts/*.jsonl) into bench/data/pages/pages.jsonl,
each page with its split, chosen by site: a site's pages are all in one split, so the test figure
says how the line model does on sites it never saw.

    python tools/merge_pages.py [--check]

Sites are ordered by a hash of their name (stable when pages are added); the first quarter are
test sites, the next fifth dev sites, the rest train sites. A site already in pages.jsonl keeps its
split, so the frozen test split never moves. --check only prints the counts.
"""

from __future__ import annotations

import argparse
import hashlib
import json
from collections import Counter
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
PAGES = ROOT / "bench" / "data" / "pages"


def main() -> int:
    ap = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    ap.add_argument("--check", action="store_true", help="print the counts, write nothing")
    args = ap.parse_args()
    rows, seen = [], set()
    for part in sorted((PAGES / "parts").glob("*.jsonl")):
        for line in part.read_text(encoding="utf-8").splitlines():
            if not line.strip():
                continue
            row = json.loads(line)
            key = row.get("url") or row["id"]
            if key in seen:  # the same page found by two labellers: the first label stands
                continue
            seen.add(key)
            rows.append(row)
    target = PAGES / "pages.jsonl"
    frozen = {}
    if target.exists():
        for line in target.read_text(encoding="utf-8").splitlines():
            if line.strip():
                r = json.loads(line)
                frozen[r["site"]] = r["split"]
    sites = sorted({r["site"] for r in rows}, key=lambda s: hashlib.blake2b(s.encode(), digest_size=8).hexdigest())
    fresh = [s for s in sites if s not in frozen]
    n = len(sites)
    n_test, n_dev = round(n * 0.25), round(n * 0.2)
    have = Counter(frozen.values())
    split = dict(frozen)
    for s in fresh:
        if have["test"] < n_test:
            split[s] = "test"
        elif have["dev"] < n_dev:
            split[s] = "dev"
        else:
            split[s] = "train"
        have[split[s]] += 1
    for r in rows:
        r["split"] = split[r["site"]]
    counts = Counter(r["split"] for r in rows)
    lines = Counter()
    for r in rows:
        for x in r["lines"]:
            lines[(r["split"], x["label"] in ("kept", "heading"))] += 1
    print(f"{len(rows)} pages from {n} sites: " + ", ".join(
        f"{k} {counts[k]} pages / {sum(1 for s in sites if split[s] == k)} sites / {lines[(k, True)]} kept and "
        f"{lines[(k, False)]} removed lines" for k in ("train", "dev", "test")))
    if not args.check:
        target.write_text("".join(json.dumps(r, ensure_ascii=False) + "\n" for r in rows), encoding="utf-8")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
