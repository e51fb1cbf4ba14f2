"""``rasid train-events CORPUS [--model FILE]``: train the event coder's learned steps on a hand-coded corpus.

CORPUS is a folder with ``articles.jsonl``, ``gold.json`` and ``split.json`` (as
``bench/data/events_corpus``). The place ranker and the judge are fitted on the train split and
chosen on the dev split (see :mod:`rasid.events.training`); the test split is not read. The model
file is what ``rasid analyze --event-model FILE`` reads; the shipped one is
``src/rasid/events/data/learned.json``.
"""

from __future__ import annotations

import argparse
import json
from pathlib import Path

from rasid.cli.common import add_common


def add_parser(sub) -> None:
    p = sub.add_parser("train-events", help="train the event coder's place ranker and judge on a hand-coded corpus",
                       description="Fit the learned event steps on CORPUS's train split, choose them on its dev "
                                   "split, and write the model file rasid analyze --event-model reads.")
    p.add_argument("corpus", metavar="CORPUS", help="folder with articles.jsonl, gold.json and split.json")
    p.add_argument("--model", default="learned.json", metavar="FILE", help="model file to write (default: learned.json)")
    p.add_argument("--licence", metavar="TEXT", help="the licence of the corpus, recorded in the model file")
    p.add_argument("--extra-dev", action="append", default=[], metavar="DIR",
                   help="another dev set to choose on (a folder with articles.jsonl and gold.json; repeatable; "
                        "each set weighs the same as the corpus's dev split)")
    add_common(p)
    p.set_defaults(run=run)


def run(args: argparse.Namespace) -> int:
    from rich.progress import Progress

    from rasid.events.training import Corpus, train

    corpus = Corpus.load(args.corpus)  # a clear error before any model loads
    extras = [Corpus.load(path, dev_only=True) for path in args.extra_dev]
    n = len((set(corpus.splits["train"]) | set(corpus.splits["dev"])) & set(corpus.gold["documents"])) \
        + sum(len(set(e.splits["dev"]) & set(e.gold["documents"])) for e in extras)
    quiet = getattr(args, "quiet", False)
    with Progress(disable=quiet, transient=True) as bar:
        task = bar.add_task("cleaning and tagging the train and dev articles", total=n)
        model = train(args.corpus, extra_dev=args.extra_dev, licence=args.licence,
                      progress=lambda k: bar.advance(task, k),
                      log=None if quiet else bar.console.log)
    out = Path(args.model)
    out.parent.mkdir(parents=True, exist_ok=True)
    tmp = out.with_name(out.name + ".tmp")
    tmp.write_text(json.dumps(model, ensure_ascii=False, indent=1) + "\n", encoding="utf-8")
    tmp.replace(out)
    if not quiet:
        meta = model["meta"]
        dev = "; ".join(f"{name} detect F1 {r['detect_f1']:.3f} (P {r['detect_precision']:.2f} / "
                        f"R {r['detect_recall']:.2f}), full F1 {r['full_f1']:.3f}" for name, r in meta["dev"].items())
        places = "learned" if model["places"] else "the lexicon's (the learned one did no better on dev)"
        print(f"wrote {out}: place ranker {places}; {dev}")  # noqa: T201
    return 0
