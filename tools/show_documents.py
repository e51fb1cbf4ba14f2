"""Print a short view of documents.jsonl: per document its outlet, date, title, the lines cleaning
removed, its segments, and the people, places and countries it names."""

import json
import sys
from pathlib import Path


def main(path: str) -> int:
    """Show each document of `path` in a few lines."""
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
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1] if len(sys.argv) > 1 else "out/demo/documents.jsonl"))
