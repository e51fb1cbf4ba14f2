"""``rasid status [--db FILE | --out DIR] [--actors FILE] [--triggers FILE] [--places FILE]``: how much of
the store is current, per layer.

A layer of a document is current when it was made from the data files a run with these options
would use (see :mod:`rasid.fingerprints`); stale when it was made from others (or from an older
cleaning of the document); missing when it was never made. Computed from file hashes and stored
fingerprints only: no model is loaded.
"""

from __future__ import annotations

import argparse
import json

from rasid.cli.common import add_common, add_store_option, open_existing_store


def add_parser(sub) -> None:
    """Register the command."""
    p = sub.add_parser("status", help="per layer, how many stored documents are current, stale or missing",
                       description="Show, per layer, how many stored documents are current, stale (made from "
                                   "other data files or another cleaning) or missing: what 'rasid analyze' with "
                                   "the same options would redo.")
    add_store_option(p)
    p.add_argument("--actors", metavar="FILE", help="the actor dictionary a run would use (default: shipped)")
    p.add_argument("--places", metavar="FILE", help="the place aliases a run would use (default: shipped)")
    p.add_argument("--triggers", metavar="FILE", help="the trigger lexicon a run would use (default: shipped)")
    p.add_argument("--rules", metavar="FILE", help="the line rules a run would use (default: shipped)")
    p.add_argument("--outlets", metavar="FILE", help="the outlet directory a run would use (default: shipped)")
    p.add_argument("--event-step", action="append", default=[], metavar="STEP=MODULE:CLASS",
                   help="an event coder step a run would replace (see rasid analyze --event-step)")
    p.add_argument("--event-model", metavar="FILE", help="the learned event steps' weights a run would use")
    p.add_argument("--line-model", metavar="FILE", help="the learned line model's weights a run would use")
    p.add_argument("--min-confidence", type=float, metavar="X", help="the --min-confidence a run would use")
    p.add_argument("--json", action="store_true", help="print the counts as one JSON object instead of a table")
    add_common(p)
    p.set_defaults(run=run)


def store_status(store, data_files) -> dict[str, dict[str, int]]:
    """``{layer: {"current", "stale", "missing"}}`` for clean, entity, event, stories and search."""
    from rasid.fingerprints import LayerFingerprints, layer_status

    counts = {layer: s.counts() for layer, s in layer_status(store, LayerFingerprints(data_files)).items()}
    assigned, unassigned = store.segment_story_counts()
    counts["stories"] = {"current": assigned, "stale": 0, "missing": unassigned}
    missing_search = store.docs_missing_search()
    never = store.count_never_indexed()
    counts["search"] = {"current": store.count_documents() - len(missing_search),
                        "stale": len(missing_search) - never, "missing": never}
    return counts


def run(args: argparse.Namespace) -> int:
    """Run ``rasid status``."""
    from rich.console import Console
    from rich.table import Table

    from rasid.cli.analyze import data_files_of

    data_files = data_files_of(args)
    with open_existing_store(args) as store:
        counts = store_status(store, data_files)
        path = store.path
    if args.json:
        print(json.dumps(counts))  # noqa: T201 - the CLI owns stdout
        return 0
    table = Table(title=f"rasid status: {path}", header_style="bold")
    table.add_column("layer")
    for name in ("current", "stale", "missing"):
        table.add_column(name, justify="right")
    units = {"stories": "segments"}
    for layer, c in counts.items():
        table.add_row(f"{layer} ({units.get(layer, 'documents')})", f"{c['current']:,}", f"{c['stale']:,}",
                      f"{c['missing']:,}")
    Console().print(table)
    todo = {layer: c["stale"] + c["missing"] for layer, c in counts.items() if c["stale"] + c["missing"]}
    if todo:
        Console().print("'rasid analyze' with these options would redo: "
                        + ", ".join(f"{layer} {n:,}" for layer, n in todo.items()), highlight=False)
    return 0
