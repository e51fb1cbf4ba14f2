"""``rasid users add NAME --role viewer|coder|admin`` and ``rasid export-gold --db FILE --out gold.json``: the review loop's
accounts and what it teaches (see :mod:`rasid.review`)."""

from __future__ import annotations

import argparse
import json
from pathlib import Path

from rasid.cli.common import add_common, add_store_option, open_existing_store


def add_parsers(sub) -> None:
    p = sub.add_parser("users", help="accounts of the review loop: add a viewer, coder or admin (prints a token once)")
    users = p.add_subparsers(dest="users_command", required=True)
    add = users.add_parser("add", help="add a user (or issue a new token to one) and print the token once")
    add.add_argument("name")
    add.add_argument("--role", choices=("viewer", "coder", "admin"), default="coder")
    add_store_option(add)
    add_common(add)
    add.set_defaults(run=run_users_add)

    g = sub.add_parser("export-gold", help="write the reviewed documents as gold annotations (seeds_gold.json format)",
                       description="Write every document a coder reviewed, with its events as reviewed, in the "
                                   "format rasid eval and rasid train-events read.")
    g.add_argument("--db", default="out/rasid.sqlite", metavar="FILE", help="the store (default out/rasid.sqlite)")
    g.add_argument("--out", dest="gold_out", default="gold.json", metavar="FILE|DIR",
                   help="file to write (default gold.json); a folder gets gold.json and the articles (articles.jsonl): "
                        "a dev set for rasid train-events --extra-dev")
    add_common(g)
    g.set_defaults(run=run_export_gold)


def run_users_add(args: argparse.Namespace) -> int:
    from rasid.review import add_user

    with open_existing_store(args) as store:
        token = add_user(store, args.name, args.role)
    print(f"{args.name} ({args.role}): {token}")  # noqa: T201
    print("keep it: it is shown once (only its hash is stored)")  # noqa: T201
    return 0


def run_export_gold(args: argparse.Namespace) -> int:
    from rasid.review import export_gold

    out = Path(args.gold_out)
    folder = out.suffix != ".json"  # a folder: gold.json and the articles, a dev set for train-events --extra-dev
    with open_existing_store(argparse.Namespace(db=args.db, out=None)) as store:
        gold = export_gold(store)
        articles = [store.get_article(d) for d in gold["documents"]] if folder else []
    if folder:
        out.mkdir(parents=True, exist_ok=True)
        with (out / "articles.jsonl").open("w", encoding="utf-8") as f:
            for a in filter(None, articles):
                f.write(json.dumps({"id": a.doc_id, "text": a.text, "title": a.title, "outlet": a.outlet,
                                    "published": a.published}, ensure_ascii=False) + "\n")
        out = out / "gold.json"
    out.parent.mkdir(parents=True, exist_ok=True)
    out.write_text(json.dumps(gold, ensure_ascii=False, indent=1) + "\n", encoding="utf-8")
    if not getattr(args, "quiet", 0):
        print(f"wrote {out}: {len(gold['documents'])} reviewed documents, {len(gold['events'])} events")  # noqa: T201
    return 0
