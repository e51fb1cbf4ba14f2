"""The event coder on whole days of SaudiNewsNet, as a user meets it: how many events, how many
with actor1, and the 20 largest tolls with their sentences, to be read by a person.

    python bench/bench_event_days.py [--days 3] [--out /tmp/rasid_event_days]

Analyses the first N daily archives (every stage but stories; a re-run reuses the store) and
prints the figures. Asserts nothing. SaudiNewsNet text is CC BY-NC-SA 4.0.
"""

from __future__ import annotations

import argparse
import json
import sys
import time
from collections import Counter
from pathlib import Path

from bench_ingest import DEFAULT_DATA, snn_archives

from rasid.cli import main as rasid

TOP_TOLLS = 20


def main() -> int:
    ap = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    ap.add_argument("--data", type=Path, default=DEFAULT_DATA)
    ap.add_argument("--days", type=int, default=3)
    ap.add_argument("--out", type=Path, default=Path("/tmp/rasid_event_days"))
    args = ap.parse_args()
    archives = snn_archives(args.data, args.days)
    if not archives:
        return 0
    t0 = time.perf_counter()
    code = rasid(["analyze", *map(str, archives), "--out", str(args.out), "--no-stories", "-q",
                  "--field", "text=content", "--field", "outlet=source", "--field", "published=date_extracted"])
    if code != 0:
        return code
    docs = sum(1 for _ in (args.out / "documents.jsonl").open(encoding="utf-8"))
    events = [json.loads(x) for x in (args.out / "events.jsonl").read_text(encoding="utf-8").splitlines()]
    print(f"{len(archives)} days, {docs:,} articles, {len(events):,} events in {time.perf_counter() - t0:.0f} s "
          f"({', '.join(f'{k}: {v}' for k, v in Counter(e['event_type'] for e in events).most_common())})")
    with_actor1 = sum(1 for e in events if e.get("actor1"))
    print(f"events with actor1: {with_actor1:,} of {len(events):,} ({with_actor1 / max(1, len(events)):.0%}); "
          f"modality: {dict(Counter(e.get('modality') for e in events))}")
    tolls = sorted((e for e in events if e.get("fatalities")), key=lambda e: -e["fatalities"])
    print(f"events with a toll: {len(tolls)}; sum of tolls {sum(e['fatalities'] for e in tolls):,}; "
          f"above 500: {sum(e['fatalities'] > 500 for e in tolls)}")
    print(f"the {TOP_TOLLS} largest tolls, with the words that gave them and their sentences:")
    for e in tolls[:TOP_TOLLS]:
        said = (e.get("spans") or {}).get("fatalities", {}).get("text")
        print(f"  {e['fatalities']:>6}  [{said}]  {e['doc_id']}  {' '.join(e['sentence'].split())[:220]}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
