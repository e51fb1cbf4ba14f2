"""Story clustering quality and speed on the hand-labelled SaudiNewsNet story sets
(bench/data/story_set.jsonl: developments reported by several outlets; bench/data/story_hard.jsonl:
same-kind routine items and one actor's different developments).

    python bench/bench_stories.py [--data ../shared/data/saudinewsnet] [--threshold 0.4] [--similarity-only]
                                  [--join 0.22] [--articles 2000] [--workers 1 2] [--throughput-only]

Both sets' dev and test rows are clustered together as one stream (their train rows, for fitting
only, are left out). Prints B-cubed precision/recall/F1 per set and split
(dev, and test: scored only), for Rasid in one batch and in two random halves (order tolerance), beside
a plain TF-IDF character n-gram + average-link baseline whose cut is tuned on the dev items; then
story-assignment throughput (articles/s, encoder included) on the first N SaudiNewsNet articles, with
the load average (the machine may be shared). Rasid decides with its learned pair scorer
(stories/data/pair_scorer.json, fitted on the dev rows by tools/train_story_scorer.py: its dev figures
are in-sample, test is the held-out figure); `--similarity-only` runs the earlier rule instead (mean
similarity against JOIN_SIMILARITY, or `--join`). Asserts nothing.
"""

from __future__ import annotations

import argparse
import json
import os
import random
import sys
import tempfile
import time
import zipfile
from pathlib import Path

from rasid.clean import Cleaner
from rasid.engine import LocalEngine
from rasid.pipeline import _assign_stories, analyze
from rasid.store import Store
from rasid.stories import StoryClusterer

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


def clusterer(args) -> StoryClusterer:
    """The clusterer the options ask for: the shipped scorer (its threshold overridden), or similarity only."""
    if args.similarity_only:
        return StoryClusterer.from_data(scored=False, **({"join": args.join} if args.join is not None else {}))
    made = StoryClusterer.from_data()
    if args.threshold is not None:
        made.scorer.threshold = args.threshold
    return made


def run(records: list[dict], batches: list[list[dict]], cleaner: Cleaner, args) -> dict[str, str]:
    with tempfile.TemporaryDirectory() as tmp:
        with Store(Path(tmp) / "s.sqlite") as store:
            for k, batch in enumerate(batches):
                path = Path(tmp) / f"batch{k}.jsonl"
                path.write_text("\n".join(json.dumps(r, ensure_ascii=False) for r in batch), encoding="utf-8")
                # entities and events first, as rasid analyze runs them: the scorer weighs what they found
                analyze([path], store, cleaner=cleaner, stories=clusterer(args), views=False, workers=2)
            LINKS.clear()
            LINKS.update(store.story_links())
            return {m["doc_id"]: s["story_id"] for s in store.iter_stories() for m in s["members"]}


LINKS: dict[str, list] = {}  # the thread links of the last run(): {story_id: [(linked_id, score)]}


def thread_figures(system: dict[str, str], links: dict[str, list], split: str) -> str:
    """How a run linked the gold threads (developments labelled as one thread), and how many of its links
    join labelled stories of no common thread (over both sets)."""
    rows = [json.loads(x) for name in ("story_set", "story_hard")
            for x in (HERE / "data" / f"{name}.jsonl").read_text(encoding="utf-8").splitlines()[1:]]
    rows = [r for r in rows if r.get("split", "dev") == split and r["id"] in system]
    thread = {r["story"]: r.get("thread") for r in rows}
    sys_of: dict[str, set[str]] = {}
    for r in rows:
        sys_of.setdefault(r["story"], set()).add(system[r["id"]])
    owner = {}  # system story -> its gold story (the most frequent)
    for sid in set(system[r["id"]] for r in rows):
        stories = [r["story"] for r in rows if system[r["id"]] == sid]
        owner[sid] = max(set(stories), key=stories.count)
    pairs = [(a, b) for a in thread for b in thread if a < b and thread[a] and thread[a] == thread[b]]
    linked = merged = 0
    for a, b in pairs:
        if sys_of[a] & sys_of[b]:
            merged += 1
        elif any(y in sys_of[b] for x in sys_of[a] for y, _ in links.get(x, [])):
            linked += 1
    wrong = sum(1 for x in owner for y, _ in links.get(x, []) if y in owner and x < y and owner[x] != owner[y]
                and not (thread[owner[x]] and thread[owner[x]] == thread[owner[y]]))
    return (f"{linked} of {len(pairs)} thread pairs linked ({merged} merged into one story); "
            f"{wrong} links between labelled stories of no common thread")


def read_set(name: str, splits: tuple[str, ...] = ("dev", "test")) -> dict[str, tuple[str, str]]:
    """``{doc_id: (story, split)}`` of a labelled set under bench/data, rows of `splits` only (the train
    rows are for fitting: tools/train_story_scorer.py)."""
    rows = [json.loads(x) for x in (HERE / "data" / f"{name}.jsonl").read_text(encoding="utf-8").splitlines()[1:]]
    return {r["id"]: (r["story"], r.get("split", "dev")) for r in rows if r.get("split", "dev") in splits}


def tfidf_baseline(records: list[dict], threshold: float, window_days: int = 7) -> dict[str, str]:
    """The plain baseline: TF-IDF of character 3-5-grams (title and lead), cosine, average-link
    clustering cut at `threshold`, within a window of days (articles further apart never join)."""
    from datetime import date

    import numpy as np
    from sklearn.cluster import AgglomerativeClustering
    from sklearn.feature_extraction.text import TfidfVectorizer

    texts = [((r.get("title") or "") + " " + r["text"][:1500]) for r in records]
    x = TfidfVectorizer(analyzer="char_wb", ngram_range=(3, 5), sublinear_tf=True, min_df=2).fit_transform(texts)
    sim = (x @ x.T).toarray()
    days = np.array([date.fromisoformat((r.get("published") or "2015-01-01")[:10]).toordinal() for r in records])
    dist = 1 - sim
    dist[np.abs(days[:, None] - days[None, :]) > window_days] = 1.0
    labels = AgglomerativeClustering(n_clusters=None, metric="precomputed", linkage="average",
                                     distance_threshold=1 - threshold).fit_predict(dist)
    return {r["id"]: f"b{label}" for r, label in zip(records, labels, strict=True)}


def scores(labelled: dict[str, tuple[str, str]], system: dict[str, str], split: str) -> tuple[float, float, float]:
    gold = {k: v[0] for k, v in labelled.items() if v[1] == split and k in system}
    return bcubed(gold, system)


def load() -> str:
    """The 1-, 5- and 15-minute load averages, to print beside timings."""
    return " / ".join(f"{x:.1f}" for x in os.getloadavg())


def main() -> int:
    ap = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    ap.add_argument("--data", type=Path, default=DEFAULT_DATA)
    ap.add_argument("--threshold", type=float, default=None, help="override the pair scorer's threshold")
    ap.add_argument("--similarity-only", action="store_true", help="no pair scorer: mean similarity >= --join")
    ap.add_argument("--join", type=float, default=None, help="override JOIN_SIMILARITY (with --similarity-only)")
    ap.add_argument("--articles", type=int, default=2000, help="articles for the throughput run (0: skip)")
    ap.add_argument("--workers", type=int, nargs="+", default=[1, 2],
                    help="throughput with these numbers of local workers embedding the leads (as rasid analyze)")
    ap.add_argument("--throughput-only", action="store_true", help="skip the quality figures")
    args = ap.parse_args()
    if args.throughput_only:
        return throughput(args, Cleaner.from_data())
    sets = {"story set": read_set("story_set"), "hard set": read_set("story_hard")}
    wanted = set().union(*sets.values())
    records = load_records(args.data, wanted)
    if len(records) != len(wanted):
        print(f"only {len(records)} of {len(wanted)} labelled articles found under {args.data}", file=sys.stderr)
        return 1
    cleaner = Cleaner.from_data()
    for name, labelled in sets.items():
        for split in ("dev", "test"):
            stories = {v[0] for v in labelled.values() if v[1] == split}
            print(f"{name:9} {split:4}  {sum(1 for v in labelled.values() if v[1] == split):4} articles, "
                  f"{len(stories)} stories")
    # both sets are clustered together, as one stream (the hard items are distractors for the stories)
    system = run(records, [records], cleaner, args)
    links = dict(LINKS)
    rng = random.Random(7)
    shuffled = records[:]
    rng.shuffle(shuffled)
    half = len(shuffled) // 2
    system2 = run(records, [shuffled[:half], shuffled[half:]], cleaner, args)
    # the baseline's cut is tuned on the dev items of both sets, then scored like Rasid
    best = max((sum(scores(lab, tfidf_baseline(records, t), "dev")[2] for lab in sets.values()), t)
               for t in (0.15, 0.2, 0.25, 0.3, 0.35, 0.4, 0.5))
    baseline = tfidf_baseline(records, best[1])
    rule = "similarity only" if args.similarity_only else "pair scorer"
    print(f"Rasid: {rule}; load average {load()}")
    print(f"{'':20} {'Rasid P / R / F1':>22} {'two runs F1':>12} {'TF-IDF baseline P / R / F1':>28}")
    for name, labelled in sets.items():
        for split in ("dev", "test"):
            p, r, f = scores(labelled, system, split)
            f2 = scores(labelled, system2, split)[2]
            bp, br, bf = scores(labelled, baseline, split)
            print(f"{name:9} {split:10} {p:6.3f} {r:6.3f} {f:6.3f} {f2:12.3f}     {bp:6.3f} {br:6.3f} {bf:6.3f}")
    for split in ("dev", "test"):
        print(f"threads   {split:4}  {thread_figures(system, links, split)}")
    print(f"(baseline cut at cosine {best[1]} chosen on dev; {len(set(system.values()))} stories formed by Rasid, "
          f"{len(set(baseline.values()))} by the baseline)")
    return throughput(args, cleaner)


def throughput(args, cleaner: Cleaner) -> int:
    """Story assignment speed on the first ``--articles`` SaudiNewsNet articles, once per ``--workers``."""
    if not args.articles:
        return 0
    sample = load_records(args.data, None, args.articles)
    for workers in args.workers:
        with tempfile.TemporaryDirectory() as tmp:
            path = Path(tmp) / "sample.jsonl"
            path.write_text("\n".join(json.dumps(r, ensure_ascii=False) for r in sample), encoding="utf-8")
            with Store(Path(tmp) / "t.sqlite") as store:
                analyze([path], store, cleaner=cleaner, stories=False, entities=False)
                load_before = load()
                t0 = time.perf_counter()
                # as rasid analyze assigns them: the leads embedded by the engine's workers
                n = _assign_stories(store, clusterer(args), LocalEngine(workers), None)
                dt = time.perf_counter() - t0
                n_stories = store.db.execute("SELECT count(*) FROM stories").fetchone()[0]
        print(f"story assignment, --workers {workers}: {n:,} segments in {dt:.1f} s -> {n / dt:,.1f} articles/s "
              f"(e5 encoder included; {n_stories:,} stories; load average {load_before} before, {load()} after)")
    return 0


if __name__ == "__main__":
    sys.exit(main())
