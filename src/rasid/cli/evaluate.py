"""``rasid eval GOLD.json [--out DIR]``: score an output folder against hand-coded annotations."""

from __future__ import annotations

import argparse
import json
from pathlib import Path

from rasid.cli.common import add_common
from rasid.errors import RasidError


def add_parser(sub) -> None:
    p = sub.add_parser("eval", help="score the output against your own gold annotations (seeds_gold.json format)",
                       description="Score OUT/documents.jsonl and OUT/events.jsonl against a gold file: cleaning, "
                                   "stories, people, places, events (detect/full), fatalities, publication dates.")
    p.add_argument("gold", metavar="GOLD.json")
    p.add_argument("--out", default="out", metavar="DIR", help="output folder of rasid analyze (default: out)")
    p.add_argument("--json", action="store_true", help="print one JSON object")
    add_common(p)
    p.set_defaults(run=run)


def run(args: argparse.Namespace) -> int:
    from rasid.evaluation import score_output

    out = Path(args.out)
    if not (out / "documents.jsonl").exists():
        raise RasidError(f"no {out / 'documents.jsonl'}; run 'rasid analyze ... --out {out}' first")
    try:
        gold = json.loads(Path(args.gold).read_text(encoding="utf-8"))
    except (OSError, json.JSONDecodeError) as exc:
        raise RasidError(f"cannot read gold file {args.gold}: {exc}") from exc
    if not isinstance(gold, dict) or "documents" not in gold:
        raise RasidError(f"{args.gold}: not a gold file (needs a 'documents' object)")
    res = score_output(out, gold)
    if args.json:
        print(json.dumps(res, ensure_ascii=False))  # noqa: T201
    else:
        for k, v in res.items():
            print(f"{k:26s} {json.dumps(v, ensure_ascii=False)}")  # noqa: T201
    return 0
