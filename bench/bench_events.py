"""Event coder speed on SaudiNewsNet's Libya-related articles.

    python bench/bench_events.py [--data ../shared/data/saudinewsnet] [--articles 353]

Cleans the articles that mention ليبيا, extracts their entities, then codes their events, and
prints events/s and articles/s for the coder alone and for entities + coder, and how many field
spans (trigger, actors, place, date, toll, claimant) were checked against their document text.
Asserts nothing.
"""

from __future__ import annotations

import argparse
import sys
import time
from collections import Counter
from pathlib import Path

from bench_stories import DEFAULT_DATA, load_records

from rasid.clean import Cleaner
from rasid.document import Article
from rasid.entities import EntityExtractor
from rasid.events import EventCoder


def main() -> int:
    ap = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    ap.add_argument("--data", type=Path, default=DEFAULT_DATA)
    ap.add_argument("--articles", type=int, default=353)
    args = ap.parse_args()
    if not args.data.exists():
        print(f"no SaudiNewsNet at {args.data}", file=sys.stderr)
        return 0
    records = [r for r in load_records(args.data, None) if "ليبيا" in r["text"]][: args.articles]
    cleaner = Cleaner.from_data()
    docs = [cleaner.clean(Article(r["id"], r["text"], "bench", published=r["published"]))[0] for r in records]
    extractor = EntityExtractor()
    coder = EventCoder()
    t0 = time.perf_counter()
    entities = extractor.extract_many(docs)
    t_ent = time.perf_counter() - t0
    t0 = time.perf_counter()
    events = [e for doc, ents in zip(docs, entities, strict=True) for e in coder.code(doc, ents.rows())]
    t_code = time.perf_counter() - t0
    print(f"{len(docs)} Libya-related articles, {len(events)} events "
          f"({', '.join(f'{k}: {v}' for k, v in Counter(e.event_type for e in events).most_common())})")
    docs_by_id = {d.doc_id: d for d in docs}
    checked = wrong = 0
    for e in events:
        text = docs_by_id[e.doc_id].text
        for span in e.as_dict()["spans"].values():
            checked += 1
            wrong += text[span["start"]:span["end"]] != span["text"]
    print(f"field spans checked against their document text: {checked:,} in {len(events)} events, {wrong} wrong")
    print(f"modality: {dict(Counter(e.modality for e in events).most_common())}")
    print(f"coder alone: {t_code:.1f} s = {len(events) / t_code:,.0f} events/s, {len(docs) / t_code:,.0f} articles/s")
    total = t_ent + t_code
    print(f"entities + coder: {total:.1f} s = {len(events) / total:,.1f} events/s, {len(docs) / total:,.1f} articles/s")
    return 0


if __name__ == "__main__":
    sys.exit(main())
