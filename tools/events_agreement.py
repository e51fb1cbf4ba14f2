"""Agreement between two coders of the events corpus: the second coding scored against the first.

    python tools/events_agreement.py bench/data/events_corpus/parts/second_A.json [...]

Each second coding is turned into a system output (its events as events.jsonl, its places and
actors by key) and scored against ``gold.json`` on the same articles with the shared scorer's
definitions, so "detect F1" here reads as how often two careful coders find the same event at the
same place, and "full F1" how often they also agree on actors, sub-event type and date.
"""

from __future__ import annotations

import argparse
import json
import sys
import tempfile
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT / "src"))

from rasid.evaluation import score_output  # noqa: E402


def as_output(coding: dict, folder: Path) -> None:
    places, actors = coding.get("places", {}), coding.get("actors", {})
    with (folder / "documents.jsonl").open("w", encoding="utf-8") as f:
        for doc, d in coding["documents"].items():
            f.write(json.dumps({"doc_id": doc, "publication_date": d.get("publication_date"),
                                "people": coding.get("people", {}).get(doc, []),
                                "places": [dict(places.get(k, {}), name=k, name_en=k)
                                           for k in coding.get("place_mentions", {}).get(doc, [])]},
                               ensure_ascii=False) + "\n")
    with (folder / "events.jsonl").open("w", encoding="utf-8") as f:
        for e in coding["events"]:
            loc = places.get(e.get("location") or "")
            row = {"doc_id": e["doc"], "event_type": e["event_type"], "sub_event_type": e.get("sub_event_type"),
                   "event_date": e.get("date"), "fatalities": e.get("fatalities"),
                   "location": dict(loc, name=e["location"], name_en=e["location"]) if loc else None}
            for role in ("actor1", "actor2"):
                key = e.get(role)
                row[role] = {"id": key, "label_en": actors.get(key, {}).get("name")} if key else None
            f.write(json.dumps(row, ensure_ascii=False) + "\n")


def main() -> int:
    ap = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    ap.add_argument("codings", nargs="+", type=Path)
    ap.add_argument("--gold", type=Path, default=ROOT / "bench" / "data" / "events_corpus" / "gold.json")
    args = ap.parse_args()
    gold = json.loads(args.gold.read_text(encoding="utf-8"))
    merged: dict = {"documents": {}, "events": [], "places": {}, "actors": {}, "people": {}, "place_mentions": {}}
    for path in args.codings:
        c = json.loads(path.read_text(encoding="utf-8"))
        for k in merged:
            if isinstance(merged[k], list):
                merged[k] += c.get(k, [])
            else:
                merged[k].update(c.get(k, {}))
    docs = set(merged["documents"])
    ref = dict(gold, documents={k: v for k, v in gold["documents"].items() if k in docs},
               events=[e for e in gold["events"] if e["doc"] in docs],
               people={k: v for k, v in gold.get("people", {}).items() if k in docs},
               place_mentions={k: v for k, v in gold.get("place_mentions", {}).items() if k in docs})
    with tempfile.TemporaryDirectory() as tmp:
        as_output(merged, Path(tmp))
        res = score_output(tmp, ref)
    print(f"{len(docs)} articles coded twice; second coder scored against the first:")
    for name in ("events_detect", "events_full", "fatalities_accuracy", "people", "places"):
        print(f"  {name:<20} {json.dumps(res.get(name))}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
