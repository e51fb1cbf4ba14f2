"""Story clustering quality and speed on the hand-labelled SaudiNewsNet story set (bench/data/story_set.jsonl).

    python bench/bench_stories.py [--data ../shared/data/saudinewsnet] [--join 0.36] [--articles 2000]

Prints B-cubed precision/recall/F1 of the stories Rasid forms on the labelled set (batch, and
incremental in two random halves to show the order tolerance), then story-assignment throughput
(articles/s, encoder included) on the first N SaudiNewsNet articles. Asserts nothing.
"""

from __future__ import annotations

import argparse
import json
import random
import sys
import tempfile
import time
import zipfile
from pathlib import Path

from rasid.clean import Cleaner
from rasid.pipeline import analyze
from rasid.store import Store
from rasid.stories import StoryClusterer, assign_stories

HERE = Path(__file__).resolve().parent
DEFAULT_DATA = HERE.parents[1] / "shared" / "data" / "saudinewsnet"


def load_records(data: Path, wanted: set[str] | None, limit: int = 0) -> list[dict]:
    """Read SaudiNewsNet records as rasid ids them (<archive stem>-<record number>)."""
    out = []
    for archive in sorted(data.glob("*.zip")):
        with zipfile.ZipFile(archive) as z:
            for name in z.namelist():
                records = json.loads(z.read(name))
                width = max(5, len(str(len(records))))
                for i, rec in enumerate(records, 1):
                    doc_id = f"{Path(name).stem}-{i:0{width}d}"
                    if (wanted is None or doc_id in wanted) and (rec.get("content") or "").strip():
                        out.append({"id": doc_id, "text": rec["content"], "title": rec.get("title"),
                                    "outlet": rec.get("source"), "published": rec.get("date_extracted")})
                        if limit and len(out) >= limit:
                            return out
    return out


def bcubed(gold: dict[str, str], system: dict[str, str]) -> tuple[float, float, float]:
    """B-cubed precision, recall and F1 of a clustering over the gold items."""
    items = list(gold)
    p = r = 0.0
    for i in items:
        same_sys = [j for j in items if system[j] == system[i]]
        same_gold = [j for j in items if gold[j] == gold[i]]
        both = sum(1 for j in same_sys if gold[j] == gold[i])
        p += both / len(same_sys)
        r += both / len(same_gold)
    p, r = p / len(items), r / len(items)
    return p, r, (2 * p * r / (p + r) if p + r else 0.0)


def run(records: list[dict], batches: list[list[dict]], cleaner: Cleaner, join: float | None) -> dict[str, str]:
    with tempfile.TemporaryDirectory() as tmp:
        with Store(Path(tmp) / "s.sqlite") as store:
            for k, batch in enumerate(batches):
                path = Path(tmp) / f"batch{k}.jsonl"
                path.write_text("\n".join(json.dumps(r, ensure_ascii=False) for r in batch), encoding="utf-8")
                kwargs = {"join": join} if join is not None else {}
                analyze([path], store, cleaner=cleaner, stories=StoryClusterer.from_data(**kwargs), entities=False)
            return {m["doc_id"]: s["story_id"] for s in store.iter_stories() for m in s["members"]}


def main() -> int:
    ap = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    ap.add_argument("--data", type=Path, default=DEFAULT_DATA)
    ap.add_argument("--join", type=float, default=None, help="override JOIN_SIMILARITY")
    ap.add_argument("--articles", type=int, default=2000, help="articles for the throughput run")
    args = ap.parse_args()
    lines = (HERE / "data" / "story_set.jsonl").read_text(encoding="utf-8").splitlines()
    gold = {json.loads(x)["id"]: json.loads(x)["story"] for x in lines[1:]}
    records = load_records(args.data, set(gold))
    if len(records) != len(gold):
        print(f"only {len(records)} of {len(gold)} labelled articles found under {args.data}", file=sys.stderr)
        return 1
    cleaner = Cleaner.from_data()
    stories = sum(1 for s in set(gold.values()) if not s.startswith("distractor"))
    print(f"story set                {len(gold)} articles, {stories} stories + "
          f"{sum(1 for s in gold.values() if s.startswith('distractor'))} distractors")
    system = run(records, [records], cleaner, args.join)
    p, r, f = bcubed(gold, system)
    print(f"batch                    B-cubed P {p:.3f}  R {r:.3f}  F1 {f:.3f}  ({len(set(system.values()))} stories formed)")
    rng = random.Random(7)
    shuffled = records[:]
    rng.shuffle(shuffled)
    half = len(shuffled) // 2
    system2 = run(records, [shuffled[:half], shuffled[half:]], cleaner, args.join)
    p2, r2, f2 = bcubed(gold, system2)
    print(f"two runs, random halves  B-cubed P {p2:.3f}  R {r2:.3f}  F1 {f2:.3f}  (order tolerance: "
          f"{abs(f - f2):.3f} F1 from batch)")

    sample = load_records(args.data, None, args.articles)
    with tempfile.TemporaryDirectory() as tmp:
        path = Path(tmp) / "sample.jsonl"
        path.write_text("\n".join(json.dumps(r, ensure_ascii=False) for r in sample), encoding="utf-8")
        with Store(Path(tmp) / "t.sqlite") as store:
            analyze([path], store, cleaner=cleaner, stories=False, entities=False)
            t0 = time.perf_counter()
            n = assign_stories(store, StoryClusterer.from_data())
            dt = time.perf_counter() - t0
            n_stories = store.db.execute("SELECT count(*) FROM stories").fetchone()[0]
    print(f"story assignment         {n:,} segments in {dt:.1f} s -> {n / dt:,.1f} articles/s "
          f"(e5 encoder included; {n_stories:,} stories)")
    return 0


if __name__ == "__main__":
    sys.exit(main())
