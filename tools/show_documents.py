"""Print a short view of documents.jsonl: per document its outlet, date, title, the lines cleaning
removed, its segments, the people, places and countries it names, and its coded events."""

import json
import sys
from pathlib import Path


def main(path: str) -> int:
    """Show each document of `path` in a few lines (and its events, from events.jsonl beside it)."""
    events: dict[str, list[dict]] = {}
    ev_path = Path(path).with_name("events.jsonl")
    if ev_path.exists():
        for raw in ev_path.read_text(encoding="utf-8").splitlines():
            e = json.loads(raw)
            events.setdefault(e["doc_id"], []).append(e)
    for raw in Path(path).read_text(encoding="utf-8").splitlines():
        doc = json.loads(raw)
        lines = doc["lines"]
        removed = [ln for ln in lines if ln["status"] != "kept"]
        print(f"\n{doc['doc_id']}  outlet={doc['outlet']} ({doc['outlet_basis']})  date={doc['publication_date']}  "
              f"lang={doc['language']}  lines={len(lines)}  segments={len(doc['segments'])}")
        if doc["title"]:
            print(f"  title: {doc['title']}")
        for ln in removed:
            text = doc["text"][ln["start"]:ln["end"]]
            print(f"  line {ln['n']:>3} {ln['status']:<11} {text[:60]}")
        for seg in doc["segments"]:
            print(f"  segment {seg['index']}: lines {seg['lines'][0]}-{seg['lines'][1]}  {seg['title'] or ''}")
        people = [f"{p['name']}" + (f" ({p['name_en']})" if p.get("name_en") else "") + f" x{p['mentions']}"
                  for p in doc.get("people", [])]
        places = [f"{p['name_ar']} {p['name']} [{p['lat']:.2f},{p['lon']:.2f}] p{p['geo_precision']} x{p['mentions']}"
                  for p in doc.get("places", [])]
        if people:
            print("  people: " + "; ".join(people))
        if places:
            print("  places: " + "; ".join(places))
        if doc.get("countries"):
            print("  countries: " + ", ".join(f"{c['name']} x{c['mentions']}" for c in doc["countries"]))
        for e in events.get(doc["doc_id"], []):
            print(f"  event line {e['line']:>2}: {e['notes_en']}")
    stories_path = Path(path).with_name("stories.jsonl")
    if stories_path.exists():
        for line in stories_path.read_text(encoding="utf-8").splitlines():
            story = json.loads(line)
            conflicts = (story.get("comparison") or {}).get("conflicts") or []
            print(f"\nstory {story['story_id']}: {story.get('title_en') or story['title_ar']}")
            for c in conflicts:
                print(f"  conflict ({c['kind']}): {c['summary_en'][:160]}")
    report = Path(path).with_name("report.html")
    if report.exists():
        print(f"\nreport: {report}   dashboard: rasid serve --out {report.parent}")
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1] if len(sys.argv) > 1 else "out/demo/documents.jsonl"))
