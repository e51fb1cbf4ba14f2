"""The event coder on the blind-coded events corpus, split by split, beside the seeds and the Libya sets.

    python bench/bench_event_corpus.py [--corpus bench/data/events_corpus] [--out /tmp/rasid_event_corpus]

Analyses the corpus articles (every stage but stories), then scores each split against
``gold.json`` with the shared scorer's definitions (``rasid.evaluation.score_output``): events
detect and full F1, fatalities, people and places. Also prints, for the test split's articles
outside Libya, the share of detected gold events whose actor1 is right, and the events coded on
distractor articles. The test split is scored only to report: read the figures, not its errors.
Prints figures; asserts nothing.
"""

from __future__ import annotations

import argparse
import json
import sys
import time
from pathlib import Path

from rasid.cli import main as rasid
from rasid.evaluation import _Gold, score_output

ROOT = Path(__file__).resolve().parents[1]


def subset(gold: dict, doc_ids: set[str]) -> dict:
    """The gold file restricted to some documents."""
    out = dict(gold)
    out["documents"] = {k: v for k, v in gold["documents"].items() if k in doc_ids}
    out["events"] = [e for e in gold["events"] if e["doc"] in doc_ids]
    for field in ("people", "place_mentions"):
        out[field] = {k: v for k, v in gold.get(field, {}).items() if k in doc_ids}
    return out


def actor1_right(outdir: Path, gold: dict) -> tuple[int, int]:
    """(right, detected): gold core events matched by type and place whose actor1 the system got right."""
    g = _Gold(gold)
    sys_events: dict[str, list[dict]] = {}
    for line in (outdir / "events.jsonl").read_text(encoding="utf-8").splitlines():
        e = json.loads(line)
        sys_events.setdefault(e["doc_id"], []).append(e)
    right = detected = 0
    for doc in gold["documents"]:
        taken: set[int] = set()
        for ge in (e for e in gold["events"] if e["doc"] == doc and e.get("core", True)):
            for i, se in enumerate(sys_events.get(doc, [])):
                if i in taken or se["event_type"] != ge["event_type"] or not g.place_match(ge["location"], se.get("location")):
                    continue
                taken.add(i)
                detected += 1
                right += ge.get("actor1") is not None and g.actor_match(ge["actor1"], se.get("actor1"))
                break
    return right, detected


def line(name: str, res: dict) -> str:
    d, f = res.get("events_detect", {}), res.get("events_full", {})
    fat = res.get("fatalities_accuracy", {})
    return (f"{name:<22} detect F1 {d.get('f1', 0):.3f} (P {d.get('precision', 0):.2f} / R {d.get('recall', 0):.2f}, "
            f"gold {d.get('gold', 0)}, system {d.get('system', 0)})  full F1 {f.get('f1', 0):.3f}  "
            f"fatalities {fat.get('correct', 0)}/{fat.get('of', 0)}  people F1 {res.get('people', {}).get('f1', 0):.3f}  "
            f"places F1 {res.get('places', {}).get('f1', 0):.3f}")


def main() -> int:
    ap = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    ap.add_argument("--corpus", type=Path, default=ROOT / "bench" / "data" / "events_corpus")
    ap.add_argument("--out", type=Path, default=Path("/tmp/rasid_event_corpus"))
    args = ap.parse_args()
    gold_path = args.corpus / "gold.json"
    if not gold_path.exists():
        print(f"no {gold_path}: run tools/merge_events_gold.py first", file=sys.stderr)
        return 0
    gold = json.loads(gold_path.read_text(encoding="utf-8"))
    split = json.loads((args.corpus / "split.json").read_text(encoding="utf-8"))["splits"]
    kinds = {r["id"]: r["kind"] for r in map(json.loads, (args.corpus / "articles.jsonl").read_text().splitlines())}
    t0 = time.perf_counter()
    if rasid(["analyze", str(args.corpus / "articles.jsonl"), "--out", str(args.out), "--no-stories", "-q"]) != 0:
        return 1
    print(f"analysed {len(kinds)} corpus articles in {time.perf_counter() - t0:.0f} s (every stage but stories)")
    for name in ("train", "dev", "test"):
        ids = set(split[name]) & set(gold["documents"])
        print(line(f"{name} ({len(ids)} articles)", score_output(args.out, subset(gold, ids))))
    outside = {d for d in split["test"] if kinds.get(d) not in ("libya", "distractor")} & set(gold["documents"])
    right, detected = actor1_right(args.out, subset(gold, outside))
    print(f"test, outside Libya ({len(outside)} articles): actor1 right in {right} of {detected} detected gold events"
          f" ({right / detected if detected else 0:.0%})")
    distractors = {d for d, k in kinds.items() if k == "distractor" and d in gold["documents"]}
    coded = [json.loads(x) for x in (args.out / "events.jsonl").read_text(encoding="utf-8").splitlines()]
    on_distractors = [e for e in coded if e["doc_id"] in distractors]
    gold_on_distractors = [e for e in gold["events"] if e["doc"] in distractors and e.get("core", True)]
    print(f"distractors ({len(distractors)} articles): {len(on_distractors)} events coded, "
          f"{len(gold_on_distractors)} core gold events")
    return 0


if __name__ == "__main__":
    sys.exit(main())
