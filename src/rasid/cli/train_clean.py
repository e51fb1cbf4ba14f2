"""``rasid train-clean PAGES [--model FILE]``: train the learned line model on a labelled page set.

PAGES is a JSONL file of pages with labelled lines and a split by site (as
``bench/data/pages/pages.jsonl``; see :mod:`rasid.clean.training`). The model is fitted on the train
sites and chosen on the dev sites, among settings that leave the bundled samples' cleaning exact;
the test sites are not read. The model file is what ``rasid analyze --line-model FILE`` reads; the
shipped one is ``src/rasid/clean/data/line_model.json``.
"""

from __future__ import annotations

import argparse
from pathlib import Path

from rasid.cli.common import add_common
from rasid.errors import RasidError

ROOT = Path(__file__).resolve().parents[3]


def add_parser(sub) -> None:
    p = sub.add_parser("train-clean", help="train the learned line model (page chrome) on a labelled page set",
                       description="Fit the line model on PAGES's train sites, choose it on its dev sites, and write "
                                   "the model file rasid analyze --line-model reads.")
    p.add_argument("pages", metavar="PAGES", help="JSONL of labelled pages with splits (bench/data/pages/pages.jsonl)")
    p.add_argument("--model", default="line_model.json", metavar="FILE",
                   help="model file to write (default: line_model.json)")
    p.add_argument("--rules", metavar="FILE", help="line rules to train under (default: the shipped boilerplate.yaml)")
    p.add_argument("--licence", metavar="TEXT", help="the licence of the labels, recorded in the model file")
    p.add_argument("--seeds", nargs=2, metavar=("DIR", "GOLD"),
                   help="sample articles and their gold whose cleaning must stay exact (default: the bundled "
                        "samples and ../shared/eval/seeds_gold.json when present)")
    add_common(p)
    p.set_defaults(run=run)


def run(args: argparse.Namespace) -> int:
    from rasid.clean.training import train, write_model

    if not Path(args.pages).is_file():
        raise RasidError(f"{args.pages}: no such page set")
    seeds = tuple(Path(x) for x in args.seeds) if args.seeds else \
        (ROOT / "demo" / "seeds", ROOT.parent / "shared" / "eval" / "seeds_gold.json")
    if not all(p.exists() for p in seeds):
        seeds = None
    try:
        model, about = train(args.pages, rules=args.rules, seeds=seeds, licence=args.licence or "",
                             on_step=None if args.quiet else print)  # noqa: T201
    except ValueError as exc:
        raise RasidError(str(exc)) from None
    write_model(model, args.model)
    dev, base = about["dev"], about["dev_rules_only"]
    print(f"wrote {args.model}: C={about['C']} threshold={about['threshold']}; dev sites line F1 {dev['f1']} "  # noqa: T201
          f"(rules alone {base['f1']}), from {about['train_lines']} lines of {about['train_pages']} train pages")
    return 0
