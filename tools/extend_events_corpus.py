"""Add SaudiNewsNet articles to the train split of the events corpus, in batches to code blind.

    python tools/extend_events_corpus.py --batches 4 --per-batch 35 [--first 5]

Picks new candidates the way ``select_events_corpus.py`` does (same filters, a new seed), leaves
out every article that shares a story with one already in the dev or test split (rare words shared
within three days, as the split was made), appends the rest to ``articles.jsonl`` and the train
split, and writes ``parts/batch<N>.txt`` (one id a line) for the coders. The dev and test splits
are not touched: the test split stays frozen.
"""

from __future__ import annotations

import argparse
import json
import random
import sys
from collections import Counter
from datetime import date
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT / "bench"))
sys.path.insert(0, str(ROOT / "tools"))

from bench_stories import load_records  # noqa: E402
from select_events_corpus import (  # noqa: E402
    MAX_CHARS,
    MIN_CHARS,
    STORY_DAYS,
    STORY_SHARED_RARE,
    WORD,
    classify,
    is_distractor,
)

SEED = 20261205
SHARE = {"yemen": 0.25, "syria": 0.2, "iraq": 0.2, "egypt": 0.12, "libya": 0.08, "distractor": 0.15}


def main() -> int:
    ap = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    ap.add_argument("--data", type=Path, default=ROOT.parent / "shared" / "data" / "saudinewsnet")
    ap.add_argument("--corpus", type=Path, default=ROOT / "bench" / "data" / "events_corpus")
    ap.add_argument("--batches", type=int, default=4)
    ap.add_argument("--per-batch", type=int, default=35)
    ap.add_argument("--first", type=int, default=5, help="number of the first new batch file")
    args = ap.parse_args()
    corpus = [json.loads(x) for x in (args.corpus / "articles.jsonl").read_text(encoding="utf-8").splitlines()]
    split_doc = json.loads((args.corpus / "split.json").read_text(encoding="utf-8"))
    held = set(split_doc["splits"]["dev"]) | set(split_doc["splits"]["test"])
    have = {r["id"] for r in corpus}
    seen_text = {r["text"].strip()[:200] for r in corpus}
    pools: dict[str, list[dict]] = {k: [] for k in SHARE}
    for r in load_records(args.data, None):
        text = r["text"].strip()
        if not MIN_CHARS <= len(text) <= MAX_CHARS or r["id"] in have or text[:200] in seen_text:
            continue
        seen_text.add(text[:200])
        kind = classify(text) or ("distractor" if is_distractor(text) else None)
        if kind:
            pools[kind].append(dict(r, kind=kind))
    # no new article may share a story with a dev or test article
    everything = corpus + [r for p in pools.values() for r in p]
    df = Counter(w for r in everything for w in set(WORD.findall(r["text"])))

    def rare(r: dict) -> set[str]:
        return {w for w in set(WORD.findall(r["text"])) if df[w] <= 3}

    held_rare = [(date.fromisoformat(r["published"][:10]), rare(r)) for r in corpus if r["id"] in held]

    def near_held(r: dict) -> bool:
        d, words = date.fromisoformat(r["published"][:10]), rare(r)
        return any(abs((d - hd).days) <= STORY_DAYS and len(words & hw) >= STORY_SHARED_RARE for hd, hw in held_rare)

    rng = random.Random(SEED)
    total = args.batches * args.per_batch
    chosen: list[dict] = []
    for kind, share in SHARE.items():
        pool = sorted(pools[kind], key=lambda r: r["id"])
        rng.shuffle(pool)
        want = round(total * share)
        picked = [r for r in pool if not near_held(r)][:want]
        chosen += picked
        print(f"{kind}: {len(picked)} of {len(pool)} candidates", file=sys.stderr)
    rng.shuffle(chosen)
    chosen = chosen[:total]
    with (args.corpus / "articles.jsonl").open("a", encoding="utf-8") as f:
        for r in chosen:
            f.write(json.dumps({"id": r["id"], "text": r["text"], "title": r.get("title"), "outlet": r.get("outlet"),
                                "published": r.get("published"), "kind": r["kind"]}, ensure_ascii=False) + "\n")
    split_doc["splits"]["train"] = sorted(set(split_doc["splits"]["train"]) | {r["id"] for r in chosen})
    split_doc.setdefault("extended", []).append({"seed": SEED, "articles": len(chosen)})
    (args.corpus / "split.json").write_text(json.dumps(split_doc, ensure_ascii=False, indent=1), encoding="utf-8")
    for b in range(args.batches):
        ids = sorted(r["id"] for r in chosen[b * args.per_batch:(b + 1) * args.per_batch])
        (args.corpus / "parts" / f"batch{args.first + b}.txt").write_text("\n".join(ids) + "\n", encoding="utf-8")
    print(f"added {len(chosen)} articles to train in {args.batches} batches", file=sys.stderr)
    return 0


if __name__ == "__main__":
    sys.exit(main())
