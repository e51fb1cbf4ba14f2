"""``rasid stories``: list stories, newest first, with their sizes and outlets."""

from __future__ import annotations

import argparse
import json
import sys

from rasid.cli.common import add_common, add_store_option, open_existing_store


def add_parser(sub) -> None:
    """Register the command."""
    p = sub.add_parser("stories", help="list stories newest first with sizes and outlets",
                       description="List the stories in a store, newest first.")
    add_store_option(p)
    p.add_argument("--limit", type=int, default=20, help="how many stories to show (0: all; default 20)")
    p.add_argument("--min-size", type=int, default=1, help="only stories with at least this many members")
    p.add_argument("--json", action="store_true", help="write JSONL to stdout instead of a table")
    add_common(p)
    p.set_defaults(run=run)


def run(args: argparse.Namespace) -> int:
    """Run ``rasid stories``."""
    with open_existing_store(args) as store:
        stories = [s for s in store.iter_stories() if s["size"] >= args.min_size]
    if args.limit:
        stories = stories[:args.limit]
    if args.json:
        for s in stories:
            sys.stdout.write(json.dumps(s, ensure_ascii=False) + "\n")
        return 0
    from rich.console import Console
    from rich.table import Table

    table = Table(title=f"{len(stories)} stories, newest first", header_style="bold")
    for col in ("story", "dates", "size", "outlets", "title"):
        table.add_column(col, overflow="fold")
    for s in stories:
        dates = s["start_date"] if s["start_date"] == s["end_date"] else f"{s['start_date']} – {s['end_date']}"
        table.add_row(s["story_id"], dates or "undated", str(s["size"]), ", ".join(s["sources"]) or "–",
                      s["title_ar"][:90])
    Console().print(table)
    return 0
