"""Merge the coders' batches of the events corpus into one gold file (the seeds_gold.json format).

    python tools/merge_events_gold.py [--corpus bench/data/events_corpus]

Reads ``parts/batch*.json`` and the two earlier hand-coded Libya sets (``tests/data/snn_libya`` and
``bench/data/snn_libya_dev``), unions the actor and place tables (examples and spellings merged; a
place whose coordinates disagree by more than 25 km across coders is noted, the first kept), checks every event
(ACLED type pair, actor and place keys, anchor found in its article) and writes ``gold.json``.
Problems are printed; the file is written only when there are none.
"""

from __future__ import annotations

import argparse
import json
import math
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
EARLIER = [ROOT / "tests" / "data" / "snn_libya" / "gold.json", ROOT / "bench" / "data" / "snn_libya_dev" / "gold.json"]
PLACE_AGREEMENT_KM = 25.0


def km(a: dict, b: dict) -> float:
    la1, lo1, la2, lo2 = map(math.radians, (a["lat"], a["lon"], b["lat"], b["lon"]))
    h = math.sin((la2 - la1) / 2) ** 2 + math.cos(la1) * math.cos(la2) * math.sin((lo2 - lo1) / 2) ** 2
    return 6371.0 * 2 * math.asin(math.sqrt(h))


def main() -> int:
    ap = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    ap.add_argument("--corpus", type=Path, default=ROOT / "bench" / "data" / "events_corpus")
    ap.add_argument("--check", type=Path, metavar="BATCH.json",
                    help="check one batch file against the corpus and print its problems; write nothing")
    args = ap.parse_args()
    sys.path.insert(0, str(ROOT / "src"))
    from rasid.events.taxonomy import Taxonomy

    tax = Taxonomy.load()
    texts = {r["id"]: r["text"] for r in map(json.loads, (args.corpus / "articles.jsonl").read_text().splitlines())}
    merged: dict = {"about": "Blind-coded events corpus (see SOURCE.md and CODING.md). SaudiNewsNet text: CC BY-NC-SA 4.0.",
                    "documents": {}, "actors": {}, "places": {}, "events": [], "people": {}, "place_mentions": {}}
    problems: list[str] = []
    notes: list[str] = []
    parts = [args.check] if args.check else sorted((args.corpus / "parts").glob("batch*.json"))
    for path in [*EARLIER, *parts]:
        data = json.loads(path.read_text(encoding="utf-8"))
        for doc, d in data.get("documents", {}).items():
            if doc not in texts:
                problems.append(f"{path.name}: {doc} is not an article of the corpus")
            merged["documents"][doc] = {k: v for k, v in d.items() if k in ("publication_date", "kind")}
        for key, actor in data.get("actors", {}).items():
            into = merged["actors"].setdefault(key, {"name": actor.get("name", key), "examples": []})
            into["examples"] += [x for x in actor.get("examples", []) if x not in into["examples"]]
        for key, place in data.get("places", {}).items():
            if key in merged["places"]:
                into = merged["places"][key]
                if "lat" in place and "lat" in into and km(place, into) > PLACE_AGREEMENT_KM:
                    notes.append(f"{path.name}: {key} at {place['lat']},{place['lon']}, elsewhere "
                                 f"{into['lat']},{into['lon']} (the first is kept; a region's centre is a matter of taste)")
                into["ar"] += [x for x in place.get("ar", []) if x not in into["ar"]]
            else:
                merged["places"][key] = dict(place, ar=list(place.get("ar", [])))
        for field in ("people", "place_mentions"):
            merged[field].update(data.get(field, {}))
        merged["events"] += data.get("events", [])
    placeless = [e for e in merged["events"] if e.get("core", True) and e.get("location") is None]
    for e in placeless:  # adjudicated rule (CODING.md): an event whose text names no place is non-core
        e["core"] = False
    if placeless:
        print(f"{len(placeless)} core events without a place made non-core (adjudicated rule)")
    for e in merged["events"]:
        where = f"{e.get('id')}"
        if not tax.is_valid(e["event_type"], e.get("sub_event_type")):
            problems.append(f"{where}: {e['event_type']} / {e.get('sub_event_type')} is not an ACLED pair")
        for role in ("actor1", "actor2"):
            if e.get(role) is not None and e[role] not in merged["actors"]:
                problems.append(f"{where}: {role} {e[role]!r} is in no actor table")
        if e.get("location") is not None and e["location"] not in merged["places"]:
            problems.append(f"{where}: location {e['location']!r} is in no place table")
        if e.get("anchor") and e["anchor"] not in texts.get(e["doc"], ""):
            problems.append(f"{where}: anchor not found in {e['doc']}")
    missing = sorted(set(texts) - set(merged["documents"]))
    print(f"{len(merged['documents'])} of {len(texts)} articles coded, {len(merged['events'])} events "
          f"({sum(e.get('core', True) for e in merged['events'])} core); not yet coded: {len(missing)}")
    for n in notes:
        print("note:", n)
    for p in problems:
        print("problem:", p)
    if args.check:
        print(f"{args.check}: {len(problems)} problems", file=sys.stderr)
        return 1 if problems else 0
    if problems:
        return 1
    (args.corpus / "gold.json").write_text(json.dumps(merged, ensure_ascii=False, indent=1), encoding="utf-8")
    return 0


if __name__ == "__main__":
    sys.exit(main())
