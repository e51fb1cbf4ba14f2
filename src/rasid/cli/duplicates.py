"""``rasid duplicates``: list groups of copied articles and paragraphs shared between articles."""

from __future__ import annotations

import argparse
import json
import sys

from rasid.cli.common import add_common, add_store_option, open_existing_store


def add_parser(sub) -> None:
    """Register the command."""
    p = sub.add_parser("duplicates", help="list duplicate groups and shared passages",
                       description="List groups of exact and near-duplicate documents (each pointing at its "
                                   "earliest copy) and paragraphs that two otherwise different documents share.")
    add_store_option(p)
    p.add_argument("--limit", type=int, default=20, help="how many groups and passages to show (0: all)")
    p.add_argument("--min-chars", type=int, default=80, help="shortest paragraph that counts as a shared passage")
    p.add_argument("--json", action="store_true", help="write JSONL to stdout instead of tables")
    add_common(p)
    p.set_defaults(run=run)


def run(args: argparse.Namespace) -> int:
    """Run ``rasid duplicates``."""
    with open_existing_store(args) as store:
        groups = store.duplicate_groups()
        passages = store.shared_passages(min_chars=args.min_chars)
        texts = {}
        for p in passages[: args.limit or None]:
            doc = store.get_document(p["doc_id"])
            texts[(p["doc_id"], p["line"])] = doc.text[p["span"][0]:p["span"][1]] if doc else ""
    limit = args.limit or None
    if args.json:
        for g in groups[:limit]:
            sys.stdout.write(json.dumps({"kind": "duplicate_group", **g}, ensure_ascii=False) + "\n")
        for p in passages[:limit]:
            sys.stdout.write(json.dumps({"kind": "shared_passage", **p}, ensure_ascii=False) + "\n")
        return 0
    from rich.console import Console
    from rich.table import Table

    console = Console()
    t = Table(title=f"{len(groups)} duplicate groups ({sum(len(g['copies']) for g in groups)} copies)",
              header_style="bold")
    for col in ("original", "copies", "outlets", "dates", "title"):
        t.add_column(col, overflow="fold")
    for g in groups[:limit]:
        t.add_row(g["original"], str(len(g["copies"])), ", ".join(g["outlets"]), " ".join(g["dates"]),
                  (g["title"] or "")[:70])
    console.print(t)
    t = Table(title=f"{len(passages)} shared passages", header_style="bold")
    for col in ("document:line", "also in", "passage"):
        t.add_column(col, overflow="fold")
    for p in passages[:limit]:
        t.add_row(f"{p['doc_id']}:{p['line']}", f"{p['other_doc_id']}:{p['other_line']}",
                  texts.get((p["doc_id"], p["line"]), "")[:90])
    console.print(t)
    return 0
